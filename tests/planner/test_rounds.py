"""next_purchase and simulate_collection on curves whose future is known."""

from __future__ import annotations

import json

import numpy as np
import pytest

from howmuchdata import HowMuchDataError, next_purchase, simulate_collection
from howmuchdata.planner.rounds import FAR, PurchasePolicy, State, purchase_from_state

SIZES = np.array([16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384], dtype=float)


def known_curve(seed=0, c=0.95, a=1.2, b=0.5, repeats=5, noise=0.003):
    rng = np.random.default_rng(seed)
    truth = c - a * SIZES**-b
    sizes = np.repeat(SIZES, repeats)
    scores = np.repeat(truth, repeats) + rng.normal(0, noise, sizes.size)
    return sizes, scores, truth


def state(mid=1000.0, pess50=2000.0, seen=100.0, asym_hi98=0.99):
    return State(
        seen=seen,
        mid=mid,
        opt50=mid / 2,
        pess50=pess50,
        opt80=mid / 4,
        pess80=np.inf,
        asym_hi80=asym_hi98 - 0.01,
        asym_hi98=asym_hi98,
        slope_doublings=3.0,
    )


def test_purchase_rule_grows_with_distance_and_caps_at_n_max():
    policy = PurchasePolicy(offset=(0.2,), floor=(0.5,))  # coef: log(mid / seen)
    assert purchase_from_state(state(), 0.9, 1e6, 1, policy) == pytest.approx(
        1000 * np.exp(0.2), abs=1
    )
    assert purchase_from_state(state(mid=110), 0.9, 1e6, 1, policy) == pytest.approx(
        100 * np.exp(0.5), abs=1
    )
    assert purchase_from_state(state(), 0.9, 500, 1, policy) == 500


def test_features_clip_far_and_never_alike():
    never = state(mid=np.inf).features()
    assert never[0] == pytest.approx(FAR) and never[1] == 1.0
    assert state(mid=1e9).features()[0] == pytest.approx(FAR)
    assert state().features()[0] == pytest.approx(np.log(10))


def test_gives_up_only_when_the_optimistic_ceiling_is_below_target():
    policy = PurchasePolicy()
    assert purchase_from_state(state(asym_hi98=0.85), 0.9, 1e6, 1, policy) is None
    assert purchase_from_state(state(asym_hi98=0.85), 0.9, 1e6, 2, policy) is not None  # not yet
    assert purchase_from_state(state(asym_hi98=0.95), 0.9, 1e6, 1, policy) is not None
    never = PurchasePolicy(give_up_level=2.0)
    assert purchase_from_state(state(asym_hi98=0.85), 0.9, 1e6, 1, never) is not None


def test_more_rounds_left_can_buy_less_now():
    policy = PurchasePolicy(offset=(0.6, 0.3, 0.0), floor=(0.1, 0.1, 0.1))
    last = purchase_from_state(state(), 0.9, 1e6, 1, policy)
    first = purchase_from_state(state(), 0.9, 1e6, 3, policy)
    assert first < last


def test_next_purchase_buys_past_what_it_has_for_a_reachable_target():
    sizes, scores, truth = known_curve()
    seen = sizes <= 512
    total = next_purchase(sizes[seen], scores[seen], 0.93, 16384, 2)
    assert total is not None and 512 < total <= 16384


def test_next_purchase_says_unreachable_above_the_ceiling():
    sizes, scores, _ = known_curve(c=0.80, noise=0.001)
    seen = sizes <= 2048
    assert next_purchase(sizes[seen], scores[seen], 0.97, 1e6, 1) is None


def test_next_purchase_refuses_nonsense():
    sizes, scores, _ = known_curve()
    with pytest.raises(HowMuchDataError, match="rounds_left"):
        next_purchase(sizes, scores, 0.9, 1e5, 0)
    with pytest.raises(HowMuchDataError, match="3 distinct sizes"):
        next_purchase([10, 20], [0.5, 0.6], 0.9, 1e5, 1)


def test_simulation_reaches_the_target_within_the_budget():
    sizes, scores, truth = known_curve(seed=1)
    target = truth[-1] - 0.01
    result = simulate_collection(sizes, scores, target, truth=truth, rounds=3)
    assert result.reached
    assert result.bought <= SIZES[-1]
    assert result.n_star < result.bought
    assert all(r.bought <= SIZES[-1] for r in result.rounds)


def test_simulation_never_buys_past_a_small_budget():
    sizes, scores, truth = known_curve(seed=2)
    target = truth[-1] - 0.01
    result = simulate_collection(sizes, scores, target, truth=truth, rounds=3, max_size=3000)
    assert all(r.bought <= 3000 for r in result.rounds)
    assert not result.reached  # the truth needs ~ 7,000 labels: a budget of 3,000 cannot get there


def test_simulation_with_a_perfect_planner_buys_n_star():
    sizes, scores, truth = known_curve(seed=3)
    target = truth[-1] - 0.01

    def perfect(s, y, t, n_max, rounds_left):
        return 6000

    result = simulate_collection(sizes, scores, target, truth=truth, planner=perfect)
    assert result.reached and result.bought == 8192 and len(result.rounds) == 1


def test_policy_round_trips_and_earlier_rounds_can_differ():
    policy = PurchasePolicy(offset=(0.5, 0.1, -0.1))
    again = PurchasePolicy.from_dict(policy.to_dict())
    assert again == policy
    # rounds_left 3 uses the last entry, rounds_left 1 the first; beyond 3 stays at the last
    st = state()
    assert again.log_growth(st, 1) == pytest.approx(np.log(10) + 0.5)
    assert again.log_growth(st, 3) == again.log_growth(st, 5) == pytest.approx(np.log(10) - 0.1)


def test_simulating_a_loss_tells_the_default_planner_the_direction():
    # the error rate of the known curve: it falls, and an error of 0.06 at 512 is not "reached"
    sizes, scores, truth = known_curve(seed=4)
    error, true_error = 1.0 - scores, 1.0 - truth
    target = true_error[-1] + 0.01
    result = simulate_collection(
        sizes, error, target, truth=true_error, rounds=3, greater_is_better=False
    )
    first = result.rounds[0]
    seen = sizes <= result.n_start
    asked = next_purchase(sizes[seen], error[seen], target, SIZES[-1], 3, greater_is_better=False)
    assert first.asked == asked and first.bought > result.n_start
    assert result.reached
    json.dumps(result.to_dict())  # a NumPy target still gives plain JSON
    # the negative case: told nothing, the planner reads the error as a score already met
    assert next_purchase(sizes[seen], error[seen], target, SIZES[-1], 3) == result.n_start


def test_over_collection_is_nan_when_the_curve_never_reaches_the_target():
    sizes, scores, truth = known_curve(seed=5)
    never = simulate_collection(sizes, scores, 0.949, truth=truth, rounds=1)
    assert never.n_star == np.inf and np.isnan(never.over_collection)
    # the negative case: a target the curve reaches gives the ratio
    met = simulate_collection(sizes, scores, truth[-1] - 0.01, truth=truth, rounds=3)
    assert met.over_collection == pytest.approx(met.bought / met.n_star)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rounds": 0}, "rounds=0 is below 1"),
        ({"start_size": 20}, "fewer than 3 measured sizes"),
        ({"start_size": 1024, "max_size": 600}, "below the 1024 labels the planner starts with"),
    ],
)
def test_simulation_refuses_a_start_or_budget_it_cannot_use(kwargs, message):
    sizes, scores, truth = known_curve(seed=6)
    with pytest.raises(HowMuchDataError, match=message) as info:
        simulate_collection(sizes, scores, 0.93, truth=truth, **kwargs)
    assert "\n" not in str(info.value) and "; pass" in str(info.value)
