"""The curve checks on curves built with a known shape, each both ways."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hmd_diagnose_data import synthetic_curve

from howmuchdata.diagnose import diagnose


def kinds(findings):
    return {f.kind: f for f in findings}


def log_curve(start: float, per_doubling: float):
    return lambda n: start + per_doubling * math.log2(n / 100)


def test_rising_curve_is_data_limited_with_its_measured_gain():
    curve = synthetic_curve(log_curve(0.70, 0.03))
    found = kinds(diagnose(curve, checks=["data_limited"]))
    assert set(found) == {"data_limited"}
    evidence = found["data_limited"].evidence
    # the last measured doublings rise 3 points each, and the interval holds it
    assert evidence["measured_gain_per_doubling"] == pytest.approx(0.03, abs=0.002)
    lo, hi = evidence["measured_gain_interval"]
    assert lo <= 0.03 <= hi
    assert found["data_limited"].severity == "warning"
    assert "3,200" in found["data_limited"].advice  # doubling the 1,600 rows
    # every interval the advice quotes holds the gain quoted right before it
    quoted = re.findall(
        r"gain(?:ed)? ([\d.]+) points?(?: each)? \(80% interval ([\d.]+) points? to ([\d.]+)",
        found["data_limited"].advice,
    )
    assert quoted
    for gain, lo, hi in quoted:
        assert float(lo) <= float(gain) <= float(hi)


def test_flat_curve_is_saturated_not_data_limited():
    curve = synthetic_curve(log_curve(0.90, 0.0005))
    found = kinds(diagnose(curve, checks=["data_limited"]))
    assert set(found) == {"saturated"}
    assert found["saturated"].evidence["gain_per_doubling"] < 0.005
    assert found["saturated"].severity == "warning"


def test_extrapolation_gives_the_size_of_diminishing_returns():
    # error falls as n^-1/2: the gain per doubling at n is (1 - 2^-1/2) * 0.5 / sqrt(n),
    # which drops under 0.5 points near n = (0.5 * 0.293 / 0.005)^2 ~ 860 rows.
    curve = synthetic_curve(lambda n: 0.95 - 0.5 / math.sqrt(n), sizes=(50, 100, 200, 400))
    found = kinds(diagnose(curve, checks=["data_limited"]))
    evidence = found["data_limited"].evidence
    assert evidence["source"] == "extrapolation"
    assert 400 < evidence["diminishing_returns_size"] < 3000


def test_large_train_validation_gap_is_overfitting():
    curve = synthetic_curve(log_curve(0.70, 0.02), train=lambda n: 1.0)
    found = kinds(diagnose(curve, checks=["overfitting"]))
    assert found["overfitting"].evidence["gap"] == pytest.approx(1.0 - 0.78, abs=1e-9)
    assert found["overfitting"].severity == "critical"  # gap over 3x the 5-point threshold
    # the gap shrinks 2 points per doubling: it closes near 1600 * 2^((0.22-0.05)/0.02)
    closes = found["overfitting"].evidence["gap_closes_at_size"]
    assert closes == pytest.approx(1600 * 2 ** (0.17 / 0.02), rel=0.05)


def test_small_gap_is_not_overfitting():
    curve = synthetic_curve(
        log_curve(0.70, 0.02), train=lambda n: 0.70 + 0.02 * math.log2(n / 100) + 0.01
    )
    assert "overfitting" not in kinds(diagnose(curve, checks=["overfitting"]))


def test_spread_across_repeats_is_high_variance_only_above_threshold():
    # offsets -0.05, 0, +0.05: standard deviation exactly 0.05
    noisy = synthetic_curve(log_curve(0.80, 0.01), spread=0.05)
    found = kinds(diagnose(noisy, checks=["overfitting"]))
    assert found["high_variance"].evidence["val_std"] == pytest.approx(0.05)
    calm = synthetic_curve(log_curve(0.80, 0.01), spread=0.005)
    assert "high_variance" not in kinds(diagnose(calm, checks=["overfitting"]))


def test_low_flat_training_score_is_capacity_limited():
    curve = synthetic_curve(lambda n: 0.74, train=lambda n: 0.75)
    found = kinds(diagnose(curve, checks=["capacity_limited"]))
    assert found["capacity_limited"].evidence["train_shortfall"] == pytest.approx(0.25, abs=0.01)
    # the same gap, but the model fits its training rows: not capacity-limited
    fits = synthetic_curve(lambda n: 0.97, train=lambda n: 0.98)
    assert diagnose(fits, checks=["capacity_limited"]) == []


def test_parameters_far_above_examples_with_overfitting_is_a_warning():
    big = synthetic_curve(log_curve(0.70, 0.02), train=lambda n: 1.0, n_params=20_000)
    finding = kinds(diagnose(big, checks=["params_per_example"]))["params_per_example"]
    assert finding.evidence["params_per_example"] == pytest.approx(20_000 / 1600)
    assert finding.severity == "warning"
    # same size of model without overfitting: only info; a small model: nothing
    calm = synthetic_curve(log_curve(0.70, 0.02), n_params=20_000)
    assert (
        kinds(diagnose(calm, checks=["params_per_example"]))["params_per_example"].severity
        == "info"
    )
    small = synthetic_curve(log_curve(0.70, 0.02), train=lambda n: 1.0, n_params=50)
    assert diagnose(small, checks=["params_per_example"]) == []


def test_class_whose_recall_still_rises_needs_more_of_its_examples():
    # class "rare" is 10% of the rows; its recall rises 8 points per doubling of its count
    # from 0.50 at 10 examples; the others sit at 0.95.
    share = {"common": 0.9, "rare": 0.1}

    def recall(c, m):
        return 0.95 if c == "common" else 0.50 + 0.08 * math.log2(m / 10)

    curve = synthetic_curve(
        log_curve(0.80, 0.01), classes=["common", "rare"], class_share=share.get, recall=recall
    )
    found = diagnose(curve, checks=["class_needs_data"], target=0.90)
    assert [f.evidence["class"] for f in found] == ["rare"]
    evidence = found[0].evidence
    assert evidence["recall_gain_per_doubling"] == pytest.approx(0.08, abs=0.005)
    # recall at 160 examples is 0.82; 0.90 needs 160 * 2^(0.08/0.08) = 320 examples
    assert evidence["examples_needed"] == pytest.approx(320, rel=0.05)
    assert "'rare'" in found[0].advice
    assert found[0].severity == "warning" and found[0].evidence["gain_certain"] is True


def test_a_class_rise_whose_interval_includes_no_gain_is_a_lead_not_an_order():
    # the rare class's recall zigzags +-6 points around a 3-point rise per doubling: the
    # slope passes class_min_gain, but its 80% interval reaches below zero
    share = {"common": 0.9, "rare": 0.1}

    def recall(c, m):
        zigzag = 0.06 * (-1) ** round(math.log2(m / 10))
        return 0.95 if c == "common" else 0.50 + 0.03 * math.log2(m / 10) + zigzag

    curve = synthetic_curve(
        log_curve(0.80, 0.01), classes=["common", "rare"], class_share=share.get, recall=recall
    )
    (finding,) = diagnose(curve, checks=["class_needs_data"], target=0.90)
    lo, hi = finding.evidence["recall_gain_interval"]
    assert lo < 0 < finding.evidence["recall_gain_per_doubling"] < hi
    assert finding.severity == "info" and finding.evidence["gain_certain"] is False
    assert "includes no gain" in finding.advice and "remeasure" in finding.advice
    assert "still rises" not in finding.advice


def test_classes_with_flat_recall_need_nothing():
    share = {"a": 0.5, "b": 0.5}
    curve = synthetic_curve(
        log_curve(0.80, 0.01), classes=["a", "b"], class_share=share.get, recall=lambda c, m: 0.9
    )
    assert diagnose(curve, checks=["class_needs_data"]) == []


def test_points_table_alone_is_accepted():
    curve = synthetic_curve(log_curve(0.70, 0.03))
    found = diagnose(curve.points, checks=["data_limited", "overfitting"])
    assert "data_limited" in kinds(found)
    assert np.isfinite(kinds(found)["data_limited"].evidence["gain_per_doubling"])


def test_label_noise_explains_a_low_training_score(breast_cancer):
    from hmd_diagnose_data import flip_labels

    X, y = breast_cancer
    noisy, _ = flip_labels(y, 0.15, seed=0)
    # a curve whose training accuracy sits ~14 points under 1, as 15% wrong labels cause
    curve = synthetic_curve(lambda n: 0.85, train=lambda n: 0.86)
    alone = diagnose(curve, checks=["capacity_limited"])
    assert [f.kind for f in alone] == ["capacity_limited"]
    # with the data at hand, the estimated wrong labels account for the shortfall
    assert diagnose(curve, X, noisy, checks=["capacity_limited"]) == []


class _FlatFromHere:
    """An extrapolation that expects no gain at all past the measured points."""

    def __init__(self, level: float) -> None:
        self.level = level

    def predict(self, n):
        return np.full(np.shape(n), self.level)

    def interval(self, n, level=0.8):
        return np.full(np.shape(n), self.level - 0.01), np.full(np.shape(n), self.level + 0.01)


def test_extrapolation_that_flattens_against_rising_measurements_is_not_called_saturated():
    curve = synthetic_curve(log_curve(0.70, 0.03))
    flat = _FlatFromHere(level=0.70 + 0.03 * math.log2(1600 / 100))
    found = kinds(diagnose(curve, checks=["data_limited"], extrapolation=flat))
    assert set(found) == {"data_limited"}
    finding = found["data_limited"]
    assert finding.severity == "info"
    # a flat extrapolation gains nothing: said as such, not as "only 0.0 points"
    assert "the extrapolation expects no gain from doubling" in finding.advice
    assert "only 0" not in finding.advice
    assert "800 more rows" in finding.advice  # half the 1,600 measured rows


def test_high_variance_of_an_error_is_judged_against_the_errors_size():
    # a mean absolute error near 45 that moves by 0.7 between repeats: 1.6% of it, calm
    # (an absolute 0.02 threshold would ask for (0.7 / 0.02)^2 ~ 1,225 repeats)
    def mae(n):
        return -45.0

    calm = synthetic_curve(mae, spread=0.7, scoring="neg_mean_absolute_error")
    assert "high_variance" not in kinds(diagnose(calm, checks=["high_variance"]))
    noisy = synthetic_curve(mae, spread=1.8, scoring="neg_mean_absolute_error")
    finding = kinds(diagnose(noisy, checks=["high_variance"]))["high_variance"]
    assert finding.evidence["spread_threshold"] == pytest.approx(0.02 * 45)
    assert finding.evidence["spread_threshold_relative"] is True
    # the mean of r repeats is known to 1.8 / sqrt(r): under 0.9 from r = 4
    assert finding.evidence["repeats_needed"] == 4
    assert "~4 repeats" in finding.advice


def test_high_variance_past_a_sensible_repeat_count_asks_for_more_rows_instead():
    noisy = synthetic_curve(log_curve(0.80, 0.01), spread=0.25)  # (0.25 / 0.02)^2 = 156.25
    finding = kinds(diagnose(noisy, checks=["high_variance"]))["high_variance"]
    assert finding.evidence["repeats_needed"] == 157
    assert "validate on more rows" in finding.advice and "157" not in finding.advice
    assert not re.search(r"~\d+ repeats", finding.advice)


def test_a_model_just_over_one_parameter_per_row_is_not_told_to_shrink_1x():
    curve = synthetic_curve(log_curve(0.70, 0.02), train=lambda n: 1.0, n_params=1650)
    advice = kinds(diagnose(curve, checks=["params_per_example"]))["params_per_example"].advice
    assert "1x" not in advice
    assert "(1.03 per row)" in advice and "cut it to under 1,600 parameters" in advice
    big = synthetic_curve(log_curve(0.70, 0.02), train=lambda n: 1.0, n_params=20_000)
    advice = kinds(diagnose(big, checks=["params_per_example"]))["params_per_example"].advice
    assert "shrink it about 12x" in advice


def test_the_gap_of_an_error_is_judged_against_the_errors_size():
    # a mean absolute error near 45: a gap of 1.2 is under 3% of it, not overfitting (an
    # absolute 0.05 threshold called it critical); a gap of 4.5 (10%) is
    def mae(n):
        return -45.0

    small = synthetic_curve(mae, lambda n: -43.8, scoring="neg_mean_absolute_error")
    assert "overfitting" not in kinds(diagnose(small, checks=["overfitting"]))
    large = synthetic_curve(mae, lambda n: -40.5, scoring="neg_mean_absolute_error")
    finding = kinds(diagnose(large, checks=["overfitting"]))["overfitting"]
    assert finding.severity == "warning"
    assert finding.evidence["gap_threshold"] == pytest.approx(0.05 * 45)
    assert finding.evidence["gap_threshold_relative"] is True


def test_the_gain_of_an_error_is_judged_against_the_errors_size():
    # an error near 40 that falls by 0.05 per doubling (0.1% of it): saturated, though an
    # absolute 0.005 threshold read it as data-limited; falling by 1 per doubling is not
    flat = synthetic_curve(
        lambda n: -(40.0 + 7.0 * n**-0.5), spread=0.001, scoring="neg_mean_absolute_error"
    )
    found = kinds(diagnose(flat, checks=["data_limited"]))
    assert set(found) == {"saturated"}
    assert found["saturated"].evidence["min_gain"] == pytest.approx(0.005 * 40.0, rel=0.01)
    steep = synthetic_curve(
        lambda n: -(40.0 + 140.0 * n**-0.5), spread=0.001, scoring="neg_mean_absolute_error"
    )
    assert set(kinds(diagnose(steep, checks=["data_limited"]))) == {"data_limited"}


def test_r2_keeps_absolute_thresholds():
    # R² has a scale of its own: a gap of 0.06 is overfitting whatever the level of R²
    curve = synthetic_curve(lambda n: 0.30, lambda n: 0.36, scoring="r2")
    finding = kinds(diagnose(curve, checks=["overfitting"]))["overfitting"]
    assert finding.evidence["gap_threshold"] == pytest.approx(0.05)
    assert finding.evidence["gap_threshold_relative"] is False
