"""The answer first, in words and numbers, and the Markdown summary.

The headline answers four questions about the best model of the run: the score now with its
spread over repeats; the expected score with 10x more data and its 80% interval; the samples
needed to reach a target with an interval; the size past which a doubling of the data adds
little (diminishing returns). Each answer is a :class:`Statement` carrying the numbers it quotes,
so the HTML page, the Markdown summary, Jupyter and the tests all read the same values.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from howmuchdata.diagnose._numbers import count, round_up
from howmuchdata.diagnose.context import DiagnoseOptions, has_fixed_scale
from howmuchdata.diagnose.data_limited import SEARCH_FACTOR, diminishing_returns_size
from howmuchdata.report.runview import CurveView, Grid, RunView, num
from howmuchdata.strategies.labels_saved import (
    LABELS_CELL_COLUMNS,
    crossover_words,
    labels_cells,
)

# a doubling that adds less than this share of a fixed-scale score (or of the score's size)
# is "little": the diagnosis' default min_gain, so the headline and the finding agree
DIMINISHING_GAIN = DiagnoseOptions().min_gain
# the headline names at most this many other models (best first)
MAX_OTHERS = 5
PRETTY_SCORING = {
    "accuracy": "accuracy",
    "balanced_accuracy": "balanced accuracy",
    "r2": "R²",
    "roc_auc": "ROC AUC",
    "neg_log_loss": "negative log-loss",
    "neg_mean_squared_error": "negative MSE",
    "neg_root_mean_squared_error": "negative RMSE",
    "neg_mean_absolute_error": "negative MAE",
    "f1": "F1",
    "f1_macro": "macro F1",
    "f1_weighted": "weighted F1",
}
KIND_TITLES = {
    "data_limited": "More data will help",
    "saturated": "More data of this kind will not help much",
    "overfitting": "Overfitting",
    "high_variance": "Uncertain estimate (high variance)",
    "capacity_limited": "The model is too simple",
    "params_per_example": "Model size against data",
    "class_needs_data": "A class needs more data",
    "subgroup_underperforms": "A subgroup underperforms",
    "label_noise": "Wrong labels",
    "duplicates": "Duplicates",
    "leakage": "Leakage",
    "imbalance": "Class imbalance",
    "drift": "Drift over time",
}


@dataclass(frozen=True)
class Statement:
    """One sentence of the answer and the numbers it quotes."""

    key: str
    text: str
    numbers: Mapping[str, float] = field(default_factory=dict)


def pretty_scoring(name: str) -> str:
    return PRETTY_SCORING.get(name, name.replace("_", " "))


def fmt_score(value: float) -> str:
    """A score with three decimals (or four significant digits when it is large)."""
    if not math.isfinite(value):
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return f"{value:.3f}"


def fmt_target(value: float) -> str:
    """A target as the user would write it: ``0.97``, not ``0.970``."""
    text = fmt_score(value)
    return text.rstrip("0").rstrip(".") if "." in text and "e" not in text else text


def fmt_size(value: float, *, estimate: bool = False) -> str:
    """A sample count with thousands separators; estimates keep two significant digits."""
    if not math.isfinite(value):
        return "unbounded"
    if estimate and value >= 100:
        digits = int(math.floor(math.log10(value))) - 1
        value = round(value, -digits)
    return f"{int(round(value)):,}"


def score_is_bounded(curve: CurveView) -> bool:
    """Whether scores live in [-1, 1] so that a "point" means 0.01 (accuracy, AUC, R², ...)."""
    values = curve.points["val_score"].dropna()
    return bool(len(values)) and bool((values.abs() <= 1).all())


def _first_crossing(sizes: np.ndarray, values: np.ndarray, target: float) -> float:
    """Smallest size where ``values`` (higher is better) reaches ``target``, log-interpolated."""
    reached = np.nonzero(values >= target)[0]
    if len(reached) == 0:
        return math.inf
    i = int(reached[0])
    if i == 0:
        return float(sizes[0])
    x0, x1 = math.log(sizes[i - 1]), math.log(sizes[i])
    y0, y1 = values[i - 1], values[i]
    frac = 0.0 if y1 == y0 else (target - y0) / (y1 - y0)
    return float(math.exp(x0 + frac * (x1 - x0)))


def size_for_target(
    grid: Grid, target: float, greater_is_better: bool
) -> tuple[float, float, float]:
    """Samples to reach ``target`` on the stored grid: (expected, optimistic, pessimistic).

    ``inf`` means not reached within the grid. The optimistic size is where the favourable
    edge of the band first reaches the target, the pessimistic one where the other edge does.
    """
    s = 1.0 if greater_is_better else -1.0
    best, worst = (grid.hi, grid.lo) if greater_is_better else (grid.lo, grid.hi)
    return (
        _first_crossing(grid.sizes, s * grid.mean, s * target),
        _first_crossing(grid.sizes, s * best, s * target),
        _first_crossing(grid.sizes, s * worst, s * target),
    )


def auto_target(current: float, ahead: float, greater_is_better: bool) -> float | None:
    """A round example target halfway between the score now and the 10x forecast."""
    gap = ahead - current
    if gap == 0 or (gap > 0) != greater_is_better:
        return None
    step = 10 ** math.floor(math.log10(abs(gap)))
    target = round((current + gap / 2) / step) * step
    if (target - current) * (1 if greater_is_better else -1) <= 0:
        target = current + math.copysign(step, gap)
    return float(round(target, 10))


def _validation_rows(curve: CurveView) -> float:
    """Rows in each repeat's validation set: from the points' class counts, else from the
    split's share for the splits whose size that fixes (NaN when unknown)."""
    counts = [
        sum(num(v) for v in value.values())
        for value in curve.points.get("val_counts", [])
        if isinstance(value, Mapping) and value
    ]
    if counts:
        return float(np.median(counts))
    settings = curve.meta.get("settings") or {}
    n, share = num(curve.meta.get("n_samples")), num(settings.get("val_fraction"))
    if not (math.isfinite(n) and 0 < share < 1):
        return math.nan
    split = str(settings.get("split", ""))
    if split in ("random", "stratified"):
        return float(math.ceil(share * n))  # scikit-learn's ShuffleSplit rounds the test set up
    if split == "time":
        return float(max(1, round(share * n)))
    return math.nan  # groups and custom splitters: the count depends on the groups


def _rows_used(curve: CurveView, size: float) -> str:
    """``" (of 450 rows: 90 validate, 160 unused)"``: what the rows not trained on do."""
    available = num(curve.meta.get("n_samples"))
    if not available > size:
        return ""
    rest = available - size
    validate = _validation_rows(curve)
    if not math.isfinite(validate) or validate > rest:
        return (
            f" (of {fmt_size(available)} rows; the other {fmt_size(rest)} validate or are unused)"
        )
    unused = rest - validate
    if unused <= 0:
        return f" (of {fmt_size(available)} rows; the other {fmt_size(rest)} validate)"
    return (
        f" (of {fmt_size(available)} rows: {fmt_size(validate)} validate, "
        f"{fmt_size(unused)} unused)"
    )


def _now(curve: CurveView) -> Statement | None:
    last = curve.last
    if last is None:
        return None
    size, mean, std = float(last["size"]), float(last["val_mean"]), float(last["val_std"])
    of = _rows_used(curve, size)
    groups = num(last.get("n_train_groups"))
    in_groups = f" from {fmt_size(groups)} groups" if math.isfinite(groups) else ""
    n_ok = int(last["n_ok"])
    text = (
        f"With {fmt_size(size)} labeled training samples{in_groups}{of} the validation "
        f"{pretty_scoring(curve.scoring)} of {curve.model} is {fmt_score(mean)} ± "
        f"{fmt_score(std)} (standard deviation over {n_ok} repeat{'s' if n_ok != 1 else ''})."
    )
    return Statement("now", text, {"size": size, "mean": mean, "std": std, "repeats": n_ok})


def _at_10x(curve: CurveView) -> Statement | None:
    ext, last = curve.extrapolation, curve.last
    if ext is None or ext.grid is None or last is None:
        return None
    n = 10 * float(last["size"])
    at = ext.at(n)
    if at is None:
        return None
    mean, lo, hi = at
    pct = int(round(100 * ext.level))
    text = (
        f"With 10x more data ({fmt_size(n)} samples) expect {fmt_score(mean)} "
        f"({pct}% interval {fmt_score(lo)}–{fmt_score(hi)})."
    )
    return Statement("at_10x", text, {"size": n, "mean": mean, "lo": lo, "hi": hi})


def _to_target(curve: CurveView, target: float | None, ahead: Statement | None) -> Statement | None:
    ext, last = curve.extrapolation, curve.last
    if ext is None or ext.grid is None or last is None:
        return None
    better = curve.greater_is_better
    current = float(last["val_mean"])
    chosen = target is not None
    if target is None:
        if ahead is None:
            return None
        target = auto_target(current, float(ahead.numbers["mean"]), better)
        if target is None:
            return None
    note = (
        ""
        if chosen
        else " (an example target halfway to the 10x forecast; set yours with --target)"
    )
    s = 1 if better else -1
    if s * current >= s * target:
        text = f"The target {fmt_target(target)}{note} is already reached at {fmt_size(float(last['size']))} samples."
        return Statement("target", text, {"target": target, "size": float(last["size"])})
    n, n_lo, n_hi = ext.size_for(target, better) or size_for_target(ext.grid, target, better)
    numbers = {"target": target, "size": n, "lo": n_lo, "hi": n_hi}
    if math.isinf(n):
        asym = ext.asymptote
        if math.isfinite(asym) and s * asym < s * target:
            text = (
                f"The target {fmt_target(target)}{note} is out of reach with more data of this "
                f"kind: the curve levels off at {fmt_score(asym)}."
            )
        else:
            text = (
                f"The target {fmt_target(target)}{note} is not reached within "
                f"{fmt_size(ext.reach, estimate=True)} samples, the end of the forecast."
            )
        return Statement("target", text, numbers)
    pct = int(round(100 * ext.level))
    if math.isinf(n_hi):
        span = f"{fmt_size(n_lo, estimate=True)} to more than {fmt_size(ext.reach, estimate=True)}"
    else:
        span = f"{fmt_size(n_lo, estimate=True)}–{fmt_size(n_hi, estimate=True)}"
    text = (
        f"To reach {fmt_target(target)}{note} you need about {fmt_size(n, estimate=True)} "
        f"samples ({pct}% interval {span})."
    )
    return Statement("target", text, numbers)


def _fixed_scale(curve: CurveView) -> bool:
    """Whether thresholds apply to the score as given, as the diagnosis decides it (by the
    scorer's name; a curve stored without one: when its scores lie in [-1, 1])."""
    if curve.meta.get("scoring"):
        return has_fixed_scale(str(curve.meta["scoring"]))
    return score_is_bounded(curve)


def _data_limited_evidence(view: RunView, curve: CurveView) -> Mapping[str, Any]:
    """The evidence of the ``data_limited`` / ``saturated`` finding about ``curve``, if any."""
    for finding in view.findings:
        evidence = finding.get("evidence") or {}
        if finding.get("kind") not in ("data_limited", "saturated"):
            continue
        model = evidence.get("model")
        if model == curve.model or (model is None and len(view.curves) == 1):
            return evidence
    return {}


def _predict(curve: CurveView) -> tuple[Any, float]:
    """The stored forecast's expected score at an array of sizes, and the largest size it
    knows (the rebuilt Extrapolation, else the plotting grid)."""
    ext = curve.extrapolation
    if ext.model is not None:
        return ext.model.predict, ext.reach
    grid = ext.grid
    return (
        lambda n: np.interp(np.log(np.asarray(n, float)), np.log(grid.sizes), grid.mean)
    ), float(grid.sizes[-1])


def _diminishing(curve: CurveView, view: RunView) -> Statement | None:
    """The size past which a doubling adds little: the number of the ``data_limited`` finding
    when the run holds one for this curve, else the same computation on the stored forecast."""
    ext, last = curve.extrapolation, curve.last
    if ext is None or ext.grid is None or last is None:
        return None
    fixed = _fixed_scale(curve)
    current, size_now = float(last["val_mean"]), float(last["size"])
    evidence = _data_limited_evidence(view, curve)
    threshold = num(evidence.get("min_gain"))
    if not (math.isfinite(threshold) and threshold > 0):
        threshold = DIMINISHING_GAIN * (1.0 if fixed else abs(current))
    sign = 1.0 if curve.greater_is_better else -1.0
    predict, reach = _predict(curve)
    if evidence.get("diminishing_returns_size") is not None:
        n = num(evidence["diminishing_returns_size"])
    else:
        n = diminishing_returns_size(
            predict,
            start=float(curve.by_size["size"].iloc[0]),
            size=size_now,
            min_gain=threshold,
            sign=sign,
            reach=reach,
        )

    def amount(gain: float) -> str:
        if fixed:
            return f"{100 * gain:.1f} points"
        return f"{100 * gain / abs(current):.1f}% of the score"

    limit = amount(threshold)
    if math.isinf(n):
        end = min(SEARCH_FACTOR * size_now, reach / 2)
        text = f"Up to {fmt_size(end, estimate=True)} samples each doubling still adds more than {limit}."
        return Statement("diminishing", text, {"size": n, "threshold": threshold})
    if not math.isfinite(n):
        return None
    gain = None
    if n <= size_now * 1.0001:
        gain = float(
            sign * (predict(np.array([2 * size_now]))[0] - predict(np.array([size_now]))[0])
        )
        text = (
            f"At {fmt_size(size_now)} samples returns are already diminishing: "
            f"a doubling adds {amount(gain)} (less than {limit})."
        )
    else:
        # rounded as the data_limited finding rounds it, so both say the same number
        text = f"Above ~{count(round_up(n))} samples each doubling adds < {limit}."
    return Statement("diminishing", text, {"size": n, "gain": gain, "threshold": threshold})


def answer(view: RunView) -> list[Statement]:
    """The headline statements for the run's best model, most basic first."""
    curve = view.primary
    if curve is None:
        return []
    now = _now(curve)
    if now is None:
        return []
    ahead = _at_10x(curve)
    parts = [
        now,
        ahead,
        _to_target(curve, view.target, ahead),
        _diminishing(curve, view),
        _plan(view),
    ]
    others = [c for c in view.curves.values() if c is not curve and c.last is not None]
    if others:
        shown = sorted(
            others, key=lambda c: float(c.last["val_mean"]), reverse=curve.greater_is_better
        )
        listed = "; ".join(
            f"{c.model} {fmt_score(float(c.last['val_mean']))} ± {fmt_score(float(c.last['val_std']))}"
            f" at {fmt_size(float(c.last['size']))}"
            for c in shown[:MAX_OTHERS]
        )
        more = f"; and {len(shown) - MAX_OTHERS} more" if len(shown) > MAX_OTHERS else ""
        parts.append(
            Statement("others", f"Other models at their largest size: {listed}{more}.", {})
        )
    return [p for p in parts if p is not None]


def _plan(view: RunView) -> Statement | None:
    """The planner's next purchase in one sentence, when a plan from a curve is stored."""
    plan = view.plan or {}
    nr = plan.get("next_round")
    if not isinstance(nr, Mapping) or not math.isfinite(num(nr.get("size"))):
        return None
    labels, size, cost = num(nr.get("labels")), num(nr.get("size")), num(nr.get("cost"))
    p_reach = num(nr.get("p_reach"))
    model = plan.get("model")
    which = f"The plan for {model}" if model else "The plan"
    if labels <= 0:
        text = f"{which}: buy no more labels now"
    else:
        text = f"{which}: buy {fmt_size(labels)} more labels (total {fmt_size(size)})"
        if math.isfinite(cost) and cost > 0:
            text += f" for {cost:,.0f}"
    target = num(plan.get("target"))
    if math.isfinite(p_reach) and math.isfinite(target):
        text += f"; chance of reaching {fmt_target(target)}: {100 * p_reach:.0f}%"
    numbers = {"labels": labels, "size": size, "cost": cost, "p_reach": p_reach}
    return Statement("plan", text + ".", numbers)


def notes(view: RunView) -> list[str]:
    """Why something is missing or partial: failed points, no extrapolation, no curve."""
    out: list[str] = []
    if not view.curves:
        out.append("This run has no measured learning curve (result.json has no `points`).")
    for key, reason in view.stale.items():
        if key == "comparison" and "labels_saved" in view.stale:
            continue  # one note for the strategy lab's table and its comparison
        out.append(f"Out of date, so not shown: {reason}.")
    failures = view.comparison.get("failures")
    for name, reason in (failures or {}).items() if isinstance(failures, Mapping) else []:
        out.append(f"Strategy {name} failed and is left out: {reason}")
    for curve in view.curves.values():
        failed = curve.failed
        total = len(curve.points)
        if total and len(failed):
            errors = failed["error"].fillna("no error message stored").astype(str)
            common = errors.value_counts()
            sizes = ", ".join(fmt_size(s) for s in sorted(failed["size"].dropna().unique()))
            first = common.index[0].splitlines()[0][:200] if len(common) else ""
            if len(failed) == total:
                out.append(
                    f"Every point of {curve.model} failed ({total} points), so it has no curve; "
                    f"the error was: {first}"
                )
            else:
                out.append(
                    f"{len(failed)} of {total} points of {curve.model} failed (sizes {sizes}); "
                    f"the curve uses the repeats that succeeded. Most common error: {first}"
                )
        if curve.extrapolation is None and curve.extrapolation_missing and curve.last is not None:
            out.append(
                curve.extrapolation_missing[0].upper() + curve.extrapolation_missing[1:] + "."
            )
        elif curve.extrapolation is not None and curve.extrapolation.flags:
            out.append(
                f"The extrapolation of {curve.model} is flagged: "
                f"{', '.join(curve.extrapolation.flags)}; read its forecast with care."
            )
    return out


def finding_title(finding: Mapping[str, Any]) -> str:
    kind = str(finding.get("kind", "finding"))
    return KIND_TITLES.get(kind, kind.replace("_", " ").capitalize())


def fmt_value(value: Any, depth: int = 0) -> str:
    """A compact, readable rendering of an evidence value (numbers rounded, lists shortened)."""
    if isinstance(value, bool) or value is None:
        return str(value).lower() if value is not None else "n/a"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if not math.isfinite(value):
            return "n/a"
        if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e6):
            return f"{value:.3g}"
        return f"{value:,.4g}" if abs(value) >= 1 else f"{value:.4g}"
    if isinstance(value, str):
        return (
            value
            if value not in ("inf", "-inf")
            else ("unbounded" if value == "inf" else "-unbounded")
        )
    if isinstance(value, Mapping):
        if depth > 1:
            return "{…}"
        items = list(value.items())
        shown = ", ".join(f"{k}: {fmt_value(v, depth + 1)}" for k, v in items[:8])
        return shown + (f", … ({len(items) - 8} more)" if len(items) > 8 else "")
    if isinstance(value, Sequence):
        items = [fmt_value(v, depth + 1) for v in list(value)[:8]]
        more = f", … ({len(value) - 8} more)" if len(value) > 8 else ""
        return "[" + ", ".join(items) + more + "]"
    return str(value)


def _md(text: Any) -> str:
    """Plain text made safe for a Markdown line or table cell.

    A ``<`` that could open raw HTML (``<script``, ``</x``, ``<!--``) is backslash-escaped so it
    shows as typed; ``< 0.5`` stays readable in a CI log. Pipes and newlines would break tables.
    """
    text = re.sub(r"<(?=[A-Za-z/!?])", r"\\<", str(text))
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_summary(view: RunView) -> str:
    """The short Markdown summary (``summary.md``) for a pull request or a CI log."""
    lines = ["# howmuchdata summary", ""]
    statements = answer(view)
    if statements:
        lines += [f"- {_md(s.text)}" for s in statements]
    else:
        lines.append("- No validation score was measured, so there is no answer yet.")
    extra = notes(view)
    if extra:
        lines += ["", "## Notes", ""] + [f"- {_md(n)}" for n in extra]
    if view.findings:
        lines += ["", "## Findings (most important first)", ""]
        for f in view.findings:
            evidence = f.get("evidence") or {}
            shown = fmt_value(evidence) if evidence else ""
            lines.append(
                f"- **{_md(str(f.get('severity', 'info')).upper())}** {_md(finding_title(f))}: "
                f"{_md(f.get('advice', ''))}" + (f" _(evidence: {_md(shown)})_" if shown else "")
            )
    if view.labels_saved:
        comparison = view.comparison
        level = num((comparison.get("settings") or {}).get("level", 0.8))
        columns = [interval_heading(c, level) for c in LABELS_CELL_COLUMNS]
        lines += [
            "",
            "## Labels saved",
            "",
            "| " + " | ".join(columns) + " |",
            "|" + "---|" * len(columns),
        ]
        cells = labels_cells(
            view.labels_saved,
            baseline=str(comparison.get("baseline", "baseline")),
            targets=[num(t) for t in comparison.get("targets") or []],
        )
        lines += ["| " + " | ".join(_md(v) for v in row.values()) + " |" for row in cells]
        crossings = crossover_sentences(view)
        if crossings:
            lines += [""] + [f"- {_md(c)}." for c in crossings]
    if view.plan:
        rec = plan_recommendation(view.plan)
        if rec:
            lines += ["", "## Plan", "", _md(plan_for(view.plan) + rec)]
    if view.curves:
        lines += [
            "",
            "## Measured curves",
            "",
            "| model | size | validation | train | repeats ok |",
            "|---|---|---|---|---|",
        ]
        for c in view.curves.values():
            last = c.last
            if last is None:
                lines.append(f"| {_md(c.model)} | – | no score | – | 0 of {len(c.points)} |")
                continue
            lines.append(
                f"| {_md(c.model)} | {fmt_size(float(last['size']))} | "
                f"{fmt_score(float(last['val_mean']))} ± {fmt_score(float(last['val_std']))} | "
                f"{fmt_score(float(last['train_mean']))} | {int(last['n_ok'])} of {int(last['n_points'])} |"
            )
    return "\n".join(lines) + "\n"


def interval_heading(column: str, level: float) -> str:
    """The labels-saved column heading; the interval one with its level ("80% interval")."""
    if column != "interval":
        return column
    return f"{100 * level:.0f}% interval" if 0 < level < 1 else column


def crossover_sentences(view: RunView) -> list[str]:
    """The strategy lab's crossovers, as the command line prints them."""
    if "comparison" in view.stale:
        return []
    raw = view.result.get("crossovers")
    if raw is None:
        raw = view.comparison.get("crossovers")
    items = raw if isinstance(raw, list) else []
    return [
        crossover_words(c)
        for c in items
        if isinstance(c, Mapping) and math.isfinite(num(c.get("size")))
    ]


def plan_for(plan: Mapping[str, Any]) -> str:
    """``"Planned on the curve of logreg. "`` when the plan names the curve it planned on (it
    may not be the headline's model), else nothing."""
    model = plan.get("model")
    return f"Planned on the curve of {model}. " if model else ""


def plan_recommendation(plan: Mapping[str, Any]) -> str | None:
    """The planner's recommendation in words, whichever key it is stored under."""
    advice = plan.get("advice")
    if isinstance(advice, list) and advice:
        return " ".join(str(a) for a in advice)
    minimum = plan.get("minimum_sample_size")
    if isinstance(minimum, Mapping) and math.isfinite(num(minimum.get("n"))):
        return (
            f"Before data: at least {fmt_size(num(minimum['n']))} samples "
            f"({minimum.get('binding', 'the binding criterion')} binds; {minimum.get('method', '')})."
        )
    for key in ("recommendation", "summary", "advice", "text"):
        value = plan.get(key)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, Mapping):
            for inner in ("text", "summary", "advice", "message"):
                if isinstance(value.get(inner), str):
                    return value[inner]
            return fmt_value(value)
    return None
