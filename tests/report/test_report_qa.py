"""Problems a demanding user found in real reports, each pinned down: the numbers and words the
commands printed reach the page and summary.md, every kind of run folder gets an answer, and the
plots are readable."""

from __future__ import annotations

import html
import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hmd_report_data import SIZES, curve_meta, make_extrapolation, make_points, one_model, stored
from rich.console import Console

import howmuchdata as hmd
from howmuchdata.cli import main
from howmuchdata.cli.plan import _print_plan
from howmuchdata.report import build_report, static
from howmuchdata.report.figures import build_figures, log_ticks
from howmuchdata.report.runview import read_run
from howmuchdata.report.summary import answer


def statements(result: dict) -> dict:
    return {s.key: s for s in answer(read_run(result))}


def figures(result: dict) -> dict:
    return {f.key: f.figure for f in build_figures(read_run(result))}


def page_cells(page: str, section: str) -> list[list[str]]:
    """The text of every table row of one ``<section id=...>`` of the page."""
    start = page.index(f'id="{section}"')
    block = page[start : page.index("</section>", start)]
    rows = re.findall(r"<tr>(.*?)</tr>", block, re.S)
    return [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r) for r in rows]


# --- the target the user gave, and the words about it ------------------------------------------


def test_the_target_given_to_extrapolate_is_the_headline_target():
    ext = make_extrapolation()
    ext["answers"] = {"level": 0.8, "at": [], "targets": [{"target": 0.97, "size": 10_000}]}
    text = statements(one_model(extrapolation={"logreg": ext}))["target"].text
    assert text.startswith("To reach 0.97 you need about 10,000 samples")
    assert "example target" not in text


def test_the_example_target_names_the_command_that_sets_a_target():
    # `--target` of curve and diagnose is the target column, not a score
    text = statements(one_model())["target"].text
    assert "set yours with `howmuchdata extrapolate RUN_DIR --target SCORE`" in text


def test_intervals_of_negative_scores_are_written_with_to():
    ext = make_extrapolation(offset=-1.5)  # scores around -0.5, a negated loss
    points = make_points("logreg", offset=-1.5)
    text = statements(one_model(points=points, extrapolation={"logreg": ext}))["at_10x"].text
    assert re.search(r"interval -0\.\d{3} to -0\.\d{3}\)", text), text
    assert "–-" not in text


def test_of_models_with_the_same_score_the_one_with_a_forecast_leads():
    points = make_points("first") + make_points("second")
    result = {
        "points": points,
        "curves": [curve_meta("first"), curve_meta("second")],
        "extrapolation": {"second": make_extrapolation()},
    }
    said = statements(result)
    assert "of second is" in said["now"].text and "at_10x" in said


def test_a_flat_curve_is_called_flat():
    flat = make_extrapolation()
    flat["grid"]["mean"] = [0.9] * len(flat["grid"]["mean"])
    flat["flags"] = ["flat"]
    text = statements(one_model(extrapolation={"logreg": flat}))["diminishing"].text
    assert text.startswith("The curve is flat up to 1,600 samples")
    assert "0.0 points" not in text


# --- folders without a measured curve ----------------------------------------------------------


@pytest.fixture(scope="module")
def table_run(tmp_path_factory) -> tuple[Path, str]:
    """`howmuchdata extrapolate points.csv --at 10000 --target 0.93`: its folder and output."""
    folder = tmp_path_factory.mktemp("table")
    rng = np.random.default_rng(0)
    rows = [
        {"model": m, "size": n, "score": a - 1.2 * n**-0.5 + rng.normal(0, 0.004)}
        for m, a in (("cnn", 0.95), ("small", 0.9))
        for n in (100, 200, 400, 800, 1600)
        for _ in range(3)
    ]
    pd.DataFrame(rows).to_csv(folder / "points.csv", index=False)
    out = io.StringIO()
    from contextlib import redirect_stdout

    with redirect_stdout(out):
        code = main(
            [
                "extrapolate",
                str(folder / "points.csv"),
                "--at",
                "10000",
                "--target",
                "0.93",
                "--out",
                str(folder / "run"),
            ]
        )
    assert code == 0
    return folder / "run", out.getvalue()


def test_extrapolate_on_a_table_of_points_gets_an_answer_and_its_answers(table_run):
    run, printed = table_run
    files = build_report(run)
    page, summary = files.html.read_text(), files.summary.read_text()
    answers = json.loads((run / "result.json").read_text())["extrapolation"]["cnn"]["answers"]
    at, reach = answers["at"][0], answers["targets"][0]
    # the numbers the command printed, in its precision, on the page and in summary.md
    expected = [
        ["score at 10,000", f"{at['score']:.4g}", f"{at['lo']:.4g} – {at['hi']:.4g}"],
        ["samples to reach 0.93", f"{reach['size']:,.0f}", f"{reach['lo']:,.0f} or more"],
    ]
    for cells in expected:
        assert all(c in printed for c in cells[1:])
    rows = page_cells(page, "section-answers")
    assert expected[0] in rows and expected[1] in rows
    assert f"| {' | '.join(expected[1])} |" in summary
    # the headline speaks about the best curve, with the user's target
    assert "No learning curve was measured in this folder: cnn is extrapolated" in summary
    assert "To reach 0.93 you need about 12,000 samples" in summary
    assert "No validation score was measured" not in page
    assert "No point has a validation score" not in page  # no empty learning-curve section
    keys = [f.key for f in build_figures(read_run(json.loads((run / "result.json").read_text())))]
    assert keys == ["forecast"]
    assert [p.name for p in files.pngs] == ["forecast.png"]


def test_a_plan_before_any_data_is_the_answer_and_summary_md_lists_its_rules(tmp_path):
    plan = {
        "kind": "before_data",
        "minimum_sample_size": {"n": 662, "binding": "r2_optimism", "details": []},
        "rules_of_thumb": [{"name": "epv", "n": 1412, "rule": "10 events per parameter"}],
    }
    files = build_report(stored(tmp_path, {"plan": plan}), pngs=False)
    summary = files.summary.read_text()
    assert "- Before any data: at least 662 samples (r2_optimism binds)." in summary
    assert "Rule of thumb (not a measurement) 10 events per parameter: 1,412" in summary
    assert "no answer yet" not in files.html.read_text()


# --- the plan, as `howmuchdata plan` printed it -----------------------------------------------


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    rng = np.random.default_rng(0)
    sizes = np.repeat([50, 100, 200, 400, 800, 1600], 5)
    scores = 0.95 - 1.5 * sizes**-0.5 + rng.normal(0, 0.004, sizes.size)
    p = hmd.plan((sizes, scores), target=0.93, cost_per_label=4.5, value_per_point=2000)
    run = stored(tmp_path_factory.mktemp("plan"), one_model(plan={**p.to_dict(), "model": "m"}))
    return p, build_report(run, pngs=False)


def test_the_plan_says_this_round_s_purchase_as_the_planner_printed_it(planned):
    p, files = planned
    line = next(t for t in p.summary().splitlines() if t.startswith("Next round:"))
    assert f"{line}." in html.unescape(files.html.read_text())
    assert f"{line}." in files.summary.read_text()


def test_the_plan_table_has_the_numbers_of_the_printed_table(planned):
    p, files = planned
    console = Console(width=250, record=True, file=io.StringIO())
    _print_plan(console, p, "m")
    printed = [
        [c.strip() for c in line.strip("│ ").split("│")]
        for line in console.export_text().splitlines()
        if line.startswith("│")
    ]
    rows = page_cells(files.html.read_text(), "section-plan")[1:]
    assert len(rows) == len(printed)
    for mine, theirs in zip(rows, printed, strict=True):
        # size, labels, score and its interval, chance, points per 1,000 labels: digit for digit
        assert mine[:2] == theirs[:2] and mine[3] == theirs[3] and mine[7] == theirs[7]
        assert re.findall(r"-?[\d.]+", mine[2]) == re.findall(r"-?[\d.]+", theirs[2])


def test_the_plan_sentence_quotes_the_cost_to_the_cent(planned, tmp_path):
    p, _ = planned
    plan = p.to_dict()
    plan["next_round"] = {**plan["next_round"], "labels": 1755, "size": 3355, "cost": 7897.5}
    text = statements(one_model(plan=plan))["plan"].text
    assert "buy 1,755 more labels (total 3,355) for 7,897.50" in text


# --- summary.md says what the page says --------------------------------------------------------


def test_summary_md_shows_evidence_as_the_page_does(tmp_path):
    finding = {
        "kind": "drift",
        "severity": "critical",
        "evidence": {
            "recent_only": [{"size": 56, "score": 0.9123}, {"size": 113, "score": 0.9035}],
            "subgroups": {"east": {"n": 109, "accuracy": 0.64}},
            "metric": "accuracy",
            "gap_closes_at_size": 518.3,
        },
        "advice": "train on the newest rows",
    }
    files = build_report(stored(tmp_path, one_model(findings=[finding])), pngs=False)
    shown = "recent only: score by size: 56: 0.9123, 113: 0.9035"
    assert shown in files.summary.read_text()
    page = files.html.read_text()
    assert "<th>recent only</th><td>score by size: 56: 0.9123, 113: 0.9035</td>" in page
    assert "<th>subgroups</th><td>east: {n: 109, accuracy: 0.64}</td>" in page
    assert "<th>gap closes at size</th><td>518</td>" in page  # a size is a count of rows


def test_a_size_where_every_repeat_failed_is_a_row_of_the_measured_table(tmp_path):
    points = make_points("logreg")
    for p in points:
        if p["size"] == SIZES[0]:
            p.update(status="failed", val_score=None, train_score=None, error="ValueError: x")
    page = build_report(stored(tmp_path, one_model(points=points)), pngs=False).html.read_text()
    assert "logreg: 6 sizes, 25 of 30 points ok" in page
    rows = page_cells(page, "section-measured")
    assert ["50", "no score (every repeat failed)", "n/a", "0 of 5", "n/a"] in rows


# --- plots that read right ---------------------------------------------------------------------


def test_log_axes_write_sizes_in_full():
    layout = figures(one_model())["curves"]["layout"]["xaxis"]
    # plotly alone labels 200 and 500 as "2" and "5"; the largest size gets a tick of its own
    assert layout["ticktext"] == ["50", "100", "200", "500", "1,000", "1,600"]
    assert layout["tickvals"] == [50, 100, 200, 500, 1000, 1600]
    assert log_ticks(3_000, 200_000, ends=False)[1] == [
        "5,000",
        "10k",
        "20k",
        "50k",
        "100k",
        "200k",
    ]


def test_an_open_ended_interval_runs_to_the_top_of_the_labels_plot():
    rows = [
        {"strategy": "baseline", "target": 0.9, "labels": 400, "labels_lo": 200,
         "labels_hi": 900, "baseline_labels": 400, "ratio": 1.0},
        {"strategy": "semi", "target": 0.9, "labels": 100, "labels_lo": 70,
         "labels_hi": "inf", "baseline_labels": 400, "ratio": 4.0},
    ]  # fmt: skip
    figure = figures({"labels_saved": rows})["strategies"]
    top = 10 ** figure["layout"]["yaxis"]["range"][1]
    whiskers = figure["data"][0]["error_y"]["array"]
    assert whiskers[0] == pytest.approx(500)
    assert 100 + whiskers[1] == pytest.approx(top, rel=1e-4) and top > 900


def test_the_chance_axis_of_the_plan_has_round_ticks(planned):
    p, _ = planned
    layout = figures(one_model(plan=p.to_dict()))["costvalue"]["layout"]
    assert layout["yaxis2"]["tickvals"] == [0, 0.25, 0.5, 0.75, 1]


def test_the_target_line_is_named_as_the_target_was_given():
    names = [t.get("name") for t in figures(one_model(plan={"target": 0.97}))["forecast"]["data"]]
    assert "target 0.97" in names


def test_a_negated_loss_axis_says_higher_is_better():
    result = one_model()
    result["curves"][0]["scoring"] = "neg_mean_absolute_error"
    title = figures(result)["curves"]["layout"]["yaxis"]["title"]["text"]
    assert title == "negative MAE (higher is better)"


def test_static_legends_sit_below_the_axes(tmp_path, monkeypatch):
    """Five models: the PNGs' legends cover no curve and the strategy names do not touch."""
    kept = {}
    monkeypatch.setattr(static, "_save", lambda fig, path: kept.setdefault(path.name, fig) and path)
    names = ["baseline", "simpler:knn", "ensemble:bagging", "semi:self_training", "semi:spread"]
    result = {
        "points": [p for i, n in enumerate(names) for p in make_points(n, seed=i)],
        "curves": [curve_meta(n) for n in names],
        "extrapolation": {n: make_extrapolation() for n in names},
        "labels_saved": [
            {"strategy": n, "target": 0.95, "labels": 300 + i, "labels_lo": 200,
             "labels_hi": 500, "baseline_labels": 300, "ratio": 1.0}
            for i, n in enumerate(names)
        ],
    }  # fmt: skip
    static.write_pngs(read_run(result), tmp_path, 0.97)
    for name in ("learning_curves.png", "forecast.png", "strategies.png"):
        fig = kept[name]
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        (ax,) = fig.axes
        axes_box = ax.get_tightbbox(renderer)
        (legend,) = fig.legends
        assert legend.get_window_extent(renderer).y1 <= axes_box.y0, name
    # names too long to stand side by side are tilted, and stay inside the figure
    ax = kept["strategies.png"].axes[0]
    renderer = kept["strategies.png"].canvas.get_renderer()
    labels = ax.get_xticklabels()
    boxes = [t.get_window_extent(renderer) for t in labels]
    side_by_side = any(a.overlaps(b) for a, b in zip(boxes, boxes[1:], strict=False))
    assert not side_by_side or all(t.get_rotation() > 0 for t in labels)
    assert min(b.y0 for b in boxes) > 0


def test_no_plan_no_planned_size_in_the_forecast_caption():
    caption = next(f for f in build_figures(read_run(one_model())) if f.key == "forecast").caption
    assert "planned size" not in caption
    assert "target" in caption  # the example target is drawn


def test_answers_of_an_error_in_the_thousands_read_as_the_command_printed_them(tmp_path, capsys):
    """A negated RMSE of prices: the page's answers are the CLI's, written out, not -1.114e+04."""
    rng = np.random.default_rng(2)
    n = np.repeat([64, 128, 256, 512, 1024, 2048], 4)
    score = -(11000 + 60000 * n**-0.5) + rng.normal(0, 150, n.size)
    csv = tmp_path / "rmse.csv"
    pd.DataFrame({"size": n, "score": score}).to_csv(csv, index=False)
    run = tmp_path / "run"
    args = ["extrapolate", str(csv), "--at", "20000", "--target", "-12000", "--out", str(run)]
    assert main([*args, "--no-report"]) == 0
    printed = capsys.readouterr().out
    files = build_report(run, pngs=False)
    rows = page_cells(files.html.read_text(), "section-answers")
    answered = [r for r in rows if r and r[0].startswith(("score at", "samples", "asymptote"))]
    assert len(answered) == 3
    for cells in answered:
        text = [html.unescape(c) for c in cells]
        assert not any("e+0" in c for c in text), text
        assert all(c in printed for c in text[1:]), text  # the command's own words
    assert "samples to reach -12,000" in printed
