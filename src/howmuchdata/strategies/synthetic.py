"""Synthetic minority examples: the SMOTE family from imbalanced-learn.

The sampler sits inside an imbalanced-learn :class:`~imblearn.pipeline.Pipeline` between the
baseline's preprocessing and its model, so synthetic rows are made during ``fit`` only, from the
training subset of one curve point, and never at prediction. Like augmentation, the size axis
counts real labels only.

At the small end of a curve a class may hold fewer rows than SMOTE's ``k_neighbors + 1``; the
neighbour count is lowered to fit the smallest class, and a subset whose smallest class has a
single row is left as it is (there is nothing to interpolate between).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from howmuchdata.errors import HowMuchDataError
from howmuchdata.strategies.base import Arm, StrategyContext, split_baseline

KINDS = {
    "smote": "SMOTE: new minority rows on segments between a row and a same-class neighbour",
    "borderline": "Borderline-SMOTE: SMOTE seeded from minority rows near the class border",
}
DEFAULT_NEIGHBOURS = 5


def resample(
    X: Any, y: np.ndarray, kind: str = "smote", random_state: int = 0
) -> tuple[Any, np.ndarray]:
    """Oversample every class but the largest up to the largest class's count."""
    from imblearn.over_sampling import SMOTE, BorderlineSMOTE

    _, counts = np.unique(y, return_counts=True)
    if counts.size < 2 or counts.min() < 2:
        return X, y
    k = min(DEFAULT_NEIGHBOURS, int(counts.min()) - 1)
    if kind == "smote":
        sampler: Any = SMOTE(k_neighbors=k, random_state=random_state)
    else:
        m = min(2 * DEFAULT_NEIGHBOURS, len(y) - 1)
        sampler = BorderlineSMOTE(k_neighbors=k, m_neighbors=m, random_state=random_state)
    return sampler.fit_resample(X, y)


def arms(ctx: StrategyContext, variant: str | None = None) -> list[Arm]:
    """``synthetic:smote`` and ``synthetic:borderline`` (or the one named by ``variant``)."""
    ctx.require_classification("synthetic")
    if variant is not None and variant not in KINDS:
        raise HowMuchDataError(
            f"unknown synthetic variant {variant!r}; use synthetic:smote or synthetic:borderline"
        )
    try:
        from imblearn import FunctionSampler
        from imblearn.pipeline import Pipeline as ImbPipeline
    except ImportError:
        raise HowMuchDataError(
            "the synthetic strategy needs imbalanced-learn; pip install 'howmuchdata[strategies]'"
        ) from None
    out = []
    for kind in [variant] if variant else list(KINDS):
        features, model = split_baseline(ctx)
        sampler = FunctionSampler(
            func=resample, kw_args={"kind": kind, "random_state": ctx.random_state}, validate=False
        )
        pipe = ImbPipeline([("features", features), ("sampler", sampler), ("model", model)])
        out.append(
            Arm(
                name=f"synthetic:{kind}",
                estimator=pipe,
                family="synthetic",
                description=KINDS[kind],
            )
        )
    return out
