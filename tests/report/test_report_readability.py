"""What a demanding user saw in reports of real runs (demo, curve, compare, plan, extrapolate):
dots that were no measurement, an unlabelled axis end, an example target the data had already
met, and legends that scrolled on a phone. Each is pinned down on the figure spec or the words."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hmd_report_data import (
    build_full_result,
    curve_meta,
    make_extrapolation,
    make_points,
    one_model,
    stored,
)

from howmuchdata.report import build_report
from howmuchdata.report.figures import build_figures, legend_fit, legend_rows, log_ticks
from howmuchdata.report.runview import read_run
from howmuchdata.report.summary import answer


def figures(result: dict) -> dict:
    return {f.key: f.figure for f in build_figures(read_run(result))}


def statements(result: dict) -> dict:
    return {s.key: s for s in answer(read_run(result))}


def test_interval_bands_draw_no_dots_at_their_corners():
    # plotly draws markers on a trace of under 20 points unless told otherwise: a band over
    # four sizes showed eight dots in plotly's own colours, read as repeats never measured
    drawn = figures(build_full_result())
    bands = {
        (key, i): t
        for key, f in drawn.items()
        for i, t in enumerate(f["data"])
        if t.get("fill") == "toself"
    }
    assert {key for key, _ in bands} >= {"curves", "forecast"}
    assert all(t.get("mode") == "lines" for t in bands.values())


@pytest.mark.parametrize(("lo", "hi"), [(50, 9050.97), (41.3, 300), (20, 120), (50, 1600)])
def test_the_tick_of_an_axis_end_lies_on_the_axis(lo, hi):
    # a forecast drawn to 9,051 got a tick at 9,100, outside the range plotly draws: the
    # right end of the axis went unlabelled
    values, text = log_ticks(lo, hi)
    assert all(lo <= v <= hi for v in values), values
    assert values[-1] >= hi / 1.2  # the end far from 5,000 keeps a label of its own


def test_an_axis_ending_at_9051_is_labelled_9000():
    values, text = log_ticks(50, 9050.97)
    assert (values[-1], text[-1]) == (9000.0, "9,000")


def _forecast_above_the_data(gap: float = 0.004) -> tuple[dict, float]:
    """A flat forecast a little above the measured mean at the largest size (1,600)."""
    points = make_points("logreg")
    last = float(np.mean([p["val_score"] for p in points if p["size"] == 1600]))
    ext = make_extrapolation()
    n = len(ext["grid"]["mean"])
    ext["grid"].update(mean=[last + gap] * n, lo=[last - 0.02] * n, hi=[last + 0.03] * n)
    ext["flags"] = ["flat"]
    return one_model(points=points, extrapolation={"logreg": ext}), last


def test_no_example_target_that_the_forecast_meets_at_the_smallest_size():
    # a flat forecast 0.013 above the measured -43.841 gave "To reach -43.83 (an example
    # target ...) you need about 40 samples" after measuring 300
    result, _ = _forecast_above_the_data()
    said = statements(result)
    assert "target" not in said
    assert not any("you need about 50 samples" in s.text for s in said.values())
    forecast = figures(result)["forecast"]
    assert not any(str(t.get("name", "")).startswith("target") for t in forecast["data"])


def test_a_target_of_the_users_that_the_forecast_meets_already_says_so(tmp_path):
    result, last = _forecast_above_the_data()
    target = round(last + 0.002, 3)
    ext = result["extrapolation"]["logreg"]
    ext["answers"] = {"level": 0.8, "at": [], "targets": [{"target": target, "size": 50}]}
    text = statements(result)["target"].text
    assert "you need about" not in text
    assert text.startswith(f"The target {target:g} is within the forecast at the 1,600 samples")
    assert "80% interval" in text and " ± " in text  # the forecast's and the measured spread
    summary = build_report(stored(tmp_path, result), pngs=False).summary.read_text()
    assert text in summary


def _many_models() -> dict:
    names = ["baseline", "simpler:knn", "ensemble:bagging", "semi:self_training", "semi:spread"]
    return {
        "points": [p for i, n in enumerate(names) for p in make_points(n, seed=i)],
        "curves": [curve_meta(n) for n in names],
        "extrapolation": {n: make_extrapolation() for n in names},
    }


def test_a_narrow_plot_wraps_its_legend_to_more_rows_than_the_desktop():
    figure = figures(_many_models())["forecast"]
    fit = legend_fit(figure)
    assert len(fit["widths"]) == 5 + 2  # the models, the target and the measured-size line
    # the plot's room on a 400 px phone and on a desktop, beside the axes' margins
    assert legend_rows(fit["widths"], 303 - fit["room"]) > legend_rows(fit["widths"], 880)
    assert (
        fit["base"] + fit["row"] * (legend_rows(fit["widths"], 223) - 1)
        > figure["layout"]["height"]
    )


def test_the_page_hands_its_script_each_legend_to_fit(tmp_path):
    page = build_report(stored(tmp_path, _many_models()), pngs=False).html.read_text()
    payload = json.loads(page.split('id="hmd-figures">', 1)[1].split("</script>", 1)[0])
    for item in payload:
        assert item["legend"] == legend_fit(item["figure"])
    assert "fittedHeight" in page and 'addEventListener("resize"' in page
