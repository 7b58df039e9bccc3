"""Progress output: a rich bar on a terminal, log lines otherwise, nothing when quiet; from
Python by default only where someone watches (a terminal, Jupyter)."""

from __future__ import annotations

import builtins
import io
import sys

import pytest
from rich.console import Console
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from howmuchdata.curve import learning_curve, progress
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
    assert isinstance(make_reporter("interactive"), SilentReporter)
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


# --- the Python default: progress where someone watches, nothing elsewhere -----------------


class _Terminal(io.StringIO):
    """A stderr that is a terminal."""

    def isatty(self) -> bool:
        return True


class ZMQInteractiveShell:
    """What ``get_ipython()`` returns in a Jupyter kernel (rich reads the class name)."""


@pytest.fixture
def plain_env(monkeypatch):
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")


@pytest.fixture
def jupyter(monkeypatch, plain_env):
    monkeypatch.setattr(builtins, "get_ipython", ZMQInteractiveShell, raising=False)


def _curve(**kwargs):
    X, y = load_digits(return_X_y=True)
    return learning_curve(LogisticRegression(max_iter=200), X[:200], y[:200], **kwargs)


def test_the_default_prints_nothing_where_nobody_watches(capfd):
    # pytest captures stderr: no terminal, like a pipe, a CI log or a scheduled job
    assert isinstance(make_reporter("interactive"), SilentReporter)
    _curve(sizes=[60], repeats=1)
    assert capfd.readouterr().err == ""


def test_the_default_draws_the_bar_on_a_terminal_and_false_silences_it(monkeypatch, plain_env):
    terminal = _Terminal()
    # in the test itself: pytest sets its own sys.stderr back between a fixture and the test
    monkeypatch.setattr(sys, "stderr", terminal)
    assert isinstance(make_reporter("interactive"), RichReporter)
    _curve(sizes=[60], repeats=2)
    assert "2/2" in terminal.getvalue() and "points" in terminal.getvalue()
    terminal.seek(0)
    terminal.truncate()
    _curve(sizes=[60], repeats=2, progress=False)
    assert terminal.getvalue() == ""


def test_force_color_alone_is_no_one_watching(monkeypatch, plain_env):
    # CI sets FORCE_COLOR for coloured logs; "auto" (the command line) draws the bar there
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert isinstance(make_reporter("interactive"), SilentReporter)
    assert isinstance(make_reporter("auto"), RichReporter)


@pytest.mark.parametrize("setting", ["interactive", "auto", True])
def test_in_jupyter_a_bar_with_ipywidgets_and_log_lines_without(jupyter, monkeypatch, setting):
    monkeypatch.setattr(progress, "_has_ipywidgets", lambda: True)
    assert isinstance(make_reporter(setting), RichReporter)
    monkeypatch.setattr(progress, "_has_ipywidgets", lambda: False)
    assert isinstance(make_reporter(setting), LogReporter)
    assert isinstance(make_reporter(False), SilentReporter)
