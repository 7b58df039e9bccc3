"""``data_limited``: the gain a doubling is said to bring is counted from the measured score
and never leaves the metric's range (accuracy at most 1, a negated loss at most 0)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hmd_diagnose_data import synthetic_curve
from sklearn.datasets import load_wine
from sklearn.linear_model import LogisticRegression

import howmuchdata as hmd
from howmuchdata.diagnose import diagnose


def _data_limited(curve, **kwargs):
    (finding,) = diagnose(curve, checks=["data_limited"], **kwargs)
    return finding


def _measured_at_full_size(curve) -> float:
    points = curve.ok_points
    return float(points.loc[points["size"] == points["size"].max(), "val_score"].mean())


@pytest.fixture(scope="module")
def wine():
    X, y = load_wine(return_X_y=True, as_frame=True)
    return X, y.to_numpy()


@pytest.mark.parametrize(
    ("sizes", "seed"),
    [
        ((10, 100), 0),  # two sizes: the straight line of the last doublings
        ((10, 100), 1),
        ((3, 10, 40, 100), 0),  # the extrapolation
        ((3, 10, 30, 100), 3),
    ],
)
def test_a_log_loss_never_gains_more_than_is_left_to_zero(wine, sizes, seed):
    X, y = wine
    curve = hmd.learning_curve(
        LogisticRegression(max_iter=100),
        X,
        y,
        scoring="neg_log_loss",
        sizes=sizes,
        repeats=2,
        random_state=seed,
    )
    measured = _measured_at_full_size(curve)
    finding = _data_limited(curve)
    evidence = finding.evidence
    assert evidence["score"] == pytest.approx(measured)
    assert evidence["gain_per_doubling"] <= 0 - measured + 1e-12
    assert evidence["gain_interval"][1] <= 0 - measured + 1e-12
    assert evidence["max_gain"] == pytest.approx(0 - measured)
    if evidence["gain_capped"]:
        assert f"up to {0 - measured:.3g}, all that is left to the metric's best of 0" in (
            finding.advice
        )


def test_the_wine_straight_line_would_pass_zero_and_is_capped(wine):
    # the last doublings gained more per doubling than is left: the advice says "up to"
    X, y = wine
    curve = hmd.learning_curve(
        LogisticRegression(max_iter=100), X, y, scoring="neg_log_loss", sizes=[10, 100], repeats=2
    )
    measured = _measured_at_full_size(curve)
    finding = _data_limited(curve)
    assert finding.evidence["measured_gain_per_doubling"] > 0 - measured  # as measured
    assert finding.evidence["gain_capped"] is True
    assert finding.evidence["gain_per_doubling"] == pytest.approx(0 - measured)
    assert "should gain up to" in finding.advice


def test_an_accuracy_a_point_under_one_gains_at_most_that_point():
    # 90% -> 99% in one doubling: a straight line would promise 108%
    curve = synthetic_curve(
        lambda n: 0.90 + 0.09 * math.log2(n / 100), lambda n: 0.995, sizes=(100, 200)
    )
    finding = _data_limited(curve)
    evidence = finding.evidence
    assert evidence["source"] == "last measured doublings"
    assert evidence["measured_gain_per_doubling"] == pytest.approx(0.09)
    assert evidence["score"] + evidence["gain_per_doubling"] <= 1.0 + 1e-12
    assert evidence["score"] + evidence["gain_interval"][1] <= 1.0 + 1e-12
    assert evidence["gain_per_doubling"] == pytest.approx(0.01)
    assert "up to 1.0 points, all that is left to the metric's best of 1" in finding.advice


class _LowExtrapolation:
    """An extrapolation whose level sits 9 points under the measured 99%, rising 5 a doubling."""

    score_range = (0.0, 1.0)

    def predict(self, n):
        return np.minimum(0.85 + 0.05 * np.log2(np.asarray(n, float) / 800), 1.0)

    def interval(self, n, level=0.8):
        mean = self.predict(n)
        return mean - 0.02, np.minimum(mean + 0.02, 1.0)


def test_an_extrapolation_below_the_measured_score_cannot_lift_it_above_one():
    curve = synthetic_curve(
        lambda n: 0.99 - 0.0001 * (1600 / n), lambda n: 0.995, sizes=(200, 400, 800, 1600)
    )
    finding = _data_limited(curve, extrapolation=_LowExtrapolation())
    evidence = finding.evidence
    assert evidence["source"] == "extrapolation"
    assert evidence["score"] + evidence["gain_per_doubling"] <= 1.0 + 1e-12
    assert evidence["score"] + evidence["gain_interval"][1] <= 1.0 + 1e-12
    assert evidence["max_gain"] == pytest.approx(1.0 - evidence["score"])


def test_a_curve_far_from_its_ceiling_keeps_the_extrapolations_gain():
    curve = synthetic_curve(lambda n: 0.60 + 0.03 * math.log2(n / 100))
    ext = curve.extrapolate()
    n = 1600
    expected = float(ext.predict([2 * n])[0] - ext.predict([n])[0])
    lo, hi = (float(v[0]) - float(ext.predict([n])[0]) for v in ext.interval([2 * n], level=0.8))
    finding = _data_limited(curve, extrapolation=ext)
    evidence = finding.evidence
    assert evidence["gain_capped"] is False
    assert evidence["gain_per_doubling"] == pytest.approx(expected, rel=1e-12)
    assert evidence["gain_interval"] == pytest.approx([lo, hi], rel=1e-12)
    assert f"should gain {100 * expected:.1f} points" in finding.advice
    assert "up to" not in finding.advice
