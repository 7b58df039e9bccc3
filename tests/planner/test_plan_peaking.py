"""A curve that peaks and falls: more labels of this kind lowered the score, so the plan buys
nothing and says where the curve was best (a time split whose older rows hurt, say)."""

from __future__ import annotations

import numpy as np

from howmuchdata import plan

SIZES = np.array([50, 100, 200, 400, 800, 1600, 3200])


def points(means: list[float], spread: float = 0.004, repeats: int = 5):
    """``repeats`` points per size around ``means``, spread evenly (known noise)."""
    offsets = np.linspace(-spread, spread, repeats)
    sizes = np.repeat(SIZES, repeats)
    scores = np.concatenate([m + offsets for m in means])
    return sizes, scores


PEAKING = [0.70, 0.78, 0.84, 0.86, 0.83, 0.80, 0.78]  # best at 400, falls to 0.78
RISING = [0.70, 0.76, 0.80, 0.83, 0.85, 0.865, 0.875]


def test_a_peaking_curve_buys_nothing_and_names_the_peak():
    p = plan(points(PEAKING), target=0.85, cost_per_label=2.0)
    assert p.status == "peaked"
    assert p.next_round["size"] == 3200 and p.next_round["labels"] == 0
    words = p.summary()
    assert "peaks at 400 labels" in words and "falls to 0.7800" in words
    assert "The target 0.85 was met at 400 labels" in words
    assert "howmuchdata diagnose" in words
    assert "Out of reach" not in words and "levels off" not in words


def test_a_target_the_peak_did_not_reach_is_not_said_to_be_met():
    p = plan(points(PEAKING), target=0.90, cost_per_label=2.0)
    assert p.status == "peaked" and p.next_round["labels"] == 0
    assert "was met" not in p.summary()


def test_without_a_target_the_peak_is_said_too():
    p = plan(points(PEAKING), cost_per_label=2.0)
    assert p.status == "no_target" and "peaks at 400 labels" in p.summary()


def test_a_rising_curve_is_not_called_peaking():
    p = plan(points(RISING), target=0.89, cost_per_label=2.0)
    assert p.status == "reachable" and p.next_round["labels"] > 0
    assert "peaks" not in p.summary()


def test_a_loss_that_falls_then_rises_peaks_too():
    loss = [0.60, 0.50, 0.42, 0.40, 0.44, 0.47, 0.50]  # best (lowest) at 400
    sizes, scores = points(loss)
    p = plan((sizes, scores), target=0.41, greater_is_better=False, cost_per_label=1.0)
    assert p.status == "peaked" and p.next_round["labels"] == 0
    assert "peaks at 400 labels (0.4000)" in p.summary()
