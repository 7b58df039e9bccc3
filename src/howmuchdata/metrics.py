"""What a scikit-learn scorer's name says about the range of its scores.

The extrapolation clips predictions to the metric's range and refuses targets outside it; a
learning curve knows its scorer by name, so the range comes from the name rather than from
a guess on the measured values.
"""

from __future__ import annotations

import math

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
