"""The answer in words and numbers, checked against curves with a known answer."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hmd_report_data import (
    REPEATS,
    SIZES,
    build_full_result,
    curve_meta,
    exact_sizes_for_band,
    expected_size_for,
    make_extrapolation,
    make_points,
    true_score,
)

from howmuchdata.report.runview import read_run
from howmuchdata.report.summary import answer, markdown_summary, notes


def one_model(**changes):
    result = {
        "schema_version": 1,
        "points": make_points("logreg"),
        "curves": [curve_meta("logreg")],
        "extrapolation": {"logreg": make_extrapolation()},
    }
    result.update(changes)
    return result


def by_key(result):
    return {s.key: s for s in answer(read_run(result))}


def test_score_now_is_mean_and_sd_over_repeats_at_the_largest_size():
    result = one_model()
    largest = [p["val_score"] for p in result["points"] if p["size"] == SIZES[-1]]
    now = by_key(result)["now"]
    assert now.numbers["size"] == SIZES[-1]
    assert now.numbers["mean"] == pytest.approx(np.mean(largest))
    assert now.numbers["std"] == pytest.approx(np.std(largest, ddof=1))
    assert now.numbers["repeats"] == REPEATS
    assert f"{np.mean(largest):.3f} ± {np.std(largest, ddof=1):.3f}" in now.text


def test_ten_times_more_data_reads_the_stored_forecast():
    at = by_key(one_model())["at_10x"]
    n = 10 * SIZES[-1]
    width = 0.004 + 0.01 * math.log10(10)
    assert at.numbers["size"] == n
    assert at.numbers["mean"] == pytest.approx(float(true_score(n)), abs=2e-4)
    assert at.numbers["lo"] == pytest.approx(float(true_score(n)) - width, abs=2e-4)
    assert at.numbers["hi"] == pytest.approx(float(true_score(n)) + width, abs=2e-4)
    assert "80% interval" in at.text


def test_samples_to_reach_a_target_with_interval():
    plan = {"target": 0.97}
    statement = by_key(one_model(plan=plan))["target"]
    optimistic, pessimistic = exact_sizes_for_band(0.97)
    assert statement.numbers["size"] == pytest.approx(expected_size_for(0.97), rel=0.01)
    assert statement.numbers["lo"] == pytest.approx(optimistic, rel=0.01)
    assert math.isinf(statement.numbers["hi"]) == math.isinf(pessimistic)
    assert "To reach 0.97 you need about 10,000 samples" in statement.text
    assert "example target" not in statement.text


def test_lower_target_has_a_finite_interval_on_both_sides():
    statement = by_key(one_model(plan={"target": 0.96}))["target"]
    optimistic, pessimistic = exact_sizes_for_band(0.96)
    assert statement.numbers["lo"] == pytest.approx(optimistic, rel=0.01)
    assert statement.numbers["hi"] == pytest.approx(pessimistic, rel=0.01)
    assert statement.numbers["lo"] < statement.numbers["size"] < statement.numbers["hi"]


def test_without_a_target_an_example_target_is_named_as_such():
    statement = by_key(one_model())["target"]
    now = by_key(one_model())["now"].numbers["mean"]
    ahead = by_key(one_model())["at_10x"].numbers["mean"]
    assert now < statement.numbers["target"] < ahead
    assert "example target" in statement.text


def test_target_above_the_asymptote_is_out_of_reach():
    # the ceiling is 0.990 with its 80% interval 0.980-0.995: 0.997 is above even its top
    statement = by_key(one_model(plan={"target": 0.997}))["target"]
    assert math.isinf(statement.numbers["size"])
    assert "out of reach" in statement.text and "0.990 (80% interval 0.980–0.995)" in statement.text


def test_target_only_the_optimistic_ceiling_reaches_is_not_called_out_of_reach():
    # as the planner decides (status "reachable", it still buys): above the expected ceiling
    # 0.990, below its optimistic bound 0.995
    statement = by_key(one_model(plan={"target": 0.993}))["target"]
    assert math.isinf(statement.numbers["size"])
    assert "out of reach" not in statement.text
    assert "is not expected with more data of this kind" in statement.text
    assert "only the optimistic end of that interval reaches it" in statement.text


def test_target_already_reached():
    statement = by_key(one_model(plan={"target": 0.9}))["target"]
    assert "already reached" in statement.text


def test_diminishing_returns_size_matches_the_known_curve():
    # gain per doubling of A - B n^-C is B n^-C (1 - 2^-C); it falls below 0.005 here:
    b, c = 2.0, 0.5
    known = (b * (1 - 2**-c) / 0.005) ** (1 / c)
    statement = by_key(one_model())["diminishing"]
    assert statement.numbers["size"] == pytest.approx(known, rel=0.03)
    assert "each doubling adds < 0.5 points" in statement.text


def test_lower_is_better_scores_read_the_other_way():
    # an error metric: error(n) = 0.1 + 2 n^-0.5 (so the target 0.12 needs n = 10,000)
    points = make_points("ridge")
    for p in points:
        if p["val_score"] is not None:
            p["val_score"] = 1.09 - p["val_score"]
            p["train_score"] = 1.09 - p["train_score"]
    ext = make_extrapolation()
    grid = ext["grid"]
    grid["mean"], grid["lo"], grid["hi"] = (
        [1.09 - v for v in grid["mean"]],
        [1.09 - v for v in grid["hi"]],
        [1.09 - v for v in grid["lo"]],
    )
    ext["asymptote"] = 0.1
    meta = {
        **curve_meta("ridge"),
        "scoring": "rmse",
        "greater_is_better": False,
        "task": "regression",
    }
    result = {
        "points": points,
        "curves": [meta],
        "extrapolation": {"ridge": ext},
        "plan": {"target": 0.12},
    }
    statement = by_key(result)["target"]
    assert statement.numbers["size"] == pytest.approx(10_000, rel=0.01)
    assert statement.numbers["lo"] < statement.numbers["size"]


def test_failed_points_are_counted_and_explained():
    result = one_model(points=make_points("logreg", failing=(50, 100)))
    text = " ".join(notes(read_run(result)))
    assert "4 of 30 points of logreg failed (sizes 50, 100)" in text
    assert "solver diverged" in text
    # the mean at a size with failures uses the repeats that succeeded
    view = read_run(result)
    row = view.curves["logreg"].by_size.iloc[0]
    assert row["n_ok"] == REPEATS - 2 and row["n_points"] == REPEATS


def test_every_point_failed_says_so_and_gives_no_answer():
    points = make_points("logreg", failing=tuple(SIZES))
    for p in points:
        p.update(status="failed", val_score=None, train_score=None, error="MemoryError: too big")
    result = {"points": points, "curves": [curve_meta("logreg")]}
    view = read_run(result)
    assert answer(view) == []
    assert any("Every point of logreg failed" in n and "MemoryError" in n for n in notes(view))


def test_too_few_sizes_for_an_extrapolation_is_explained():
    points = [p for p in make_points("logreg") if p["size"] in SIZES[:2]]
    view = read_run({"points": points, "curves": [curve_meta("logreg")]})
    text = " ".join(notes(view))
    assert "only 2 training sizes" in text and "at least 3" in text
    keys = [s.key for s in answer(view)]
    assert keys == ["now"]


def test_findings_are_ordered_most_important_first():
    view = read_run(build_full_result())
    assert [f["severity"] for f in view.findings] == ["critical", "warning", "info"]
    same = [
        {"kind": "high_variance", "severity": "warning", "evidence": {}, "advice": "x"},
        {"kind": "overfitting", "severity": "warning", "evidence": {}, "advice": "y"},
    ]
    ordered = read_run({"findings": same}).findings
    assert [f["kind"] for f in ordered] == ["overfitting", "high_variance"]


def test_markdown_summary_neutralises_html_from_the_data():
    result = build_full_result()
    result["findings"][0]["advice"] = "<script>alert(1)</script> | drop it"
    text = markdown_summary(read_run(result))
    assert re.search(r"(?<!\\)<[A-Za-z/!]", text) is None  # no tag can open
    assert "\\<script>alert(1)\\</script> \\| drop it" in text
    assert "< 0.5 points" in text  # a plain "less than" stays readable


def test_best_model_leads_and_the_others_are_listed():
    statements = by_key(build_full_result())
    assert "of logreg is" in statements["now"].text
    assert "hgb" in statements["others"].text


@pytest.mark.parametrize(
    ("severity", "evidence", "title"),
    [
        ("warning", {"gain_above_zero": True}, "More data will help"),
        ("info", {"gain_above_zero": True}, "More data may help"),
        ("info", {"gain_above_zero": False}, "No clear gain from more data yet"),
        ("info", {}, "More data may help"),  # a result written before gain_above_zero
    ],
)
def test_a_data_limited_heading_says_no_more_than_its_advice(severity, evidence, title):
    from howmuchdata.report.summary import finding_title

    finding = {"kind": "data_limited", "severity": severity, "evidence": evidence}
    assert finding_title(finding) == title


def test_shape_flags_are_said_in_words_and_only_ill_shapes_ask_for_care():
    from howmuchdata.extrapolate.shapes import FLAG_MEANINGS, ILL_BEHAVED
    from howmuchdata.report.summary import flags_note

    # every flag the shapes module can raise has its words
    assert set(ILL_BEHAVED) | {"saturated", "accelerating"} == set(FLAG_MEANINGS)
    peaking = flags_note("logreg", ["peaking", "not_monotone"])
    assert "read its forecast with care" in peaking and FLAG_MEANINGS["peaking"] in peaking
    saturated = flags_note("transfer", ["saturated"])
    assert "with care" not in saturated
    assert (
        saturated == f"The measured curve of transfer is saturated ({FLAG_MEANINGS['saturated']})."
    )


def test_a_peaked_plan_says_why_it_buys_nothing():
    from howmuchdata.report.summary import _plan

    class View:
        plan = {
            "status": "peaked",
            "model": "logreg",
            "target": -0.45,
            "next_round": {"size": 3154, "labels": 0, "cost": 0.0, "p_reach": 0.0},
        }

    text = _plan(View()).text
    assert "buy no more labels now (more labels of this kind lowered the score)" in text
    View.plan = {**View.plan, "status": "reached"}
    assert "lowered" not in _plan(View()).text
