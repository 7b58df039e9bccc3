"""Progress output: a rich bar on a terminal, log lines otherwise, nothing when quiet."""

from __future__ import annotations

import io

from rich.console import Console

from howmuchdata.curve.progress import LogReporter, RichReporter, SilentReporter, make_reporter

POINTS = [
    {"size": 50, "repeat": 0, "status": "ok", "val_score": 0.81234},
    {"size": 50, "repeat": 1, "status": "failed", "error": "ValueError: boom"},
]


def test_bar_on_a_terminal_counts_points_done_of_total():
    screen = io.StringIO()
    reporter = RichReporter(Console(file=screen, force_terminal=True, width=120))
    reporter.start("logreg", total=4, stored=1)
    for point in POINTS:
        reporter.advance(point)
    reporter.finish()
    text = screen.getvalue()
    assert "3/4" in text and "left" in text and "\x1b[" in text


def test_log_lines_without_a_terminal():
    stream = io.StringIO()
    reporter = LogReporter(stream)
    reporter.start("logreg", total=4, stored=2)
    for point in POINTS:
        reporter.advance(point)
    reporter.finish()
    lines = stream.getvalue().splitlines()
    assert lines[0] == "logreg: 4 points, 2 already stored, 2 to fit"
    assert lines[1] == "logreg: 3/4 size=50 repeat=0 val=0.8123"
    assert lines[2] == "logreg: 4/4 size=50 repeat=1 FAILED (ValueError: boom)"
    assert "\x1b[" not in stream.getvalue()


def test_choice_of_reporter():
    # pytest captures stderr, so "auto" sees no terminal
    assert isinstance(make_reporter("auto"), LogReporter)
    assert isinstance(make_reporter(False), SilentReporter)
    assert isinstance(make_reporter(None), SilentReporter)


def test_log_lines_say_stopped_when_the_run_ends_early():
    # Ctrl-C (or an error) after one of three points: the last line must not say "done"
    stream = io.StringIO()
    reporter = LogReporter(stream)
    reporter.start("logreg", total=3, stored=0)
    reporter.advance(POINTS[0])
    reporter.finish()
    last = stream.getvalue().splitlines()[-1]
    assert last.startswith("logreg: stopped after ") and last.endswith("1/3 points stored")
    assert "done" not in last
