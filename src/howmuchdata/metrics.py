"""What a scikit-learn scorer's name says about the range of its scores.

The extrapolation clips predictions to the metric's range and refuses targets outside it; a
learning curve knows its scorer by name, so the range comes from the name rather than from
a guess on the measured values.
"""

from __future__ import annotations

import difflib
import math
from typing import Any

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
