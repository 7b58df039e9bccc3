"""class_needs_data aims a balanced-accuracy run's classes at its balanced accuracy (the mean
of the recalls), not at the count-weighted recall (accuracy) the other classes dominate."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

import howmuchdata as hmd
from howmuchdata.diagnose import diagnose


def _rare_class_curve(scoring: str):
    X, y = make_classification(
        4000,
        n_features=40,
        n_informative=20,
        weights=[0.9, 0.1],
        class_sep=1.0,
        flip_y=0,
        random_state=0,
    )
    model = LogisticRegression(max_iter=1000)
    curve = hmd.learning_curve(model, X, y, sizes=[100, 200, 400, 800, 1600, 3200], repeats=2,
                               scoring=scoring)  # fmt: skip
    return curve


def _recalls_at_full_size(curve):
    last = curve.points[curve.points["size"] == curve.points["size"].max()]
    return {c: float(np.mean([d[str(c)] for d in last["val_recall"]])) for c in (0, 1)}


@pytest.mark.parametrize("scoring", ["balanced_accuracy", "accuracy"])
def test_the_overall_target_is_the_runs_score(scoring):
    curve = _rare_class_curve(scoring)
    (finding,) = diagnose(curve, checks=["class_needs_data"])
    recall = _recalls_at_full_size(curve)
    assert finding.evidence["class"] in (1, "1")
    if scoring == "balanced_accuracy":
        expected = (recall[0] + recall[1]) / 2
        assert finding.evidence["target"] == pytest.approx(expected, abs=1e-9)
    else:  # accuracy: the recalls weighted by the validation counts, near the majority's
        assert finding.evidence["target"] > (recall[0] + recall[1]) / 2 + 0.1
