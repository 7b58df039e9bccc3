"""The weighted scorers of howmuchdata.metrics give what the scikit-learn scorer of the same
name gives on the same rows (the subgroup check's subsets and resamples)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.metrics import get_scorer

from howmuchdata.metrics import (
    WEIGHTED_SCORERS,
    Outputs,
    weighted_scorer,
    weighted_scores,
)


class _FixedClassifier(ClassifierMixin, BaseEstimator):
    """Returns stored outputs for the row numbers it is given as X."""

    def __init__(self, classes=None, predicted=None, proba=None):
        self.classes = classes
        self.predicted = predicted
        self.proba = proba

    def fit(self, X, y=None):
        self.classes_ = np.asarray(self.classes)
        return self

    def predict(self, X):
        return self.classes_[self.predicted[np.asarray(X)[:, 0].astype(int)]]

    def predict_proba(self, X):
        return self.proba[np.asarray(X)[:, 0].astype(int)]


class _FixedRegressor(RegressorMixin, BaseEstimator):
    def __init__(self, predicted=None):
        self.predicted = predicted

    def fit(self, X, y=None):
        return self

    def predict(self, X):
        return self.predicted[np.asarray(X)[:, 0].astype(int)]


def _classification(k: int, seed: int = 0, n: int = 300):
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n)
    proba = rng.dirichlet(np.ones(k), n)
    proba[np.arange(n), truth] += rng.uniform(0, 1, n)  # informative
    proba = np.round(proba / proba.sum(axis=1, keepdims=True), 2)  # ties, as trees give
    proba /= proba.sum(axis=1, keepdims=True)
    predicted = np.argmax(proba, axis=1)
    classes = np.arange(k) if k > 2 else np.array([0, 1])
    return Outputs(truth, predicted, proba, classes)


CLASSIFICATION = sorted(n for n, s in WEIGHTED_SCORERS.items() if s.task == "classification")
REGRESSION = sorted(n for n, s in WEIGHTED_SCORERS.items() if s.task == "regression")


@pytest.mark.parametrize("name", CLASSIFICATION)
@pytest.mark.parametrize("k", [2, 3])
def test_classification_scores_of_subsets_match_scikit_learn(name, k):
    binary_only = name in ("roc_auc", "precision", "recall", "f1", "jaccard")
    if (k > 2 and binary_only) or (k == 2 and name.startswith("roc_auc_ovr")):
        pytest.skip("scikit-learn refuses this scorer for this many classes")
    out = _classification(k)
    model = _FixedClassifier(out.classes, out.predicted, out.proba).fit(None)
    scorer = get_scorer(name)
    rng = np.random.default_rng(1)
    masks = np.zeros((6, out.truth.size))
    expected = []
    for i in range(6):
        rows = np.sort(rng.choice(out.truth.size, rng.integers(40, 200), replace=False))
        masks[i, rows] = 1
        expected.append(scorer(model, rows.reshape(-1, 1), out.classes[out.truth[rows]]))
    got = weighted_scores(weighted_scorer(name, "classification"), masks, out)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", REGRESSION)
def test_regression_scores_of_subsets_match_scikit_learn(name):
    rng = np.random.default_rng(2)
    truth = rng.gamma(2.0, 3.0, 300)
    predicted = np.abs(truth + rng.normal(0, 2, 300))
    out = Outputs(truth, predicted)
    model = _FixedRegressor(predicted)
    masks = np.zeros((6, 300))
    expected = []
    for i in range(6):
        rows = np.sort(rng.choice(300, rng.integers(40, 200), replace=False))
        masks[i, rows] = 1
        expected.append(get_scorer(name)(model, rows.reshape(-1, 1), truth[rows]))
    got = weighted_scores(weighted_scorer(name, "regression"), masks, out)
    np.testing.assert_allclose(got, expected, rtol=1e-9)


def test_counts_weigh_rows_as_repeated_rows():
    # a bootstrap resample is a count per row: the same as scoring the repeated rows
    out = _classification(2, seed=3)
    counts = np.random.default_rng(4).integers(0, 3, out.truth.size)
    rows = np.repeat(np.arange(out.truth.size), counts)
    model = _FixedClassifier(out.classes, out.predicted, out.proba).fit(None)
    for name in ("roc_auc", "neg_log_loss", "f1_macro"):
        expected = get_scorer(name)(model, rows.reshape(-1, 1), out.classes[out.truth[rows]])
        got = weighted_scores(weighted_scorer(name, "classification"), counts, out)
        assert got == pytest.approx(expected, rel=1e-9)


def test_an_auc_of_rows_of_one_class_is_undefined():
    out = _classification(2, seed=5)
    mask = (out.truth == 1).astype(float)
    assert np.isnan(weighted_scores(weighted_scorer("roc_auc", "classification"), mask, out))


def test_scorers_it_cannot_compute_are_none():
    assert weighted_scorer("neg_median_absolute_error", "regression") is None
    assert weighted_scorer("average_precision", "classification") is None
    assert weighted_scorer("r2", "classification") is None
    assert weighted_scorer(None, "classification") is None
