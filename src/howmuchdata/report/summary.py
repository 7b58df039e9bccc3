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

from howmuchdata._format import fixed, sig, size_span, span
from howmuchdata.diagnose._numbers import count, round_up
from howmuchdata.diagnose.context import DiagnoseOptions, has_fixed_scale
from howmuchdata.diagnose.data_limited import SEARCH_FACTOR, diminishing_returns_size
from howmuchdata.diagnose.overfitting import REACH_FACTOR
from howmuchdata.embedding_cache import fill_counts_words
from howmuchdata.extrapolate.shapes import FLAG_MEANINGS, ILL_BEHAVED
from howmuchdata.planner.criteria import risk_margin_caveat
from howmuchdata.planner.plan import next_round_words
from howmuchdata.report.runview import CurveView, ExtrapolationView, Grid, RunView, num
from howmuchdata.strategies.labels_saved import (
    LABELS_CELL_COLUMNS,
    crossover_words,
    labels_cells,
)

# a doubling that adds less than this share of a fixed-scale score (or of the score's size)
# is "little": the diagnosis' default min_gain, so the headline and the finding agree
DIMINISHING_GAIN = DiagnoseOptions().min_gain
# an evidence size above this many rows is shown as beyond reach (see _size_words)
MAX_SIZE_SHOWN = 10**9
# how to ask for a target of one's own: the command for the page and summary.md, a Python
# call for Jupyter (see howmuchdata.report.jupyter)
CLI_TARGET_CALL = "`howmuchdata extrapolate RUN_DIR --target SCORE`"
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

OLDER_ROWS_TITLE = "Older rows lower the score"
MAY_HELP_TITLE = "More data may help"
NO_CLEAR_GAIN_TITLE = "No clear gain from more data yet"


@dataclass(frozen=True)
class Statement:
    """One sentence of the answer and the numbers it quotes."""

    key: str
    text: str
    numbers: Mapping[str, float] = field(default_factory=dict)


def pretty_scoring(name: str) -> str:
    return PRETTY_SCORING.get(name, name.replace("_", " "))


def axis_title(name: str) -> str:
    """A score axis' title; a negated loss (``neg_*``) says which way is better."""
    pretty = pretty_scoring(name)
    return f"{pretty} (higher is better)" if name.startswith("neg_") else pretty


def fmt_score(value: float) -> str:
    """A score with three decimals (or four significant digits when it is large)."""
    if not math.isfinite(value):
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return f"{value:.3f}"


def fmt_spread(std: float, repeats: int) -> str:
    """``" ± 0.012"`` after a mean over ``repeats`` scores; nothing after one score, which
    has no spread (a standard deviation of 0.000 would read as a measured one)."""
    return f" ± {fmt_score(std)}" if repeats > 1 else ""


def fmt_share(value: float, unit: str) -> str:
    """A gain in points or percent with one decimal, and as many as a small one needs.

    ``"2.3 points"``; ``"0.042 points"`` rather than ``"0.0 points"``; ``"under 0.001
    points"`` closer to zero; ``"nothing"`` for exactly zero (a flat forecast).
    """
    if not math.isfinite(value):
        return "n/a"
    if value == 0:
        return "nothing"
    size = abs(value)
    if size >= 0.05:
        return f"{value:.1f}{unit}"
    if size < 0.001:
        return f"under 0.001{unit}"
    return f"{value:.2g}{unit}"


def fmt_target(value: float) -> str:
    """A target as the user would write it: ``0.97``, not ``0.970``."""
    text = fmt_score(value)
    return text.rstrip("0").rstrip(".") if "." in text and "e" not in text else text


def fmt_span(lo: float, hi: float) -> str:
    """Two scores as an interval: ``0.935–1.000``, or ``-47.784 to -39.500`` when a bound is
    negative (a dash between minus signs reads as a subtraction)."""
    a, b = fmt_score(lo), fmt_score(hi)
    return f"{a} to {b}" if a.startswith("-") or b.startswith("-") else f"{a}–{b}"


def fmt_money(value: float) -> str:
    """An amount as the planner prints it: ``7,897.50``, whole amounts without decimals."""
    if not math.isfinite(value):
        return "n/a"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


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


def _split_kind(curve: CurveView) -> str:
    """The built-in split a curve used: ``random``, ``stratified``, ``groups``, ``time``, or
    ``""`` for a splitter of the user's. A ``compare`` curve's splitter replays built-in splits
    (``cv:ComparisonSplits(random, 2 repeats, ...)``), whose kind it names."""
    split = str((curve.meta.get("settings") or {}).get("split", ""))
    replayed = re.match(r"(?:cv:)?ComparisonSplits\((\w+),", split)
    return replayed.group(1) if replayed else split


def _split_rows(curve: CurveView) -> Mapping[str, Any]:
    """Rows per repeat that validate and that training subsets are drawn from: in the curve's
    settings (``curve``, ``diagnose``), or beside them (``compare``); empty for older runs."""
    stored = curve.meta.get("split_rows") or (curve.meta.get("settings") or {}).get("split_rows")
    return stored if isinstance(stored, Mapping) else {}


def _per_repeat(values: Any) -> list[float] | None:
    """A stored list of row counts per repeat (``split_rows``), or None when absent or junk."""
    if not isinstance(values, Sequence) or isinstance(values, str) or not values:
        return None
    counts = [num(v) for v in values]
    return counts if all(math.isfinite(c) and c >= 0 for c in counts) else None


def _validation_per_repeat(curve: CurveView) -> list[float] | None:
    """Rows in each repeat's validation set: stored by ``compare`` (``split_rows``), else from
    the points' class counts, else from the split's share for the splits whose size that fixes
    (None when unknown: a grouped split of a regression target, a splitter of the user's).

    A time split's window is the most recent share of the rows, but the rows tied with its first
    time stamp join it, so that share is only about its size (see :func:`_rows_used`)."""
    stored = _per_repeat(_split_rows(curve).get("validate"))
    if stored is not None:
        return stored
    points = curve.points
    if "val_counts" in points:
        by_repeat: dict[Any, float] = {}
        for repeat, value in zip(points["repeat"], points["val_counts"], strict=False):
            if isinstance(value, Mapping) and value and repeat not in by_repeat:
                by_repeat[repeat] = float(sum(num(v) for v in value.values()))
        if by_repeat:
            return [by_repeat[r] for r in sorted(by_repeat)]
    settings = curve.meta.get("settings") or {}
    n, share = num(curve.meta.get("n_samples")), num(settings.get("val_fraction"))
    if not (math.isfinite(n) and 0 < share < 1):
        return None
    if _split_kind(curve) in ("random", "stratified"):
        return [float(math.ceil(share * n))]  # scikit-learn's ShuffleSplit rounds the test set up
    return None  # groups, time and custom splitters: the count depends on the data


def _range_words(low: float, high: float) -> str:
    return fmt_size(low) if low == high else f"{fmt_size(low)} to {fmt_size(high)}"


def _unused_because(curve: CurveView, size: float, validate: list[float]) -> str:
    """Why rows that neither train nor validate are left out, in words."""
    kind = _split_kind(curve)
    n = num(curve.meta.get("n_samples"))
    pools = _per_repeat(_split_rows(curve).get("train"))
    if pools is None and kind in ("random", "stratified", "groups"):
        pools = [n - v for v in validate]  # these splits train on every row outside validation
    if kind == "time":
        return (
            f"each repeat trains on the {fmt_size(size)} most recent rows before its validation "
            "window; older rows, and in later repeats the rows newer than the window, are left out"
        )
    if pools is not None and size < min(pools):
        return (
            f"the largest size measured is {fmt_size(size)} of the "
            f"{_range_words(min(pools), max(pools))} rows left for training"
        )
    if pools is not None and size < max(pools):
        return (
            "every repeat is measured at the same sizes, up to the smallest repeat's "
            f"{fmt_size(min(pools))} training rows"
        )
    return "the splitter leaves them out of training"


def _rows_used(curve: CurveView, size: float) -> str:
    """``" (of 450 rows: 200 train, 90 validate, 160 unused: the largest size measured is 200 of
    the 360 rows left for training)"``: where every row went at the largest size."""
    available = num(curve.meta.get("n_samples"))
    if not available > size:
        return ""
    rest = available - size
    head = f" (of {fmt_size(available)} rows: {fmt_size(size)} train"
    validate = _validation_per_repeat(curve)
    about = ""
    share = num((curve.meta.get("settings") or {}).get("val_fraction"))
    if validate is None and _split_kind(curve) == "time" and 0 < share < 1:
        validate, about = [float(max(1, round(share * available)))], "about "
    if validate is None or max(validate) > rest:
        return (
            f"{head}; the other {fmt_size(rest)} validate or are unused: this run did not "
            "record its validation rows)"
        )
    by_repeat = " by repeat" if min(validate) != max(validate) else ""
    text = f"{head}, {about}{_range_words(min(validate), max(validate))} validate{by_repeat}"
    unused = [rest - v for v in validate]
    if max(unused) <= 0:
        return f"{text}, none unused)"
    low = max(min(unused), 0.0)
    many = fmt_size(max(unused)) if low == max(unused) else f"up to {fmt_size(max(unused))}"
    many = about + many
    return f"{text}, {many} unused: {_unused_because(curve, size, validate)})"


def _now(curve: CurveView) -> Statement | None:
    last = curve.last
    if last is None:
        return None
    size, mean, std = float(last["size"]), float(last["val_mean"]), float(last["val_std"])
    of = _rows_used(curve, size)
    groups = num(last.get("n_train_groups"))
    in_groups = f" from {fmt_size(groups)} groups" if math.isfinite(groups) else ""
    n_ok = int(last["n_ok"])
    if n_ok > 1:
        spread = f" ± {fmt_score(std)} (standard deviation over {n_ok} repeats)"
    else:  # one score: nothing to take a standard deviation of
        spread = " (1 repeat: no spread measured)"
    text = (
        f"With {fmt_size(size)} labeled training samples{in_groups}{of} the validation "
        f"{pretty_scoring(curve.scoring)} of {curve.model} is {fmt_score(mean)}{spread}."
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
        f"({pct}% interval {fmt_span(lo, hi)})."
    )
    return Statement("at_10x", text, {"size": n, "mean": mean, "lo": lo, "hi": hi})


def _to_target(
    curve: CurveView, target: float | None, ahead: Statement | None, target_call: str
) -> Statement | None:
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
    note = "" if chosen else f" ({example_target_note(target_call)})"
    s = 1 if better else -1
    if s * current >= s * target:
        text = f"The target {fmt_target(target)}{note} is already reached at {fmt_size(float(last['size']))} samples."
        return Statement("target", text, {"target": target, "size": float(last["size"])})
    n, n_lo, n_hi = ext.size_for(target, better) or size_for_target(ext.grid, target, better)
    numbers = {"target": target, "size": n, "lo": n_lo, "hi": n_hi}
    size_now = float(last["size"])
    at_now = ext.at(size_now)
    if n <= size_now * 1.0001 and (at_now is None or s * at_now[0] >= s * target):
        if not chosen:  # an example the forecast already meets teaches nothing about more data
            return None
        return _met_by_forecast_only(curve, target, size_now, numbers)
    if math.isinf(n):
        asym, pct = ext.asymptote, int(round(100 * ext.level))
        optimistic = _optimistic_ceiling(ext, better)
        if math.isfinite(optimistic) and s * optimistic < s * target:
            # the planner's rule: even the optimistic bound of the ceiling falls short
            lo, hi = ext.asymptote_interval
            text = (
                f"The target {fmt_target(target)}{note} is out of reach with more data of this "
                f"kind: the curve levels off at {fmt_score(asym)} ({pct}% interval "
                f"{fmt_span(lo, hi)})."
            )
        elif math.isfinite(asym) and s * asym < s * target:
            interval = ""
            if ext.asymptote_interval is not None:
                interval = f" ({pct}% interval {fmt_span(*ext.asymptote_interval)})"
            text = (
                f"The target {fmt_target(target)}{note} is not expected with more data of this "
                f"kind: the curve levels off at {fmt_score(asym)}{interval}; only the "
                "optimistic end of that interval reaches it."
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
        f"To reach {fmt_target(target)}{note}{_now_if_it_reads_as_reached(current, target, s)} "
        f"you need about {fmt_size(n, estimate=True)} samples ({pct}% interval {span})."
    )
    return Statement("target", text, numbers)


def _met_by_forecast_only(
    curve: CurveView, target: float, size_now: float, numbers: dict[str, float]
) -> Statement:
    """The user's target, which the forecast meets at a measured size while the measured mean
    at the largest size falls short: no size above the data is needed, and saying "you need
    about 40 samples" after measuring 300 would read as a misprint."""
    ext, last = curve.extrapolation, curve.last
    at = ext.at(size_now)
    measured = fmt_score(float(last["val_mean"])) + fmt_spread(
        float(last["val_std"]), int(last["n_ok"])
    )
    expects = f"the measured mean is {measured}"
    if at is not None:
        pct = int(round(100 * ext.level))
        expects = (
            f"it expects {fmt_score(at[0])} there ({pct}% interval {fmt_span(at[1], at[2])}) "
            f"against a measured mean of {measured}"
        )
    text = (
        f"The target {fmt_target(target)} is within the forecast at the {fmt_size(size_now)} "
        f"samples measured: {expects}, so more data of this kind is not what reaches it."
    )
    return Statement("target", text, numbers)


def _now_if_it_reads_as_reached(current: float, target: float, sign: float) -> str:
    """``" (now 0.9795)"`` when the score now, as the first sentence rounds it (0.980), would
    read as already at the target (0.98); else nothing."""
    shown = float(fmt_score(current).replace(",", ""))
    if not sign * shown >= sign * target:
        return ""
    for digits in range(4, 10):
        if sign * round(current, digits) < sign * target:
            return f" (now {current:.{digits}f})"
    return f" (now {current!r})"


def _optimistic_ceiling(ext: ExtrapolationView, greater_is_better: bool) -> float:
    """The favourable bound of the stored ceiling interval (NaN when none is stored)."""
    if ext.asymptote_interval is None:
        return math.nan
    lo, hi = ext.asymptote_interval
    return hi if greater_is_better else lo


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


def _measured_outruns_forecast(evidence: Mapping[str, Any]) -> bool:
    """Whether a ``data_limited`` finding's extrapolation gains under ``min_gain`` per doubling
    while the interval of the last measured doublings lies wholly above it (the finding then
    asks to remeasure rather than calling the curve saturated)."""
    measured = evidence.get("measured_gain_interval")
    if evidence.get("source") != "extrapolation" or not isinstance(measured, list | tuple):
        return False
    if len(measured) != 2:
        return False
    min_gain, gain = num(evidence.get("min_gain")), num(evidence.get("gain_per_doubling"))
    lo, most = num(measured[0]), num(evidence.get("max_gain", math.inf))
    return all(map(math.isfinite, (min_gain, gain, lo))) and gain < min_gain <= min(lo, most)


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
            return fmt_share(100 * gain, " points")
        return fmt_share(100 * gain / abs(current), "% of the score")

    limit = amount(threshold)
    lost = num(evidence.get("measured_gain_per_doubling"))
    if evidence.get("older_rows_hurt") is True and math.isfinite(lost):
        # on a time split a larger subset adds older rows: the curve's fall is no size at
        # which returns diminish, and the headline says what the finding says
        text = (
            "On this time split a larger training set adds older rows, and the score falls as "
            f"they are added (the last measured doublings lost {amount(-lost)} each): more "
            "data of this kind is not expected to help; see the findings."
        )
        return Statement("diminishing", text, {"size": math.nan, "gain": lost})
    if _measured_outruns_forecast(evidence):
        # the finding says the two readings disagree: the headline must not call it settled
        lo, hi = (num(v) for v in evidence["measured_gain_interval"])
        level = num(evidence.get("interval_level"))
        share = f"{level:.0%} interval " if math.isfinite(level) else "interval "
        text = (
            f"The extrapolation expects little from more data past {fmt_size(size_now)} "
            f"samples, but the last measured doublings still gained {amount(lost)} each "
            f"({share}{amount(lo)} to {amount(hi)}): label more and remeasure to settle which "
            "holds; see the findings."
        )
        return Statement("diminishing", text, {"size": n, "gain": lost, "threshold": threshold})
    if math.isinf(n):
        end = min(SEARCH_FACTOR * size_now, reach / 2)
        text = f"Up to {fmt_size(end, estimate=True)} samples each doubling still adds more than {limit}."
        return Statement("diminishing", text, {"size": n, "threshold": threshold})
    if not math.isfinite(n):
        return None
    gain = None
    if n <= size_now * 1.0001 and "flat" in ext.flags:
        text = (
            f"The curve is flat up to {fmt_size(size_now)} samples (it moves no more than its "
            "noise): more data of this kind is not expected to change the score."
        )
    elif n <= size_now * 1.0001:
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


def example_target_note(target_call: str = CLI_TARGET_CALL) -> str:
    """Why the headline's target is not the user's, and ``target_call`` to set one."""
    return f"an example target halfway to the 10x forecast; set yours with {target_call}"


def answer(view: RunView, *, target_call: str = CLI_TARGET_CALL) -> list[Statement]:
    """The headline statements for the run's best model, most basic first.

    A folder without a measured curve speaks about the best curve read from a table of sizes
    and scores (``howmuchdata extrapolate points.csv``), else only about a stored plan.

    Parameters
    ----------
    view : RunView
    target_call : str
        What the note on an example target tells the user to run for a target of their own:
        the command (the HTML page, summary.md), or a Python call (Jupyter).

    Returns
    -------
    list of Statement
    """
    curve = view.primary
    now = _now(curve) if curve is not None else None
    if now is None:
        parts = _table_answer(view, target_call) if not view.curves else []
        return [p for p in [*parts, _plan(view)] if p is not None]
    ahead = _at_10x(curve)
    parts = [
        now,
        ahead,
        _to_target(curve, view.target, ahead, target_call),
        _diminishing(curve, view),
        _plan(view),
    ]
    others = [c for c in view.curves.values() if c is not curve and c.last is not None]
    if others:
        parts.append(_others("Other models", curve, others, with_spread=True))
    return [p for p in parts if p is not None]


def _others(
    label: str, curve: CurveView, others: list[CurveView], *, with_spread: bool
) -> Statement:
    """``"Other models at their largest size: a 0.91 ± 0.01 at 400; ..."``, best first."""
    shown = sorted(others, key=lambda c: float(c.last["val_mean"]), reverse=curve.greater_is_better)
    listed = "; ".join(
        f"{c.model} {fmt_score(float(c.last['val_mean']))}"
        + (fmt_spread(float(c.last["val_std"]), int(c.last["n_ok"])) if with_spread else "")
        + f" at {fmt_size(float(c.last['size']))}"
        for c in shown[:MAX_OTHERS]
    )
    more = f"; and {len(shown) - MAX_OTHERS} more" if len(shown) > MAX_OTHERS else ""
    return Statement("others", f"{label} at their largest size: {listed}{more}.", {})


def _table_answer(view: RunView, target_call: str) -> list[Statement]:
    """The headline for curves read from a table of sizes and scores (no measured points)."""
    curve = view.primary_table_curve
    if curve is None:
        return []
    last = curve.last
    size, mean = float(last["size"]), float(last["val_mean"])
    n_sizes = len(curve.by_size)
    observed = curve.extrapolation.raw.get("observed") or {}
    n_points = num(observed.get("n_points")) if isinstance(observed, Mapping) else math.nan
    scores = f"{fmt_size(n_points)} scores at " if math.isfinite(n_points) else ""
    text = (
        f"No learning curve was measured in this folder: {curve.model} is extrapolated from a "
        f"table of sizes and scores ({scores}{n_sizes} size{'s' if n_sizes != 1 else ''}), "
        f"whose mean score at its largest size, {fmt_size(size)}, is {fmt_score(mean)}."
    )
    now = Statement("now", text, {"size": size, "mean": mean})
    ahead = _at_10x(curve)
    target = _to_target(curve, view.target, ahead, target_call)
    parts = [now, ahead, target, _diminishing(curve, view)]
    others = [c for c in view.table_curves.values() if c is not curve]
    if others:
        parts.append(_others("Other curves", curve, others, with_spread=False))
    return [p for p in parts if p is not None]


def _plan(view: RunView) -> Statement | None:
    """The planner's next purchase in one sentence, when a plan from a curve is stored."""
    plan = view.plan or {}
    minimum = plan.get("minimum_sample_size")
    if isinstance(minimum, Mapping) and math.isfinite(num(minimum.get("n"))):
        binding = minimum.get("binding")
        binds = f" ({binding} binds)" if binding else ""
        text = f"Before any data: at least {fmt_size(num(minimum['n']))} samples{binds}."
        return Statement("plan", text, {"size": num(minimum["n"])})
    nr = plan.get("next_round")
    if not isinstance(nr, Mapping) or not math.isfinite(num(nr.get("size"))):
        return None
    labels, size, cost = num(nr.get("labels")), num(nr.get("size")), num(nr.get("cost"))
    p_reach = num(nr.get("p_reach"))
    model = plan.get("model")
    which = f"The plan for {model}" if model else "The plan"
    if labels <= 0 and plan.get("status") == "peaked":
        text = f"{which}: buy no more labels now (more labels of this kind lowered the score)"
    elif labels <= 0:
        text = f"{which}: buy no more labels now"
    else:
        text = f"{which}: buy {fmt_size(labels)} more labels (total {fmt_size(size)})"
        if math.isfinite(cost) and cost > 0:
            text += f" for {fmt_money(cost)}"
    target = num(plan.get("target"))
    if math.isfinite(p_reach) and math.isfinite(target):
        text += f"; chance of reaching {fmt_target(target)}: {100 * p_reach:.0f}%"
    numbers = {"labels": labels, "size": size, "cost": cost, "p_reach": p_reach}
    return Statement("plan", text + ".", numbers)


def notes(view: RunView) -> list[str]:
    """Why something is missing or partial: failed points, no extrapolation, no curve."""
    out: list[str] = []
    if not view.curves and view.table_curves:
        out.append(
            "No learning curve was measured in this folder (result.json has no `points`): the "
            "extrapolations were fitted to a table of sizes and scores, which stores one mean "
            "per size, so there is no spread over repeats, training score or per-class recall."
        )
    elif not view.curves and not is_before_data(view.plan):
        # a plan made before any data has no curve by design: nothing is missing
        out.append("This run has no measured learning curve (result.json has no `points`).")
    skipped = skipped_images_note(view)
    if skipped:
        out.append(skipped)
    for key, reason in view.stale.items():
        if key == "comparison" and "labels_saved" in view.stale:
            continue  # one note for the strategy lab's table and its comparison
        out.append(f"Out of date, so not shown: {reason}.")
    failures = view.comparison.get("failures")
    for name, reason in (failures or {}).items() if isinstance(failures, Mapping) else []:
        out.append(f"Strategy {name} failed and is left out: {reason}")
    # arms left out or merged (one uncertainty arm on two classes, no predict_proba), as
    # `compare` printed them
    raw_notes = view.comparison.get("notes") or []
    for note in [raw_notes] if isinstance(raw_notes, str) else raw_notes:
        text = str(note).strip()
        if text:
            out.append(text if text.endswith(".") else f"{text}.")
    for curve in view.table_curves.values():
        if curve.extrapolation.flags:
            out.append(flags_note(curve.model, curve.extrapolation.flags))
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
            out.append(flags_note(curve.model, curve.extrapolation.flags))
        off = _off_the_forecast(curve)
        if off:
            out.append(off)
    return out


def flags_note(model: str, flags: Sequence[str]) -> str:
    """A curve's shape flags in words (:data:`~howmuchdata.extrapolate.shapes.FLAG_MEANINGS`).

    A shape no saturating curve describes (:data:`~howmuchdata.extrapolate.shapes.ILL_BEHAVED`)
    asks for care with the forecast; ``saturated`` and ``accelerating`` only describe the
    measured curve, beside a forecast that is made as for any other curve.

    Parameters
    ----------
    model : str
        The curve's name.
    flags : sequence of str
        Its extrapolation's flags.

    Returns
    -------
    str
    """
    said = [
        f"{flag} ({FLAG_MEANINGS.get(flag, 'see the extrapolation summary')})" for flag in flags
    ]
    if any(flag in ILL_BEHAVED for flag in flags):
        return (
            f"The extrapolation of {model} is flagged {'; '.join(said)}: no saturating curve "
            "describes that shape, so read its forecast with care."
        )
    return f"The measured curve of {model} is {'; '.join(said)}."


def is_before_data(plan: Mapping[str, Any] | None) -> bool:
    """Whether ``plan`` is a plan made before any data (``howmuchdata plan --before-data``)."""
    if not plan:
        return False
    return plan.get("kind") == "before_data" or isinstance(plan.get("minimum_sample_size"), Mapping)


# at most this many skipped image files are named (all are in result.json)
MAX_SKIPPED_SHOWN = 10


def skipped_images(view: RunView) -> tuple[int, list[Mapping[str, Any]], str]:
    """The image files a curve on an image collection left out (``data.images``).

    Parameters
    ----------
    view : RunView
        The run; its ``data.images`` is what ``howmuchdata curve`` stored on reading the images.

    Returns
    -------
    tuple
        How many were skipped, their stored records (``path``, ``reason``) and the collection's
        source (a folder, or a CSV of ``path,label``); ``(0, [], "")`` for other data.
    """
    data = view.result.get("data")
    images = data.get("images") if isinstance(data, Mapping) else None
    if not isinstance(images, Mapping):
        return 0, [], ""
    listed = [s for s in images.get("skipped") or [] if isinstance(s, Mapping)]
    n = num(images.get("n_skipped"))
    count_ = int(n) if math.isfinite(n) and n >= 0 else len(listed)
    return max(count_, len(listed)), listed, str(images.get("source") or "")


def skipped_images_words(n: int, source: str) -> str:
    """``"2 files skipped"`` (an image folder) or ``"1 entry skipped"`` (a CSV of paths)."""
    if source.lower().endswith(".csv"):
        return f"{n} {'entry' if n == 1 else 'entries'} skipped"
    return f"{n} file{'' if n == 1 else 's'} skipped"


def skipped_images_note(view: RunView) -> str | None:
    """The note naming the image files a run skipped (unreadable, corrupt, outside a class
    folder, a CSV row without a path), which are not among its rows; None when there were
    none."""
    n, listed, source = skipped_images(view)
    if n == 0:
        return None
    primary = view.primary
    rows = num(primary.meta.get("n_samples")) if primary is not None else math.nan
    among = f"the {fmt_size(rows)} rows" if math.isfinite(rows) else "the rows"
    named = "; ".join(
        f"{s.get('path', '?')}: {s.get('reason', 'no reason stored')}"
        for s in listed[:MAX_SKIPPED_SHOWN]
    )
    rest = n - min(len(listed), MAX_SKIPPED_SHOWN)
    where = " (result.json lists them all under data.images.skipped)" if rest > 0 else ""
    more = f"; and {rest} more{where}" if rest > 0 else ""
    what = skipped_images_words(n, source).removesuffix(" skipped")
    of = f" of {source}" if source else ""
    were = "was" if n == 1 else "were"
    return f"{what}{of} {were} skipped and {were} not among {among}: {named}{more}."


def _off_the_forecast(curve: CurveView) -> str | None:
    """A note when the measured mean at the largest size lies outside the extrapolation's
    interval there: the headline's "now" and its "with 10x more data" then disagree (a score
    measured at 0.812 and a forecast of 0.806 at 10x the data), and the reader should know why."""
    ext, last = curve.extrapolation, curve.last
    if ext is None or last is None:
        return None
    size, mean = float(last["size"]), float(last["val_mean"])
    at = ext.at(size)
    if at is None or not math.isfinite(mean):
        return None
    _, lo, hi = at
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo <= mean <= hi:
        return None
    side = "above" if mean > hi else "below"
    pct = int(round(100 * ext.level))
    return (
        f"The measured {pretty_scoring(curve.scoring)} of {curve.model} at {fmt_size(size)} "
        f"samples ({fmt_score(mean)}) lies {side} the extrapolation's {pct}% interval there "
        f"({fmt_span(lo, hi)}): the forecast does not follow the last measured point (with few "
        "repeats, often its noise); measure more repeats before trusting either."
    )


def embedding_words(value: Any) -> str:
    """A curve's ``settings["embedding"]`` in words, as the curve's progress line said it.

    Parameters
    ----------
    value : mapping, list of mappings or None
        What the curve engine stored: one cache fill (``embedder``, ``rows``, ``encoded``,
        ``seconds``, ...) or one per embedder.

    Returns
    -------
    str
        ``"Embeddings (all-MiniLM-L6-v2@0.1.0): 300 rows ready in 3.5 s before the first fit
        (229 encoded, 71 read from CACHE_FILE, 0 repeats of earlier rows); not counted in any
        fit time."``, or
        ``""``.
    """
    fills = [value] if isinstance(value, Mapping) else value if isinstance(value, list) else []
    out = []
    for fill in fills:
        if not isinstance(fill, Mapping):
            continue
        rows, seconds = num(fill.get("rows")), num(fill.get("seconds"))
        if not math.isfinite(rows):
            continue
        name = f" ({fill['embedder']})" if fill.get("embedder") else ""
        took = f" in {seconds:.1f} s" if math.isfinite(seconds) else ""
        how = ""
        counts = fill_counts_words(fill)  # the words of the curve's progress line
        if counts is not None:
            how = f" ({counts})"
        out.append(
            f"Embeddings{name}: {fmt_size(rows)} rows ready{took} before the first fit{how}; "
            "not counted in any fit time."
        )
    return " ".join(out)


def finding_title(finding: Mapping[str, Any]) -> str:
    """A finding's heading in words; a ``saturated`` curve whose score falls as a time split
    adds older rows (``older_rows_hurt``) is headed by that, not by "will not help much", and
    a ``data_limited`` finding short of a warning by "may help" or "no clear gain yet", as its
    advice says."""
    kind = str(finding.get("kind", "finding"))
    evidence = finding.get("evidence")
    if kind == "saturated" and isinstance(evidence, Mapping) and evidence.get("older_rows_hurt"):
        return OLDER_ROWS_TITLE
    if kind == "data_limited" and finding.get("severity") != "warning":
        # not "will help": the advice says "may help", or "no clear gain" when every gain
        # interval includes 0 (evidence gain_above_zero; results written before it lack it)
        if isinstance(evidence, Mapping) and evidence.get("gain_above_zero") is False:
            return NO_CLEAR_GAIN_TITLE
        return MAY_HELP_TITLE
    return KIND_TITLES.get(kind, kind.replace("_", " ").capitalize())


def fmt_value(value: Any, depth: int = 0) -> str:
    """A compact, readable rendering of an evidence value (numbers rounded, lists shortened).

    Parameters
    ----------
    value : Any
        A JSON value: a number, string, mapping or list (of records, numbers, lists).
    depth : int, default 0
        How deep inside another value this one is; a nested number has no thousands
        separators, which would read as list separators (``[560, 1120]``, not ``[560, 1,120]``).

    Returns
    -------
    str
        ``"0.9123"``; ``"east: {n: 109, accuracy: 0.64}"``; a list of records with two keys as
        ``"score by size: 56: 0.9123, 113: 0.9035"``, with more keys as
        ``"Temperature (ks statistic 0.22, p 0.01); ..."``.
    """
    if isinstance(value, bool) or value is None:
        return str(value).lower() if value is not None else "n/a"
    grouping = "," if depth == 0 else ""
    if isinstance(value, int):
        return f"{value:{grouping}}"
    if isinstance(value, float):
        if not math.isfinite(value):
            return "n/a"
        if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e6):
            return f"{value:.3g}"
        return f"{value:{grouping}.4g}" if abs(value) >= 1 else f"{value:.4g}"
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
        shown += f", … ({len(items) - 8} more)" if len(items) > 8 else ""
        # nested, the braces say where one entry ends: "east: {n: 109, share: 0.19}, ..."
        return f"{{{shown}}}" if depth > 0 else shown
    if isinstance(value, Sequence):
        records = _records(value) if depth <= 1 else None
        if records is not None:
            return records
        items = [fmt_value(v, depth + 1) for v in list(value)[:8]]
        more = f", … ({len(value) - 8} more)" if len(value) > 8 else ""
        return "[" + ", ".join(items) + more + "]"
    return str(value)


def _records(value: Sequence[Any]) -> str | None:
    """A list of records sharing their keys, compactly: ``"score by size: 438: -0.4374, 876:
    -0.4937"`` for two keys, ``"Temperature (ks statistic 0.2219, p 0.01); ..."`` for more;
    ``None`` when ``value`` is not such a list."""
    if not value or not all(isinstance(r, Mapping) and r for r in value):
        return None
    keys = list(value[0])
    if any(list(r) != keys for r in value):
        return None
    shown, more = list(value)[:8], len(value) - 8
    tail = f", … ({more} more)" if more > 0 else ""
    words = [str(k).replace("_", " ") for k in keys]
    if len(keys) == 1:
        return "[" + ", ".join(fmt_value(r[keys[0]], 1) for r in shown) + tail + "]"
    if len(keys) == 2:
        first, second = keys
        pairs = ", ".join(f"{fmt_value(r[first], 1)}: {fmt_value(r[second], 1)}" for r in shown)
        return f"{words[1]} by {words[0]}: {pairs}{tail}"
    rows = [
        f"{fmt_value(r[keys[0]], 1)} ("
        + ", ".join(f"{w} {fmt_value(r[k], 2)}" for k, w in zip(keys[1:], words[1:], strict=True))
        + ")"
        for r in shown
    ]
    return "; ".join(rows) + (f"; … ({more} more)" if more > 0 else "")


def _size_words(value: float, measured: float) -> str:
    """An evidence size (a count of rows): ``"518"``, not ``"518.3"``; one more than
    ``REACH_FACTOR`` times the rows measured (or than a billion) is beyond reach, not a
    22-digit number."""
    if measured > 0 and value > REACH_FACTOR * measured:
        return f"beyond reach (more than {REACH_FACTOR:,}x the {fmt_size(measured)} rows measured)"
    if value > MAX_SIZE_SHOWN:
        return f"beyond reach (more than {MAX_SIZE_SHOWN:,} rows)"
    return fmt_size(value)


def evidence_items(finding: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A finding's evidence as (label, value) pairs, as the page's evidence table shows them.

    Parameters
    ----------
    finding : mapping
        One finding of ``result.json``; its ``evidence`` is shown key by key.

    Returns
    -------
    list of (str, str)
        The key in words and the value as text (see :func:`fmt_value`); a key ending in
        ``size`` is a count of rows, shown whole or as beyond reach (see :func:`_size_words`).
    """
    evidence = finding.get("evidence") or {}
    items = evidence.items() if isinstance(evidence, Mapping) else [("evidence", evidence)]
    measured = num(evidence.get("size")) if isinstance(evidence, Mapping) else math.nan
    out = []
    for key, value in items:
        size_like = isinstance(value, int | float) and not isinstance(value, bool)
        if str(key).endswith("size") and size_like and math.isfinite(value):
            shown = _size_words(float(value), measured if str(key) != "size" else math.nan)
        else:
            shown = fmt_value(value)
        out.append((str(key).replace("_", " "), shown))
    return out


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
            shown = "; ".join(f"{k}: {v}" for k, v in evidence_items(f))
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
    for block in extrapolation_answers(view):
        lines += ["", f"## Extrapolation of {_md(block['title'])}", ""]
        lines += [f"| question | answer | {block['interval']} |", "|---|---|---|"]
        lines += ["| " + " | ".join(_md(v) for v in row) + " |" for row in block["rows"]]
        if block["flags"]:
            lines += ["", f"Shape: {', '.join(block['flags'])}."]
    if view.plan:
        section = plan_section(view.plan)
        lines += ["", "## Plan", ""]
        for text in (section["recommendation"], section["next_round"], section["inputs"]):
            lines += [_md(text), ""] if text else []
        lines += [f"- {_md(d)}" for d in section["details"]] + ([""] if section["details"] else [])
        if section["rows"]:
            lines += ["| " + " | ".join(section["columns"]) + " |"]
            lines.append("|" + "---|" * len(section["columns"]))
            lines += ["| " + " | ".join(_md(v) for v in row) + " |" for row in section["rows"]]
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
                f"{fmt_score(float(last['val_mean']))}"
                f"{fmt_spread(float(last['val_std']), int(last['n_ok']))} | "
                f"{fmt_score(float(last['train_mean']))} | {int(last['n_ok'])} of {int(last['n_points'])} |"
            )
    return "\n".join(lines) + "\n"


def _cli_size(value: float) -> str:
    """A size as ``howmuchdata extrapolate`` prints it (``11,944``, ``out of reach``)."""
    return f"{value:,.0f}" if math.isfinite(value) else "out of reach"


def extrapolation_answers(view: RunView) -> list[dict[str, Any]]:
    """What ``howmuchdata extrapolate`` printed per curve, from its stored ``answers``.

    Returns
    -------
    list of dict
        One per curve that has answers: ``model``, ``title`` ("logreg: measured up to 400
        samples"), ``interval`` (the heading, e.g. "80% interval"), ``rows`` of (question,
        answer, interval) text with the command's precision, and ``flags``.
    """
    out = []
    curves = [*view.curves.values(), *view.table_curves.values()]
    for curve in curves:
        ext = curve.extrapolation
        if ext is None or not (ext.answers.get("at") or ext.answers.get("targets")):
            continue
        level = num(ext.answers.get("level"))
        level = level if 0 < level < 1 else ext.level
        rows = []
        for item in ext.answers.get("at") or []:
            if not isinstance(item, Mapping):
                continue
            n, score = num(item.get("size")), num(item.get("score"))
            lo, hi = num(item.get("lo")), num(item.get("hi"))
            rows.append((f"score at {n:,.0f}", sig(score), span(lo, hi)))
        for item in ext.answers.get("targets") or []:
            if not isinstance(item, Mapping):
                continue
            rows.append(
                (
                    f"samples to reach {sig(num(item.get('target')), 6)}",
                    _cli_size(num(item.get("size"))),
                    size_span(num(item.get("lo")), num(item.get("hi"))),
                )
            )
        if math.isfinite(ext.asymptote):
            interval = ""
            if ext.model is not None:
                interval = span(*ext.model.asymptote_interval(level))
            elif ext.asymptote_interval is not None and abs(level - ext.level) < 1e-9:
                interval = span(*ext.asymptote_interval)
            rows.append(("asymptote (ceiling)", sig(ext.asymptote), interval))
        observed = ext.observed
        largest = float(observed[0][-1]) if observed is not None else float(curve.last["size"])
        out.append(
            {
                "model": curve.model,
                "title": f"{curve.model}: measured up to {largest:,.0f} samples",
                "interval": f"{level:.0%} interval",
                "rows": rows,
                "flags": list(ext.flags),
            }
        )
    return out


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


# planner table columns shown, in order, with their headings
PLAN_COLUMNS = (
    ("size", "total size"),
    ("extra_labels", "labels to buy"),
    ("score", "expected score"),
    ("p_reach", "chance of target"),
    ("cost", "cost"),
    ("value", "expected value"),
    ("net_benefit", "net benefit"),
    ("gain_per_1000", "points per 1,000 labels"),
)
MAX_PLAN_ROWS = 25


def _plan_cell(row: Mapping[str, Any], key: str) -> str:
    """One cell of the planner's table, with the precision ``howmuchdata plan`` prints."""
    value = num(row.get(key))
    if not math.isfinite(value):
        return "n/a"
    if key in ("size", "extra_labels"):
        return fmt_size(value)
    if key == "p_reach":
        return f"{100 * value:.0f}%"
    if key == "score":
        lo, hi = num(row.get("score_lo")), num(row.get("score_hi"))
        span = f" ({fixed(lo)} to {fixed(hi)})" if math.isfinite(lo) and math.isfinite(hi) else ""
        return f"{fixed(value)}{span}"
    if key in ("value", "net_benefit"):
        lo_key, hi_key = ("value_lo", "value_hi") if key == "value" else ("net_lo", "net_hi")
        lo, hi = num(row.get(lo_key)), num(row.get(hi_key))
        span = f" ({lo:,.0f} to {hi:,.0f})" if math.isfinite(lo) and math.isfinite(hi) else ""
        return f"{value:,.0f}{span}"
    if key == "cost":
        return f"{value:,.0f}"  # whole amounts, as `howmuchdata plan` prints the column
    return f"{value:.2f}" if key == "gain_per_1000" else f"{value:.3g}"


def _thin(rows: list[dict[str, Any]], keep: int) -> list[dict[str, Any]]:
    """At most ``keep`` rows, evenly spread, always with the first and last."""
    if len(rows) <= keep:
        return rows
    index = sorted({round(i * (len(rows) - 1) / (keep - 1)) for i in range(keep)})
    return [rows[i] for i in index]


def _priority_words(item: Mapping[str, Any]) -> str:
    """A class or subgroup to buy first, as ``howmuchdata plan`` prints it."""
    if "class" in item:
        who = f"class {item['class']}"
    else:
        who = f"subgroup {item.get('subgroup', item.get('group', '?'))}"
    advice = item.get("advice")
    return f"{who} ({item.get('kind', 'finding')}): {advice}" if advice else who


def plan_section(plan: Mapping[str, Any]) -> dict[str, Any]:
    """The plan as the page and ``summary.md`` show it.

    Parameters
    ----------
    plan : mapping
        The ``plan`` section of ``result.json`` (from a curve or before any data).

    Returns
    -------
    dict
        ``recommendation`` (the planner's advice, or None), ``next_round`` (this round's
        purchase in the planner's words, or None), ``inputs`` (what a plan before any data
        was computed from, in words, or None), ``details`` (criteria, rules of thumb,
        similar problems, labels to buy first), ``columns`` and ``rows`` (the candidate table,
        thinned to at most 25 rows, as text).
    """
    rows: list[dict[str, Any]] = []
    for key in ("table", "rows", "candidates"):
        value = plan.get(key)
        if isinstance(value, list) and value and isinstance(value[0], Mapping):
            rows = [dict(r) for r in value if isinstance(r, Mapping)]
            break
    known = [(k, title) for k, title in PLAN_COLUMNS if any(k in r for r in rows)]
    if known:
        columns = [title for _, title in known]
        cells = [[_plan_cell(r, k) for k, _ in known] for r in _thin(rows, MAX_PLAN_ROWS)]
    else:  # a table of another shape: show its own columns
        keys = list(dict.fromkeys(k for r in rows for k in r))
        columns = [k.replace("_", " ") for k in keys]
        cells = [[fmt_value(r.get(k)) for k in keys] for r in _thin(rows, MAX_PLAN_ROWS)]
    details = []
    minimum = plan.get("minimum_sample_size")
    inputs = None
    if isinstance(minimum, Mapping):
        inputs = before_data_inputs(minimum)
        for c in minimum.get("details") or []:
            if isinstance(c, Mapping):
                details.append(
                    f"{c.get('name', '')}: {fmt_value(c.get('n'))} — {c.get('description', '')}"
                    + _margin_caveat(c, minimum)
                )
    for rule in plan.get("rules_of_thumb") or []:
        if isinstance(rule, Mapping):
            details.append(
                f"Rule of thumb (not a measurement) {rule.get('rule', '')}: "
                f"{fmt_value(rule.get('n'))}"
            )
    similar = plan.get("similar_problems")
    if isinstance(similar, Mapping) and similar.get("sentence"):
        details.append(str(similar["sentence"]))
    for item in plan.get("priorities") or []:
        if isinstance(item, Mapping):
            details.append(f"Buy first: {_priority_words(item)}")
    recommendation = plan_recommendation(plan)
    purchase = next_round_words(plan.get("next_round"))
    return {
        "recommendation": plan_for(plan) + recommendation if recommendation else None,
        "next_round": f"{purchase}." if purchase else None,
        "inputs": inputs,
        "details": details,
        "columns": columns,
        "rows": cells,
    }


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
        method = before_data_method(minimum)
        return (
            f"Before data: at least {fmt_size(num(minimum['n']))} samples "
            f"({minimum.get('binding', 'the binding criterion')} binds"
            + (f"; {method}" if method else "")
            + ")."
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


# the inputs of a plan before any data (``minimum_sample_size.inputs``), in words and in order;
# ``max_r2_cs`` is said with the R² it bounds
BEFORE_DATA_INPUTS = (
    ("parameters", "candidate predictor parameters"),
    ("prevalence", "outcome prevalence"),
    ("c_statistic", "C statistic"),
    ("r2_nagelkerke", "Nagelkerke R²"),
    ("r2_cs", "Cox-Snell R²"),
    ("r2", "adjusted R²"),
    ("intercept", "mean outcome"),
    ("sd", "outcome standard deviation"),
    ("rate", "event rate per unit of time"),
    ("timepoint", "timepoint"),
    ("mean_followup", "mean follow-up"),
    ("shrinkage", "target shrinkage"),
)
# the clause of the planner's ``method`` that is about a C statistic input
_C_STATISTIC_CLAUSE = "C statistic"


def before_data_inputs(minimum: Mapping[str, Any]) -> str | None:
    """What a plan before any data was computed from, in words.

    Parameters
    ----------
    minimum : mapping
        The plan's ``minimum_sample_size`` (``howmuchdata plan --before-data``).

    Returns
    -------
    str or None
        ``"Inputs: binary outcome; 24 candidate predictor parameters; outcome prevalence 0.17;
        Cox-Snell R² 0.29 (largest possible: 0.5982); target shrinkage 0.9."``, with a
        Cox-Snell R² derived from a C statistic or a Nagelkerke R² said so; None when nothing
        is stored.
    """
    inputs = minimum.get("inputs")
    if not isinstance(inputs, Mapping):
        return None
    given = {str(k): v for k, v in inputs.items()}
    # a Cox-Snell R² the planner derived from the performance the user gave instead
    source = next(
        (w for k, w in BEFORE_DATA_INPUTS if k in ("c_statistic", "r2_nagelkerke") and k in given),
        None,
    )
    parts = [f"{minimum['outcome']} outcome"] if minimum.get("outcome") else []
    for key, words in BEFORE_DATA_INPUTS:
        if key not in given:
            continue
        value = fmt_value(given[key])
        if key == "parameters":
            parts.append(f"{value} {words}")
            continue
        text = f"{words} {value}"
        if key == "r2_cs":
            bound = num(given.get("max_r2_cs"))
            notes = [f"derived from the {source}" if source else ""]
            if math.isfinite(bound):
                notes.append(f"largest possible: {fmt_value(bound)}")
            shown = "; ".join(n for n in notes if n)
            text += f" ({shown})" if shown else ""
        parts.append(text)
    known = {k for k, _ in BEFORE_DATA_INPUTS} | {"max_r2_cs"}
    parts += [f"{k.replace('_', ' ')} {fmt_value(v)}" for k, v in given.items() if k not in known]
    return "Inputs: " + "; ".join(parts) + "." if parts else None


def before_data_method(minimum: Mapping[str, Any]) -> str:
    """The planner's ``method`` citation, without its C-statistic clause when the plan was
    not computed from a C statistic (the planner stores the clause whatever the input)."""
    method = str(minimum.get("method") or "")
    inputs = minimum.get("inputs")
    if isinstance(inputs, Mapping) and "c_statistic" in inputs:
        return method
    return "; ".join(p for p in method.split("; ") if not p.startswith(_C_STATISTIC_CLAUSE))


def _margin_caveat(criterion: Mapping[str, Any], minimum: Mapping[str, Any]) -> str:
    """A caveat after a criterion that estimates a risk within an absolute margin wider than
    half that risk (:func:`~howmuchdata.planner.criteria.risk_margin_caveat`), else nothing;
    read from result.json, so plans stored before the planner said it get it too."""
    detail = criterion.get("detail")
    if not isinstance(detail, Mapping):
        return ""
    inputs = minimum.get("inputs") if isinstance(minimum.get("inputs"), Mapping) else {}
    margin = num(detail.get("margin"))
    risk = num(detail.get("risk", inputs.get("prevalence")))
    return risk_margin_caveat(
        margin if math.isfinite(margin) else None, risk if math.isfinite(risk) else None
    )
