"""What an Extrapolation answers and says: levels it can honour, its repr, its shape words."""

from __future__ import annotations

import re

import numpy as np
import pytest

from howmuchdata.errors import HowMuchDataError
from howmuchdata.extrapolate import extrapolate

SIZES = np.array([50, 100, 200, 400], dtype=float)


def _readme_curve():
    rng = np.random.default_rng(0)
    sizes = np.repeat([50, 100, 200, 400, 800, 1600], 5)
    return extrapolate(sizes, 0.93 - 1.2 * sizes**-0.5 + rng.normal(0, 0.005, sizes.size))


def _two_repeats(mean: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two repeats whose validation sets differ in level by 2 points, as real repeats do."""
    rng = np.random.default_rng(seed)
    sizes = np.tile(SIZES, 2)
    scores = np.concatenate([mean - 0.01, mean + 0.01]) + rng.normal(0, 0.002, sizes.size)
    return sizes, scores


@pytest.mark.parametrize("level", [0.995, 0.999])
def test_a_level_wider_than_the_stored_quantiles_is_refused(level):
    # the grid stores quantiles 0.005..0.995: a 99.9% interval would be the 99% one
    ext = _readme_curve()
    for ask in (
        lambda: ext.interval(4000, level=level),
        lambda: ext.size_for(0.91, level=level),
        lambda: ext.asymptote_interval(level),
    ):
        with pytest.raises(HowMuchDataError, match="wider than the widest interval stored"):
            ask()


def test_the_widest_stored_level_is_answered_and_wider_than_a_narrower_one():
    ext = _readme_curve()
    lo99, hi99 = ext.interval(4000, level=0.99)
    lo80, hi80 = ext.interval(4000, level=0.8)
    assert lo99 < lo80 < hi80 < hi99


def test_a_level_that_is_not_a_number_is_one_line():
    with pytest.raises(HowMuchDataError, match="level='high' is not a number"):
        _readme_curve().interval(4000, level="high")


def test_repr_is_one_line_with_the_method_and_the_ceiling():
    ext = _readme_curve()
    text = repr(ext)
    assert "\n" not in text and len(text) < 250
    assert f"asymptote={ext.asymptote:.4g}" in text
    assert "6 sizes 50 to 1,600" in text and f"method={ext.method!r}" in text


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_curve_gaining_as_much_per_doubling_as_before_is_not_saturated(seed):
    # a straight line in log2(size), 2.2 points per doubling: the last doubling gains as
    # much as the first, within the repeats' level difference but not saturating
    ext = extrapolate(*_two_repeats(0.86 + 0.022 * np.log2(SIZES / 50), seed), bounds=(0, 1))
    assert "saturated" not in ext.flags
    assert "saturated" not in ext.summary()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_curve_that_stopped_rising_is_saturated_with_two_repeats(seed):
    mean = np.array([0.80, 0.86, 0.868, 0.869])  # rose, then no longer moves
    ext = extrapolate(*_two_repeats(mean, seed), bounds=(0, 1))
    assert "saturated" in ext.flags


def test_the_family_weights_in_the_summary_add_up_to_the_whole():
    # the first four were shown alone and added up to 80% or so
    rng = np.random.default_rng(0)
    n = np.repeat([50, 100, 200, 400, 800, 1600], 4)
    scores = -(0.1 + 2 * (n / 50.0) ** -0.5) + rng.normal(0, 0.01, n.size)
    ext = extrapolate(n, scores)
    line = ext.summary().splitlines()[0]
    shares = [float(v) for v in re.findall(r"(\d+)%", line)]
    assert len(ext.components) > 4 and "more" in line
    assert sum(shares) == pytest.approx(100, abs=len(shares) * 0.5)  # each rounded


def test_a_direction_against_the_curve_is_said_and_the_right_one_is_not():
    rng = np.random.default_rng(0)
    n = np.repeat([50, 100, 200, 400, 800, 1600], 4)
    rising = 0.9 - 0.4 * (n / 50.0) ** -0.5 + rng.normal(0, 0.005, n.size)
    forced = extrapolate(n, rising, direction="decrease")
    (note,) = [x for x in forced.notes if "beyond noise" in x]
    assert "scores increase" in note and "direction='increase'" in note
    assert not any("beyond noise" in x for x in extrapolate(n, rising, direction="increase").notes)
    # a loss falling, given as one: nothing to say; a flat noisy curve: nothing either
    assert not any(
        "beyond noise" in x for x in extrapolate(n, 1 - rising, direction="decrease").notes
    )
    flat = 0.8 + rng.normal(0, 0.01, n.size)
    assert not any("beyond noise" in x for x in extrapolate(n, flat, direction="decrease").notes)
