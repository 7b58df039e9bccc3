"""report.html in a real browser: headless Chromium opens it from file://.

Skipped only when Chromium or its driver is not installed (Debian packages ``chromium`` and
``chromium-driver``; ``.ci/run`` installs them).
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import numpy as np
import pytest
from hmd_report_data import (
    BREAKOUT,
    PAYLOAD,
    curve_meta,
    hostile_result,
    make_extrapolation,
    make_points,
)
from matplotlib.image import imread

from howmuchdata.report import build_report
from howmuchdata.result import update_result

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
# every plot's SVG, and how many drawn traces it holds
PLOTS_JS = """
return Array.from(document.querySelectorAll('.hmd-plot')).map(function (el) {
  return {id: el.id, svg: el.querySelectorAll('svg.main-svg').length,
          traces: el.querySelectorAll('g.trace').length};
});
"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.skip("headless Chromium not installed: apt-get install chromium chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1200,2400",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(120)
    yield driver
    driver.quit()


def open_report(driver, page: Path) -> list[dict]:
    """Load ``page`` from file://, wait for every plot's SVG; return the console log."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get_log("browser")  # drop what earlier pages logged
    driver.get(page.resolve().as_uri())
    WebDriverWait(driver, 60).until(lambda d: all(p["svg"] > 0 for p in d.execute_script(PLOTS_JS)))
    return driver.get_log("browser")


def assert_renders(driver, page: Path, expected_plots: list[str], shot: Path) -> None:
    log = open_report(driver, page)
    assert [e for e in log if e["level"] == "SEVERE"] == []
    plots = driver.execute_script(PLOTS_JS)
    assert [p["id"] for p in plots] == [f"plot-{k}" for k in expected_plots]
    for plot in plots:
        assert plot["svg"] >= 1 and plot["traces"] >= 1, plot
    # nothing was requested from outside the file itself
    urls = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert urls == []
    assert driver.save_screenshot(str(shot))
    pixels = imread(shot)[..., :3]
    assert pixels.shape[0] > 1000
    not_white = (pixels < 0.95).any(axis=2).mean()
    assert not_white > 0.05 and np.std(pixels) > 0.05  # drawn, not a blank page


def test_real_run_report_renders_without_console_errors(browser, real_run, tmp_path):
    figures = json.loads(
        (real_run / "report.html")
        .read_text()
        .split('id="hmd-figures">', 1)[1]
        .split("</script>", 1)[0]
    )
    assert_renders(
        browser, real_run / "report.html", [f["key"] for f in figures], tmp_path / "real.png"
    )
    assert (
        "validation accuracy of logreg" in browser.find_element("css selector", ".hmd-answer").text
    )


def test_every_plot_kind_renders_with_exact_numbers_on_hover(
    browser, run_dir, full_result, tmp_path
):
    page = build_report(run_dir, pngs=False).html
    plots = ["curves", "forecast", "classes", "strategies", "costvalue"]
    assert_renders(browser, page, plots, tmp_path / "full.png")
    # hover the validation mean of the first model at the largest size (trace 2: band, dots, mean)
    largest = [
        p["val_score"]
        for p in full_result["points"]
        if p["model"] == "logreg" and p["size"] == 1600
    ]
    text = browser.execute_script(
        "var gd = document.getElementById('plot-curves');"
        "Plotly.Fx.hover(gd, [{curveNumber: 2, pointNumber: 5}]);"
        "return gd.querySelector('.hoverlayer').textContent;"
    )
    assert f"mean {np.mean(largest):.4f} ± {np.std(largest, ddof=1):.4f}" in text
    assert "size 1,600" in text


def test_script_in_names_shows_as_text_and_runs_nothing(browser, tmp_path):
    run = tmp_path / "hostile"
    update_result(
        run, "test", **{k: v for k, v in hostile_result().items() if k != "schema_version"}
    )
    page = build_report(run, pngs=False).html
    # an alert() would make selenium raise here; the onerror payload would set window.__pwned
    log = open_report(browser, page)
    assert [e for e in log if e["level"] == "SEVERE"] == []
    assert browser.execute_script("return window.__pwned === undefined")
    assert browser.execute_script("return document.querySelectorAll('img').length") == 0
    body = browser.find_element("css selector", "body").text
    assert PAYLOAD in body and BREAKOUT in body
    legend = browser.execute_script(
        "return document.querySelector('#plot-curves .legend').textContent"
    )
    assert PAYLOAD in legend


# the boxes of each plot's legend, x axis title and x tick labels, and whether it scrolls
LAYOUT_JS = """
function box(el) {
  if (!el) return null;
  var r = el.getBoundingClientRect();
  return r.width && r.height ? {l: r.left, t: r.top, r: r.right, b: r.bottom} : null;
}
return Array.from(document.querySelectorAll('.hmd-plot')).map(function (el) {
  var ticks = Array.from(el.querySelectorAll('.xtick text')).map(box).filter(Boolean);
  return {id: el.id, legend: box(el.querySelector('.legend .bg')),
          title: box(el.querySelector('.g-xtitle text')), ticks: ticks,
          scrolls: box(el.querySelector('.legend .scrollbar')) !== null};
});
"""


def _overlap(a: dict | None, b: dict | None) -> bool:
    return bool(
        a and b and a["l"] < b["r"] and b["l"] < a["r"] and a["t"] < b["b"] and b["t"] < a["b"]
    )


def test_legends_of_many_models_cover_no_axis_text_and_tables_stay_in_the_page(browser, tmp_path):
    """Seven models with long names (as `compare` draws them), at a desktop, a tablet and a phone's width (400 px), and
    after narrowing a window already open (the figures grow by the legend rows they wrap to)."""
    names = ["baseline", "simpler:knn", "ensemble:bagging", "semi:self_training", "semi:spread",
             "augment:mixup", "augment:noise"]  # fmt: skip
    result = {
        "points": [p for i, n in enumerate(names) for p in make_points(n, seed=i)],
        "curves": [curve_meta(n) for n in names],
        "extrapolation": {n: make_extrapolation() for n in names},
        "labels_saved": [
            {"strategy": n, "target": 0.95, "labels": 300 + i, "labels_lo": 200,
             "labels_hi": "inf", "baseline_labels": 300, "ratio": 1.0}
            for i, n in enumerate(names)
        ],
    }  # fmt: skip
    run = tmp_path / "many"
    update_result(run, "test", **result)
    page = build_report(run, pngs=False).html
    try:
        for width in (400, 600, 1200, "1200 to 400"):
            if width == "1200 to 400":  # narrowed with the page open: no reload
                browser.set_window_size(400, 2400)
                time.sleep(1.5)
            else:
                browser.set_window_size(width, 2400)
                open_report(browser, page)
            for plot in browser.execute_script(LAYOUT_JS):
                assert not plot["scrolls"], (width, plot["id"])
                assert not _overlap(plot["legend"], plot["title"]), (width, plot["id"])
                assert not any(_overlap(plot["legend"], t) for t in plot["ticks"]), (width, plot)
            widths = browser.execute_script(
                "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            assert widths[0] <= widths[1], width  # wide tables scroll inside their section
    finally:
        browser.set_window_size(1200, 2400)
