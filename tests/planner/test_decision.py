"""Cost/value arithmetic on a known analytic curve (the PowerCurve double in conftest)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from howmuchdata import HowMuchDataError
from howmuchdata.planner.decision import (
    Economics,
    cost_value_table,
    net_benefit,
    optimal_size,
    prob_at_least,
)


def test_optimum_size_is_found_exactly(power_curve):
    econ = Economics(cost_per_label=0.5, value_per_point=2000.0)
    # d/dn [V/point * (c - a n^-b)] = cost  =>  n* = (V/point * a b / cost)^(1/(b+1))
    analytic = (2000.0 / 0.01 * power_curve.a * power_curve.b / 0.5) ** (1 / (power_curve.b + 1))
    best = optimal_size(power_curve, 100, 1e7, econ)
    assert abs(best - analytic) <= 1.0
    # and no whole size nearby does better
    around = np.arange(best - 50, best + 51, dtype=float)
    values = net_benefit(power_curve, around, 100, econ)
    assert around[int(np.argmax(values))] == best


def test_optimum_is_capped_by_budget(power_curve):
    econ = Economics(cost_per_label=0.5, value_per_point=2000.0)
    assert optimal_size(power_curve, 100, 2000, econ) == 2000


def test_labels_worth_nothing_buy_nothing(power_curve):
    econ = Economics(cost_per_label=1.0, value_per_point=0.0)
    assert optimal_size(power_curve, 500, 1e6, econ) == 500


def test_probability_of_reaching_matches_the_normal_spread(power_curve):
    n = np.array([10_000.0])
    mean = power_curve.predict(n)[0]
    assert prob_at_least(power_curve, n, mean)[0] == pytest.approx(0.5)
    assert prob_at_least(power_curve, n, mean + power_curve.sd)[0] == pytest.approx(
        0.1587, abs=1e-3
    )
    assert prob_at_least(power_curve, n, power_curve.c + 0.05)[0] < 1e-6


def test_table_carries_intervals_and_costs(power_curve):
    econ = Economics(cost_per_label=4.5, value_per_point=2000.0)
    sizes = np.array([1000.0, 4000.0, 16000.0])
    t = cost_value_table(power_curve, 1000, sizes, econ, target=0.93)
    assert list(t["cost"]) == pytest.approx([0.0, 4.5 * 3000, 4.5 * 15000])
    assert (t["score_lo"] < t["score"]).all() and (t["score"] < t["score_hi"]).all()
    assert (t["net_lo"] <= t["net_benefit"]).all() and (t["net_benefit"] <= t["net_hi"]).all()
    assert t["p_reach"].is_monotonic_increasing
    # gain per 1000 labels = what the curve gains from 4,000 to 5,000 labels, in points
    a, b = power_curve.a, power_curve.b
    expected = a * (4000.0**-b - 5000.0**-b) / 0.01
    assert t["gain_per_1000"].iloc[1] == pytest.approx(expected, rel=1e-9)
    derivative = power_curve.a * power_curve.b * 4000.0 ** (-power_curve.b - 1) * 1000 / 0.01
    assert t["gain_per_1000"].iloc[1] < derivative  # a saturating curve gains less than its slope


def test_lower_is_better_metric_flips_value(power_curve):
    # the same analytic double as the fixture, as a loss that falls to 0.05
    loss = type(power_curve)(a=-2.0, b=0.5, c=0.05, direction="decrease")  # loss falls to 0.05
    econ = Economics(cost_per_label=0.5, value_per_point=2000.0)
    best = optimal_size(loss, 100, 1e7, econ, greater_is_better=False)
    analytic = (2000.0 / 0.01 * 2.0 * 0.5 / 0.5) ** (1 / 1.5)
    assert abs(best - analytic) <= 1.0


@pytest.mark.parametrize("field", ["cost_per_label", "value_per_point", "penalty", "budget"])
def test_negative_money_is_refused(field):
    with pytest.raises(HowMuchDataError, match=field):
        Economics(**{field: -1.0})


def test_nan_money_is_refused():
    with pytest.raises(HowMuchDataError):
        Economics(cost_per_label=math.nan)
