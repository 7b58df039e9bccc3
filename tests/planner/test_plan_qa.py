"""Plans a lab manager could be misled by: infinite prices, a huge budget at a tiny price, a
last purchase short of its own crossing, sizes that count training labels only."""

from __future__ import annotations

import math

import numpy as np
import pytest

from howmuchdata.cli import main
from howmuchdata.errors import HowMuchDataError
from howmuchdata.planner import Economics, next_purchase, plan
from howmuchdata.planner.rounds import State
from howmuchdata.result import update_result


@pytest.mark.parametrize(
    "name", ["cost_per_label", "value_per_point", "value_of_target", "penalty"]
)
def test_an_infinite_price_is_refused(name):
    # inf made every cost or loss inf/NaN: the plan bought labels "at a cost of inf", or
    # nothing at all under an infinite penalty, with exit 0
    with pytest.raises(HowMuchDataError, match=rf"{name}=inf is not a finite amount"):
        Economics(**{name: math.inf})
    assert Economics(**{name: 1e9}).to_dict()[name] == 1e9  # a large finite price is a price


def test_no_budget_is_an_infinite_budget():
    assert Economics(budget=math.inf).budget == math.inf
    with pytest.raises(HowMuchDataError, match=r"budget=-1 is negative"):
        Economics(budget=-1)


def test_an_infinite_price_on_the_command_line_is_one_line(run_dir, capsys):
    assert main(["plan", str(run_dir), "--target", "0.92", "--cost-per-label", "inf"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert (
        "--cost-per-label inf is not a finite amount of 0 or more; pass --cost-per-label 0" in err
    )


def accuracy_points(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    sizes = np.repeat([50, 100, 200, 400, 800, 1600], 5).astype(float)
    return sizes, 0.95 - 1.5 * sizes**-0.5 + rng.normal(0, 0.004, sizes.size)


def test_a_huge_budget_at_a_tiny_price_caps_at_the_reach():
    # budget / price overflowed math.floor (OverflowError) before it was capped
    p = plan(accuracy_points(), target=0.92, cost_per_label=1e-300, budget=1e300)
    assert p.cap == 160_000  # REACH x the 1,600 held: the budget does not bind
    small = plan(accuracy_points(), target=0.92, cost_per_label=4.5, budget=100)
    assert small.cap == 1600 + 22  # 22 whole labels at 4.50 fit in 100


def falling_error(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """An RMSE (lower is better) with little noise: the target 48 is in confident reach."""
    rng = np.random.default_rng(seed)
    sizes = np.repeat([50, 100, 200, 400, 800, 1600], 5).astype(float)
    rng.normal(0, 0.004, sizes.size)  # the draw the curve of the report came after
    return sizes, 40 + 400 * sizes**-0.5 + rng.normal(0, 0.3, sizes.size)


def test_the_last_purchase_reaches_the_extrapolations_own_crossing():
    # The calibrated linear rule bought 2,043 in the last round, below even the optimistic
    # 80% crossing (2,322), and the plan quoted P(reach) 0% for it.
    sizes, err = falling_error()
    p = plan((sizes, err), target=48)
    crossing = p.size_for_target["mean"]
    assert 2300 < crossing < 2700
    assert p.next_round["size"] >= crossing
    assert p.next_round["p_reach"] >= 0.5 - 1e-3
    assert next_purchase(sizes, err, 48, 1e6, 1, greater_is_better=False) >= crossing
    # with a round to come a short purchase is topped up later: no floor there
    assert next_purchase(sizes, err, 48, 1e6, 2, greater_is_better=False) > 1600


def state(mid: float) -> State:
    inf = math.inf
    return State(1000.0, mid, inf, inf, inf, inf, inf, inf, 0.0)


def test_last_round_floor_lifts_only_a_short_last_purchase():
    from howmuchdata.planner.rounds import last_round_floor

    assert last_round_floor(1200, state(2500.2), 1e6, 1) == 2501
    assert last_round_floor(1200, state(2500.2), 2000, 1) == 2000  # never past the budget
    assert last_round_floor(3000, state(2500.0), 1e6, 1) == 3000  # already past it
    assert last_round_floor(1200, state(2500.0), 1e6, 2) == 1200  # rounds to come
    assert last_round_floor(1200, state(math.inf), 1e6, 1) == 1200  # no crossing to lift to
    assert last_round_floor(None, state(2500.0), 1e6, 1) is None  # unreachable stays so


def test_the_printed_plan_turns_training_labels_into_rows(tmp_path, capsys):
    sizes, scores = accuracy_points()
    points = [
        {"model": "logreg", "size": int(n), "repeat": i % 5, "val_score": float(s), "status": "ok"}
        for i, (n, s) in enumerate(zip(sizes, scores, strict=True))
    ]
    meta = {
        "model": "logreg",
        "greater_is_better": True,
        "scoring": "accuracy",
        "n_samples": 2000,
        "settings": {"val_fraction": 0.2},
    }
    update_result(tmp_path, "curve", points=points, curves=[meta])
    assert main(["plan", str(tmp_path), "--target", "0.92", "--no-report"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    total = int(out.split("(total ")[1].split(")")[0].replace(",", ""))  # the next round's total
    rows = math.ceil(total / 0.8)
    assert (
        f"held out 20% of its 2,000 rows for validation, so a total of {total:,} training "
        f"labels is about {rows:,} labelled rows" in out
    )


def test_no_rows_line_without_a_validation_share(run_dir, capsys):
    # the run_dir fixture stores no settings: nothing to turn sizes into rows with
    assert main(["plan", str(run_dir), "--target", "0.92", "--no-report"]) == 0
    assert "Sizes count training labels" not in capsys.readouterr().out
