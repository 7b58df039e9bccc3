"""Overfitting and variance, read from the curve's train and validation scores.

Overfitting: the train-validation gap at the full size, and what the next doubling of the data
does to it. That is read off the last measured doublings (the sizes from n/4 to n, as for
``data_limited``), not off the whole curve: the large gaps of the small sizes say little about
the size the model is at, and a straight line through them can claim a shrink per doubling
larger than the gap that is left. Two readings of those doublings are tried on the mean gap of
each size: a constant ratio per doubling (a power law in the size, the usual shape of a
shrinking gap: it never passes zero) and a straight line against log2(size). The line is used
where it fits more closely (relative error, each size alike) and stays above zero one doubling
on, or where some size read has no gap above zero (no ratio then); its shrink is capped at the
gap itself. The change per doubling is stated in the gap's units, with the share of the gap it
is, and the size where the gap closes follows the same reading.

High variance: the spread of the validation score across repeats at the full size; a large
spread means the estimate itself is uncertain. For scores with a fixed scale (accuracy, R²)
the thresholds are in the score's units; for the others (errors such as mean absolute error)
they are shares of the score's size.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from howmuchdata.diagnose._numbers import count, round_up, score_delta, slope_per_doubling
from howmuchdata.diagnose.context import DiagnosisContext
from howmuchdata.diagnose.finding import Finding

# A gap this many times the threshold is critical.
CRITICAL_FACTOR = 3
# Gap sizes further out than this multiple of the data are "not within reach".
REACH_FACTOR = 1000
# More repeats than this is no advice: a larger validation set is the way to a stable score.
MAX_REPEATS = 100
# The gap's trend is read over the sizes from full size / RECENT_FACTOR to the full size.
RECENT_FACTOR = 4
# Said with the gap of a time split, where the validation rows are newer than the training rows.
TIME_SPLIT_CAVEAT = (
    "on this time split part of the gap may be change over time (the newer validation rows "
    "differ from the training rows) rather than overfitting: the drift check (diagnose with the "
    "data and --time) tells the two apart"
)
# The caveat once the drift check has read the same time stamps in the same diagnosis.
TIME_SPLIT_DRIFT_FOUND = (
    "on this time split part of the gap may be change over time rather than overfitting: the "
    "drift check of this diagnosis found such change (see its finding)"
)
TIME_SPLIT_NO_DRIFT = (
    "the drift check of this diagnosis flagged no change over time on this time split, so "
    "overfitting is the likelier reading of the gap"
)
# How each reading of the gap's trend is named in the evidence.
RATIO_FIT = "constant ratio per doubling"
LINE_FIT = "straight line in log2(size)"


def with_drift_reading(findings: list[Finding]) -> list[Finding]:
    """The overfitting findings of a time split told what the drift check, run in the same
    diagnosis, found, in place of the caveat that points to it.

    Parameters
    ----------
    findings : list of Finding
        Every finding of a diagnosis in which the drift check ran.

    Returns
    -------
    list of Finding
        The same findings, overfitting's advice reworded where its caveat stood.
    """
    drift = any(f.kind == "drift" for f in findings)
    reading = TIME_SPLIT_DRIFT_FOUND if drift else TIME_SPLIT_NO_DRIFT
    return [
        dataclasses.replace(f, advice=f.advice.replace(TIME_SPLIT_CAVEAT, reading))
        if f.kind == "overfitting" and TIME_SPLIT_CAVEAT in f.advice
        else f
        for f in findings
    ]


class OverfittingCheck:
    """Train-validation gap (``overfitting``) and spread across repeats (``high_variance``)."""

    name = "overfitting"
    kinds = ("overfitting", "high_variance")
    requires = ("curve",)

    def run(self, ctx: DiagnosisContext) -> list[Finding]:
        return [f for f in (_overfitting(ctx), _high_variance(ctx)) if f is not None]


def _overfitting(ctx: DiagnosisContext) -> Finding | None:
    table = ctx.by_size
    if table["gap_mean"].isna().all():
        return None  # the curve has no training scores
    last = table.iloc[-1]
    gap = float(last["gap_mean"])
    threshold = ctx.in_score_units(ctx.options.gap_threshold)
    if not np.isfinite(gap) or gap < threshold:
        return None
    n = ctx.full_size
    bounded = ctx.best_possible_score is not None
    trend = _gap_trend(ctx, gap)
    change, ratio = trend["change"], trend["ratio"]
    shrink = -change if np.isfinite(change) else 0.0
    if shrink <= 0:
        closes_at = np.inf
    elif trend["fit"] == RATIO_FIT:
        # gap * ratio^k = threshold; a ratio never takes the gap to zero itself
        closes_at = (
            float(n * 2 ** (np.log2(gap / threshold) / -np.log2(ratio)))
            if threshold > 0
            else np.inf
        )
    else:
        closes_at = n * 2 ** ((gap - threshold) / shrink)
    evidence = {
        "size": n,
        "train_score": float(last["train_mean"]),
        "val_score": float(last["val_mean"]),
        "gap": gap,
        "gap_threshold_relative": not ctx.fixed_scale,
        "gap_threshold": threshold,
        "gap_change_per_doubling": change,
        "gap_change_interval": trend["interval"],
        "gap_ratio_per_doubling": ratio,
        "gap_trend": trend["fit"],
        "gap_trend_sizes": trend["sizes"],
        "gap_by_size": dict(zip(table["size"].astype(int), table["gap_mean"], strict=True)),
        "gap_closes_at_size": closes_at,
    }
    fits = (
        f"the model scores {score_delta(gap, bounded)} better on its training rows than on new "
        f"ones at {count(n)} rows"
    )
    if shrink > 0 and closes_at <= REACH_FACTOR * n:
        advice = (
            f"{fits}; regularise or simplify it: more data alone closes the gap only near "
            f"~{count(round_up(closes_at))} rows (it shrinks {score_delta(shrink, bounded)} per "
            f"doubling at this size, {_share(shrink / gap)} of the gap)"
        )
    else:
        advice = (
            f"{fits} and the gap is not closing with more data: regularise the model or use a "
            "smaller one"
        )
    if ctx.split == "time":
        # validation rows come after the training rows: the gap holds any change over time too
        evidence["split"] = "time"
        advice += f"; {TIME_SPLIT_CAVEAT}"
    severity = "critical" if gap >= CRITICAL_FACTOR * threshold else "warning"
    return Finding("overfitting", severity, evidence, advice)


def _gap_trend(ctx: DiagnosisContext, gap: float) -> dict:
    """What the next doubling does to the gap, read off the last measured doublings.

    Returns a dict: ``change`` (of the gap over the next doubling from the full size, in the
    score's units; negative when it shrinks, never below ``-gap``), ``interval`` (its
    ``level`` interval), ``ratio`` (the share of the gap left after that doubling), ``fit``
    (:data:`RATIO_FIT` or :data:`LINE_FIT`) and ``sizes`` (the sizes read).
    """
    table = ctx.by_size
    recent = table[table["size"] >= ctx.full_size / RECENT_FACTOR]
    if len(recent) < 2:
        recent = table.iloc[-2:]
    recent = recent[np.isfinite(recent["gap_mean"].astype(float))]
    sizes = recent["size"].to_numpy(dtype=float)
    means = recent["gap_mean"].to_numpy(dtype=float)
    level = ctx.options.level
    pts = ctx.points
    pts = pts[pts["size"].isin(recent["size"])]
    line = slope_per_doubling(
        pts["size"], ctx.sign * (pts["train_score"] - pts["val_score"]), level
    )
    # The ratio needs a gap above zero at every size read. The line is kept only where it
    # fits more closely and is still above zero one doubling on: a line that passes zero
    # there says nothing about how the rest of the gap closes.
    ratio_ok = sizes.size >= 2 and bool(np.all(means > 0))
    line_ok = gap + line[0] > 0 and not (ratio_ok and _ratio_fits_better(np.log2(sizes), means))
    if ratio_ok and not line_ok:
        slope, lo, hi = slope_per_doubling(sizes, np.log2(means), level)
        ratio = 2.0**slope
        change, lo, hi = (gap * (2.0**v - 1) for v in (slope, lo, hi))
        fit = RATIO_FIT
    else:
        # no doubling takes off more than the gap there is
        change, lo, hi = (float(np.maximum(v, -gap)) for v in line)
        ratio = 1 + change / gap if gap > 0 else np.nan
        fit = LINE_FIT
    return {
        "change": float(change),
        "interval": [float(lo), float(hi)],
        "ratio": float(ratio),
        "fit": fit,
        "sizes": [int(v) for v in sizes],
    }


def _ratio_fits_better(x: np.ndarray, means: np.ndarray) -> bool:
    """Whether a constant ratio per doubling fits the mean gaps at least as closely as a
    straight line against ``x`` = log2(size) does.

    Closeness is the squared error of log2(fitted / measured), so that each size counts alike
    and the small gaps of the largest sizes (where the model is) are not outweighed by the
    large ones before them. A line that reaches zero at a measured size fits worse; a tie, as
    with two sizes, goes to the ratio, which cannot run past zero.
    """
    line = np.polyval(np.polyfit(x, means, 1), x)
    if np.any(line <= 0):
        return True
    log_means = np.log2(means)
    ratio = np.polyval(np.polyfit(x, log_means, 1), x)
    tie = 1e-12 * float(np.sum(log_means**2))
    return (
        float(np.sum((ratio - log_means) ** 2))
        <= float(np.sum((np.log2(line) - log_means) ** 2)) + tie
    )


def _share(value: float) -> str:
    """A share in words, two significant figures: ``45%``, ``7.9%``, ``0.4%``."""
    return f"{float(f'{100 * value:.2g}'):g}%"


def _high_variance(ctx: DiagnosisContext) -> Finding | None:
    table = ctx.by_size
    last = table.iloc[-1]
    spread = float(last["val_std"])
    bounded = ctx.best_possible_score is not None
    threshold = ctx.in_score_units(ctx.options.spread_threshold)
    if int(last["n"]) < 2 or not np.isfinite(spread) or not threshold > 0 or spread < threshold:
        return None
    n = ctx.full_size
    repeats = int(last["n"])
    # the mean of r repeats has standard error spread / sqrt(r): bring it under the threshold
    wanted = max(int(np.ceil((spread / threshold) ** 2)), repeats + 1)
    evidence = {
        "size": n,
        "repeats": repeats,
        "val_std": spread,
        "val_mean": float(last["val_mean"]),
        "spread_threshold": threshold,
        "spread_threshold_relative": not ctx.fixed_scale,
        "repeats_needed": wanted,
        "val_std_by_size": dict(zip(table["size"].astype(int), table["val_std"], strict=True)),
    }
    moves = f"the score at {count(n)} rows moves by ±{score_delta(spread, bounded)} between repeats"
    if wanted <= MAX_REPEATS:
        advice = (
            f"{moves}: measure with ~{wanted} repeats (or a larger validation set) before acting "
            "on differences smaller than that"
        )
    else:
        advice = (
            f"{moves}: validate on more rows before acting on differences smaller than that "
            f"(more repeats alone would take over {MAX_REPEATS})"
        )
    return Finding("high_variance", "warning", evidence, advice)
