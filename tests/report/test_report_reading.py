"""The report as a user reads it, checked against real runs of every command: what `compare`
noted, the metric a subgroup finding is in, a time split whose older rows lower the score, the
plan table's costs as `howmuchdata plan` prints them, a target that the rounded score seems to
reach, upper limits in the labels plot, class names in the legend and the embedding step."""

from __future__ import annotations

import html
import io
import re

import numpy as np
from hmd_report_data import curve_meta, make_extrapolation, make_points, one_model, stored
from rich.console import Console

import howmuchdata as hmd
from howmuchdata.cli.plan import _print_plan
from howmuchdata.report import build_report, summary_html
from howmuchdata.report.figures import build_figures
from howmuchdata.report.runview import read_run
from howmuchdata.report.summary import answer


def statements(result: dict) -> dict:
    return {s.key: s for s in answer(read_run(result))}


def figures(result: dict) -> dict:
    return {f.key: f for f in build_figures(read_run(result))}


def saved_row(strategy: str, target: float, labels: float, **extra) -> dict:
    return {
        "strategy": strategy,
        "target": target,
        "labels": labels,
        "labels_lo": labels * 0.8,
        "labels_hi": labels * 1.3,
        "baseline_labels": 100.0,
        "baseline_lo": 80.0,
        "baseline_hi": 130.0,
        "ratio": 100.0 / labels,
        "labels_at_start": False,
        "baseline_at_start": False,
        "labels_lo_at_start": False,
        **extra,
    }


# --- compare's notes: arms merged or left out -------------------------------------------------

MERGED = (
    "active:least_confident also stands for active:margin and active:entropy: on two classes "
    "they query the same rows (probability nearest 0.5)"
)
LEFT_OUT = (
    "semi:self_training left out: the baseline LinearSVC has no predict_proba, which "
    "self-training picks its pseudo-labels by"
)


def compared(**comparison) -> dict:
    return one_model(
        labels_saved=[saved_row("baseline", 0.95, 100.0), saved_row("active:random", 0.95, 80.0)],
        comparison={"baseline": "baseline", "targets": [0.95], **comparison},
    )


def test_the_notes_compare_printed_are_on_the_page_in_summary_md_and_in_jupyter(tmp_path):
    result = compared(notes=[MERGED, LEFT_OUT])
    files = build_report(stored(tmp_path, result), pngs=False)
    page = html.unescape(files.html.read_text())
    notes = page[page.index("hmd-notes") : page.index("</section>")]
    assert f"{MERGED}." in notes and f"{LEFT_OUT}." in notes
    summary = files.summary.read_text()
    assert f"- {MERGED}." in summary and f"- {LEFT_OUT}." in summary
    assert MERGED in html.unescape(summary_html(result))


# --- a subgroup finding is in the run's scorer ------------------------------------------------


def subgroup_finding(metric: str, key: str, *, error: bool) -> dict:
    return {
        "kind": "subgroup_underperforms",
        "severity": "warning",
        "evidence": {
            "subgroup": "east",
            "metric": metric,
            "scoring": ("neg_" if error else "") + key,
            "shortfall_relative": error,
            "subgroups": {
                "east": {"n": 131, "share": 0.23, key: 0.62},
                "north": {"n": 256, "share": 0.45, key: 0.99},
            },
        },
        "advice": "review subgroup east",
    }


def test_the_subgroup_plot_names_the_metric_as_the_finding_does():
    finding = subgroup_finding("ROC AUC", "roc_auc", error=False)
    figure = figures(one_model(findings=[finding]))["subgroups"]
    assert figure.figure["layout"]["yaxis"]["title"]["text"] == "ROC AUC"
    assert "ROC AUC" in figure.caption
    assert "ROC AUC %{y" in figure.figure["data"][0]["hovertemplate"]


def test_the_subgroup_plot_of_an_error_says_lower_is_better():
    finding = subgroup_finding("log loss", "log_loss", error=True)
    figure = figures(one_model(findings=[finding]))["subgroups"]
    assert figure.figure["layout"]["yaxis"]["title"]["text"] == "log loss (lower is better)"


# --- a time split whose older rows lower the score --------------------------------------------


def older_rows_finding(hurt: bool = True) -> dict:
    return {
        "kind": "saturated",
        "severity": "warning",
        "evidence": {
            "model": "logreg",
            "size": 1600,
            "measured_gain_per_doubling": -0.04899,
            "min_gain": 0.005,
            "diminishing_returns_size": 2461.0,
            "older_rows_hurt": hurt,
        },
        "advice": "the score falls as older rows are added",
    }


def test_older_rows_that_lower_the_score_head_the_finding_and_the_headline(tmp_path):
    result = one_model(findings=[older_rows_finding()])
    text = statements(result)["diminishing"].text
    assert "the score falls as they are added" in text
    assert "lost 4.9 points each" in text
    assert "Above ~" not in text  # no size past which a doubling adds little: it subtracts
    page = build_report(stored(tmp_path, result), pngs=False).html.read_text()
    assert "<strong>Older rows lower the score</strong>" in page
    assert "will not help much" not in page


def test_a_saturated_curve_without_that_keeps_its_words():
    result = one_model(findings=[older_rows_finding(hurt=False)])
    assert statements(result)["diminishing"].text.startswith("Above ~2,500 samples")


# --- a flat forecast beside measured doublings that still gain ---------------------------------


class FlatForecast:
    """An extrapolation that expects no gain at all past the measured sizes."""

    flags = ("flat",)
    score_range = (0.0, 1.0)

    def predict(self, sizes):
        return np.full(np.shape(sizes), 0.9)

    def interval(self, sizes, level=0.8):
        return np.full(np.shape(sizes), 0.89), np.full(np.shape(sizes), 0.91)


def test_a_flat_forecast_the_measured_doublings_contradict_is_not_called_flat(tmp_path):
    import pandas as pd

    points = make_points("logreg")  # rises 0.71 -> 0.94: its last doublings gain ~1-2 points
    findings = hmd.diagnose(
        pd.DataFrame(points), checks=["data_limited"], extrapolation=FlatForecast()
    )
    assert "remeasure to settle which holds" in findings[0].advice  # the finding disagrees
    finding = {**findings[0].to_dict(), "evidence": {**findings[0].evidence, "model": "logreg"}}
    ext = make_extrapolation()
    ext["flags"] = ["flat"]
    ext["grid"].update(mean=[0.9] * 120, lo=[0.89] * 120, hi=[0.91] * 120)
    text = statements(one_model(extrapolation={"logreg": ext}, findings=[finding]))[
        "diminishing"
    ].text
    assert "flat" not in text and "not expected to" not in text
    lo, hi = finding["evidence"]["measured_gain_interval"]
    assert (
        f"still gained {100 * finding['evidence']['measured_gain_per_doubling']:.1f} points" in text
    )
    assert f"(80% interval {100 * lo:.1f} points to {100 * hi:.1f} points)" in text
    assert "remeasure" in text


# --- the plan table's costs, as `howmuchdata plan` prints them --------------------------------


def test_the_plan_table_costs_are_the_printed_ones(tmp_path):
    rng = np.random.default_rng(0)
    sizes = np.repeat([50, 100, 200, 400, 800, 1600], 5)
    scores = 0.95 - 1.5 * sizes**-0.5 + rng.normal(0, 0.004, sizes.size)
    p = hmd.plan((sizes, scores), target=0.93, cost_per_label=12.5, value_per_point=2000)
    console = Console(width=250, record=True, file=io.StringIO())
    _print_plan(console, p, "m")
    printed = [
        [c.strip() for c in line.strip("│ ").split("│")][4]
        for line in console.export_text().splitlines()
        if line.startswith("│")
    ]
    page = build_report(stored(tmp_path, one_model(plan={**p.to_dict(), "model": "m"})), pngs=False)
    block = page.html.read_text()
    block = block[block.index('id="section-plan"') :]
    block = block[: block.index("</section>")]
    rows = re.findall(r"<tr>(.*?)</tr>", block, re.S)[1:]
    shown = [re.findall(r"<td[^>]*>(.*?)</td>", r)[4] for r in rows]
    costs = [r["cost"] for r in p.to_dict()["table"]]
    assert any(not float(c).is_integer() for c in costs)  # half amounts: 12.5 per label
    assert shown == printed


# --- a target the rounded score seems to reach ------------------------------------------------


def test_a_target_the_rounded_score_seems_to_reach_quotes_the_score_closer():
    # the score now is 0.9795, written 0.980 in the first sentence; the target is 0.98
    points = make_points("logreg")
    last = max(p["size"] for p in points)
    for p in points:
        if p["size"] == last:
            p["val_score"] = 0.9795
    ext = make_extrapolation()
    ext["answers"] = {"level": 0.8, "at": [], "targets": [{"target": 0.98, "size": 10_000}]}
    said = statements(one_model(points=points, extrapolation={"logreg": ext}))
    assert "0.980 ± 0.000" in said["now"].text
    assert said["target"].text.startswith("To reach 0.98 (now 0.9795) you need about")


def test_a_target_clearly_above_the_score_is_said_plainly():
    ext = make_extrapolation()
    ext["answers"] = {"level": 0.8, "at": [], "targets": [{"target": 0.97, "size": 10_000}]}
    text = statements(one_model(extrapolation={"logreg": ext}))["target"].text
    assert text.startswith("To reach 0.97 you need about")


# --- the labels plot, the class legend, the embedding step ------------------------------------


def test_a_bar_at_the_smallest_size_is_called_an_upper_limit():
    start = saved_row("baseline", 0.9, 16.0, labels_at_start=True, labels_lo_at_start=True)
    start.update(labels_lo=16.0, baseline_labels=16.0, baseline_at_start=True, ratio=1.0)
    result = compared()
    result["labels_saved"] = [start, saved_row("simpler:knn", 0.9, 22.0)]
    caption = figures(result)["strategies"].caption
    assert "upper limit" in caption
    assert "upper limit" not in figures(compared())["strategies"].caption


def test_the_per_class_legend_names_classes():
    figure = figures(one_model())["classes"].figure
    assert [t["name"] for t in figure["data"]] == ["class a", "class b"]


def test_the_embedding_step_of_a_curve_is_said_under_its_points(tmp_path):
    meta = curve_meta("logreg")
    meta["settings"]["embedding"] = {
        "embedder": "all-MiniLM-L6-v2@0.1.0",
        "cache": "/cache/minilm.sqlite",
        "rows": 1300,
        "cached_before": 0,
        "encoded": 1229,
        "seconds": 3.5358,
    }
    page = build_report(stored(tmp_path, one_model(curves=[meta])), pngs=False)
    text = page.html.read_text()
    assert (
        "Embeddings (all-MiniLM-L6-v2@0.1.0): 1,300 rows ready in 3.5 s before the first fit "
        "(1,229 encoded, the rest read from /cache/minilm.sqlite); not counted in any fit time."
    ) in text


def test_the_embedding_step_of_compare_is_said_under_its_labels_table(tmp_path):
    fill = {"embedder": "all-MiniLM-L6-v2@0.1.0", "rows": 569, "encoded": 569, "seconds": 9.84}
    result = compared(settings={"level": 0.8, "embedding": fill})
    text = build_report(stored(tmp_path, result), pngs=False).html.read_text()
    block = text[text.index('id="section-labels-saved"') :]
    block = block[: block.index("</section>")]
    assert "569 rows ready in 9.8 s before the first fit (569 encoded" in block
