"""Strategy names -> the family that builds their arms.

A strategy is named ``family`` (all its variants) or ``family:variant`` (one of them), e.g.
``simpler``, ``simpler:knn``, ``active:margin``. A user-defined strategy is a
``(name, estimator)`` pair: the estimator is measured as it is (a bare model gets the baseline's
preprocessing in front).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sklearn.pipeline import Pipeline

from howmuchdata.curve.core import estimator_task
from howmuchdata.errors import HowMuchDataError
from howmuchdata.models import model_name
from howmuchdata.strategies import (
    active,
    augment,
    ensemble,
    fewshot,
    semi,
    simpler,
    synthetic,
    transfer,
)
from howmuchdata.strategies.base import Arm, StrategyContext, baseline_estimator, with_features


def _baseline(ctx: StrategyContext, variant: str | None = None) -> list[Arm]:
    if variant is not None:
        raise HowMuchDataError(
            "the baseline has no variants; pass baseline= (--baseline) to choose its model"
        )
    return [
        Arm(
            name="baseline",
            estimator=baseline_estimator(ctx),
            family="baseline",
            description=f"{ctx.baseline_name}" + (" on TF-IDF of the text" if ctx.text else ""),
        )
    ]


FAMILIES: dict[str, Callable[[StrategyContext, str | None], list[Arm]]] = {
    "baseline": _baseline,
    "simpler": simpler.arms,
    "transfer": transfer.arms,
    "augment": augment.arms,
    "semi": semi.arms,
    "active": active.arms,
    "fewshot": fewshot.arms,
    "synthetic": synthetic.arms,
    "ensemble": ensemble.arms,
}
ALIASES = {
    "few-shot": "fewshot",
    "few_shot": "fewshot",
    "traditional": "simpler",
    "smote": "synthetic",
}
# families whose arms read the frozen embeddings
EMBEDDING_FAMILIES = frozenset({"transfer", "fewshot"})


def parse_spec(spec: str) -> tuple[str, str | None]:
    """``"active:margin"`` -> ``("active", "margin")``; unknown families raise."""
    family, _, variant = spec.strip().partition(":")
    family = ALIASES.get(family.lower(), family.lower())
    if family not in FAMILIES:
        raise HowMuchDataError(
            f"unknown strategy {spec.strip()!r}; use some of {', '.join(FAMILIES)} "
            "(or family:variant, e.g. simpler:knn)"
        )
    return family, (variant.strip() or None)


def families_of(specs: Sequence[Any]) -> set[str]:
    """The families named in a strategy list (user pairs count as ``user``)."""
    out = set()
    for spec in specs:
        out.add(parse_spec(spec)[0] if isinstance(spec, str) else "user")
    return out


def build_arms(ctx: StrategyContext, specs: Sequence[Any]) -> list[Arm]:
    """Arms for a strategy list, the baseline first, each name once.

    Raises
    ------
    HowMuchDataError
        For an unknown name, a strategy that does not apply to the data, or a malformed pair.
    """
    arms = _baseline(ctx)
    seen = {"baseline"}
    parsed = [parse_spec(spec) if isinstance(spec, str) else None for spec in specs]
    # families built from all their names at once: which arms run depends on the whole set
    # (active:margin and active:entropy are one arm on a binary target)
    together = {"active": active.arms_for, "semi": semi.arms_for}
    built: set[str] = set()
    for spec, names in zip(specs, parsed, strict=True):
        if names is not None:
            family, variant = names
            if family == "baseline" or family in built:
                continue
            if family in together:
                built.add(family)
                variants = [v for f, v in filter(None, parsed) if f == family]
                new = together[family](ctx, variants)
            else:
                new = FAMILIES[family](ctx, variant)
        else:
            new = [_user_arm(ctx, spec)]
        for arm in new:
            if arm.name not in seen:
                seen.add(arm.name)
                arms.append(arm)
    return arms


def _user_arm(ctx: StrategyContext, spec: Any) -> Arm:
    if isinstance(spec, Arm):
        return spec
    if not (isinstance(spec, tuple | list) and len(spec) == 2 and isinstance(spec[0], str)):
        raise HowMuchDataError(
            f"strategy {spec!r} is neither a name nor a (name, estimator) pair; "
            "pass e.g. strategies=['simpler', ('my_svm', SVC())]"
        )
    name, estimator = spec
    if not hasattr(estimator, "fit"):
        raise HowMuchDataError(
            f"strategy {name!r}: {type(estimator).__name__} has no fit method; pass a scikit-learn estimator"
        )
    if ":" in name or name in FAMILIES:
        raise HowMuchDataError(
            f"user strategy name {name!r} clashes with the built-in names; pick another name"
        )
    declared = estimator_task(estimator)
    if declared is not None and declared != ctx.task:
        kind, other = (
            ("regressor", "classifier") if declared == "regression" else ("classifier", "regressor")
        )
        raise HowMuchDataError(
            f"strategy {name!r}: {model_name(estimator)} is a {kind} but this comparison is "
            f"{ctx.task} (from the target and the baseline); pass a {other} or leave it out"
        )
    model = estimator if isinstance(estimator, Pipeline) else with_features(ctx, estimator)
    return Arm(name=name, estimator=model, family="user", description=type(estimator).__name__)
