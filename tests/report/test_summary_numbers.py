"""One number per question on a page: the rows the headline counts, the diminishing-returns size
(the same as the data_limited finding's), the labels-saved table (as the terminal prints it)."""

from __future__ import annotations

import io
import math
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hmd_report_data import curve_meta, make_extrapolation, make_points
from rich.console import Console
from sklearn.linear_model import Ridge

import howmuchdata as hmd
from howmuchdata.cli.compare import _print as print_compare
from howmuchdata.diagnose._numbers import count, round_up
from howmuchdata.extrapolate import extrapolate
from howmuchdata.report import build_report
from howmuchdata.report.runview import read_run
from howmuchdata.report.summary import answer, markdown_summary
from howmuchdata.result import update_result


def statements(result: dict) -> dict:
    return {s.key: s for s in answer(read_run(result))}


# --- what the rows not trained on did --------------------------------------------------------


def test_the_headline_counts_validation_and_unused_rows_from_the_points():
    # 2,000 rows, 1,600 trained on, 200 validate (the points' class counts): 200 are unused
    result = {"points": make_points("logreg"), "curves": [curve_meta("logreg")]}
    text = statements(result)["now"].text
    assert "(of 2,000 rows: 1,600 train, 200 validate, 200 unused: " in text
    assert "the rest validate" not in text and "validate or are unused" not in text


def _ridge_points(sizes=(25, 50, 100, 200), repeats=2):
    return [
        {"model": "ridge", "size": n, "repeat": r, "val_score": 0.5 + 0.1 * i, "status": "ok"}
        for i, n in enumerate(sizes)
        for r in range(repeats)
    ]


def test_the_headline_counts_validation_rows_from_the_split_without_class_counts():
    # a regression run as in the QA report: 450 rows, val_fraction 0.2 -> 90, sizes up to 200
    meta = {
        "model": "ridge",
        "scoring": "r2",
        "n_samples": 450,
        "settings": {"split": "random", "val_fraction": 0.2},
    }
    text = statements({"points": _ridge_points(), "curves": [meta]})["now"].text
    assert (
        "(of 450 rows: 200 train, 90 validate, 160 unused: the largest size measured is 200 "
        "of the 360 rows left for training)"
    ) in text


def test_the_headline_says_none_are_unused_only_when_it_is_true():
    points = [p for p in make_points("logreg") if p["size"] <= 400]
    meta = {**curve_meta("logreg"), "n_samples": 600}  # 400 train + 200 validate
    assert (
        "(of 600 rows: 400 train, 200 validate, none unused)"
        in statements({"points": points, "curves": [meta]})["now"].text
    )
    unknown = {**meta, "n_samples": 700, "settings": {"split": "groups", "val_fraction": 0.2}}
    for p in points:
        p["val_counts"] = None  # regression-like: no class counts, and a grouped split
    text = statements({"points": points, "curves": [unknown]})["now"].text
    assert "none unused" not in text
    assert (
        "(of 700 rows: 400 train; the other 300 validate or are unused: this run did not "
        "record its validation rows)"
    ) in text


def test_a_compare_regression_curve_counts_its_rows_from_the_stored_splits():
    # compare's splitter is "cv:ComparisonSplits(random, ...)": its share alone said
    # "the other 187 validate or are unused"; the split rows compare stores say which
    meta = {
        "model": "baseline",
        "scoring": "r2",
        "n_samples": 932,
        "settings": {"split": "cv:ComparisonSplits(random, 2 repeats, 44fb24b33a99)",
                     "val_fraction": 0.2},
        "split_rows": {"validate": [187, 187], "train": [745, 745]},
    }  # fmt: skip
    full = _ridge_points((50, 100, 200, 400, 745))
    for p in full:
        p["model"] = "baseline"
    text = statements({"points": full, "curves": [meta]})["now"].text
    assert "(of 932 rows: 745 train, 187 validate, none unused)" in text
    short = [p for p in full if p["size"] <= 400]
    text = statements({"points": short, "curves": [meta]})["now"].text
    assert (
        "(of 932 rows: 400 train, 187 validate, 345 unused: the largest size measured is 400 "
        "of the 745 rows left for training)"
    ) in text
    # a compare result written before the split rows were stored: its kind names the share
    old = {**meta, "split_rows": None}
    text = statements({"points": full, "curves": [old]})["now"].text
    assert "(of 932 rows: 745 train, 187 validate, none unused)" in text


def test_a_grouped_split_says_its_validation_rows_vary_by_repeat_and_why_rows_are_unused():
    meta = {
        "model": "ridge",
        "scoring": "r2",
        "n_samples": 444,
        "settings": {"split": "cv:ComparisonSplits(groups, 2 repeats, 0123456789ab)",
                     "val_fraction": 0.2},
        "split_rows": {"validate": [88, 92], "train": [356, 352]},
    }  # fmt: skip
    points = _ridge_points((50, 100, 200, 352))
    text = statements({"points": points, "curves": [meta]})["now"].text
    assert (
        "(of 444 rows: 352 train, 88 to 92 validate by repeat, up to 4 unused: every repeat is "
        "measured at the same sizes, up to the smallest repeat's 352 training rows)"
    ) in text


def test_a_time_split_without_class_counts_says_its_counts_are_approximate():
    meta = {
        "model": "ridge",
        "scoring": "r2",
        "n_samples": 4000,
        "settings": {"split": "time", "val_fraction": 0.2},
    }
    points = _ridge_points((100, 400, 1600, 3037))
    text = statements({"points": points, "curves": [meta]})["now"].text
    assert "(of 4,000 rows: 3,037 train, about 800 validate, about 163 unused: each repeat " in text
    assert "validate or are unused" not in text
    # with the validation rows counted (a classification target), no "about"
    for p in points:
        p["val_counts"] = {"a": 400 + p["repeat"] * 3, "b": 410}
    text = statements({"points": points, "curves": [meta]})["now"].text
    assert "3,037 train, 810 to 813 validate by repeat, up to 153 unused: " in text
    assert "about" not in text.split("unused")[0]


# --- one diminishing-returns size --------------------------------------------------------------


@pytest.fixture(scope="module")
def measured():
    """A rising curve, its real extrapolation and the data_limited finding read from both."""
    rng = np.random.default_rng(3)
    rows = [
        {"model": "m", "size": n, "repeat": r, "status": "ok", "train_score": 1.0,
         "val_score": float(0.97 - 2.0 * n**-0.5 + rng.normal(0, 0.003))}
        for n in (25, 50, 100, 200, 400) for r in range(3)
    ]  # fmt: skip
    frame = pd.DataFrame(rows)
    ext = extrapolate(frame["size"].to_numpy(), frame["val_score"].to_numpy())
    (finding,) = hmd.diagnose(frame, extrapolation=ext, checks=["data_limited"])
    assert finding.kind == "data_limited"
    result = {
        "schema_version": 1,
        "points": rows,
        "curves": [{"model": "m", "scoring": "accuracy", "greater_is_better": True}],
        "extrapolation": {"m": ext.to_dict()},
    }
    evidence = {"model": "m", **finding.evidence}
    return result, {**finding.to_dict(), "evidence": evidence}


def test_the_headline_computes_the_finding_s_size_from_the_stored_forecast(measured):
    result, finding = measured
    knee = finding["evidence"]["diminishing_returns_size"]
    assert 400 < knee < math.inf
    statement = statements(result)["diminishing"]  # no finding stored: computed
    assert statement.numbers["size"] == pytest.approx(knee, rel=1e-9)
    shown = f"~{count(round_up(knee))}"
    assert shown in finding["advice"] and f"Above {shown} samples" in statement.text


def test_summary_and_finding_quote_the_same_size(measured):
    result, finding = measured
    # the finding's own numbers win: a stricter --min-gain moved its size
    custom = {**finding, "evidence": {**finding["evidence"], "diminishing_returns_size": 5000.0,
                                      "min_gain": 0.01}}  # fmt: skip
    summary = markdown_summary(read_run({**result, "findings": [custom]}))
    assert "Above ~5,000 samples each doubling adds < 1.0 points." in summary
    # a finding about another curve is not this curve's number
    other = {**custom, "evidence": {**custom["evidence"], "model": "other"}}
    summary = markdown_summary(read_run({**result, "findings": [other]}))
    assert "~5,000 samples" not in summary.split("## Findings")[0]
    assert "doubling adds < 0.5 points" in summary


def test_returns_already_diminishing_and_never_diminishing_are_said():
    flat = make_extrapolation()
    flat["grid"]["mean"] = [0.9] * len(flat["grid"]["mean"])
    result = {"points": make_points("logreg"), "curves": [curve_meta("logreg")],
              "extrapolation": {"logreg": flat}}  # fmt: skip
    assert "returns are already diminishing" in statements(result)["diminishing"].text
    steep = make_extrapolation()
    steep["grid"]["mean"] = list(np.linspace(0.0, 0.99, len(steep["grid"]["mean"])))
    result["extrapolation"] = {"logreg": steep}
    text = statements(result)["diminishing"].text
    # the stored grid ends at 160,000: its doublings are known up to 80,000
    assert text.startswith("Up to 80,000 samples each doubling still adds more than 0.5 points")


# --- the labels-saved table, as the terminal prints it -----------------------------------------

ROWS = [
    {"strategy": "baseline", "target": 0.972, "labels": 75.2, "labels_lo": 22.0,
     "labels_hi": "inf", "baseline_labels": 75.2, "baseline_lo": 22.0, "baseline_hi": "inf",
     "ratio": 1.0},
    {"strategy": "simpler:hgb", "target": 0.972, "labels": 1906.6, "labels_lo": 73.4,
     "labels_hi": 2400.0, "baseline_labels": 75.2, "baseline_lo": 22.0, "baseline_hi": "inf",
     "ratio": 0.03926},
    {"strategy": "ensemble:bagging", "target": 0.972, "labels": 43.0, "labels_lo": 20.0,
     "labels_hi": 90.0, "baseline_labels": 75.2, "baseline_lo": 22.0, "baseline_hi": "inf",
     "ratio": 1.749},
    {"strategy": "augment:noise", "target": 0.972, "labels": "inf", "labels_lo": 115.0,
     "labels_hi": "inf", "baseline_labels": 75.2, "baseline_lo": 22.0, "baseline_hi": "inf",
     "ratio": 0.0},
]  # fmt: skip
CROSSOVER = {"size": 77.6, "below": "baseline", "above": "ensemble:bagging", "score": 0.97,
             "extrapolated": False}  # fmt: skip
EXPECTED = [
    ["0.972", "ensemble:bagging", "43", "20-90", "75", "1.7x fewer"],
    ["0.972", "baseline", "75", "22 or more", "75", "-"],
    ["0.972", "simpler:hgb", "1,907", "73-2,400", "75", "25x more"],
    [
        "0.972",
        "augment:noise",
        "out of reach",
        "115 or more",
        "75",
        "baseline reaches it, this does not",
    ],
]


def _cells(line: str, sep: str) -> list[str]:
    return [c.strip() for c in line.strip().strip(sep).split(sep)]


def test_terminal_page_and_summary_write_the_labels_table_alike(tmp_path):
    comparison = {"baseline": "baseline", "targets": [0.972], "crossovers": [CROSSOVER],
                  "settings": {"level": 0.8, "scoring": "accuracy"}}  # fmt: skip
    run = tmp_path / "run"
    update_result(run, "compare", labels_saved=ROWS, comparison=comparison)
    files = build_report(run, pngs=False)

    summary = files.summary.read_text()
    table = [line for line in summary.splitlines() if line.startswith("| 0.972")]
    assert [_cells(line, "|") for line in table] == EXPECTED
    assert "| target | strategy | labels | 80% interval | baseline | vs baseline |" in summary

    page = files.html.read_text()
    section = page[page.index('id="section-labels-saved"') : page.index("</table>")]
    rows = re.findall(r"<tr>(.*?)</tr>", section)
    heads = re.findall(r"<th[^>]*>(.*?)</th>", rows[0])
    assert heads == ["target", "strategy", "labels", "80% interval", "baseline", "vs baseline"]
    assert [re.findall(r"<td[^>]*>(.*?)</td>", r) for r in rows[1:]] == EXPECTED

    console = Console(width=200, record=True, file=io.StringIO())
    frame = pd.DataFrame(ROWS).replace("inf", math.inf)
    print_compare(
        console,
        SimpleNamespace(
            labels_saved=frame, targets=[0.972], baseline="baseline", crossovers=[CROSSOVER],
            failures={}, settings={"scoring": "accuracy"},
        ),
    )  # fmt: skip
    printed = console.export_text()
    terminal = [_cells(line, "│") for line in printed.splitlines() if "0.972 │" in line]
    assert terminal == EXPECTED

    sentence = "baseline is best below ~78 labels, ensemble:bagging above"
    for text in (summary, page, printed):
        assert sentence in text
        assert not re.search(r"0\.0\d+x|unbounded|1,900\b|fewer labels", text)


# --- a measured point the forecast does not follow ---------------------------------------------

# Pima (MASS Pima.tr) through `compare`, 2 repeats: the last size jumps to 0.8125, and the
# extrapolation reads it as noise (0.772 there), so "now 0.812" and "10x: 0.806" disagree
PIMA = [(16, 0.65, 0.75), (16, 0.775, 1.0), (23, 0.7, 0.6957), (23, 0.725, 0.8696),
        (32, 0.75, 0.7188), (32, 0.7, 0.8438), (45, 0.75, 0.7333), (45, 0.725, 0.8889),
        (64, 0.8, 0.75), (64, 0.7, 0.875), (91, 0.8, 0.7363), (91, 0.75, 0.7912),
        (128, 0.775, 0.7656), (128, 0.75, 0.7656), (160, 0.825, 0.7875), (160, 0.8, 0.775)]  # fmt: skip


def _pima_result(last_scores=(0.825, 0.8)):
    rows = [
        {"model": "baseline", "size": n, "repeat": i % 2, "status": "ok",
         "val_score": v, "train_score": t}
        for i, (n, v, t) in enumerate(PIMA)
    ]  # fmt: skip
    rows[-2]["val_score"], rows[-1]["val_score"] = last_scores
    frame = pd.DataFrame(rows)
    ext = extrapolate(
        frame["size"].to_numpy(float),
        frame["val_score"].to_numpy(float),
        train_scores=frame["train_score"].to_numpy(float),
        bounds=(0.0, 1.0),
    )
    meta = {"model": "baseline", "scoring": "accuracy", "greater_is_better": True}
    return {"points": rows, "curves": [meta], "extrapolation": {"baseline": ext.to_dict()}}


def test_a_last_point_outside_the_forecast_band_is_said_in_the_notes():
    from howmuchdata.report.summary import notes

    view = read_run(_pima_result())
    (note,) = [n for n in notes(view) if "lies above the extrapolation's 80% interval" in n]
    assert note.startswith("The measured accuracy of baseline at 160 samples (0.812) lies above")
    assert "measure more repeats" in note
    assert note in markdown_summary(view)
    # the negative case: a last point inside the band adds no note
    calm = read_run(_pima_result((0.775, 0.775)))
    assert not any("extrapolation's 80% interval there" in n for n in notes(calm))


def test_a_grouped_regression_curve_says_where_its_rows_went():
    # no class counts and no fixed validation share: only the recorded split rows tell
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = X @ [1.0, 0.5, 0.0] + rng.normal(0, 0.3, 300)
    groups = np.arange(300) // 3  # 100 groups of 3 rows
    curve = hmd.learning_curve(
        Ridge(), X, y, groups=groups, sizes=[30, 60, 120], repeats=2, progress=False
    )
    validate = curve.settings["split_rows"]["validate"]
    train = curve.settings["split_rows"]["train"]
    assert [v + t for v, t in zip(validate, train, strict=True)] == [300, 300]
    result = {"points": curve.to_dict()["points"], "curves": [curve.metadata()]}
    text = statements(result)["now"].text
    assert "this run did not record its validation rows" not in text
    assert "(of 300 rows: 120 train" in text and "validate" in text
