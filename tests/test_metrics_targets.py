"""Targets outside the metric's range are refused wherever a target is taken."""

from __future__ import annotations

import numpy as np
import pytest

import howmuchdata as hmd
from howmuchdata import HowMuchDataError
from howmuchdata.metrics import check_target_score


def test_a_target_inside_the_range_passes():
    check_target_score(0.9, True, "accuracy", 0.8)
    check_target_score(-0.05, True, "neg_log_loss", -0.2)
    check_target_score(0.1, False, None, 0.5)
    check_target_score(3.0, True, None, 2.5)  # no name, scores above 1: no upper end


@pytest.mark.parametrize(
    ("target", "greater", "scoring", "seen", "message"),
    [
        (1.2, True, "accuracy", 0.8, "at most 1"),
        (-0.1, True, "f1_macro", 0.8, "at least 0"),
        (0.1, True, "neg_log_loss", -0.2, "at most 0"),
        (0.5, True, None, -0.2, "at most 0"),
        (1.5, True, None, 0.9, "at most 1"),
        (-1.0, False, None, 0.5, "below 0"),
        (float("nan"), True, "accuracy", 0.8, "not a number"),
    ],
)
def test_a_target_outside_the_range_is_refused(target, greater, scoring, seen, message):
    with pytest.raises(HowMuchDataError, match=message):
        check_target_score(target, greater, scoring, seen)


def test_the_planners_round_functions_refuse_it_too():
    rng = np.random.default_rng(0)
    sizes = np.repeat([50, 100, 200, 400, 800, 1600], 5)
    scores = 0.95 - 1.5 * sizes**-0.5 + rng.normal(0, 0.004, sizes.size)
    with pytest.raises(HowMuchDataError, match="above the metric's range"):
        hmd.next_purchase(sizes, scores, target=1.2, n_max=100_000, rounds_left=3)
    with pytest.raises(HowMuchDataError, match="above the metric's range"):
        hmd.simulate_collection(sizes, scores, target=1.2, rounds=3)
    assert hmd.next_purchase(sizes, scores, target=0.93, n_max=100_000, rounds_left=3) > 1600


def test_a_positive_target_of_a_negated_error_says_to_negate_it():
    """--target 1000 on neg_root_mean_squared_error is the error itself: the fix shows the sign."""
    with pytest.raises(HowMuchDataError) as raised:
        check_target_score(1000.0, True, "neg_root_mean_squared_error", -1200.0)
    message = str(raised.value)
    assert "at most 0" in message and "pass -1000" in message
    rng = np.random.default_rng(0)
    sizes = np.repeat([100, 200, 400, 800, 1600], 3)
    scores = -(900 + 4000 * sizes**-0.5) + rng.normal(0, 5, sizes.size)
    ext = hmd.extrapolate(sizes, scores, bounds=(-np.inf, 0.0))
    with pytest.raises(HowMuchDataError, match="for an error of 1000, pass -1000"):
        ext.size_for(1000)
    # a bounded score above its range gets no such hint
    with pytest.raises(HowMuchDataError) as raised:
        check_target_score(1.2, True, "accuracy", 0.8)
    assert "minus the error" not in str(raised.value)
