"""What diagnose() takes as a curve: refusals in one line, and a bare points table read right."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hmd_diagnose_data import synthetic_curve

from howmuchdata.diagnose import diagnose
from howmuchdata.diagnose._numbers import score_delta
from howmuchdata.errors import HowMuchDataError


def _failed(curve):
    """The same curve with every point failed, as a model that cannot take the data gives."""
    points = curve.points.assign(
        status="failed", val_score=np.nan, train_score=np.nan, error="ValueError: boom"
    )
    return dataclasses.replace(curve, points=points)


def test_a_curve_whose_every_point_failed_is_an_error_not_an_empty_list():
    curve = _failed(synthetic_curve(lambda n: 0.9 - 3 / n**0.5))
    with pytest.raises(HowMuchDataError) as excinfo:
        diagnose(curve)
    text = str(excinfo.value)
    assert "\n" not in text and "every one of the 15 points of the curve failed" in text
    assert "15 times: ValueError: boom" in text


def test_a_curve_whose_every_point_failed_still_lets_the_data_checks_run(breast_cancer):
    X, y = breast_cancer
    curve = _failed(synthetic_curve(lambda n: 0.9 - 3 / n**0.5))
    findings = diagnose(curve, X, y, checks=["imbalance"])
    assert all(f.kind == "imbalance" for f in findings)


@pytest.mark.parametrize(
    ("curve", "words"),
    [
        ({"size": [100, 200]}, "curve of type dict is not a learning curve"),
        (pd.DataFrame({"n": [1, 2, 3], "score": [0.5, 0.6, 0.7]}), "no column 'size', 'val_score'"),
        (pd.DataFrame(), "the curve has no points"),
    ],
)
def test_a_curve_the_checks_cannot_read_is_one_line(curve, words):
    with pytest.raises(HowMuchDataError) as excinfo:
        diagnose(curve)
    text = str(excinfo.value)
    assert "\n" not in text and ";" in text and words in text


def test_a_points_table_of_sizes_and_scores_only_is_diagnosed_like_the_curve():
    curve = synthetic_curve(lambda n: 0.95 - 2 / n**0.5, spread=0.001)
    bare = curve.points[["size", "val_score"]]  # no repeat, no train_score
    kinds = {f.kind for f in diagnose(bare, checks=["data_limited"])}
    assert kinds == {f.kind for f in diagnose(curve, checks=["data_limited"])}
    assert kinds == {"data_limited"}
    # with no training scores the checks that read them find nothing, rather than fail
    assert diagnose(bare, checks=["overfitting", "capacity_limited"]) == []


def test_a_score_change_that_rounds_to_zero_has_no_minus_sign():
    assert score_delta(-0.00004, True) == "0.0 points"
    assert score_delta(-0.0004, False) == "-0.0004"
    assert score_delta(0.0234, True) == "2.3 points"
