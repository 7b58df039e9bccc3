"""Few-shot: prototype (nearest class centroid) and 1-nearest-neighbour on frozen embeddings.

The regime where deep learning is said to "need 5 examples per class": nothing is trained but
the class prototypes, so the curve shows what a handful of labels per class buys on top of a
pretrained encoder. Vectors are L2-normalised first, so distances are cosine distances.
"""

from __future__ import annotations

from sklearn.neighbors import KNeighborsClassifier, NearestCentroid
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import Normalizer

from howmuchdata.errors import HowMuchDataError
from howmuchdata.strategies.base import Arm, StrategyContext, embedding_step

VARIANTS = {
    "centroid": ("nearest class centroid (prototype) on embeddings", NearestCentroid),
    "knn": ("1-nearest neighbour on embeddings", lambda: KNeighborsClassifier(n_neighbors=1)),
}


def arms(ctx: StrategyContext, variant: str | None = None) -> list[Arm]:
    """``fewshot:centroid`` and ``fewshot:knn`` (or the one named by ``variant``)."""
    ctx.require_classification("fewshot")
    if variant is not None and variant not in VARIANTS:
        raise HowMuchDataError(
            f"unknown fewshot variant {variant!r}; use fewshot:centroid or fewshot:knn"
        )
    out = []
    for name in [variant] if variant else list(VARIANTS):
        description, make = VARIANTS[name]
        pipe = Pipeline(
            [("embed", embedding_step(ctx, "fewshot")), ("norm", Normalizer()), ("model", make())]
        )
        out.append(
            Arm(name=f"fewshot:{name}", estimator=pipe, family="fewshot", description=description)
        )
    return out
