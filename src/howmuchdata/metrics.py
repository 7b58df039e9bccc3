"""What a scikit-learn scorer's name says about the range of its scores.

The extrapolation clips predictions to the metric's range and refuses targets outside it; a
learning curve knows its scorer by name, so the range comes from the name rather than from
a guess on the measured values. :func:`weighted_scores` computes a scorer on many subsets (or
resamples) of out-of-fold outputs at once, in NumPy.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from howmuchdata.errors import HowMuchDataError

#: Scorers whose values lie in [0, 1], with their averaging variants (``f1_macro``,
#: ``roc_auc_ovr``, ``precision_weighted``, ...).
BOUNDED_01 = (
    "accuracy",
    "balanced_accuracy",
    "roc_auc",
    "average_precision",
    "f1",
    "precision",
    "recall",
    "jaccard",
    "top_k_accuracy",
)
#: Scorers at most 1 and unbounded below (coefficients of determination).
AT_MOST_1 = ("r2", "explained_variance", "d2_")


def scorer_bounds(scoring: str | None) -> tuple[float, float] | None:
    """The range of a scikit-learn scorer's values, or None when the name does not say.

    Parameters
    ----------
    scoring : str or None
        A scorer name as :func:`sklearn.metrics.get_scorer` takes it.

    Returns
    -------
    (float, float) or None
        ``(0, 1)`` for accuracy-like scorers, ``(-inf, 0)`` for negated errors
        (``neg_*``), ``(-inf, 1)`` for R² and its kin, ``(-1, 1)`` for the Matthews
        correlation; None for other names.

    Examples
    --------
    >>> scorer_bounds("f1_macro")
    (0.0, 1.0)
    >>> scorer_bounds("neg_log_loss")
    (-inf, 0.0)
    """
    name = (scoring or "").strip()
    if not name:
        return None
    if name.startswith("neg_"):
        return (-math.inf, 0.0)
    if any(name == b or name.startswith(b + "_") for b in BOUNDED_01):
        return (0.0, 1.0)
    if any(name == b or name.startswith(b) for b in AT_MOST_1):
        return (-math.inf, 1.0)
    if name == "matthews_corrcoef":
        return (-1.0, 1.0)
    return None


def above_range_message(target: float, top: float) -> str:
    """The error for a target above the metric's range; a positive target of a negated error
    (``neg_*``, at most 0) is most likely the error itself, so the message shows its sign."""
    text = (
        f"target {target:g} is above the metric's range (at most {top:g}); pass a target <= {top:g}"
    )
    if top == 0 and target > 0:
        text += f" (a neg_* score is minus the error: for an error of {target:g}, pass {-target:g})"
    return text


def check_target_score(
    target: float, greater_is_better: bool, scoring: str | None, observed_hi: float
) -> None:
    """Refuse a target score outside the metric's range.

    Parameters
    ----------
    target : float
        The score to reach.
    greater_is_better : bool
        False for errors and losses (the target is a level to get down to).
    scoring : str or None
        The scorer's name; its range (:func:`scorer_bounds`) decides where it says anything.
    observed_hi : float
        The highest score seen (or predicted): without a scorer name, a rising score never
        above 0 is taken as a negated error (at most 0), one never above 1 as at most 1.

    Raises
    ------
    HowMuchDataError
        For a target that is not a finite number or lies outside the range.
    """
    if not math.isfinite(target):
        raise HowMuchDataError(f"target={target!r} is not a number; pass e.g. --target 0.92")
    bounds = scorer_bounds(scoring)
    if greater_is_better:
        if bounds is not None:
            low, top = bounds
        else:
            low = -math.inf
            top = 0.0 if observed_hi <= 0.0 else (1.0 if observed_hi <= 1.0 else math.inf)
        if target > top:
            raise HowMuchDataError(above_range_message(target, top))
        if target < low:
            raise HowMuchDataError(
                f"target {target:g} is below the metric's range (at least {low:g}); "
                f"pass a target >= {low:g}"
            )
    elif target < 0:
        raise HowMuchDataError(
            f"target {target:g} is below 0, the least an error can be; pass a target >= 0"
        )


#: Short names people type for a scorer, after lower-casing, ``-`` to ``_`` and dropping a
#: leading ``neg_`` (``neg_rmse`` and ``RMSE`` both read ``rmse``): what difflib misses.
SCORER_ALIASES = {
    "rmse": "neg_root_mean_squared_error",
    "mse": "neg_mean_squared_error",
    "mae": "neg_mean_absolute_error",
    "mape": "neg_mean_absolute_percentage_error",
    "medae": "neg_median_absolute_error",
    "median_ae": "neg_median_absolute_error",
    "msle": "neg_mean_squared_log_error",
    "rmsle": "neg_root_mean_squared_log_error",
    "auc": "roc_auc",
    "roc": "roc_auc",
    "auroc": "roc_auc",
    "logloss": "neg_log_loss",
    "log_loss": "neg_log_loss",
    "cross_entropy": "neg_log_loss",
    "brier": "neg_brier_score",
    "acc": "accuracy",
    "r2_score": "r2",
    "r_squared": "r2",
    "rsquared": "r2",
}


def suggest_scorer(scoring: Any) -> str | None:
    """The scikit-learn scorer name a mistyped ``scoring`` most likely meant, or None.

    Parameters
    ----------
    scoring : object
        The name that :func:`sklearn.metrics.get_scorer` refused.

    Returns
    -------
    str or None
        A name of :func:`sklearn.metrics.get_scorer_names`: from :data:`SCORER_ALIASES` for
        short names, else the name with ``neg_`` added, else the closest by
        :func:`difflib.get_close_matches`.

    Examples
    --------
    >>> suggest_scorer("neg_rmse")
    'neg_root_mean_squared_error'
    >>> suggest_scorer("accuarcy")
    'accuracy'
    """
    from sklearn.metrics import get_scorer_names

    if not isinstance(scoring, str) or not scoring.strip():
        return None
    names = sorted(get_scorer_names())
    text = scoring.strip().lower().replace("-", "_").replace(" ", "_")
    short = text.removeprefix("neg_")
    for candidate in (text, SCORER_ALIASES.get(short), f"neg_{short}"):
        if candidate in names and candidate != scoring:
            return candidate
    close = difflib.get_close_matches(text, names, n=1, cutoff=0.6)
    return close[0] if close else None


def unknown_scoring_message(scoring: Any) -> str:
    """The one-line error for a scorer name scikit-learn does not know, with the likely fix.

    >>> unknown_scoring_message("neg_rmse")  # doctest: +NORMALIZE_WHITESPACE
    "unknown scoring 'neg_rmse'; did you mean scoring='neg_root_mean_squared_error'
    (--scoring neg_root_mean_squared_error)?"
    """
    guess = suggest_scorer(scoring)
    if guess is not None:
        return f"unknown scoring {scoring!r}; did you mean scoring={guess!r} (--scoring {guess})?"
    return (
        f"unknown scoring {scoring!r}; use a scikit-learn scorer name such as accuracy, "
        "balanced_accuracy, neg_log_loss, roc_auc, r2 or neg_mean_absolute_error (--scoring)"
    )


# ----------------------------------------------------------------------------------------
# Scores of weighted rows: many subsets (or resamples) of out-of-fold outputs at once.
#
# A subset of rows is a 0/1 weight per row, a bootstrap resample a count per row: one row of
# ``weights`` (shape (draws, rows)) per subset. Each scorer below gives, for every row of
# ``weights``, the value the scikit-learn scorer of that name gives on the rows so weighted
# (negated errors included), from the out-of-fold outputs alone and in NumPy: calling a
# scikit-learn metric thousands of times (a permutation test) costs seconds of validation.


@dataclass(frozen=True)
class Outputs:
    """Out-of-fold outputs of a model, as :func:`weighted_scores` reads them.

    Attributes
    ----------
    truth : numpy.ndarray
        Class indices 0..k-1 into ``classes`` (classification) or the target's values.
    predicted : numpy.ndarray
        Predicted class indices, or predicted values.
    proba : numpy.ndarray, optional
        Class probabilities (rows, k), columns in the order of ``classes``; the scorers that
        read them (``needs == "proba"``) need it.
    classes : numpy.ndarray, optional
        The sorted class labels (classification).
    """

    truth: np.ndarray
    predicted: np.ndarray
    proba: np.ndarray | None = None
    classes: np.ndarray | None = None


@dataclass(frozen=True)
class WeightedScorer:
    """A scorer computed for many weightings of the rows at once (see :func:`weighted_scorer`).

    Attributes
    ----------
    name : str
        The scikit-learn scorer name.
    task : {"classification", "regression"}
    needs : {"labels", "proba", "values"}
        What it reads besides the truth: predicted classes, class probabilities or predicted
        values.
    score : callable
        ``score(weights, outputs) -> numpy.ndarray``: one score per row of ``weights``, NaN
        where the scorer is undefined on those rows (e.g. an AUC with one class).
    """

    name: str
    task: str
    needs: str
    score: Callable[[np.ndarray, Outputs], np.ndarray]


def _ratio(num: np.ndarray, den: np.ndarray, empty: float = 0.0) -> np.ndarray:
    """``num / den``, ``empty`` where ``den`` is 0 (scikit-learn's ``zero_division=0``)."""
    safe = np.where(den > 0, den, 1.0)
    return np.where(den > 0, num / safe, empty)


def _one_hot(index: np.ndarray, k: int) -> np.ndarray:
    return np.eye(k)[np.asarray(index, dtype=int)]


def _counts(weights: np.ndarray, out: Outputs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted true positives, true counts and predicted counts per class, each (draws, k)."""
    k = len(out.classes)
    truth, pred = _one_hot(out.truth, k), _one_hot(out.predicted, k)
    return weights @ (truth * pred), weights @ truth, weights @ pred


def _accuracy(weights: np.ndarray, out: Outputs) -> np.ndarray:
    correct = (np.asarray(out.truth) == np.asarray(out.predicted)).astype(float)
    return _ratio(weights @ correct, weights.sum(axis=1), math.nan)


def _balanced_accuracy(weights: np.ndarray, out: Outputs) -> np.ndarray:
    tp, true, _ = _counts(weights, out)
    present = true > 0  # scikit-learn averages the recall over the classes in the truth
    recall = _ratio(tp, true)
    return _ratio((recall * present).sum(axis=1), present.sum(axis=1), math.nan)


def _per_class(kind: str, tp: np.ndarray, true: np.ndarray, pred: np.ndarray) -> np.ndarray:
    fp, fn = pred - tp, true - tp
    if kind == "precision":
        return _ratio(tp, tp + fp)
    if kind == "recall":
        return _ratio(tp, tp + fn)
    if kind == "f1":
        return _ratio(2 * tp, 2 * tp + fp + fn)
    return _ratio(tp, tp + fp + fn)  # jaccard


def _averaged(kind: str, average: str) -> Callable[[np.ndarray, Outputs], np.ndarray]:
    """precision / recall / f1 / jaccard with scikit-learn's ``average`` (binary: the class 1)."""

    def score(weights: np.ndarray, out: Outputs) -> np.ndarray:
        tp, true, pred = _counts(weights, out)
        if average == "binary":
            (pos,) = np.flatnonzero(np.asarray(out.classes) == 1)
            return _per_class(kind, tp[:, pos], true[:, pos], pred[:, pos])
        if average == "micro":
            return _per_class(kind, tp.sum(axis=1), true.sum(axis=1), pred.sum(axis=1))
        values = _per_class(kind, tp, true, pred)
        if average == "weighted":
            return _ratio((values * true).sum(axis=1), true.sum(axis=1))
        present = (true > 0) | (pred > 0)  # the labels in the truth or the predictions
        return _ratio((values * present).sum(axis=1), present.sum(axis=1))

    return score


def _matthews(weights: np.ndarray, out: Outputs) -> np.ndarray:
    tp, true, pred = _counts(weights, out)
    c, s = tp.sum(axis=1), weights.sum(axis=1)
    num = c * s - (pred * true).sum(axis=1)
    den = np.sqrt((s**2 - (pred**2).sum(axis=1)) * (s**2 - (true**2).sum(axis=1)))
    return _ratio(num, den)


def _proba(out: Outputs) -> np.ndarray:
    proba = np.asarray(out.proba, dtype=float)
    return proba / proba.sum(axis=1, keepdims=True)  # as log_loss normalises them


def _neg_log_loss(weights: np.ndarray, out: Outputs) -> np.ndarray:
    proba = _proba(out)
    eps = np.finfo(proba.dtype).eps
    true = np.clip(proba[np.arange(len(proba)), np.asarray(out.truth, dtype=int)], eps, 1 - eps)
    return -_ratio(weights @ -np.log(true), weights.sum(axis=1), math.nan)


def _neg_brier(weights: np.ndarray, out: Outputs) -> np.ndarray:
    proba = _proba(out)
    truth = _one_hot(out.truth, proba.shape[1])
    if proba.shape[1] == 2:  # binary: the positive (greater) class's probability only
        loss = (proba[:, 1] - truth[:, 1]) ** 2
    else:
        loss = ((proba - truth) ** 2).sum(axis=1)
    return -_ratio(weights @ loss, weights.sum(axis=1), math.nan)


def _auc(weights: np.ndarray, score: np.ndarray, positive: np.ndarray) -> np.ndarray:
    """Weighted ROC AUC of ``score`` for ``positive`` rows (ties count a half), per draw."""
    order = np.argsort(score, kind="stable")
    ranked = score[order]
    starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])  # blocks of tied scores
    w = weights[:, order]
    pos = np.add.reduceat(w * positive[order], starts, axis=1)
    neg = np.add.reduceat(w * ~positive[order], starts, axis=1)
    below = np.cumsum(neg, axis=1) - neg  # negatives scored strictly lower
    pairs = pos.sum(axis=1) * neg.sum(axis=1)
    return _ratio((pos * (below + 0.5 * neg)).sum(axis=1), pairs, math.nan)


def _roc_auc(weights: np.ndarray, out: Outputs) -> np.ndarray:
    truth = np.asarray(out.truth, dtype=int)
    return _auc(weights, np.asarray(out.proba, dtype=float)[:, 1], truth == 1)


def _roc_auc_ovr(weighted: bool) -> Callable[[np.ndarray, Outputs], np.ndarray]:
    def score(weights: np.ndarray, out: Outputs) -> np.ndarray:
        # the probabilities as given: normalising them again would split ties by rounding
        proba, truth = np.asarray(out.proba, dtype=float), np.asarray(out.truth, dtype=int)
        k = proba.shape[1]
        aucs = np.column_stack([_auc(weights, proba[:, c], truth == c) for c in range(k)])
        prevalence = weights @ _one_hot(truth, k)
        # scikit-learn refuses a truth without every class: undefined
        aucs = np.where((prevalence > 0).all(axis=1, keepdims=True), aucs, math.nan)
        w = prevalence if weighted else np.ones_like(prevalence)
        return (aucs * w).sum(axis=1) / w.sum(axis=1)

    return score


def _errors(
    loss: Callable[[np.ndarray, np.ndarray], np.ndarray], root: bool = False
) -> Callable[[np.ndarray, Outputs], np.ndarray]:
    """Minus the weighted mean of a per-row loss (its square root for the root errors)."""

    def score(weights: np.ndarray, out: Outputs) -> np.ndarray:
        truth = np.asarray(out.truth, dtype=float)
        mean = _ratio(weights @ loss(truth, np.asarray(out.predicted, dtype=float)),
                      weights.sum(axis=1), math.nan)  # fmt: skip
        return -(np.sqrt(mean) if root else mean)

    return score


def _r2(weights: np.ndarray, out: Outputs) -> np.ndarray:
    truth = np.asarray(out.truth, dtype=float)
    n = weights.sum(axis=1)
    sse = weights @ (truth - np.asarray(out.predicted, dtype=float)) ** 2
    # about the mean of all rows, near each weighting's own: sum w t² - (sum w t)² / n then
    # loses no digits to a target far from 0 (R² of a year, of prices in the thousands)
    centred = truth - truth.mean() if truth.size else truth
    square = weights @ centred**2
    sst = square - _ratio((weights @ centred) ** 2, n)
    sst = np.where(sst > 1e-12 * np.maximum(square, 1e-300), sst, 0.0)
    # a constant truth: 1 for a perfect prediction, else 0 (scikit-learn's force_finite)
    return np.where(sst > 0, 1 - _ratio(sse, sst), (sse == 0).astype(float))


def _squared(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    return (t - p) ** 2


def _absolute(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    return np.abs(t - p)


def _percentage(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    return np.abs(t - p) / np.maximum(np.abs(t), np.finfo(np.float64).eps)


def _squared_log(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    return (np.log1p(t) - np.log1p(p)) ** 2


def _neg_median_absolute_error(weights: np.ndarray, out: Outputs) -> np.ndarray:
    """Minus the weighted median of the absolute errors: the median of the rows repeated as
    often as their weights say (the mean of the two middle ones for an even total)."""
    errors = np.abs(np.asarray(out.truth, dtype=float) - np.asarray(out.predicted, dtype=float))
    order = np.argsort(errors, kind="stable")
    ranked = errors[order]
    up_to = np.cumsum(weights[:, order], axis=1)  # the weight at or below each ranked error
    half = up_to[:, -1:] / 2
    # the first ranked error that reaches half the weight, and the first that passes it:
    # both have weight (the running total rises there); they differ only for an even total
    lower = (up_to < half).sum(axis=1)
    upper = np.minimum((up_to <= half).sum(axis=1), errors.size - 1)  # no weight at all: NaN
    median = (ranked[lower] + ranked[upper]) / 2
    return -np.where(half[:, 0] > 0, median, math.nan)


def _weighted_scorers() -> dict[str, WeightedScorer]:
    found = [
        WeightedScorer("accuracy", "classification", "labels", _accuracy),
        WeightedScorer("balanced_accuracy", "classification", "labels", _balanced_accuracy),
        WeightedScorer("matthews_corrcoef", "classification", "labels", _matthews),
        WeightedScorer("neg_log_loss", "classification", "proba", _neg_log_loss),
        WeightedScorer("neg_brier_score", "classification", "proba", _neg_brier),
        WeightedScorer("roc_auc", "classification", "proba", _roc_auc),
        WeightedScorer("roc_auc_ovr", "classification", "proba", _roc_auc_ovr(False)),
        WeightedScorer("roc_auc_ovr_weighted", "classification", "proba", _roc_auc_ovr(True)),
        WeightedScorer("r2", "regression", "values", _r2),
        WeightedScorer("neg_mean_absolute_error", "regression", "values", _errors(_absolute)),
        WeightedScorer("neg_mean_squared_error", "regression", "values", _errors(_squared)),
        WeightedScorer(
            "neg_root_mean_squared_error", "regression", "values", _errors(_squared, True)
        ),
        WeightedScorer(
            "neg_mean_absolute_percentage_error", "regression", "values", _errors(_percentage)
        ),
        WeightedScorer("neg_mean_squared_log_error", "regression", "values", _errors(_squared_log)),
        WeightedScorer(
            "neg_root_mean_squared_log_error", "regression", "values", _errors(_squared_log, True)
        ),
    ]
    for kind in ("precision", "recall", "f1", "jaccard"):
        for average in ("binary", "micro", "macro", "weighted"):
            name = kind if average == "binary" else f"{kind}_{average}"
            found.append(WeightedScorer(name, "classification", "labels", _averaged(kind, average)))
    return {s.name: s for s in found}


#: The scorers :func:`weighted_scores` computes as sums over rows, by scikit-learn name (the
#: subgroup check's). Others (``average_precision``, ``roc_auc_ovo``, ``top_k_accuracy``,
#: callables) are not sums over rows (or not of their out-of-fold outputs); the median error
#: is :data:`NEG_MEDIAN_ABSOLUTE_ERROR`.
WEIGHTED_SCORERS: dict[str, WeightedScorer] = _weighted_scorers()

#: ``neg_median_absolute_error`` for :func:`weighted_scores`: a weighted median, not a sum over
#: rows, so not in :data:`WEIGHTED_SCORERS` (nor found by :func:`weighted_scorer`).
NEG_MEDIAN_ABSOLUTE_ERROR = WeightedScorer(
    "neg_median_absolute_error", "regression", "values", _neg_median_absolute_error
)


def weighted_scorer(scoring: str | None, task: str) -> WeightedScorer | None:
    """The :data:`WEIGHTED_SCORERS` entry for a scorer name and task, or None.

    Parameters
    ----------
    scoring : str or None
        A scikit-learn scorer name.
    task : {"classification", "regression"}

    Returns
    -------
    WeightedScorer or None
        None for a name it does not compute, or one of the other task.

    Examples
    --------
    >>> weighted_scorer("f1_macro", "classification").needs
    'labels'
    >>> weighted_scorer("neg_median_absolute_error", "regression") is None
    True
    """
    chosen = WEIGHTED_SCORERS.get(scoring or "")
    return chosen if chosen is not None and chosen.task == task else None


def weighted_scores(scorer: WeightedScorer, weights: np.ndarray, outputs: Outputs) -> np.ndarray:
    """The scorer's value on each weighting of the rows.

    Parameters
    ----------
    scorer : WeightedScorer
    weights : numpy.ndarray
        Shape (draws, rows) or (rows,): 0/1 for subsets, counts for bootstrap resamples.
    outputs : Outputs
        The out-of-fold outputs, one per row.

    Returns
    -------
    numpy.ndarray
        Shape (draws,) (a float for 1-D ``weights``), as the scikit-learn scorer of that name
        gives it on the rows (negated errors included); NaN where it is undefined.
    """
    w = np.asarray(weights, dtype=float)
    values = scorer.score(np.atleast_2d(w), outputs)
    return float(values[0]) if w.ndim == 1 else values
