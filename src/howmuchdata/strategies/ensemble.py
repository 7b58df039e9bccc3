"""Ensemble: bagging of the baseline model (ten bootstrap copies, predictions averaged).

The copies share the baseline's preprocessing (fitted once on the training subset); scikit-learn's
bagging turns its input into an array, which column-name preprocessing cannot take.

scikit-learn's bagging maps each copy's classes onto the full class list, so a bootstrap
sample that misses a rare class at a small size still votes on the others.
"""

from __future__ import annotations

from sklearn.ensemble import BaggingClassifier, BaggingRegressor
from sklearn.pipeline import Pipeline

from howmuchdata.errors import HowMuchDataError
from howmuchdata.strategies.base import Arm, StrategyContext, split_baseline

N_ESTIMATORS = 10


def arms(ctx: StrategyContext, variant: str | None = None) -> list[Arm]:
    """One ``ensemble:bagging`` arm."""
    if variant not in (None, "bagging"):
        raise HowMuchDataError(f"unknown ensemble variant {variant!r}; use ensemble:bagging")
    n = int(ctx.options.get("ensemble_size", N_ESTIMATORS))
    cls = BaggingClassifier if ctx.task == "classification" else BaggingRegressor
    features, model = split_baseline(ctx)
    bagged = Pipeline(
        [("features", features), ("model", cls(estimator=model, n_estimators=n, n_jobs=1))]
    )
    return [
        Arm(
            name="ensemble:bagging",
            estimator=bagged,
            family="ensemble",
            description=f"bagging of the baseline, {n} bootstrap copies averaged",
        )
    ]
