"""Words and numbers a QA pass found wrong in real reports, pinned down: a plan before any data
says what it was computed from and only the method it used, sizes beyond reach and small gains
read as such, one repeat claims no spread, skipped image files are counted, and the target line
is drawn in a colour no curve takes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hmd_report_data import curve_meta, make_extrapolation, make_points, one_model, stored

from howmuchdata.cli import main
from howmuchdata.report import build_report, static
from howmuchdata.report.figures import PALETTE, TARGET_COLOR, build_figures, log_ticks
from howmuchdata.report.runview import read_run
from howmuchdata.report.summary import (
    answer,
    evidence_items,
    fmt_share,
    fmt_value,
    markdown_summary,
)


def build_report_text(result: dict) -> str:
    """summary.md of ``result``."""
    return markdown_summary(read_run(result))


def statements(result: dict) -> dict:
    return {s.key: s for s in answer(read_run(result))}


# --- a plan before any data ---------------------------------------------------------------------


def before_data(tmp_path: Path, *args: str, name: str = "bd") -> tuple[str, str]:
    """``howmuchdata plan --before-data`` with ``args``: its summary.md and report.html."""
    run = tmp_path / name
    base = ["plan", "--before-data", "--outcome", "binary", "--parameters", "24"]
    assert main([*base, *args, "--out", str(run)]) == 0
    return (run / "summary.md").read_text(), (run / "report.html").read_text()


@pytest.fixture(scope="module")
def r2_plan(tmp_path_factory) -> tuple[str, str]:
    return before_data(tmp_path_factory.mktemp("plan"), "--prevalence", "0.17", "--r2-cs", "0.29")


def test_a_plan_from_an_r2_does_not_cite_the_c_statistic_method(r2_plan, tmp_path):
    summary, page = r2_plan
    assert "Riley et al. (Stat Med 2019; BMJ 2020)" in summary
    assert "C statistic" not in summary and "C statistic" not in page
    summary, _ = before_data(tmp_path, "--prevalence", "0.17", "--c-statistic", "0.8")
    assert "C statistic via the large-sample limit of Riley et al. (Stat Med 2021)" in summary
    assert "C statistic 0.8; Cox-Snell R² 0.1645 (derived from the C statistic;" in summary


def test_a_plan_before_data_shows_its_inputs(r2_plan):
    summary, page = r2_plan
    inputs = (
        "Inputs: binary outcome; 24 candidate predictor parameters; outcome prevalence 0.17; "
        "Cox-Snell R² 0.29 (largest possible: 0.5982); target shrinkage 0.9."
    )
    assert inputs in summary
    assert f'<p class="hmd-plan-inputs">{inputs}</p>' in page


def test_a_plan_before_data_has_no_note_about_missing_points(r2_plan):
    summary, page = r2_plan
    assert "## Notes" not in summary and "`points`" not in summary
    assert "Why some parts are missing" not in page
    # a folder with neither a curve nor a plan still says why there is nothing
    assert "has no `points`" in build_report_text({})


def criterion_line(summary: str, name: str) -> str:
    return next(line for line in summary.splitlines() if line.startswith(f"- {name}:"))


def test_the_overall_risk_margin_is_caveated_on_a_rare_outcome(r2_plan, tmp_path):
    assert "caveat" not in criterion_line(r2_plan[0], "overall_risk")  # ±0.05 around 0.17
    summary, page = before_data(tmp_path, "--prevalence", "0.001", "--r2-cs", "0.005")
    line = criterion_line(summary, "overall_risk")
    assert line.startswith("- overall_risk: 2 — overall risk estimated within +/-0.05")
    assert "caveat: ±0.05 is more than half of the risk, 0.001" in line
    assert "within ±5,000% of itself" in line
    assert "caveat: ±0.05 is more than half of the risk" in page
    for other in ("shrinkage", "r2_optimism"):
        assert "caveat" not in criterion_line(summary, other)


def test_a_common_outcome_is_caveated_by_its_rarer_side():
    minimum = {
        "n": 10,
        "binding": "overall_risk",
        "inputs": {"parameters": 2, "prevalence": 0.99},
        "details": [
            {"name": "overall_risk", "n": 16, "description": "d", "detail": {"margin": 0.05}}
        ],
    }
    text = build_report_text({"plan": {"kind": "before_data", "minimum_sample_size": minimum}})
    assert "more than half of the rarer outcome's risk, 0.01" in text


# --- sizes, spreads, gains and records in words -------------------------------------------------


def test_a_size_far_beyond_the_data_reads_as_beyond_reach():
    evidence = {"size": 1680, "gap_closes_at_size": 2.705506342103517e21}
    shown = dict(evidence_items({"evidence": {**evidence, "diminishing_returns_size": 25723.6}}))
    assert shown["gap closes at size"] == (
        "beyond reach (more than 1,000x the 1,680 rows measured)"
    )
    assert shown["diminishing returns size"] == "25,724"  # within reach: the count
    assert shown["size"] == "1,680"
    alone = dict(evidence_items({"evidence": {"gap_closes_at_size": 3e12}}))
    assert alone["gap closes at size"] == "beyond reach (more than 1,000,000,000 rows)"


def test_the_summary_of_a_run_says_beyond_reach_not_22_digits(tmp_path):
    finding = {
        "kind": "overfitting",
        "severity": "critical",
        "evidence": {"model": "logreg", "size": 1600, "gap_closes_at_size": 2.7e21},
        "advice": "regularise the model",
    }
    files = build_report(stored(tmp_path, one_model(findings=[finding])), pngs=False)
    assert "gap closes at size: beyond reach (more than 1,000x" in files.summary.read_text()
    cell = "<th>gap closes at size</th><td>beyond reach (more than 1,000x the 1,600 rows"
    assert cell in files.html.read_text()


def one_repeat() -> dict:
    return one_model(points=[p for p in make_points("logreg") if p["repeat"] == 0])


def hover_texts(result: dict) -> list[str]:
    """The curves plot's hover text per point, with its customdata filled in as plotly does."""
    figure = next(f for f in build_figures(read_run(result)) if f.key == "curves").figure
    texts = []
    for trace in figure["data"]:
        template, data = trace.get("hovertemplate"), trace.get("customdata")
        if not template or data is None:
            continue
        for row in data:
            cells = row if isinstance(row, list | tuple) else [row]
            text = re.sub(
                r"%\{customdata\[(\d)\]\}", lambda m, cells=cells: str(cells[int(m[1])]), template
            )
            texts.append(text.replace("%{customdata}", str(cells[0])))
    return texts


def test_the_hover_of_one_repeat_says_so_instead_of_a_zero_spread():
    single = [t for t in hover_texts(one_repeat()) if "mean" in t]
    assert single and all("(one repeat)" in t and "±" not in t for t in single)
    repeated = [t for t in hover_texts(one_model()) if "mean" in t]
    assert repeated and all(re.search(r"± 0\.\d{4}", t) for t in repeated)


def test_one_repeat_claims_no_spread(tmp_path):
    text = statements(one_repeat())["now"].text
    assert text.endswith("of logreg is 0.940 (1 repeat: no spread measured).")
    assert "±" not in text
    files = build_report(stored(tmp_path, one_repeat()), pngs=False)
    assert "| logreg | 1,600 | 0.940 | 0.990 | 1 of 1 |" in files.summary.read_text()
    page = files.html.read_text()
    measured = page[page.index('id="section-measured"') :]
    assert '<td class="num">1,600</td><td class="num">0.940</td>' in measured
    assert "± 0.000" not in page
    several = statements(one_model())["now"].text
    assert re.search(r"is 0\.\d{3} ± 0\.\d{3} \(standard deviation over 5 repeats\)\.$", several)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (2.345, "2.3 points"),
        (-0.4, "-0.4 points"),
        (0.042, "0.042 points"),
        (0.0042, "0.0042 points"),
        (0.0004, "under 0.001 points"),
        (0.0, "nothing"),
        (float("nan"), "n/a"),
    ],
)
def test_a_small_gain_keeps_its_digits(value, shown):
    assert fmt_share(value, " points") == shown


def test_a_flat_forecast_adds_nothing_per_doubling_not_0_0():
    ext = make_extrapolation()
    level = ext["grid"]["mean"][0]
    ext["grid"] = {k: [level] * len(v) if k != "sizes" else v for k, v in ext["grid"].items()}
    text = statements(one_model(extrapolation={"logreg": ext}))["diminishing"].text
    assert "returns are already diminishing: a doubling adds nothing (less than 0.5 points)" in text


def test_lists_of_records_read_as_pairs_or_rows():
    recent = [{"size": 438, "score": -0.4374}, {"size": 1752, "score": -0.5589}]
    assert fmt_value(recent) == "score by size: 438: -0.4374, 1752: -0.5589"
    shifted = [
        {"feature": "Temperature", "ks_statistic": 0.2219, "p_value": 0.001},
        {"feature": "WorkDay", "ks_statistic": 0.02192, "p_value": 0.4},
    ]
    assert fmt_value(shifted) == (
        "Temperature (ks statistic 0.2219, p value 0.001); WorkDay (ks statistic 0.02192, "
        "p value 0.4)"
    )
    many = [{"size": n, "score": 0.5} for n in range(10)]
    assert fmt_value(many).endswith("7: 0.5, … (2 more)")
    # records of different keys are no table: shown as they are
    assert fmt_value([{"a": 1}, {"b": 2}]) == "[{a: 1}, {b: 2}]"


def test_numbers_inside_a_list_have_no_thousands_separators():
    # "[560, 1,120]" would read as three numbers
    assert fmt_value([560, 1120, 1584.0]) == "[560, 1120, 1584]"
    assert fmt_value([[0, 1795], [1, 861]]) == "[[0, 1795], [1, 861]]"
    assert fmt_value({"n": 1234}) == "n: 1234"
    assert fmt_value(1234) == "1,234"  # a number alone keeps them


# --- image files that were skipped --------------------------------------------------------------


def image_run(skipped: list[dict], source: str = "digits_img", n: int | None = None) -> dict:
    images = {
        "source": source,
        "n_images": 2000,
        "n_skipped": len(skipped) if n is None else n,
        "skipped": skipped,
    }
    return one_model(data={"source": source, "target": "label", "images": images})


SKIPPED = [
    {"path": "digits_img/seven/notes.txt", "reason": "not an image Pillow can read"},
    {"path": "digits_img/three/broken.png", "reason": "corrupt image (OSError: Truncated)"},
]


def test_skipped_image_files_are_counted_and_named(tmp_path):
    files = build_report(stored(tmp_path, image_run(SKIPPED)), pngs=False)
    note = (
        "2 files of digits_img were skipped and were not among the 2,000 rows: "
        "digits_img/seven/notes.txt: not an image Pillow can read; "
        "digits_img/three/broken.png: corrupt image (OSError: Truncated)."
    )
    assert f"- {note}" in files.summary.read_text()
    page = files.html.read_text()
    assert note in page
    meta = re.search(r'<p class="hmd-meta">(.*?)</p>', page).group(1)
    assert "2,000 rows · 2 classes · 2 files skipped (see the notes)" in meta


def test_many_skipped_files_name_ten_and_say_where_the_rest_are():
    skipped = [{"path": f"img/a/{i}.png", "reason": "file not found"} for i in range(14)]
    text = build_report_text(image_run(skipped, n=14))
    assert "img/a/9.png: file not found; and 4 more (result.json lists them all" in text
    assert "img/a/10.png" not in text


def test_a_csv_of_paths_skips_entries_and_a_clean_folder_says_nothing():
    row = [{"path": "line 63 of imgs.csv", "reason": "missing path in the CSV"}]
    text = build_report_text(image_run(row, source="imgs.csv"))
    assert "1 entry of imgs.csv was skipped and was not among the 2,000 rows" in text
    assert "skipped" not in build_report_text(image_run([]))


# --- the target line ----------------------------------------------------------------------------


def test_the_target_line_takes_a_colour_and_dash_no_curve_uses(tmp_path, monkeypatch):
    names = [f"m{i}" for i in range(len(PALETTE))]  # every colour of the palette in use
    result = {
        "points": [p for i, n in enumerate(names) for p in make_points(n, seed=i)],
        "curves": [curve_meta(n) for n in names],
        "extrapolation": {n: make_extrapolation() for n in names},
    }
    view = read_run(result)
    forecast = next(f for f in build_figures(view) if f.key == "forecast").figure
    traces = [t for t in forecast["data"] if t.get("line")]
    (target,) = [t for t in traces if str(t.get("name", "")).startswith("target")]
    assert TARGET_COLOR not in PALETTE
    assert target["line"]["color"] == TARGET_COLOR
    others = [t["line"] for t in traces if t is not target]
    assert all(line.get("color") != TARGET_COLOR for line in others)
    assert all(line.get("dash") != target["line"]["dash"] for line in others)

    kept = {}
    monkeypatch.setattr(static, "_save", lambda fig, path: kept.setdefault(path.name, fig) and path)
    static.write_pngs(view, tmp_path, 0.9)
    ax = kept["forecast.png"].axes[0]
    (line,) = [h for h in ax.get_lines() if list(h.get_ydata()) == [0.9, 0.9]]
    assert line.get_color() == TARGET_COLOR and line.get_linestyle() == "-."


def test_the_png_size_axis_uses_the_page_labels(tmp_path, monkeypatch):
    kept = {}
    monkeypatch.setattr(static, "_save", lambda fig, path: kept.setdefault(path.name, fig) and path)
    static.write_pngs(read_run(one_model()), tmp_path, None)
    ax = kept["forecast.png"].axes[0]
    kept["forecast.png"].canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels()]
    positions = list(ax.get_xticks())
    assert labels == log_ticks(min(positions), max(positions))[1]
    assert "10k" in labels and "10,000" not in labels  # short enough to stand side by side
