"""Simpler / traditional models against the baseline: "with few examples, use classical ML".

One arm per preset other than the baseline (logistic regression, or ridge regression on a
numeric target; gradient boosting, k-NN and the one-hidden-layer MLP), each behind the same
features as the baseline. Arms are named by the model they fit (``simpler:ridge`` on a numeric
target, where ``simpler:logreg`` is accepted too). With a text column gradient boosting is
left out, with a note: it needs dense features and TF-IDF is sparse.
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
    """``simpler:<model>`` arms; ``variant`` picks one preset (or the model a preset fits).

    The whole family on a text column leaves out the presets that need dense features
    (gradient boosting), with a line in ``ctx.notes`` saying which and why; named alone
    (``simpler:hgb``) such a preset stops here with the fix.

    Raises
    ------
    HowMuchDataError
        For an unknown model, or one named alone that cannot read the text column.
    """
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
        left_out = [m for m in MODELS if m != ctx.baseline and m in skip]
        if left_out:
            _note_left_out(ctx, left_out)
    return [
        Arm(
            name=f"simpler:{preset_label(name, ctx.task)}",
            estimator=with_features(ctx, preset_model(name, ctx.task), scale=PRESETS[name][1]),
            family="simpler",
            description=preset_description(name, ctx.task),
        )
        for name in names
    ]


def _note_left_out(ctx: StrategyContext, left_out: list[str]) -> None:
    """Say in ``ctx.notes`` which ``simpler`` presets a text column leaves out, and why."""
    named = ", ".join(f"simpler:{preset_label(m, ctx.task)}" for m in left_out)
    kept = ", ".join(
        f"simpler:{preset_label(m, ctx.task)}"
        for m in MODELS
        if m not in left_out and m != ctx.baseline
    )
    note = (
        f"{named} left out: {'it needs' if len(left_out) == 1 else 'they need'} dense features "
        f"and the TF-IDF of the text column {ctx.text!r} is sparse"
        + (f"; the simpler models compared are {kept}" if kept else "")
    )
    if note not in ctx.notes:
        ctx.notes.append(note)
