"""Semi-supervised learning: the labeled subset plus the rest of the training pool, unlabeled.

How the unlabeled rows reach the learner without their labels and without validation rows:

- the comparison hands every curve the same splits (:func:`howmuchdata.curve.plan.make_splits`);
  the training subset of size ``n`` is the first ``n`` rows of a split's ``train_order``;
- the features are a DataFrame indexed ``0..n-1``, so the rows given to ``fit`` carry their row
  ids, and :class:`UnlabeledPool` holds the features of every row (never a label) plus the splits;
- :meth:`UnlabeledPool.unlabeled_for` finds the split being measured (the one whose first ``n``
  training rows are the labeled rows; should several qualify, or none, every split whose pool
  holds the labeled rows) and returns the rows that lie in *all* those pools, minus the labeled
  ones. A validation row of the measured split is outside its pool, so it can never be
  returned, whichever of the candidate splits is the measured one.

:class:`SemiSupervisedClassifier` then fits a scikit-learn semi-supervised learner on
labeled + unlabeled rows with ``-1`` as the label of every unlabeled row:
:class:`~sklearn.semi_supervised.SelfTrainingClassifier` around the baseline model, or
:class:`~sklearn.semi_supervised.LabelSpreading` on a k-nearest-neighbour graph.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.pipeline import Pipeline
from sklearn.semi_supervised import LabelSpreading, SelfTrainingClassifier
from sklearn.utils.metaestimators import available_if

from howmuchdata.errors import HowMuchDataError
from howmuchdata.strategies.base import (
    Arm,
    StrategyContext,
    has_probabilities,
    probability_fix,
    split_baseline,
)

UNLABELED = -1
# Self-training refits the model up to max_iter times on all pseudo-labeled rows: cap the pool.
DEFAULT_MAX_UNLABELED = 2000


class UnlabeledPool:
    """The features of every row and the comparison's splits; labels are not in it.

    Parameters
    ----------
    X : pandas.DataFrame
        All feature rows, indexed ``0..n-1``.
    splits : list of Split
        The splits every curve of the comparison uses.
    max_rows : int
        Most unlabeled rows handed out (the ones next in the split's order).
    """

    def __init__(
        self, X: pd.DataFrame, splits: list[Any], max_rows: int = DEFAULT_MAX_UNLABELED
    ) -> None:
        if not X.index.equals(pd.RangeIndex(len(X))):
            raise ValueError("the pool's features must be indexed 0..n-1 (row ids)")
        self.X = X
        self.splits = splits
        self.max_rows = max_rows
        self._pools = [set(np.asarray(s.train_order).tolist()) for s in splits]

    def __deepcopy__(self, memo: dict[int, Any]) -> UnlabeledPool:
        return self  # read-only: every clone of the estimator shares it

    def unlabeled_for(self, labeled: np.ndarray) -> np.ndarray:
        """Row ids to use as unlabeled data next to the ``labeled`` row ids.

        Raises
        ------
        ValueError
            When the labeled rows lie in no split's training pool (the estimator was fitted
            outside the comparison's splits).
        """
        labeled_set = set(np.asarray(labeled).tolist())
        n = len(labeled_set)
        # the engine trains on the first n rows of a split's order: that identifies the split
        matching = [
            i
            for i, s in enumerate(self.splits)
            if set(np.asarray(s.train_order[:n]).tolist()) == labeled_set
        ]
        if not matching:  # some other subset: any split whose pool holds it might be the one
            matching = [i for i, pool in enumerate(self._pools) if labeled_set <= pool]
        if not matching:
            raise ValueError(
                "the labeled rows are not inside any training pool of the comparison's splits; "
                "a SemiSupervisedClassifier only works inside compare()"
            )
        allowed = set.intersection(*(self._pools[i] for i in matching)) - labeled_set
        order = np.asarray(self.splits[matching[0]].train_order)
        rest = [i for i in order.tolist() if i in allowed]
        return np.asarray(rest[: self.max_rows], dtype=int)


class SemiSupervisedClassifier(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """Fit a semi-supervised ``learner`` on the labeled rows plus unlabeled pool rows.

    Parameters
    ----------
    learner : estimator
        Accepts ``-1`` as "no label" (a pipeline ending in ``SelfTrainingClassifier`` or
        ``LabelSpreading``). It sees labels ``0..k-1`` for the labeled rows and ``-1`` for the
        others; ``X`` keeps the row ids as its index.
    pool : UnlabeledPool
        Where the unlabeled rows come from.
    """

    def __init__(self, learner: Any, pool: UnlabeledPool) -> None:
        self.learner = learner
        self.pool = pool

    def fit(self, X: Any, y: Any) -> SemiSupervisedClassifier:
        if not isinstance(X, pd.DataFrame):
            raise TypeError(
                "SemiSupervisedClassifier needs the DataFrame whose index holds row ids"
            )
        self.classes_, codes = np.unique(np.asarray(y), return_inverse=True)
        unlabeled = self.pool.unlabeled_for(X.index.to_numpy())
        X_all = pd.concat([X, self.pool.X.iloc[unlabeled]])
        y_all = np.concatenate([codes, np.full(len(unlabeled), UNLABELED)])
        self.learner_ = clone(self.learner).fit(X_all, y_all)
        self.n_labeled_ = len(codes)
        self.n_unlabeled_ = len(unlabeled)
        return self

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[np.asarray(self.learner_.predict(X), dtype=int)]

    @available_if(lambda self: hasattr(self.learner, "predict_proba"))
    def predict_proba(self, X: Any) -> np.ndarray:
        return self.learner_.predict_proba(X)


VARIANTS = {
    "self_training": "self-training of the baseline model on the unlabeled training pool",
    "label_spreading": "label spreading over a 7-nearest-neighbour graph of labeled + unlabeled rows",
}


def learner(ctx: StrategyContext, variant: str) -> Pipeline:
    """The semi-supervised pipeline for one variant (features learned on all its rows)."""
    features, model = split_baseline(ctx)
    if variant == "self_training":
        semi: Any = SelfTrainingClassifier(model, threshold=0.9, max_iter=5)
    else:
        semi = LabelSpreading(kernel="knn", n_neighbors=7, alpha=0.2, max_iter=100)
    return Pipeline([("features", features), ("semi", semi)])


def arms(ctx: StrategyContext, variant: str | None = None) -> list[Arm]:
    """``semi:self_training`` and ``semi:label_spreading`` (or the one named by ``variant``)."""
    return arms_for(ctx, [variant])


def arms_for(ctx: StrategyContext, variants: Sequence[str | None]) -> list[Arm]:
    """The semi-supervised arms for every ``semi`` / ``semi:<variant>`` of a strategy list.

    ``None`` in ``variants`` is the whole family. Self-training keeps the pseudo-labels the
    baseline is sure of, by its ``predict_proba``: without one, ``semi:self_training`` named
    by the user stops here with the fix, and the family alone leaves it out with a line in
    ``ctx.notes`` (label spreading needs no probabilities of the baseline).

    Raises
    ------
    HowMuchDataError
        For an unknown variant, a numeric target, or ``semi:self_training`` named by the user
        with a baseline that has no ``predict_proba``.
    """
    ctx.require_classification("semi")
    for variant in variants:
        if variant is not None and variant not in VARIANTS:
            raise HowMuchDataError(
                f"unknown semi variant {variant!r}; use semi:self_training or semi:label_spreading"
            )
    names = list(dict.fromkeys(v for v in variants if v is not None))
    if None in variants:
        names += [v for v in VARIANTS if v not in names]
    if "self_training" in names and not has_probabilities(ctx):
        reason = (
            f"the baseline {ctx.baseline_name} has no predict_proba, which self-training "
            f"picks its pseudo-labels by; pass {probability_fix(ctx)}"
        )
        if "self_training" in variants:
            raise HowMuchDataError(f"semi:self_training: {reason}, or leave it out")
        ctx.notes.append(f"semi:self_training left out: {reason} to compare it")
        names.remove("self_training")
    max_rows = int(ctx.options.get("max_unlabeled", DEFAULT_MAX_UNLABELED))
    pool = UnlabeledPool(ctx.X, ctx.splits, max_rows=max_rows)
    return [
        Arm(
            name=f"semi:{name}",
            estimator=SemiSupervisedClassifier(learner(ctx, name), pool),
            family="semi",
            description=VARIANTS[name],
        )
        for name in names
    ]
