"""report.html: self-contained, escaped, every section optional, small enough."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from hmd_report_data import BREAKOUT, PAYLOAD, SIZES, curve_meta, hostile_result, make_points
from matplotlib.image import imread
from plotly.offline import get_plotlyjs

from howmuchdata.report import build_report, summary_html, write_report
from howmuchdata.report.jupyter import ReportReprMixin
from howmuchdata.report.runview import read_run
from howmuchdata.report.static import write_pngs
from howmuchdata.result import update_result


def stored(tmp_path: Path, result: dict) -> Path:
    out = tmp_path / "run"
    update_result(out, "test", **{k: v for k, v in result.items() if k != "schema_version"})
    return out


def page_of(run: Path) -> str:
    """report.html of a run (without the PNGs, which other tests cover)."""
    return build_report(run, pngs=False).html.read_text()


def figures_payload(page: str) -> list[dict]:
    match = re.search(
        r'<script type="application/json" id="hmd-figures">(.*?)</script>', page, re.S
    )
    assert match is not None
    return json.loads(match.group(1))


def test_page_is_self_contained_with_plotly_inlined_once(run_dir):
    page = page_of(run_dir)
    assert page.count(get_plotlyjs()[:300]) == 1
    # nothing is loaded from anywhere: no src/href attributes, no link, no import, a strict CSP
    assert re.search(r"<(script|img|iframe|link)[^>]*\s(src|href)=", page) is None
    assert "default-src 'none'" in page
    keys = [f["key"] for f in figures_payload(page)]
    assert keys == ["curves", "forecast", "classes", "strategies", "costvalue"]
    for key in keys:
        assert f'id="plot-{key}"' in page


def test_answer_and_findings_come_first_most_important_first(run_dir):
    page = page_of(run_dir)
    answer = page.index("The answer")
    critical = page.index("review the 120 rows")
    warning = page.index("label ~800 more examples")
    info = page.index("nothing to do")
    first_plot = page.index('id="plot-curves"')
    assert answer < critical < warning < info < first_plot


def test_hostile_names_are_text_everywhere(tmp_path):
    page = page_of(stored(tmp_path, hostile_result()))
    # outside the inlined plotly.js, the payloads never appear raw: neither in HTML nor in JSON
    ours = page.replace(get_plotlyjs(), "")
    assert PAYLOAD not in ours and BREAKOUT not in ours
    assert "alert(1)" in ours  # ... but the text is there, escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in ours
    assert ours.count("</script>") == ours.count("<script")  # no element was closed early
    # inside the figure JSON the names are escaped for plotly's HTML-like labels
    names = [t.get("name", "") for f in figures_payload(page) for t in f["figure"]["data"]]
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in n for n in names)
    assert any("&lt;/script&gt;&lt;img" in n for n in names)


def test_run_with_only_failed_points_still_renders_and_says_why(tmp_path):
    points = make_points("logreg")
    for p in points:
        p.update(
            status="failed", val_score=None, train_score=None, error="ValueError: bad input <x>"
        )
    page = page_of(stored(tmp_path, {"points": points, "curves": [curve_meta("logreg")]}))
    assert "Every point of logreg failed" in page
    assert "No validation score was measured" in page
    assert "ValueError: bad input &lt;x&gt;" in page
    assert 'id="hmd-figures"' not in page  # no plots, and plotly.js is not shipped for nothing


def test_run_without_extrapolation_shows_the_curve_and_the_reason(tmp_path):
    points = [p for p in make_points("logreg") if p["size"] in SIZES[:2]]
    page = page_of(stored(tmp_path, {"points": points, "curves": [curve_meta("logreg")]}))
    assert [f["key"] for f in figures_payload(page)] == ["curves", "classes"]
    assert "only 2 training sizes with a validation score (at least 3 are needed)" in page


def test_empty_result_renders(tmp_path):
    page = page_of(stored(tmp_path, {}))
    assert "no measured learning curve" in page


def test_demo_sized_report_stays_under_5_mb(tmp_path):
    classes = tuple(str(i) for i in range(10))
    result = hostile_result()
    result["points"] = make_points("logreg", classes=classes) + make_points(
        "rf", classes=classes, seed=3
    )
    result["curves"] = [curve_meta("logreg", classes), curve_meta("rf", classes)]
    result["extrapolation"] = {
        "logreg": result["extrapolation"][PAYLOAD],
        "rf": result["extrapolation"][PAYLOAD],
    }
    size = build_report(stored(tmp_path, result), pngs=False).html.stat().st_size
    assert size < 5_000_000


@pytest.mark.slow
def test_write_report_writes_page_pngs_and_markdown_summary(run_dir):
    assert write_report(run_dir) == run_dir / "report.html"
    pngs = sorted((run_dir / "figures").glob("*.png"))
    assert {p.name for p in pngs} == {
        "learning_curves.png",
        "forecast.png",
        "per_class.png",
        "strategies.png",
    }
    for path in pngs:
        pixels = imread(path)
        assert pixels.shape[0] > 300 and pixels.shape[1] > 500
        assert np.std(pixels[..., :3]) > 0.05  # something is drawn, not a blank canvas
    summary = (run_dir / "summary.md").read_text()
    assert summary.startswith("# howmuchdata summary")
    assert "To reach 0.97 you need about 10,000 samples" in summary


def test_rebuild_removes_figures_the_data_no_longer_supports(tmp_path, full_result):
    with_table = read_run({"labels_saved": full_result["labels_saved"]})
    assert write_pngs(with_table, tmp_path, None) == [tmp_path / "strategies.png"]
    assert write_pngs(read_run({}), tmp_path, None) == []
    assert not (tmp_path / "strategies.png").exists()


def test_repr_html_shows_the_answer_without_scripts(full_result):
    class Result(ReportReprMixin):
        def _result_sections(self):
            return {
                "points": full_result["points"],
                "curves": full_result["curves"],
                "findings": [
                    {"kind": "leakage", "severity": "critical", "evidence": {}, "advice": PAYLOAD}
                ],
            }

    fragment = Result()._repr_html_()
    assert "validation accuracy of logreg is" in fragment
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in fragment
    assert "<script" not in fragment
    assert summary_html({}).count("No validation score was measured") == 1


def test_partial_and_unusual_sections_render(tmp_path):
    """Only the columns the contract requires, an extrapolation that failed, odd evidence."""
    points = [
        {"model": "m", "size": s, "repeat": r, "val_score": 0.5 + 0.1 * i, "status": "ok"}
        for i, s in enumerate((10, 20, 40))
        for r in range(2)
    ]
    result = {
        "points": points,
        "extrapolation": {"m": {"error": "the curve is flat; nothing to extrapolate"}},
        "findings": [
            {"kind": "new_kind", "severity": "bogus", "evidence": [1, 2], "advice": "look"}
        ],
        "labels_saved": [
            {
                "strategy": "s",
                "target": 0.9,
                "labels": "inf",
                "labels_lo": "inf",
                "labels_hi": "inf",
                "baseline_labels": 100,
                "ratio": None,
            }
        ],
        "plan": {
            "kind": "before_data",
            "minimum_sample_size": {
                "n": 662,
                "binding": "shrinkage",
                "details": [
                    {"name": "shrinkage", "n": 662, "description": "expected shrinkage 0.9"}
                ],
            },
        },
    }
    page = page_of(stored(tmp_path, result))
    assert "no extrapolation for m: the curve is flat; nothing to extrapolate" in page
    assert "With 40 labeled training samples" in page
    assert "New kind" in page and "look" in page
    assert "at least 662 samples" in page and "shrinkage: 662" in page
    assert "never reach the target" not in page  # no bar is drawn, so no strategies figure
    assert [f["key"] for f in figures_payload(page)] == ["curves"]


def test_strategy_lab_sections_render(tmp_path, full_result):
    full_result["comparison"] = {
        "baseline": "baseline",
        "crossovers": [
            {"size": 412.0, "below": "logreg", "above": "hgb", "score": 0.9, "extrapolated": False}
        ],
        "strategies": [
            {"name": "transfer", "description": "frozen embeddings + a light head", "status": "ok"}
        ],
        "failures": {"active": "scikit-activeml is not installed"},
    }
    page = page_of(stored(tmp_path, full_result))
    assert "logreg is best below ~412 labels, hgb above." in page  # as the terminal says
    assert "frozen embeddings + a light head" in page
    assert "Strategy active failed and is left out: scikit-activeml is not installed" in page


def test_subgroup_curves_when_points_carry_them_else_the_diagnosis_table(tmp_path, full_result):
    for p in full_result["points"]:
        if p["val_score"] is not None:
            p["val_subgroup_scores"] = {"site A": p["val_score"], "site B": p["val_score"] - 0.1}
    page = page_of(stored(tmp_path, full_result))
    figure = next(f for f in figures_payload(page) if f["key"] == "subgroups")
    assert [t["name"] for t in figure["figure"]["data"]] == ["site A", "site B"]
    assert figure["figure"]["layout"]["xaxis"]["type"] == "log"

    table = {
        "A": {"n": 900, "share": 0.9, "accuracy": 0.95},
        "B": {"n": 100, "share": 0.1, "accuracy": 0.7},
    }
    finding = {
        "kind": "subgroup_underperforms",
        "severity": "warning",
        "evidence": {"subgroups": table},
        "advice": "collect more from B",
    }
    result = {
        "points": full_result["points"][:5],
        "curves": full_result["curves"][:1],
        "findings": [finding],
    }
    for p in result["points"]:
        p.pop("val_subgroup_scores", None)
    bars = next(
        f
        for f in figures_payload(page_of(stored(tmp_path / "b", result)))
        if f["key"] == "subgroups"
    )
    assert bars["figure"]["data"][0]["x"] == ["A", "B"] and bars["figure"]["data"][0]["y"] == [
        0.95,
        0.7,
    ]
