"""Inputs a plan took without using them, sizes quoted without their interval, and last-round
long shots: what a user with money on the line misread."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import PowerCurve
from howmuchdata.cli import main
from howmuchdata.errors import HowMuchDataError
from howmuchdata.planner import next_purchase, plan, simulate_collection


def accuracy_points(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    sizes = np.repeat([50, 100, 200, 400, 800, 1600], 5).astype(float)
    return sizes, 0.95 - 1.5 * sizes**-0.5 + rng.normal(0, 0.004, sizes.size)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def test_a_fraction_of_a_round_is_a_one_line_error():
    # 1.5 indexed the per-round margins with a float: "TypeError: tuple indices must be integers"
    sizes, scores = accuracy_points()
    with pytest.raises(HowMuchDataError, match=r"rounds_left=1\.5 is not a whole number"):
        next_purchase(sizes, scores, 0.92, 100_000, 1.5)
    with pytest.raises(HowMuchDataError, match=r"rounds=2\.5 is not a whole number"):
        plan((sizes, scores), target=0.92, rounds=2.5)
    with pytest.raises(HowMuchDataError, match=r"rounds=2\.5 is not a whole number"):
        simulate_collection(sizes, scores, 0.93, rounds=2.5)


def test_a_whole_float_or_numpy_round_reads_as_the_integer():
    sizes, scores = accuracy_points()
    two = next_purchase(sizes, scores, 0.92, 100_000, 2)
    assert next_purchase(sizes, scores, 0.92, 100_000, 2.0) == two
    assert next_purchase(sizes, scores, 0.92, 100_000, np.int64(2)) == two
    assert plan((sizes, scores), target=0.92, rounds=np.int64(2)).rounds == 2


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ({"penalty": 1000.0}, "penalty=1000.0 applies"),
        ({"value_of_target": 50.0}, "value_of_target=50.0 applies"),
        ({"rounds": 3}, "rounds=3 applies"),
        ({"penalty": 5.0, "rounds": 2}, "penalty=5.0, rounds=2 apply"),
    ],
)
def test_prices_of_a_miss_and_rounds_without_a_target_are_refused(given, named):
    # they were accepted and changed nothing: the plan read as if it had weighed them
    with pytest.raises(HowMuchDataError, match=rf"{named} only to a purchase toward a target"):
        plan(accuracy_points(), cost_per_label=1.0, **given)
    # the negative case: with a target they are used
    assert plan(accuracy_points(), target=0.92, cost_per_label=1.0, **given).status == "reachable"


def test_a_budget_on_free_labels_is_refused():
    # the budget was silently ignored: free labels meant no size was ever capped
    with pytest.raises(HowMuchDataError, match=r"budget=100 limits .* cost_per_label is 0"):
        plan(accuracy_points(), target=0.92, budget=100)
    capped = plan(accuracy_points(), target=0.92, budget=100, cost_per_label=4.5)
    assert capped.cap == 1600 + 22


def test_options_that_change_nothing_exit_2_naming_the_flags(run_dir, capsys):
    assert main(["plan", str(run_dir), "--penalty", "1000", "--no-report"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "--penalty 1000.0 applies only to a purchase toward a target" in err
    assert "pass --target ... (the score to reach) or drop it" in err
    assert main(["plan", str(run_dir), "--target", "0.92", "--budget", "100"]) == 2
    err = capsys.readouterr().err
    assert "--budget 100.0 limits the money spent on labels, but --cost-per-label is 0" in err


def test_the_size_for_the_target_keeps_its_interval_when_one_bound_never_gets_there():
    # c=0.95, sd=0.01: the pessimistic bound (0.94 + 1.28 sd > 0.95) never reaches 0.94, and the
    # summary said "expected at 40,000 labels;" with no interval at all
    p = plan(PowerCurve(), target=0.94, current_size=1000)
    lo = ((0.95 - (0.94 - 1.2815516 * 0.01)) / 2.0) ** -2.0
    assert p.size_for_target["hi"] == np.inf
    assert (
        f"expected at 40,000 labels (80% interval {lo:,.0f} to never: the pessimistic bound "
        "does not get there)" in p.summary()
    )
    # the negative case: both bounds finite keep the plain interval
    finite = plan(PowerCurve(), target=0.90, current_size=1000).summary()
    assert "expected at 1,600 labels (80% interval 1,014-2,893)" in finite


def test_a_target_at_the_ceiling_gives_the_optimistic_size():
    # the mean never crosses the ceiling 0.95; its optimistic bound does, at ((1.28 sd) / a)^-2
    p = plan(PowerCurve(), target=0.95, current_size=1000)
    lo = ((1.2815516 * 0.01) / 2.0) ** -2.0
    assert p.size_for_target["mean"] == np.inf
    assert (
        "expected beyond the extrapolation's reach (1024x the current size), though its "
        f"optimistic bound gets there at {lo:,.0f} labels;"
    ) in p.summary()


def test_a_last_round_long_shot_says_so():
    # the need model bought 19,073 labels at a 39% chance in the last round, without a word
    last = plan(accuracy_points(), target=0.945, rounds=1)
    p_round = last.next_round["p_reach"]
    assert 0.0 < p_round < 0.495 and last.cap > last.next_round["size"] > 1600
    assert (
        f"This last round reaches the target with only {p_round:.0%} probability, and no "
        f"number of labels of this kind does better than {last.asymptote['p_reach']:.0%}"
    ) in last.summary()
    # the negative cases: earlier rounds buy to learn, and a likely purchase is no long shot
    early = plan(accuracy_points(), target=0.945, rounds=2)
    assert "This last round" not in early.summary()
    likely = plan(PowerCurve(), target=0.90, current_size=1000, rounds=1)
    assert likely.next_round["p_reach"] > 0.5 and "This last round" not in likely.summary()


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ({}, "(100x the 1,000 labels held, as far as the plan looks)"),
        ({"max_size": 5000}, "(the pool, max_size 5,000)"),
        ({"cost_per_label": 2.0, "budget": 5000.0}, "(what the budget buys)"),
    ],
)
def test_a_purchase_at_the_cap_names_what_set_it(extra, words):
    # "Even 100,000 labels (the budget or pool)" was said to a user who gave neither
    p = plan(PowerCurve(), target=0.948, current_size=1000, **extra)
    assert p.next_round["size"] == p.cap
    assert f"Even {p.cap:,} labels {words} reach the target with only" in p.summary()


@pytest.fixture(scope="module")
def measured_curve():
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from howmuchdata import learning_curve

    X, y = load_breast_cancer(return_X_y=True)
    model = make_pipeline(StandardScaler(), LogisticRegression())
    return learning_curve(model, X, y, sizes=[40, 80, 160, 320], repeats=2, progress=False)


def test_labels_held_below_the_measured_curve_are_refused(measured_curve):
    # the curve trained on 320 labels: a plan "from 100 held" priced labels already bought
    with pytest.raises(HowMuchDataError, match=r"current_size=100 is below the 320 labels"):
        plan(measured_curve, target=0.99, current_size=100)
    assert plan(measured_curve, target=0.99, current_size=400).current_size == 400


def test_a_direction_against_the_curves_own_scorer_is_refused(measured_curve):
    # accuracy is better higher: greater_is_better=False read a rising curve as a loss
    with pytest.raises(HowMuchDataError, match="greater_is_better=False contradicts the curve"):
        plan(measured_curve, target=0.99, greater_is_better=False)
    assert plan(measured_curve, target=0.99, greater_is_better=True).target == 0.99
    # (sizes, scores) carry no scorer: the user's word on the direction stands
    sizes, scores = accuracy_points()
    plan((sizes, scores), target=0.5, greater_is_better=False)
