"""Progress of a run: a live rich bar on a terminal, plain log lines elsewhere, or nothing.

The Python default, ``"interactive"``, shows progress only where someone watches: a bar when
stderr is a terminal, a bar (or log lines, without ipywidgets) in Jupyter, and nothing in
pytest, pipes, CI logs or scheduled jobs. ``True`` / ``"auto"`` (the command line's setting)
write log lines there instead.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from typing import Any, Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from howmuchdata.errors import HowMuchDataError, shown


class Reporter(Protocol):
    """Receives the run's events; implementations only display them."""

    def start(self, label: str, total: int, stored: int) -> None: ...

    def advance(self, point: dict[str, Any]) -> None: ...

    def finish(self) -> None: ...


class SilentReporter:
    """Shows nothing (``--quiet``, ``progress=False``, and ``"interactive"`` unwatched)."""

    def start(self, label: str, total: int, stored: int) -> None:
        pass

    def advance(self, point: dict[str, Any]) -> None:
        pass

    def finish(self) -> None:
        pass


class LogReporter:
    """One plain line per finished point, for logs and pipes (no terminal control codes)."""

    def __init__(self, stream: Any = None) -> None:
        self.stream = stream or sys.stderr
        self.done = 0
        self.total = 0
        self.label = ""
        self.started = 0.0

    def start(self, label: str, total: int, stored: int) -> None:
        self.label, self.total, self.done = label, total, stored
        self.started = time.perf_counter()
        self._print(f"{label}: {total} points, {stored} already stored, {total - stored} to fit")

    def advance(self, point: dict[str, Any]) -> None:
        self.done += 1
        outcome = (
            f"val={point['val_score']:.4g}"
            if point.get("status") == "ok"
            else f"FAILED ({point.get('error')})"
        )
        self._print(
            f"{self.label}: {self.done}/{self.total} size={point['size']} "
            f"repeat={point['repeat']} {outcome}"
        )

    def finish(self) -> None:
        elapsed = time.perf_counter() - self.started
        if self.done < self.total:  # Ctrl-C or an error ended the run early: not "done"
            self._print(
                f"{self.label}: stopped after {elapsed:.1f} s, {self.done}/{self.total} points "
                "stored"
            )
        else:
            self._print(f"{self.label}: done in {elapsed:.1f} s")

    def note(self, line: str) -> None:
        """One line of what the run did before its points (e.g. the embeddings encoded)."""
        self._print(line)

    def _print(self, line: str) -> None:
        print(line, file=self.stream, flush=True)


class RichReporter:
    """A live bar: points done / total, elapsed and time left."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self._progress: Progress | None = None
        self._task: Any = None

    def start(self, label: str, total: int, stored: int) -> None:
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("points"),
            TimeElapsedColumn(),
            TextColumn("elapsed,"),
            TimeRemainingColumn(),
            TextColumn("left"),
            console=self.console,
            transient=False,
        )
        self._progress.start()
        self._task = self._progress.add_task(label, total=total, completed=stored)

    def advance(self, point: dict[str, Any]) -> None:
        if self._progress is not None:
            self._progress.advance(self._task)

    def note(self, line: str) -> None:
        """One line of what the run did before its points (e.g. the embeddings encoded)."""
        self.console.print(line, markup=False, highlight=False)

    def finish(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def make_reporter(progress: bool | str | Reporter | None) -> Reporter:
    """Pick a reporter for a ``progress=`` setting.

    Parameters
    ----------
    progress : bool, {"interactive", "auto", "log", "bar"}, Reporter or None
        ``"interactive"``: a bar where someone watches (stderr is a terminal, or a Jupyter
        notebook: a bar with ipywidgets installed, log lines without), nothing elsewhere.
        ``True`` / ``"auto"``: the same, but log lines instead of nothing. ``"log"``: log
        lines; ``"bar"``: the bar; ``False`` / ``None``: nothing. A :class:`Reporter` is used
        as it is.

    Returns
    -------
    Reporter

    Raises
    ------
    HowMuchDataError
        For anything else.
    """
    if progress in (None, False):
        return SilentReporter()
    if progress == "interactive":
        return _watched(real_terminal=True) or SilentReporter()
    if progress in (True, "auto"):
        return _watched(real_terminal=False) or LogReporter()
    if progress == "log":
        return LogReporter()
    if progress == "bar":
        return RichReporter()
    if not all(callable(getattr(progress, m, None)) for m in ("start", "advance", "finish")):
        raise HowMuchDataError(
            f"progress={shown(progress)} is not a progress setting; pass 'interactive' (a bar "
            "where someone watches), True (a bar on a terminal, log lines elsewhere), 'log', "
            "'bar', False, or a Reporter"
        )
    return progress  # type: ignore[return-value]


def _watched(*, real_terminal: bool) -> Reporter | None:
    """The reporter for someone watching, or None when nobody seems to be.

    With ``real_terminal``, stderr counts as a terminal only when it is one (``isatty``), not
    when ``FORCE_COLOR`` or ``TTY_COMPATIBLE`` claim it, as CI sets them for colour in logs.
    """
    console = Console(stderr=True)
    if console.is_jupyter:
        # rich draws its live bar in a notebook through an ipywidgets Output; without it,
        # it would warn at every refresh and show nothing
        return RichReporter(console) if _has_ipywidgets() else LogReporter()
    terminal = console.is_terminal and (not real_terminal or _isatty(sys.stderr))
    return RichReporter(console) if terminal else None


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def _has_ipywidgets() -> bool:
    return importlib.util.find_spec("ipywidgets") is not None
