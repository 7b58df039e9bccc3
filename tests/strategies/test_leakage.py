"""Leakage guard: augmentation and semi-supervision never train on validation rows or labels.

Each test runs the real engine on the comparison's own splits with a spy model that records
the row ids and labels it is fitted on, then checks them against the split being measured. A
strategy that let a validation row (or any hidden label) in would fail here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin

from howmuchdata.curve import learning_curve
from howmuchdata.curve.plan import make_splits
from howmuchdata.strategies.augment import AugmentedEstimator, GaussianNoise, Mixup
from howmuchdata.strategies.compare import ComparisonSplits
from howmuchdata.strategies.semi import SemiSupervisedClassifier, UnlabeledPool

FITS: list[tuple[np.ndarray, np.ndarray]] = []


class Spy(ClassifierMixin, BaseEstimator):
    """Records (row ids, labels) of every fit; predicts the majority class."""

    def fit(self, X, y):
        FITS.append((X["rid"].to_numpy().copy(), np.asarray(y).copy()))
        values, counts = np.unique(
            y[np.asarray(y) != -1] if np.issubdtype(np.asarray(y).dtype, np.number) else y,
            return_counts=True,
        )
        self.classes_ = np.unique(y)
        self.majority_ = values[np.argmax(counts)]
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)


@pytest.fixture()
def data():
    rng = np.random.default_rng(1)
    n = 120
    y = np.tile([0, 1, 2], n // 3)
    X = pd.DataFrame({"x": rng.normal(size=n) + y, "rid": np.arange(n).astype(str)})
    splits = make_splits(y, task="classification", repeats=3, seed=7)
    FITS.clear()
    return X, y, splits


def _measured_split(splits, labeled_rids):
    """The split whose first len(labeled) training rows are exactly the labeled rows."""
    ids = set(labeled_rids.astype(int).tolist())
    for s in splits:
        if set(s.train_order[: len(ids)].tolist()) == ids:
            return s
    raise AssertionError("the labeled rows are no prefix of any split")


@pytest.mark.parametrize("augmenter", [GaussianNoise(), Mixup()], ids=["noise", "mixup"])
def test_augmentation_only_copies_the_training_rows(data, augmenter):
    X, y, splits = data
    model = AugmentedEstimator(Spy(), augmenter, copies=3)
    learning_curve(model, X, y, sizes=[15, 30, 60], cv=ComparisonSplits(splits, "test"), repeats=3)
    assert len(FITS) == 9
    for rids, labels in FITS:
        n_original = len(rids) // 4
        split = _measured_split(splits, rids[:n_original])
        allowed = set(split.train_order[:n_original].astype(str).tolist())
        assert set(rids.tolist()) <= allowed  # every copy comes from a training row
        assert not set(rids.tolist()) & set(split.val.astype(str).tolist())
        assert np.array_equal(labels[:n_original], y[rids[:n_original].astype(int)])


def test_semi_supervision_hides_labels_and_never_sees_validation_rows(data):
    X, y, splits = data
    pool = UnlabeledPool(X, splits)
    model = SemiSupervisedClassifier(Spy(), pool)
    curve = learning_curve(
        model, X, y, sizes=[12, 24, 48], cv=ComparisonSplits(splits, "test"), repeats=3
    )
    assert (curve.points["status"] == "ok").all()
    assert len(FITS) == 9
    for rids, labels in FITS:
        ids = rids.astype(int)
        labeled = ids[labels != -1]
        split = _measured_split(splits, labeled)
        # the labeled rows keep their true labels (as codes), every other row is hidden
        assert np.array_equal(labels[labels != -1], y[labeled])
        unlabeled = ids[labels == -1]
        assert len(unlabeled) == len(split.train_order) - len(labeled)  # the rest of the pool
        assert not set(unlabeled.tolist()) & set(split.val.tolist())
        assert set(unlabeled.tolist()) <= set(split.train_order.tolist())


def test_pool_returns_only_rows_inside_every_matching_pool(data):
    X, y, splits = data
    pool = UnlabeledPool(X, splits, max_rows=10_000)
    for s in splits:
        labeled = s.train_order[:20]
        rest = pool.unlabeled_for(labeled)
        assert not set(rest.tolist()) & set(s.val.tolist())
        assert not set(rest.tolist()) & set(labeled.tolist())
    # rows that are in no split's pool (a validation row of every split would be) are refused
    everywhere_val = set.intersection(*(set(s.val.tolist()) for s in splits))
    outside = np.array(sorted(everywhere_val)[:1] or [splits[0].val[0]])
    if everywhere_val:
        with pytest.raises(ValueError, match="not inside any training pool"):
            pool.unlabeled_for(outside)
