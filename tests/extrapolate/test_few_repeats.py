"""Curves measured with two repeats, negated losses and curves that peak: the shape, the
direction and the metric's range are read right, and the bands stay meaningful."""

from __future__ import annotations

import numpy as np
import pytest

from howmuchdata import HowMuchDataError
from howmuchdata.extrapolate import Extrapolation, extrapolate

SIZES = np.array([16, 23, 32, 45, 64, 91, 128, 181, 256, 362, 455], dtype=float)


def two_repeats_of_a_falling_log_loss():
    """Minus the log loss, two repeats whose validation sets differ: one repeat sits well
    below the other at every size, while both improve steadily."""
    good_split = -(0.04 + 0.25 * SIZES**-0.5)
    hard_split = good_split - 0.03 - 0.6 * SIZES**-0.5
    sizes = np.concatenate([SIZES, SIZES])
    return sizes, np.concatenate([good_split, hard_split])


def test_a_steady_rise_hidden_in_repeat_offsets_is_not_called_flat():
    sizes, scores = two_repeats_of_a_falling_log_loss()
    ext = extrapolate(sizes, scores)
    assert "flat" not in ext.flags
    assert ext.direction == "increase"
    last_mean = scores[sizes == SIZES[-1]].mean()
    # a curve that kept improving is not predicted below what was measured at its end
    assert float(ext.predict(10 * SIZES[-1])) >= last_mean - 1e-9


def test_a_negated_loss_stays_at_most_zero():
    sizes, scores = two_repeats_of_a_falling_log_loss()
    ext = extrapolate(sizes, scores)
    _, hi = ext.interval([SIZES[-1] * 10, SIZES[-1] * 100])
    assert np.all(hi <= 0.0)
    assert ext.score_range[1] == 0.0
    assert any("negated loss" in note for note in ext.notes)
    with pytest.raises(HowMuchDataError, match="above the metric's range"):
        ext.size_for(0.1)


def test_a_really_flat_pair_of_repeats_is_still_flat():
    rng = np.random.default_rng(3)
    sizes = np.concatenate([SIZES, SIZES])
    scores = 0.7 + rng.normal(0.0, 0.01, sizes.size)
    assert extrapolate(sizes, scores).flags == ["flat"]


def test_a_peaking_accuracy_curve_is_read_as_a_score_that_peaks():
    rng = np.random.default_rng(0)
    levels = {100: 0.80, 200: 0.84, 400: 0.85, 800: 0.83, 1600: 0.80}
    sizes = np.repeat(list(levels), 3).astype(float)
    scores = np.array([levels[n] for n in sizes]) + rng.normal(0, 0.003, sizes.size)
    ext = extrapolate(sizes, scores)  # direction not given
    assert ext.direction == "increase"
    assert "peaking" in ext.flags
    lo, hi = ext.interval([3200, 16000])
    assert np.all(lo >= 0.5) and np.all(hi <= 1.0)


def test_a_loss_that_falls_is_still_read_as_a_loss():
    sizes = np.repeat([100, 200, 400, 800, 1600], 3).astype(float)
    rng = np.random.default_rng(1)
    scores = 0.2 + 2.0 * sizes**-0.5 + rng.normal(0, 0.002, sizes.size)
    assert extrapolate(sizes, scores).direction == "decrease"


def test_a_family_band_from_four_points_stays_near_the_curve():
    # four means, no repeats, read as a falling loss: the delta-method band of the
    # families ran to 61 at 10x before its pessimistic side was bounded
    ext = extrapolate([100, 200, 400, 800], [0.88, 0.87, 0.85, 0.80])
    lo, hi = ext.interval([2000, 8000])
    assert np.all(np.isfinite(hi)) and np.all(hi <= 0.88 + 2 * 0.08 + 1e-9)
    assert ext.asymptote_interval(0.8)[1] <= 0.88 + 2 * 0.08 + 1e-9


def tied_pairs():
    """Two repeats on a 36-row validation set: scores are multiples of 1/36 and the two
    repeats tie at the two largest sizes."""
    sizes = np.repeat([16, 32, 64, 128], 2).astype(float)
    scores = np.array([1.0, 0.9444, 1.0, 0.9444, 0.9444, 0.9444, 0.9722, 0.9722])
    return sizes, scores


@pytest.mark.parametrize("method", ["auto", "families"])
def test_repeats_that_tie_do_not_make_the_band_collapse(method):
    sizes, scores = tied_pairs()
    ext = extrapolate(sizes, scores, direction="increase", method=method)
    lo, hi = ext.interval(256)
    # one validation row is 2.8 points: a band narrower than that is false precision
    assert float(hi - lo) > 0.028
    assert float(lo) > 0.8  # and the families' band does not run off (it reached -66)


def test_the_score_range_survives_result_json():
    sizes, scores = two_repeats_of_a_falling_log_loss()
    ext = extrapolate(sizes, scores)
    again = Extrapolation.from_dict(ext.to_dict())
    assert again.score_range == ext.score_range
    with pytest.raises(HowMuchDataError, match="above the metric's range"):
        again.size_for(0.5)


def test_bounds_set_the_range_a_target_must_lie_in():
    sizes = np.repeat([100, 200, 400, 800, 1600], 3).astype(float)
    rng = np.random.default_rng(2)
    scores = 0.9 - 2.0 * sizes**-0.5 + rng.normal(0, 0.003, sizes.size)
    ext = extrapolate(sizes, scores, bounds=(0.0, 1.0))
    assert ext.score_range == (0.0, 1.0)
    assert np.isfinite(ext.size_for(0.87))
    with pytest.raises(HowMuchDataError, match="at most 1"):
        ext.size_for(1.2)


def test_four_sizes_of_a_steady_rise_are_not_flat():
    # each repeat rises by 0.02 per doubling; the repeats differ by 0.06 in level
    sizes = np.repeat([40, 80, 160, 320], 2).astype(float)
    scores = np.array([-0.12, -0.18, -0.10, -0.16, -0.08, -0.14, -0.06, -0.12])
    ext = extrapolate(sizes, scores)
    assert "flat" not in ext.flags
    assert float(ext.predict(3200)) >= scores[sizes == 320].mean() - 1e-9


def test_a_flat_curve_is_predicted_at_its_recent_level():
    # a rise within noise over three sizes: flat, but held where its larger sizes are,
    # not at the mean of every point (0.9658, below all that the larger sizes measured)
    sizes = np.array([80, 80, 160, 160, 320, 320], dtype=float)
    scores = np.array([0.95, 0.965, 0.96, 0.975, 0.965, 0.98])
    ext = extrapolate(sizes, scores)
    assert ext.flags == ["flat"]
    assert float(ext.predict(3200)) == pytest.approx(np.mean(scores[sizes >= 160]))
