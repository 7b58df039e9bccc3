"""Result objects display in Jupyter as the report's answer-first summary."""

from __future__ import annotations

from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

import howmuchdata as hmd


def test_learning_curve_repr_html_shows_its_measured_score():
    X, y = load_digits(return_X_y=True)
    curve = hmd.learning_curve(
        LogisticRegression(max_iter=200), X[:400], y[:400], sizes=[60, 120, 240], repeats=2
    )
    fragment = curve._repr_html_()
    score = curve.by_size()["val_mean"].iloc[-1]
    assert f"{score:.3f}" in fragment
    assert "<script" not in fragment


def test_plan_repr_html_shows_the_target():
    sizes = [50, 50, 100, 100, 200, 200, 400, 400, 800, 800]
    scores = [0.70, 0.72, 0.78, 0.79, 0.83, 0.84, 0.865, 0.87, 0.885, 0.89]
    plan = hmd.plan((sizes, scores), target=0.91, cost_per_label=2.0, value_per_point=100.0)
    fragment = plan._repr_html_()
    assert "0.91" in fragment
    assert f"{plan.next_round['size']:,}" in fragment
    assert "<script" not in fragment
