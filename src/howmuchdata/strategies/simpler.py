"""Simpler / traditional models against the baseline: "with few examples, use classical ML".

One arm per preset other than the baseline (logistic regression, gradient boosting, k-NN and
the one-hidden-layer MLP), each behind the same features as the baseline.
"""

from __future__ import annotations

from howmuchdata.errors import HowMuchDataError
from howmuchdata.models import PRESETS
from howmuchdata.strategies.base import Arm, StrategyContext, preset_model, with_features

# Random forests are left out by default: close to gradient boosting and far slower to refit at
# every curve point. Ask for them by name (``simpler:rf``).
MODELS = ("logreg", "hgb", "knn", "mlp")


def arms(ctx: StrategyContext, variant: str | None = None) -> list[Arm]:
    """``simpler:<preset>`` arms; ``variant`` picks one preset."""
    if variant is not None and variant not in PRESETS:
        raise HowMuchDataError(
            f"unknown simpler model {variant!r}; use simpler:NAME with NAME one of {', '.join(PRESETS)}"
        )
    names = [variant] if variant else [m for m in MODELS if m != ctx.baseline]
    return [
        Arm(
            name=f"simpler:{name}",
            estimator=with_features(ctx, preset_model(name, ctx.task), scale=PRESETS[name][1]),
            family="simpler",
            description=PRESETS[name][2],
        )
        for name in names
    ]
