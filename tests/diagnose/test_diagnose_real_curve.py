"""The curve checks on curves measured by howmuchdata.learning_curve (real fits)."""

from __future__ import annotations

import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import howmuchdata as hmd


@pytest.mark.slow
def test_mlp_with_ten_times_more_parameters_than_rows_overfits():
    X, y = make_classification(250, n_features=20, n_informative=5, flip_y=0.1, random_state=0)
    mlp = make_pipeline(StandardScaler(), MLPClassifier((100,), max_iter=1000, random_state=0))
    curve = hmd.learning_curve(mlp, X, y, sizes=[50, 100, 200], repeats=3)
    found = {f.kind: f for f in hmd.diagnose(curve)}
    assert curve.points["n_params"].iloc[-1] >= 10 * 200  # 20*100 + 100 + 100 + 1 weights
    assert found["overfitting"].severity in ("warning", "critical")
    assert found["overfitting"].evidence["gap"] > 0.1
    assert found["params_per_example"].severity == "warning"
    assert found["params_per_example"].evidence["overfits"] is True


@pytest.mark.slow
def test_small_linear_model_on_plenty_of_data_does_not_overfit():
    X, y = make_classification(3000, n_features=10, n_informative=5, random_state=0)
    logreg = make_pipeline(StandardScaler(), LogisticRegression())
    curve = hmd.learning_curve(logreg, X, y, sizes=[300, 600, 1200, 2400], repeats=3)
    kinds = {f.kind for f in hmd.diagnose(curve)}
    assert "overfitting" not in kinds
    assert "params_per_example" not in kinds
