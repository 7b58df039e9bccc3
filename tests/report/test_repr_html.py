"""Result objects display in Jupyter as the report's answer-first summary."""

from __future__ import annotations

import numpy as np
from hmd_report_data import curve_meta, make_extrapolation, make_points
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

import howmuchdata as hmd
from howmuchdata.report import summary_html
from howmuchdata.report.page import render_answer
from howmuchdata.report.runview import read_run
from howmuchdata.report.summary import markdown_summary


def test_learning_curve_repr_html_shows_its_measured_score():
    X, y = load_digits(return_X_y=True)
    curve = hmd.learning_curve(
        LogisticRegression(max_iter=200), X[:400], y[:400], sizes=[60, 120, 240], repeats=2
    )
    fragment = curve._repr_html_()
    score = curve.by_size()["val_mean"].iloc[-1]
    assert f"{score:.3f}" in fragment
    assert "<script" not in fragment


def test_plan_repr_html_shows_the_target():
    sizes = [50, 50, 100, 100, 200, 200, 400, 400, 800, 800]
    scores = [0.70, 0.72, 0.78, 0.79, 0.83, 0.84, 0.865, 0.87, 0.885, 0.89]
    plan = hmd.plan((sizes, scores), target=0.91, cost_per_label=2.0, value_per_point=100.0)
    fragment = plan._repr_html_()
    assert "0.91" in fragment
    assert f"{plan.next_round['size']:,}" in fragment
    assert "<script" not in fragment


# --- the note on an example target: the Python call in Jupyter, the command on the page -----

PYTHON_CALL = "set yours with `curve.extrapolate().size_for(target)`"
CLI_CALL = "set yours with `howmuchdata extrapolate RUN_DIR --target SCORE`"


def _one_model(**changes) -> dict:
    result = {
        "points": make_points("logreg"),
        "curves": [curve_meta("logreg")],
        "extrapolation": {"logreg": make_extrapolation()},
    }
    return {**result, **changes}


def test_jupyter_names_the_python_call_and_the_page_and_summary_the_command():
    result = _one_model()
    fragment = summary_html(result)
    assert "an example target" in fragment and PYTHON_CALL in fragment
    assert "howmuchdata extrapolate" not in fragment
    view = read_run(result)
    assert CLI_CALL in render_answer(view) and PYTHON_CALL not in render_answer(view)
    assert CLI_CALL in markdown_summary(view)


def test_a_comparison_names_its_headline_strategys_extrapolation():
    fragment = summary_html(_one_model(comparison={"baseline": "logreg", "targets": []}))
    assert "set yours with `comparison.extrapolations[&#39;logreg&#39;].size_for(target)`" in (
        fragment
    )


def test_a_target_the_user_chose_has_no_note_in_jupyter_either():
    ext = make_extrapolation()
    ext["answers"] = {"level": 0.8, "at": [], "targets": [{"target": 0.97, "size": 10_000}]}
    fragment = summary_html(_one_model(extrapolation={"logreg": ext}))
    assert "To reach 0.97" in fragment and "example target" not in fragment


def test_a_learning_curve_in_jupyter_names_the_python_call():
    X, y = load_digits(return_X_y=True)
    curve = hmd.learning_curve(
        LogisticRegression(max_iter=200), X[:400], y[:400], sizes=[60, 120, 240], repeats=2
    )
    fragment = curve._repr_html_()
    assert PYTHON_CALL in fragment and "howmuchdata extrapolate" not in fragment


def test_a_table_of_sizes_and_scores_names_hmd_extrapolate():
    rng = np.random.default_rng(0)
    sizes = np.repeat([50, 100, 200, 400, 800, 1600], 5)
    scores = 0.93 - 1.2 * sizes**-0.5 + rng.normal(0, 0.005, sizes.size)
    result = {"extrapolation": {"table": hmd.extrapolate(sizes, scores).to_dict()}}
    assert "set yours with `hmd.extrapolate(sizes, scores).size_for(target)`" in (
        summary_html(result)
    )
    assert CLI_CALL in render_answer(read_run(result))
