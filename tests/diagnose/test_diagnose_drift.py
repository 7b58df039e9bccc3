"""drift: a shift halfway through time is flagged; shuffled time stamps are not."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hmd_diagnose_data import synthetic_curve
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.metrics import get_scorer

from howmuchdata.data import Dataset
from howmuchdata.diagnose import DiagnoseOptions, diagnose, drift
from howmuchdata.models import make_estimator


def drifting(n: int = 1200, seed: int = 0):
    """Daily rows; from the middle on, one feature moves and the label follows another rule."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    half = np.arange(n) >= n // 2
    X[half, 2] += 1.5
    y = np.where(half, X[:, 1] > 0, X[:, 0] > 0).astype(int)
    time = pd.date_range("2020-01-01", periods=n, freq="D").to_numpy()
    return pd.DataFrame(X, columns=["a", "b", "c", "d"]), y, time


@pytest.mark.slow
def test_shift_halfway_through_time_is_flagged():
    X, y, time = drifting()
    (finding,) = diagnose(X=X, y=y, time=time, checks=["drift"])
    evidence = finding.evidence
    assert finding.kind == "drift" and finding.severity in ("warning", "critical")
    assert evidence["adversarial_auc"] > 0.8
    assert evidence["most_shifted_features"][0]["feature"] == "c"
    # old rows (the first half) hurt: a recent window beats training on everything
    assert evidence["score_loss_from_old_rows"] > 0.05
    assert evidence["score_loss_interval"][0] > 0
    # the window starts after the change (day 600 = 2021-08-23)
    assert evidence["best_window_starts"] >= "2021-08-23"
    assert "drop or down-weight" in finding.advice


@pytest.mark.slow
def test_stationary_data_has_no_drift():
    X, y, _ = drifting()
    rng = np.random.default_rng(1)
    X = pd.DataFrame(rng.normal(size=X.shape), columns=X.columns)
    y = (X["a"] > 0).astype(int).to_numpy()
    time = np.arange(len(y), dtype=float)
    assert diagnose(X=X, y=y, time=time, checks=["drift"]) == []


@pytest.mark.slow
@pytest.mark.parametrize("dataset", ["breast_cancer", "digits"])
def test_clean_data_with_shuffled_time_has_no_drift(dataset, request):
    X, y = request.getfixturevalue(dataset)
    time = np.random.default_rng(0).permutation(len(y))
    findings = diagnose(X=X, y=y, time=time, estimator="knn", checks=["drift"])
    assert all(f.severity == "info" for f in findings)


# --- the drift scores are in the run's scorer ----------------------------------------------


def drifting_regression(n: int = 400, seed: int = 0):
    """Numbered rows; from the middle on, the target follows another feature (and ``c`` moves)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    half = np.arange(n) >= n // 2
    X[half, 2] += 1.5
    y = 10 * np.where(half, X[:, 1], X[:, 0]) + rng.normal(0, 0.5, n)
    return pd.DataFrame(X, columns=["a", "b", "c"]), y, np.arange(n, dtype=float)


def regression_curve(scoring: str):
    """A measured curve of the run (its numbers do not matter to drift, only its scorer)."""
    curve = synthetic_curve(lambda n: -1.0 / n, scoring=scoring)
    return dataclasses.replace(curve, task="regression", classes=None)


def test_drift_is_measured_in_the_runs_error_scorer():
    X, y, time = drifting_regression()
    curve = regression_curve("neg_mean_absolute_error")
    (finding,) = diagnose(curve, X=X, y=y, time=time, estimator="logreg", checks=["drift"])
    evidence = finding.evidence
    assert evidence["metric"] == "neg_mean_absolute_error"
    assert "metric_reason" not in evidence
    # the model trained on every older row, scored by the scikit-learn scorer of the run
    n_val = int(round(drift.VALIDATION_SHARE * len(y)))
    old, new = slice(0, len(y) - n_val), slice(len(y) - n_val, None)
    model = make_estimator("logreg", Dataset(X=X, y=y, task="regression")).fit(X[old], y[old])
    expected = get_scorer("neg_mean_absolute_error")(model, X[new], y[new])
    assert evidence["recent_only"][-1]["score"] == pytest.approx(expected)
    assert evidence["score_loss_from_old_rows"] > 0
    # the advice speaks of the error, which old rows raise
    assert "raises the mean absolute error by" in finding.advice


def test_drift_names_the_metric_it_falls_back_to_and_why():
    X, y, time = drifting_regression()
    curve = regression_curve("explained_variance")  # not among the scorers drift resamples
    (finding,) = diagnose(curve, X=X, y=y, time=time, estimator="logreg", checks=["drift"])
    evidence = finding.evidence
    assert evidence["metric"] == "r2"
    assert "'explained_variance'" in evidence["metric_reason"]
    assert evidence["metric_reason"] in finding.advice
    assert "lowers the R² by" in finding.advice


class _Fixed(RegressorMixin, BaseEstimator):
    """Predicts the values it is given: a scikit-learn scorer then scores exactly those."""

    def __init__(self, predictions=None):
        self.predictions = predictions

    def fit(self, X, y):
        return self

    def predict(self, X):
        return self.predictions


class _FixedLabels(ClassifierMixin, _Fixed):
    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self


def _made_up(task: str, rng: np.random.Generator, n: int = 60):
    """A truth and two models' predictions of it (string labels: one only ever predicted)."""
    if task == "classification":
        truth = rng.choice(["a", "b", "c"], n, p=[0.6, 0.3, 0.1])
        a = np.where(rng.random(n) < 0.7, truth, rng.choice(["a", "b", "d"], n))
        b = np.where(rng.random(n) < 0.6, truth, rng.choice(["a", "b", "c"], n))
        return truth, a, b
    truth = rng.normal(5, 2, n)
    return truth, np.round(truth + rng.normal(0, 1, n), 1), truth + rng.normal(0, 1.5, n)


def _sklearn_score(name: str, task: str, truth: np.ndarray, predicted: np.ndarray) -> float:
    """The scikit-learn scorer of that name on these predictions."""
    if task == "classification":
        model = _FixedLabels(predicted).fit(None, truth)
    else:
        model = _Fixed(predicted)
    return get_scorer(name)(model, np.zeros((truth.size, 1)), truth)


@pytest.mark.filterwarnings("ignore:y_pred contains classes not in y_true")
@pytest.mark.parametrize("name", sorted(drift.METRICS))
def test_each_drift_metric_is_the_scikit_learn_scorer_of_its_name(name):
    rng = np.random.default_rng(0)
    metric = drift.METRICS[name]
    truth, predicted, _ = _made_up(metric.task, rng)
    expected = _sklearn_score(name, metric.task, truth, predicted)
    assert drift._scores(metric, np.ones(truth.size), truth, predicted) == pytest.approx(expected)
    # a bootstrap resample, as counts per row, scores as the scorer does on those rows
    idx = rng.integers(0, truth.size, (3, truth.size))
    counts = np.array([np.bincount(row, minlength=truth.size) for row in idx])
    resampled = drift._scores(metric, counts, truth, predicted)
    for k in range(3):
        rows = idx[k]
        expected = _sklearn_score(name, metric.task, truth[rows], predicted[rows])
        assert resampled[k] == pytest.approx(expected)


@pytest.mark.filterwarnings("ignore:y_pred contains classes not in y_true")
@pytest.mark.parametrize(
    "name", ["accuracy", "balanced_accuracy", "r2", "neg_median_absolute_error"]
)
def test_the_paired_bootstrap_resamples_the_validation_rows(name, monkeypatch):
    monkeypatch.setattr(drift, "BOOTSTRAPS", 40)
    metric = drift.METRICS[name]
    truth, a, b = _made_up(metric.task, np.random.default_rng(1), n=61)
    ctx = SimpleNamespace(options=DiagnoseOptions(random_state=3))
    diff, lo, hi = drift._paired_difference(ctx, metric, truth, a, b)

    def score(rows, predicted):
        return _sklearn_score(name, metric.task, truth[rows], predicted[rows])

    everything = np.arange(truth.size)
    assert diff == pytest.approx(score(everything, a) - score(everything, b))
    # the draws of the seed: rows drawn with replacement, one resample per row of them
    idx = np.random.default_rng(3).integers(0, truth.size, (40, truth.size))
    boots = [score(rows, a) - score(rows, b) for rows in idx]
    tail = (1 - drift.DECISION_LEVEL) / 2
    assert [lo, hi] == pytest.approx(np.quantile(boots, [tail, 1 - tail]))


@pytest.mark.slow
def test_overfitting_on_a_time_split_reads_the_drift_check_of_the_same_diagnosis():
    # stationary rows: the drift check flags nothing, so the gap of a time-split curve is
    # not sent to "the drift check (diagnose with the data and --time)" that just ran
    rng = np.random.default_rng(1)
    X = pd.DataFrame(rng.normal(size=(1200, 4)), columns=["a", "b", "c", "d"])
    y = (X["a"] > 0).astype(int).to_numpy()
    time = np.arange(len(y), dtype=float)
    gaps = {50: 0.50, 100: 0.40, 200: 0.30, 400: 0.24, 800: 0.20, 1600: 0.18}
    curve = synthetic_curve(lambda n: 0.99 - gaps[n], train=lambda n: 0.99, sizes=tuple(gaps))
    curve.settings = {**(curve.settings or {}), "split": "time"}
    found = {
        f.kind: f for f in diagnose(curve, X=X, y=y, time=time, checks=["overfitting", "drift"])
    }
    assert "drift" not in found
    assert "drift check of this diagnosis flagged no change" in found["overfitting"].advice
    alone = diagnose(curve, checks=["overfitting"])[0]
    assert "diagnose with the data and --time" in alone.advice
