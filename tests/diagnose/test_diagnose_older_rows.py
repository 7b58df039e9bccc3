"""On a time split, a curve that falls as older rows join points to drift, not saturation."""

from __future__ import annotations

import math

import numpy as np
from hmd_diagnose_data import synthetic_curve
from sklearn.linear_model import LinearRegression

import howmuchdata as hmd
from howmuchdata.diagnose import diagnose


def falling(n: float) -> float:
    return 0.90 - 0.03 * math.log2(n / 100)


def on_split(curve, split: str):
    curve.settings["split"] = split
    return curve


def test_a_falling_curve_on_a_time_split_names_the_older_rows():
    curve = on_split(synthetic_curve(falling), "time")
    (finding,) = diagnose(curve, checks=["data_limited"])
    assert finding.kind == "saturated"
    assert finding.evidence["older_rows_hurt"] is True
    assert "older rows are added" in finding.advice and "drift" in finding.advice
    assert "better features" not in finding.advice


def test_a_falling_curve_on_a_random_split_keeps_the_saturated_advice():
    curve = on_split(synthetic_curve(falling), "stratified")
    (finding,) = diagnose(curve, checks=["data_limited"])
    assert finding.evidence["older_rows_hurt"] is False
    assert "older rows" not in finding.advice


def test_a_flat_curve_on_a_time_split_is_plain_saturation():
    curve = on_split(synthetic_curve(lambda n: 0.9 + 0.0005 * math.log2(n / 100)), "time")
    (finding,) = diagnose(curve, checks=["data_limited"])
    assert finding.kind == "saturated"
    assert finding.evidence["older_rows_hurt"] is False
    assert "better features" in finding.advice


def test_a_measured_time_curve_whose_old_rows_follow_another_rule():
    # the target's slope on x flips sign for the oldest two thirds of the rows: the most recent
    # rows alone predict the validation window best, and older rows drag the fit away
    rng = np.random.default_rng(0)
    n = 1500
    x = rng.normal(size=(n, 1))
    t = np.arange(n)
    slope = np.where(t >= 800, 1.0, -1.0)
    y = slope * x[:, 0] + 0.1 * rng.normal(size=n)
    curve = hmd.learning_curve(
        LinearRegression(), x, y, time=t, sizes=[25, 50, 100, 200, 400, 800, 1000], repeats=3
    )
    assert curve.settings["split"] == "time"
    found = {f.kind: f for f in diagnose(curve, checks=["data_limited"])}
    assert found["saturated"].evidence["older_rows_hurt"] is True
