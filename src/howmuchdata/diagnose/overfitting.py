"""Overfitting and variance, read from the curve's train and validation scores.

Overfitting: the train-validation gap at the full size, and how fast it shrinks per doubling
(least-squares slope of the gap against log2(size)). High variance: the spread of the
validation score across repeats at the full size; a large spread means the estimate itself
is uncertain. For scores with a fixed scale (accuracy, R²) the thresholds are in the score's
units; for the others (errors such as mean absolute error) they are shares of the score's size.
"""

from __future__ import annotations

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
    pts = ctx.points
    slope, lo, hi = slope_per_doubling(
        pts["size"], ctx.sign * (pts["train_score"] - pts["val_score"]), ctx.options.level
    )
    n = ctx.full_size
    bounded = ctx.best_possible_score is not None
    shrink = -slope if np.isfinite(slope) else 0.0
    closes_at = n * 2 ** ((gap - threshold) / shrink) if shrink > 0 else np.inf
    evidence = {
        "size": n,
        "train_score": float(last["train_mean"]),
        "val_score": float(last["val_mean"]),
        "gap": gap,
        "gap_threshold_relative": not ctx.fixed_scale,
        "gap_threshold": threshold,
        "gap_change_per_doubling": slope,
        "gap_change_interval": [lo, hi],
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
            "doubling)"
        )
    else:
        advice = (
            f"{fits} and the gap is not closing with more data: regularise the model or use a "
            "smaller one"
        )
    severity = "critical" if gap >= CRITICAL_FACTOR * threshold else "warning"
    return Finding("overfitting", severity, evidence, advice)


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
