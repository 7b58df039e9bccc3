"""Simpler / traditional models against the baseline: "with few examples, use classical ML".

One arm per preset other than the baseline (logistic regression, or ridge regression on a
numeric target; gradient boosting, k-NN and the one-hidden-layer MLP), each behind the same
features as the baseline. Arms are named by the model they fit (``simpler:ridge`` on a numeric
target, where ``simpler:logreg`` is accepted too). With a text column gradient boosting is
left out: it needs dense features and TF-IDF is sparse.
"""

from __future__ import annotations

from howmuchdata.errors import HowMuchDataError
from howmuchdata.models import PRESETS
from howmuchdata.strategies.base import (
    DENSE_ONLY_PRESETS,
    Arm,
    StrategyContext,
    check_reads_text,
    preset_description,
    preset_label,
    preset_labels,
    preset_model,
    resolve_preset,
    with_features,
)

# Random forests are left out by default: close to gradient boosting and far slower to refit at
# every curve point. Ask for them by name (``simpler:rf``).
MODELS = ("logreg", "hgb", "knn", "mlp")


def arms(ctx: StrategyContext, variant: str | None = None) -> list[Arm]:
    """``simpler:<model>`` arms; ``variant`` picks one preset (or the model a preset fits)."""
    if variant is not None:
        variant = resolve_preset(variant, ctx.task, "simpler:")
        if variant not in PRESETS:
            raise HowMuchDataError(
                f"unknown simpler model {variant!r}; use simpler:NAME with NAME one of "
                f"{', '.join(preset_labels(ctx.task))}"
            )
        check_reads_text(ctx, variant, "simpler:")
        names = [variant]
    else:
        # on a text column the presets that need dense features are left out (TF-IDF is sparse)
        skip = DENSE_ONLY_PRESETS if ctx.text is not None else ()
        names = [m for m in MODELS if m != ctx.baseline and m not in skip]
    return [
        Arm(
            name=f"simpler:{preset_label(name, ctx.task)}",
            estimator=with_features(ctx, preset_model(name, ctx.task), scale=PRESETS[name][1]),
            family="simpler",
            description=preset_description(name, ctx.task),
        )
        for name in names
    ]
