"""plan(): recommendation, out-of-reach detection and bad input, on the analytic double."""

from __future__ import annotations

import numpy as np
import pytest

from howmuchdata import HowMuchDataError, Plan, plan
from howmuchdata import extrapolate as hmd_extrapolate
from howmuchdata.planner.rounds import need_reach


def test_reachable_target_gets_a_next_round(power_curve):
    p = plan(
        power_curve,
        target=0.92,
        cost_per_label=4.5,
        value_per_point=2000,
        current_size=1000,
        rounds=2,
    )
    assert isinstance(p, Plan) and p.status == "reachable"
    need = power_curve.size_for(0.92)
    nr = p.next_round
    assert nr["size"] > 1000 and nr["labels"] == nr["size"] - 1000
    assert nr["cost"] == pytest.approx(4.5 * nr["labels"])
    assert 0 <= nr["p_reach"] <= 1 and nr["score_lo"] <= nr["score"] <= nr["score_hi"]
    assert nr["p_reach_from"] == "extrapolation"  # no measured points: the double's interval
    assert p.size_for_target["mean"] == pytest.approx(need)
    assert p.size_for_target["lo"] < need < p.size_for_target["hi"]
    d = p.to_dict()
    assert d["table"] and {"p_reach", "score_lo", "score_hi", "net_lo", "net_hi"} <= set(
        d["table"][0]
    )


def test_target_above_asymptote_is_out_of_reach(power_curve):
    p = plan(power_curve, target=0.99, cost_per_label=1, value_per_point=10, current_size=1000)
    assert p.status == "out_of_reach"
    assert p.next_round["size"] is None
    assert any("diagnose" in a for a in p.advice)
    assert p.asymptote["p_reach"] < 0.01


def test_penalty_buys_enough_to_be_likely(power_curve):
    cheap_miss = plan(power_curve, target=0.92, cost_per_label=1, penalty=10, current_size=1000)
    dear_miss = plan(power_curve, target=0.92, cost_per_label=1, penalty=1e7, current_size=1000)
    assert dear_miss.next_round["p_reach"] > 0.95
    assert dear_miss.next_round["size"] > cheap_miss.next_round["size"]


def test_budget_caps_every_candidate(power_curve):
    p = plan(
        power_curve,
        target=0.92,
        cost_per_label=5,
        value_per_point=2000,
        budget=10_000,
        current_size=1000,
    )
    assert p.table["cost"].max() <= 10_000 + 1e-9
    assert p.next_round["cost"] <= 10_000 + 1e-9


def test_diagnosed_short_classes_become_priorities(power_curve):
    findings = [
        {
            "kind": "class_needs_data",
            "severity": "warning",
            "evidence": {"class": "rare", "more_examples": 120},
            "advice": "label more rare",
        },
        {
            "kind": "duplicates",
            "severity": "warning",
            "evidence": {"groups": [1, 2]},
            "advice": "-",
        },
        {"kind": "imbalance", "severity": "info", "evidence": {"class": "a"}, "advice": "-"},
    ]
    p = plan(power_curve, target=0.92, current_size=1000, findings=findings)
    assert p.priorities == [
        {
            "kind": "class_needs_data",
            "class": "rare",
            "more_examples": 120,
            "advice": "label more rare",
        }
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"target": 1.2}, "above the metric's range"),
        ({"target": 0.9, "cost_per_label": -1}, "cost_per_label"),
        ({"target": 0.9, "rounds": 0}, "rounds"),
    ],
)
def test_bad_input(power_curve, kwargs, message):
    with pytest.raises(HowMuchDataError, match=message):
        plan(power_curve, current_size=1000, **kwargs)


def test_unknown_current_size_is_an_error(power_curve):
    power_curve.n_max = None
    with pytest.raises(HowMuchDataError, match="current_size"):
        plan(power_curve, target=0.9)


@pytest.mark.slow
def test_plan_from_sizes_and_scores_uses_the_real_extrapolation():
    rng = np.random.default_rng(0)
    sizes = np.repeat([50, 100, 200, 400, 800, 1600], 5).astype(float)
    scores = 0.95 - 1.5 * sizes**-0.5 + rng.normal(0, 0.004, sizes.size)
    p = plan((sizes, scores), target=0.92, cost_per_label=1, value_per_point=100)
    assert p.current_size == 1600 and p.status == "reachable"
    assert p.next_round["size"] > 1600


def test_measured_accuracy_curve_quotes_the_need_models_probability():
    # the purchase comes from the need model, so its P(reach) must too (times the chance that
    # the ceiling reaches the target at all), and the table must agree with the recommendation
    rng = np.random.default_rng(0)
    sizes = np.repeat([50, 100, 200, 400, 800, 1600], 5).astype(float)
    scores = 0.95 - 1.5 * sizes**-0.5 + rng.normal(0, 0.004, sizes.size)
    p = plan((sizes, scores), target=0.92, cost_per_label=4.5, value_per_point=2000, rounds=2)
    nr = p.next_round
    assert nr["p_reach_from"] == "need_model" and "LCDB need model" in p.summary()
    reach = need_reach(sizes, scores, 0.92)
    expected = reach(np.array([float(nr["size"])]))[0] * p.asymptote["p_reach"]
    assert nr["p_reach"] == pytest.approx(expected)
    assert nr["p_reach"] <= p.asymptote["p_reach"]
    assert p.table["p_reach"].is_monotonic_increasing
    # given only the extrapolation (no points), the plan says the probability is its own
    from_ext = plan(hmd_extrapolate(sizes, scores), target=0.92, rounds=2)
    assert from_ext.next_round["p_reach_from"] == "extrapolation"
