"""Ill-behaved shapes are detected and said; a well-behaved curve raises no flag."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from howmuchdata.extrapolate import extrapolate
from howmuchdata.extrapolate.shapes import ILL_BEHAVED

SIZES = np.array([16, 23, 32, 45, 64, 91, 128, 181, 256, 362, 512, 724], dtype=float)


def points(means: np.ndarray, noise: float = 0.004, seed: int = 0):
    rng = np.random.default_rng(seed)
    n = np.repeat(SIZES, 5)
    y = np.repeat(means, 5) + rng.normal(0.0, noise, n.size)
    return n, np.clip(y, 0.0, 1.0)


def rising(n):
    return 0.95 - 0.6 * (n / 16) ** -0.5


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_well_behaved_curve_raises_no_flag(seed):
    ext = extrapolate(*points(rising(SIZES), seed=seed), method="families")
    assert ext.flags == []
    assert not ext.ill_behaved


def test_flat_curve_from_the_start():
    ext = extrapolate(*points(np.full(len(SIZES), 0.62), noise=0.01), method="families")
    assert ext.flags == ["flat"]
    assert "flat" in ext.summary()
    assert ext.size_for(0.7) == np.inf  # more data of this kind is not expected to help


def test_exactly_constant_accuracy_gets_a_band_that_widens_with_distance():
    # a majority-class model scores the same at every size: no noise, no slope to scale a
    # band by, yet the truth beyond the data is not known to the last digit
    n = np.repeat(SIZES, 5)
    ext = extrapolate(n, np.full(n.size, 0.62))
    assert ext.flags == ["flat"] and ext.method == "flat"
    assert np.allclose(ext.predict([1000.0, 10000.0]), 0.62)
    lo, hi = ext.interval(np.array([724.0 * 2, 724.0 * 16]), 0.8)
    width = hi - lo
    assert np.all(lo < 0.62) and np.all(hi > 0.62)
    assert 0.002 < width[0] < width[1] < 0.2


def test_a_flat_curve_is_taken_as_a_score_when_no_direction_is_given():
    n = np.repeat(SIZES, 5)
    assert extrapolate(n, np.full(n.size, 0.62)).direction == "increase"


def test_peaking_curve():
    g = np.concatenate([np.linspace(0.5, 0.8, 7), np.linspace(0.77, 0.68, 5)])
    ext = extrapolate(*points(g), method="families")
    assert "peaking" in ext.flags
    assert "not smooth" in ext.summary() or "uncertain" in ext.summary()


def test_dipping_curve():
    g = np.concatenate([np.linspace(0.7, 0.55, 5), np.linspace(0.6, 0.85, 7)])
    ext = extrapolate(*points(g), method="families")
    assert "dipping" in ext.flags


def test_not_monotone_curve():
    g = rising(SIZES).copy()
    g[6:8] -= 0.08  # a significant drop in the middle, recovered later
    ext = extrapolate(*points(g), method="families")
    assert "not_monotone" in ext.flags
    assert "peaking" not in ext.flags


def test_saturated_curve():
    g = 0.9 - 0.4 * np.exp(-SIZES / 40.0)  # flat over the last half of the range
    ext = extrapolate(*points(g, noise=0.003), method="families")
    assert "saturated" in ext.flags
    assert not ext.ill_behaved  # saturation is a fact, not a reason to distrust the line


@pytest.mark.parametrize("method", ["families", "auto"])
def test_a_late_take_off_is_said_and_changes_no_number(method, monkeypatch):
    # flat at chance, then rising faster with every doubling (a model that starts to learn)
    g = 0.5 + 0.35 / (1 + np.exp(-(np.log2(SIZES) - 9.2) * 1.8))
    ext = extrapolate(*points(g, noise=0.004), method=method)
    assert "accelerating" in ext.flags and not ext.ill_behaved
    assert any("late take-off" in note for note in ext.notes)
    core = importlib.import_module("howmuchdata.extrapolate.core")  # the name is a function too
    detect = core.detect_flags
    monkeypatch.setattr(
        core, "detect_flags", lambda *a, **k: [f for f in detect(*a, **k) if f != "accelerating"]
    )
    unflagged = extrapolate(*points(g, noise=0.004), method=method)
    at = [1000, 7240]
    assert np.array_equal(ext.predict(at), unflagged.predict(at))
    assert np.array_equal(ext.interval(at), unflagged.interval(at))
    # a steady rise and a line in log(size) are no take-off
    assert "accelerating" not in extrapolate(*points(rising(SIZES)), method=method).flags
    line = 0.5 + 0.03 * np.log2(SIZES / 16)
    assert "accelerating" not in extrapolate(*points(line), method=method).flags


def test_ill_behaved_intervals_are_wider():
    g = np.concatenate([np.linspace(0.5, 0.8, 7), np.linspace(0.77, 0.68, 5)])
    bad = extrapolate(*points(g), method="families")
    good = extrapolate(*points(rising(SIZES)), method="families")
    assert "peaking" in bad.flags and set(bad.flags) & set(ILL_BEHAVED)
    w_bad = np.subtract(*bad.interval(7240)[::-1])
    w_good = np.subtract(*good.interval(7240)[::-1])
    assert w_bad > 2 * w_good


def test_steady_rise_with_few_noisy_repeats_is_not_flat():
    # 3 repeats with a large spread at small sizes: a constant passes the chi-square test,
    # but the steady rise in log(size) (0.91 -> 0.98) is clear
    sizes = np.array([16, 23, 32, 45, 64, 91, 128, 181, 256, 362, 455], dtype=float)
    means = np.array([0.909, 0.918, 0.944, 0.947, 0.956, 0.974, 0.971, 0.974, 0.971, 0.982, 0.980])
    spread = np.array([0.05, 0.048, 0.031, 0.018, 0.015, 0.015, 0.013, 0.009, 0.01, 0.018, 0.018])
    offsets = np.array([-1.0, 0.0, 1.0])
    n = np.repeat(sizes, 3)
    y = np.clip((means[:, None] + spread[:, None] * offsets).ravel(), 0.0, 1.0)
    assert "flat" not in extrapolate(n, y, method="families").flags


def test_a_flat_error_curve_is_not_said_to_be_the_family_combination():
    # a negated RMSE that does not move (k-NN on a hotel price table): predicted at its level,
    # so the note that "the prediction is the family combination" would contradict the summary
    n = np.repeat([100.0, 200, 400, 800, 1600, 3037], 2)
    y = np.array([-72.951, -87.184, -74.995, -93.464, -76.024, -92.874,
                  -76.918, -85.211, -83.812, -82.573, -90.782, -82.644])  # fmt: skip
    flat = extrapolate(n, y, bounds=(-np.inf, 0.0), train_scores=y + 60.0)
    assert flat.method == "flat"
    summary = flat.summary()
    assert "Prediction: the curve's own level" in summary
    assert "family combination" not in summary
    assert "Training scores are read only by the learned model" in summary  # other notes stay
    # the negative case: a rising error curve is the family combination, and says why
    rng = np.random.default_rng(0)
    rising_err = extrapolate(n, -80.0 * (n / 16) ** -0.3 + rng.normal(0, 0.5, n.size))
    assert rising_err.method == "families"
    assert "for this metric the prediction is the family combination" in rising_err.summary()


def test_three_single_runs_that_rise_are_not_called_flat():
    # one run per size at three sizes: the only noise estimate is the curve's own bend, which
    # cannot tell a flat curve from a rising one (a CNN at 100, 200, 400 images)
    ext = extrapolate([100, 200, 400], [0.894, 0.917, 0.925])
    assert "flat" not in ext.flags and ext.method == "families"
    assert ext.predict([4000.0])[0] > 0.925
    # the negative cases: an exactly constant curve is flat, and so are five single runs
    # that move only within their own scatter, and three sizes with repeats that do not move
    assert extrapolate([100, 200, 400], [0.9, 0.9, 0.9]).flags == ["flat"]
    five = extrapolate([100, 200, 400, 800, 1600], [0.9, 0.902, 0.899, 0.901, 0.9])
    assert five.flags == ["flat"]
    repeated = extrapolate(np.repeat([100, 200, 400], 3), [0.9, 0.91, 0.89] * 3)
    assert repeated.flags == ["flat"]
