"""Simpler / traditional models against the baseline: "with few examples, use classical ML".

One arm per preset other than the baseline (logistic regression, gradient boosting, k-NN and
the one-hidden-layer MLP), each behind the same features as the baseline. With a text column
gradient boosting is left out: it needs dense features and TF-IDF is sparse.
"""

from __future__ import annotations

from howmuchdata.errors import HowMuchDataError
from howmuchdata.models import PRESETS
from howmuchdata.strategies.base import (
    DENSE_ONLY_PRESETS,
    Arm,
    StrategyContext,
    check_reads_text,
    preset_model,
    with_features,
)

# Random forests are left out by default: close to gradient boosting and far slower to refit at
# every curve point. Ask for them by name (``simpler:rf``).
MODELS = ("logreg", "hgb", "knn", "mlp")


def arms(ctx: StrategyContext, variant: str | None = None) -> list[Arm]:
    """``simpler:<preset>`` arms; ``variant`` picks one preset."""
    if variant is not None and variant not in PRESETS:
        raise HowMuchDataError(
            f"unknown simpler model {variant!r}; use simpler:NAME with NAME one of {', '.join(PRESETS)}"
        )
    if variant is not None:
        check_reads_text(ctx, variant, "simpler:")
        names = [variant]
    else:
        # on a text column the presets that need dense features are left out (TF-IDF is sparse)
        skip = DENSE_ONLY_PRESETS if ctx.text is not None else ()
        names = [m for m in MODELS if m != ctx.baseline and m not in skip]
    return [
        Arm(
            name=f"simpler:{name}",
            estimator=with_features(ctx, preset_model(name, ctx.task), scale=PRESETS[name][1]),
            family="simpler",
            description=PRESETS[name][2],
        )
        for name in names
    ]
