"""drift: a shift halfway through time is flagged; shuffled time stamps are not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from howmuchdata.diagnose import diagnose


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
