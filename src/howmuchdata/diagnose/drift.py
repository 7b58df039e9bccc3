"""Drift over time: do old rows still help, and has the data shifted?

Two pieces of evidence:

1. **Recent-only against all data.** The most recent ``VALIDATION_SHARE`` of the rows (by time)
   is the validation set. The model is trained on the ``m`` most recent older rows ("recent
   only", for ``m`` growing back in time) and on ``m`` rows drawn from all older rows ("all
   data"). When a recent window beats the model trained on every older row, the rows before
   that window lower the score. A paired bootstrap over the validation rows gives the interval
   of that difference. Scores are in the run's scorer (the curve's ``scoring``) when it is
   computed from predicted labels or values (:data:`METRICS`); otherwise, and without a curve,
   in accuracy or R², and the evidence says why (``metric_reason``).
2. **Adversarial validation.** A gradient-boosting classifier learns to tell the first half
   (by time) from the second half in the model's input space; its out-of-fold ROC AUC is 0.5
   when the two halves look alike. The features that differ most are named (two-sample
   Kolmogorov-Smirnov statistic). Features that only ever rise (or fall) with time, such as
   a row counter or the year, separate the halves by construction: they are left out of it
   and listed as ``time_like_features``.

Rows that share a time stamp are never split between training and validation (the
validation set grows to take all of its first time stamp), as in the curve's time split.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from threadpoolctl import threadpool_limits

from howmuchdata.diagnose._numbers import count, score_delta
from howmuchdata.diagnose.context import DiagnosisContext
from howmuchdata.diagnose.finding import Finding
from howmuchdata.metrics import (
    NEG_MEDIAN_ABSOLUTE_ERROR,
    WEIGHTED_SCORERS,
    Outputs,
    WeightedScorer,
    scorer_bounds,
    weighted_scores,
)

VALIDATION_SHARE = 0.2
WINDOWS = 4  # recent windows: the newest 1/8, 1/4, 1/2 and all of the older rows
REPEATS = 3  # random draws per size for the all-data curve
BOOTSTRAPS = 500
# Level of the bootstrap interval that must exclude 0 before "old rows hurt" is claimed; high
# because the best of several windows is compared (a winner's-curse guard).
DECISION_LEVEL = 0.95
TOP_FEATURES = 5
CRITICAL_LOSS = 0.05


#: The scorers drift can measure: computed from predicted labels or values alone, on the
#: paired bootstrap's resamples by :func:`howmuchdata.metrics.weighted_scores` (a resample is
#: a count per validation row). A run scored otherwise (``roc_auc``, ``neg_log_loss``,
#: ``f1_macro``, a callable) gets its drift in accuracy or R², and the evidence says so.
METRICS: dict[str, WeightedScorer] = {
    m.name: m
    for m in (
        WEIGHTED_SCORERS["accuracy"],
        WEIGHTED_SCORERS["balanced_accuracy"],
        WEIGHTED_SCORERS["r2"],
        WEIGHTED_SCORERS["neg_mean_absolute_error"],
        WEIGHTED_SCORERS["neg_mean_squared_error"],
        WEIGHTED_SCORERS["neg_root_mean_squared_error"],
        NEG_MEDIAN_ABSOLUTE_ERROR,
        WEIGHTED_SCORERS["neg_mean_absolute_percentage_error"],
    )
}


def drift_metric(ctx: DiagnosisContext) -> tuple[WeightedScorer, str | None]:
    """The metric drift scores in, and why it is not the run's scorer.

    Parameters
    ----------
    ctx : DiagnosisContext
        Its ``task`` and ``scoring`` (the curve's scorer) decide.

    Returns
    -------
    metric : WeightedScorer
        The run's scorer where it is in :data:`METRICS`, else accuracy (classification) or R².
    reason : str or None
        Why it is not the run's scorer; None when it is, or when there is no curve whose
        scorer it could be.
    """
    default = METRICS["accuracy" if ctx.task == "classification" else "r2"]
    scoring = ctx.scoring
    if scoring is None:
        return default, None
    chosen = METRICS.get(scoring)
    if chosen is not None and chosen.task == ctx.task:
        return chosen, None
    covered = ", ".join(m.name for m in METRICS.values() if m.task == ctx.task)
    return default, (
        f"drift is measured in {default.name}: its paired bootstrap resamples {covered}, "
        f"not the run's scorer {scoring!r}"
    )


class DriftCheck:
    """Recent-only vs all-data curves over time, and old-vs-new adversarial validation."""

    name = "drift"
    kinds = ("drift",)
    requires = ("data", "table", "time")

    def run(self, ctx: DiagnosisContext) -> list[Finding]:
        order, n_val = _newest_rows(np.asarray(ctx.time))
        n = order.size
        if n - n_val < 20:
            return []
        metric, reason = drift_metric(ctx)
        curves, truth, predictions = _recent_vs_all(
            ctx, metric, order[: n - n_val], order[n - n_val :]
        )
        shift = _adversarial(ctx, order)
        best = curves["recent"].loc[curves["recent"]["score"].idxmax()]
        full = curves["recent"].iloc[-1]
        loss, lo, hi = _paired_difference(
            ctx, metric, truth, predictions[int(best["size"])], predictions[int(full["size"])]
        )
        # Errors (neg_*) are in the target's units: the thresholds are shares of the error of
        # the model trained on all older rows, as DiagnoseOptions says.
        bounds = scorer_bounds(metric.name)
        scale = 1.0 if bounds is not None and bounds[1] == 1.0 else abs(float(full["score"]))
        min_loss = ctx.options.drift_min_loss * scale
        old_hurts = best["size"] < full["size"] and loss >= min_loss and lo > 0
        shifted = shift["auc"] >= ctx.options.drift_auc
        if not (old_hurts or shifted):
            return []
        bounded = bounds == (0.0, 1.0)  # differences in points of accuracy
        cutoff = _format_time(np.asarray(ctx.time)[order[n - n_val - int(best["size"])]])
        evidence = {
            "validation": f"the newest {count(n_val)} rows",
            "metric": metric.name,
            "recent_only": curves["recent"].to_dict("records"),
            "all_data": curves["all"].to_dict("records"),
            "best_window_rows": int(best["size"]),
            "best_window_starts": cutoff,
            "score_loss_from_old_rows": loss,
            "score_loss_interval": [lo, hi],
            "interval_level": DECISION_LEVEL,
            "adversarial_auc": shift["auc"],
            "most_shifted_features": shift["features"],
            "time_like_features": shift["time_like"],
        }
        if reason is not None:
            evidence["metric_reason"] = reason
        if old_hurts:
            severity = "critical" if loss >= CRITICAL_LOSS * scale else "warning"
            advice = (
                f"data before {cutoff} {_worse_by(metric.name)} {score_delta(loss, bounded)} "
                f"({DECISION_LEVEL:.0%} interval {score_delta(lo, bounded)} to "
                f"{score_delta(hi, bounded)}): drop or "
                f"down-weight it and train on the newest {count(best['size'])} rows"
            )
        else:
            severity = "warning"
            names = ", ".join(f["feature"] for f in shift["features"][:3])
            advice = (
                f"old and new rows differ (a classifier tells them apart with AUC "
                f"{shift['auc']:.2f}; most shifted: {names}) but old rows still help: keep "
                "them, and validate on the newest rows since random splits overstate future scores"
            )
        if reason is not None and old_hurts:
            advice += f" ({reason})"
        return [Finding("drift", severity, evidence, advice)]


def _newest_rows(time: np.ndarray) -> tuple[np.ndarray, int]:
    """Rows in time order, and how many of the newest validate: about ``VALIDATION_SHARE``
    (at least 10), and every row that shares the first validation time stamp, so that no
    training row is as new as a validation row (as in the curve's time split)."""
    order = np.argsort(time, kind="stable")
    sorted_time = time[order]
    nominal = order.size - max(int(round(VALIDATION_SHARE * order.size)), 10)
    if nominal <= 0:
        return order, order.size
    start = int(np.searchsorted(sorted_time, sorted_time[nominal], side="left"))
    return order, order.size - start


def _time_like(features: np.ndarray, time: np.ndarray) -> np.ndarray:
    """Mask of the features that only ever rise (or only fall) with time: a row counter, the
    year, the date as a number. They tell old rows from new ones by construction, so they
    say nothing about whether the data shifted. Two-valued features (a one-hot category, a
    switch that flips once) are kept: a category that appears only later is a shift."""
    order = np.argsort(time, kind="stable")
    by_time = features[order]
    sorted_time = time[order]
    starts = np.flatnonzero(np.r_[True, sorted_time[1:] != sorted_time[:-1]])
    low = np.minimum.reduceat(by_time, starts, axis=0)  # per time stamp, per feature
    high = np.maximum.reduceat(by_time, starts, axis=0)
    rising = np.all(low[1:] >= high[:-1], axis=0)
    falling = np.all(high[1:] <= low[:-1], axis=0)
    mask = rising | falling
    for j in np.flatnonzero(mask):
        mask[j] = np.unique(features[:, j]).size >= 3
    return mask


def _worse_by(name: str) -> str:
    """How a loss of this score reads: "lowers the accuracy by", "raises the mean absolute
    error by" (a neg_* score is minus the error)."""
    if name.startswith("neg_"):
        return f"raises the {name[4:].replace('_', ' ')} by"
    return f"lowers the {'R²' if name == 'r2' else name.replace('_', ' ')} by"


def _scores(
    metric: WeightedScorer, weights: np.ndarray, truth: np.ndarray, predicted: np.ndarray
) -> np.ndarray | float:
    """The metric on each weighting of the validation rows.

    Parameters
    ----------
    metric : WeightedScorer
        One of :data:`METRICS`.
    weights : numpy.ndarray
        Shape (rows,) (ones: the plain score) or (resamples, rows) (bootstrap counts).
    truth, predicted : numpy.ndarray
        The validation target and a model's predictions of it (labels or values).

    Returns
    -------
    float or numpy.ndarray
        A float for 1-D ``weights``, else one score per resample.
    """
    if metric.task == "classification":
        classes, codes = np.unique(np.concatenate([truth, predicted]), return_inverse=True)
        outputs = Outputs(codes[: truth.size], codes[truth.size :], classes=classes)
    else:
        outputs = Outputs(truth, predicted)
    return weighted_scores(metric, weights, outputs)


def _fit_predict(ctx: DiagnosisContext, train: np.ndarray, val: np.ndarray) -> np.ndarray:
    if ctx.task == "classification" and np.unique(ctx.y[train]).size < 2:
        return np.full(val.size, ctx.y[train][0])
    model = clone(ctx.model).fit(ctx.X.iloc[train], ctx.y[train])
    return model.predict(ctx.X.iloc[val])


def _recent_vs_all(
    ctx: DiagnosisContext, metric: WeightedScorer, pool: np.ndarray, val: np.ndarray
) -> tuple[dict[str, pd.DataFrame], np.ndarray, dict[int, np.ndarray]]:
    """Scores on the newest rows of models trained on recent windows and on random draws.

    Returns the two curves, the validation truth and each window's predictions (for the
    paired bootstrap).
    """
    sizes = sorted({max(pool.size // 2**k, 10) for k in range(WINDOWS)})
    rng = np.random.default_rng(ctx.options.random_state)
    truth = ctx.y[val]
    ones = np.ones(val.size)
    recent, every, predictions = [], [], {}
    for m in sizes:
        window = pool[pool.size - m :]  # pool is in time order: the newest m rows
        predictions[m] = _fit_predict(ctx, window, val)
        recent.append({"size": m, "score": _scores(metric, ones, truth, predictions[m])})
        draws = 1 if m == pool.size else REPEATS
        scores = [
            _scores(metric, ones, truth, _fit_predict(ctx, rng.choice(pool, m, replace=False), val))
            for _ in range(draws)
        ]
        every.append({"size": m, "score": float(np.mean(scores))})
    return {"recent": pd.DataFrame(recent), "all": pd.DataFrame(every)}, truth, predictions


def _paired_difference(
    ctx: DiagnosisContext, metric: WeightedScorer, truth: np.ndarray, a: np.ndarray, b: np.ndarray
) -> tuple[float, float, float]:
    """Score of predictions ``a`` minus predictions ``b``, with a paired bootstrap interval."""
    ones = np.ones(truth.size)
    diff = _scores(metric, ones, truth, a) - _scores(metric, ones, truth, b)
    rng = np.random.default_rng(ctx.options.random_state)
    idx = rng.integers(0, truth.size, (BOOTSTRAPS, truth.size))
    # each resample as how often it draws each row (resample k's indices offset by k * rows),
    # in floats once rather than in each of the two scores
    idx += truth.size * np.arange(BOOTSTRAPS)[:, np.newaxis]
    counts = np.bincount(idx.ravel(), minlength=idx.size).reshape(idx.shape).astype(float)
    boots = _scores(metric, counts, truth, a) - _scores(metric, counts, truth, b)
    tail = (1 - DECISION_LEVEL) / 2
    lo, hi = np.nanquantile(boots, [tail, 1 - tail])
    return float(diff), float(lo), float(hi)


def _adversarial(ctx: DiagnosisContext, order: np.ndarray) -> dict:
    """Out-of-fold AUC of a classifier telling the first half (by time) from the second,
    on the features that are not clocks (:func:`_time_like`)."""
    newer = np.zeros(order.size, dtype=int)
    newer[order[order.size // 2 :]] = 1
    clock = _time_like(ctx.features, np.asarray(ctx.time))
    all_names = np.asarray(ctx.feature_names, dtype=object)
    time_like = all_names[clock].tolist()
    features = ctx.features[:, ~clock]
    names = all_names[~clock].tolist()
    if features.shape[1] == 0:
        return {"auc": 0.5, "features": [], "time_like": time_like}
    # One OpenMP thread per fit: on a busy machine, gradient boosting's default of one thread
    # per core oversubscribes and runs ~50x slower; parallelism comes from n_jobs folds.
    with threadpool_limits(limits=1, user_api="openmp"):
        proba = cross_val_predict(
            HistGradientBoostingClassifier(max_iter=100, random_state=ctx.options.random_state),
            features,
            newer,
            cv=StratifiedKFold(5, shuffle=True, random_state=ctx.options.random_state),
            method="predict_proba",
            n_jobs=ctx.options.n_jobs,
        )[:, 1]
    auc = float(roc_auc_score(newer, proba))
    # only the statistic is reported: the asymptotic method spares the exact p-value's cost
    # and its "exact calculation unsuccessful" warning on large halves
    ks = [
        stats.ks_2samp(features[newer == 0, j], features[newer == 1, j], method="asymp").statistic
        for j in range(features.shape[1])
    ]
    top = np.argsort(ks)[::-1][:TOP_FEATURES]
    return {
        "auc": auc,
        "features": [{"feature": names[j], "ks_statistic": float(ks[j])} for j in top],
        "time_like": time_like,
    }


def _format_time(value: object) -> str:
    if isinstance(value, np.datetime64 | pd.Timestamp):
        return str(pd.Timestamp(value).date())
    return f"{float(value):g}"
