"""What a scikit-learn scorer's name says about the range of its scores.

The extrapolation clips predictions to the metric's range and refuses targets outside it; a
learning curve knows its scorer by name, so the range comes from the name rather than from
a guess on the measured values.
"""

from __future__ import annotations

import math

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
