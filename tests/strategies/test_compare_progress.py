"""compare's progress default is learning_curve's: shown where someone watches (a terminal),
nothing under pytest, a pipe or a CI log, and progress=False silences it."""

from __future__ import annotations

import io
import sys

from howmuchdata import compare


class _Terminal(io.StringIO):
    """A stderr that is a terminal."""

    def isatty(self) -> bool:
        return True


def _run(X, y, **kwargs):
    return compare(X, y, strategies=["simpler:knn"], sizes=[20, 40, 80], repeats=1, **kwargs)


def test_compare_is_silent_where_nobody_watches(small_table, capfd):
    _run(*small_table)
    assert capfd.readouterr().err == ""


def test_compare_shows_each_arm_on_a_terminal_and_false_silences_it(small_table, monkeypatch):
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    _run(*small_table)
    shown = terminal.getvalue()
    assert "baseline" in shown and "simpler:knn" in shown and "3/3" in shown
    terminal.seek(0)
    terminal.truncate()
    _run(*small_table, progress=False)
    assert terminal.getvalue() == ""
