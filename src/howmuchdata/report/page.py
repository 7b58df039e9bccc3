"""Render the self-contained ``report.html`` (Jinja2 template, plotly.js inlined once).

Safety: Jinja2 autoescaping escapes every string from the data in the HTML; the figures travel
as JSON inside a ``<script type="application/json">`` element with ``<``, ``>`` and ``&``
written as ``\\u003c`` etc., so no string (``</script>`` included) can end that element early;
the page's Content-Security-Policy forbids fetching anything.
"""

from __future__ import annotations

import json
import math
from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup
from plotly.offline import get_plotlyjs

import howmuchdata
from howmuchdata.report.figures import Figure, build_figures, legend_fit
from howmuchdata.report.runview import RunView, num
from howmuchdata.report.summary import (
    answer,
    crossover_sentences,
    embedding_words,
    evidence_items,
    extrapolation_answers,
    finding_title,
    fmt_score,
    fmt_size,
    fmt_spread,
    interval_heading,
    notes,
    plan_section,
    skipped_images,
    skipped_images_words,
)
from howmuchdata.result import SCHEMA_VERSION
from howmuchdata.strategies.labels_saved import LABELS_CELL_COLUMNS, labels_cells

# At most this many failed points are listed per model (their count is always given).
MAX_FAILED_ROWS = 50


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("howmuchdata.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
    )


def script_json(value: Any) -> str:
    """JSON that is safe inside an HTML ``<script>`` element.

    ``<``, ``>`` and ``&`` become JSON unicode escapes (the parsed value is unchanged), so
    neither ``</script>`` nor ``<!--`` can appear; U+2028/2029 are escaped for old JS parsers.
    """
    text = json.dumps(value, separators=(",", ":"), allow_nan=False)
    for char, code in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, code)
    return text


@cache
def plotly_js() -> str:
    """plotly.js as shipped with the installed plotly package (matches its figure schema)."""
    code = get_plotlyjs()
    if "</script" in code.lower():  # would end the inline script early; never true so far
        raise RuntimeError("the installed plotly.js cannot be inlined safely")
    return code


def finding_context(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for f in findings:
        out.append(
            {
                "severity": str(f.get("severity", "info")),
                "kind": str(f.get("kind", "")),
                "title": finding_title(f),
                "advice": str(f.get("advice", "")),
                "evidence": evidence_items(f),
            }
        )
    return out


def answer_context(view: RunView) -> dict[str, Any]:
    """What ``answer.html.j2`` needs: statements, notes, findings."""
    return {
        "statements": answer(view),
        "notes": notes(view),
        "findings": finding_context(view.findings),
    }


def _measured(view: RunView) -> list[dict[str, Any]]:
    """Per model, one row per measured size; a size where every repeat failed says so."""
    out = []
    for curve in view.curves.values():
        t = curve.by_size.set_index("size", drop=False)
        has_groups = "n_train_groups" in t and t["n_train_groups"].notna().any()
        tried = curve.points.groupby("size").size()
        rows = []
        for size, n_points in tried.items():
            if size not in t.index:
                rows.append(
                    {
                        "size": fmt_size(size),
                        "groups": "",
                        "val": "no score (every repeat failed)",
                        "train": "n/a",
                        "repeats": f"0 of {int(n_points)}",
                        "fit": "n/a",
                    }
                )
                continue
            r = t.loc[size]
            rows.append(
                {
                    "size": fmt_size(r["size"]),
                    "groups": fmt_size(r["n_train_groups"]) if has_groups else "",
                    "val": fmt_score(r["val_mean"]) + fmt_spread(r["val_std"], int(r["n_ok"])),
                    "train": fmt_score(r["train_mean"]),
                    "repeats": f"{int(r['n_ok'])} of {int(r['n_points'])}",
                    "fit": f"{r['fit_seconds']:.3f}" if math.isfinite(r["fit_seconds"]) else "n/a",
                }
            )
        failed = curve.failed
        out.append(
            {
                "model": curve.model,
                "n_sizes": len(rows),
                "n_ok": int(len(curve.points) - len(failed)),
                "n_points": len(curve.points),
                "has_groups": bool(has_groups),
                "embedding": embedding_words((curve.meta.get("settings") or {}).get("embedding")),
                "rows": rows,
                "failed": [
                    {
                        "size": fmt_size(num(r["size"])),
                        "repeat": r["repeat"],
                        "error": str(r["error"] or "no error message stored")[:500],
                    }
                    for _, r in failed.head(MAX_FAILED_ROWS).iterrows()
                ],
            }
        )
    return out


def _labels_saved(view: RunView) -> dict[str, Any] | None:
    """The labels-saved table as the terminal prints it: its headings and text cells."""
    if not view.labels_saved:
        return None
    comparison = view.comparison
    level = num((comparison.get("settings") or {}).get("level", 0.8))
    cells = labels_cells(
        view.labels_saved,
        baseline=str(comparison.get("baseline", "baseline")),
        targets=[num(t) for t in comparison.get("targets") or []],
    )
    return {
        "columns": [interval_heading(c, level) for c in LABELS_CELL_COLUMNS],
        "rows": [list(row.values()) for row in cells],
    }


def _crossovers(view: RunView) -> list[str]:
    """ "a is best below ~412 labels, b above" sentences, when the strategy lab stored them."""
    return [f"{c}." for c in crossover_sentences(view)]


def _strategies(view: RunView) -> list[dict[str, str]]:
    """What each compared strategy does, from the strategy lab's ``comparison`` key."""
    rows = view.comparison.get("strategies")
    return [
        {
            "name": str(r.get("name", "")),
            "description": str(r.get("description", "")),
            "status": str(r.get("status", "")),
        }
        for r in rows or []
        if isinstance(r, dict)
    ]


def _missing_figures(view: RunView, figures: list[Figure]) -> list[dict[str, str]]:
    shown = {f.key for f in figures}
    missing = []
    if "curves" not in shown and view.curves:  # points stored, none scored
        missing.append(
            {
                "title": "Learning curves",
                "reason": "No point has a validation score, so there is no curve to draw.",
            }
        )
    if "forecast" not in shown and view.curves:
        reasons = [c.extrapolation_missing for c in view.curves.values() if c.extrapolation_missing]
        missing.append(
            {
                "title": "What more data would bring",
                "reason": "; ".join(reasons) or "No extrapolation is stored.",
            }
        )
    return missing


def _meta_line(view: RunView) -> str:
    result = view.result
    primary = view.primary
    parts = []
    data = result.get("data") if isinstance(result.get("data"), dict) else {}
    if data.get("source"):
        target = f", target {data['target']}" if data.get("target") else ""
        parts.append(f"data: {data['source']}{target}")
    if primary is not None:
        meta = primary.meta
        if meta.get("task"):
            parts.append(str(meta["task"]))
        if math.isfinite(num(meta.get("n_samples"))):
            parts.append(f"{fmt_size(num(meta['n_samples']))} rows")
        classes = meta.get("classes")
        if isinstance(classes, list) and classes:
            parts.append(f"{len(classes)} classes")
    n_skipped, _, source = skipped_images(view)
    if n_skipped:  # the rows above are the images that were read
        parts.append(skipped_images_words(n_skipped, source) + " (see the notes)")
    if view.curves:
        parts.append("models: " + ", ".join(view.curves))
    if result.get("commands"):
        parts.append("commands: " + ", ".join(map(str, result["commands"])))
    if result.get("updated"):
        parts.append(f"updated {result['updated']}")
    return " · ".join(parts)


def render_page(view: RunView) -> str:
    """The complete HTML document for one run."""
    figures = build_figures(view)
    primary = view.primary
    context = {
        **answer_context(view),
        "headline_model": primary.model if primary is not None else None,
        "meta_line": _meta_line(view),
        "figures": figures,
        "missing_figures": _missing_figures(view, figures),
        "figures_json": script_json(
            [{"key": f.key, "figure": f.figure, "legend": legend_fit(f.figure)} for f in figures]
        ),
        "plotly_js": plotly_js() if figures else "",
        "labels_saved": _labels_saved(view),
        "plan": plan_section(view.plan) if view.plan else None,
        "answers": extrapolation_answers(view),
        "crossovers": _crossovers(view),
        "strategies": _strategies(view),
        "comparison_embedding": embedding_words(
            (view.comparison.get("settings") or {}).get("embedding")
        ),
        "measured": _measured(view),
        "version": howmuchdata.__version__,
        "schema_version": view.result.get("schema_version", SCHEMA_VERSION),
    }
    # the two script payloads are made safe above; everything else is autoescaped
    context["figures_json"] = Markup(context["figures_json"])
    context["plotly_js"] = Markup(context["plotly_js"])
    return environment().get_template("report.html.j2").render(**context)


def render_answer(view: RunView) -> str:
    """The answer and findings as an HTML fragment (no scripts), e.g. for Jupyter."""
    return environment().get_template("answer.html.j2").render(**answer_context(view))
