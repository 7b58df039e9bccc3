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
        (np.zeros((5, 2)), "not data (ndarray); pass the data by keyword"),
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


def test_errors_in_the_thousands_are_written_out_in_the_advice():
    """A negated RMSE of prices: '7,330 better on its training rows', never '7.33e+03'."""
    assert score_delta(7325.8, False) == "7,330"
    assert score_delta(-1390.47, False) == "-1,390"
    curve = synthetic_curve(
        lambda n: -(11000 + 90000 / n**0.5),
        lambda n: -4000.0,  # a training error far under the validation one: overfitting
        spread=2500.0,  # and repeats far apart: high variance
        scoring="neg_root_mean_squared_error",
    )
    findings = {f.kind: f for f in diagnose(curve, checks=["overfitting", "data_limited"])}
    assert {"overfitting", "high_variance"} <= set(findings)
    for finding in findings.values():
        assert "e+0" not in finding.advice, finding.advice
    gap = findings["overfitting"].evidence["gap"]
    assert f"{float(f'{gap:.3g}'):,.0f} better" in findings["overfitting"].advice


def test_a_points_table_of_a_negated_error_is_not_read_as_accuracy():
    """Minus an RMSE of about 1,000, no scorer name: a gap of 300 is 300, not '30000.0 points'."""
    gaps = {64: 600.0, 128: 550.0, 256: 500.0, 512: 450.0, 1024: 400.0, 2048: 300.0}
    rows = []
    for n, gap in gaps.items():
        for r in range(3):
            val = -(700 + 20000 / n**0.5) + 5 * (r - 1)
            rows.append({"size": n, "repeat": r, "val_score": val, "train_score": val + gap})
    (found,) = [f for f in diagnose(pd.DataFrame(rows), checks=["overfitting"])
                if f.kind == "overfitting"]  # fmt: skip
    assert "points" not in found.advice
    assert "scores 300 better" in found.advice
    assert found.evidence["gap_threshold_relative"] is True  # a share of the error, not 0.05
    # scores in [0, 1] are still read as accuracy-like
    curve = synthetic_curve(lambda n: 0.9 - 3 / n**0.5, lambda n: 0.99)
    (acc,) = [f for f in diagnose(curve.points, checks=["overfitting"]) if f.kind == "overfitting"]
    assert "points better" in acc.advice and acc.evidence["gap_threshold_relative"] is False


def test_a_dataset_given_where_the_curve_goes_is_told_to_pass_it_as_x(breast_cancer):
    from howmuchdata.data import Dataset

    X, y = breast_cancer
    data = Dataset(X=pd.DataFrame(X), y=np.asarray(y))
    with pytest.raises(HowMuchDataError, match=r"hmd.diagnose\(X=dataset\)"):
        diagnose(data)
    kinds = {f.kind for f in diagnose(X=data, checks=["imbalance"])}
    assert kinds <= {"imbalance"}
