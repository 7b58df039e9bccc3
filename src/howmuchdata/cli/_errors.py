"""How the command line ends on a usage error or Ctrl-C: one line on stderr, no traceback."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

try:  # typer >= 0.2x parses with its own copy of Click: its exceptions are not click's
    from typer._click import exceptions as click_exceptions
except ImportError:  # pragma: no cover - older typer parses with Click itself
    from click import exceptions as click_exceptions

#: Exit status after Ctrl-C: 128 + SIGINT, as shells report a command stopped by Ctrl-C
#: (and as Typer does), so a script can tell "stopped" from bad input (2).
INTERRUPTED_STATUS = 130

UsageError = click_exceptions.UsageError
ClickException = click_exceptions.ClickException
NoSuchOption = click_exceptions.NoSuchOption
NoArgsIsHelpError = click_exceptions.NoArgsIsHelpError


# A Python keyword of the API that every command loading a table takes as the option of the
# same name (``--task``), when a message gives it alone: ``task='classification'`` not already
# followed by its flag, as the project writes Python messages (``task='x' (--task x)``).
_TASK_KEYWORD = re.compile(r"\btask='(classification|regression)'(?! \(--task)")


def cli_spelling(message: str) -> str:
    """An error of the Python API as the command line says it: ``use task='classification'``
    becomes ``use --task classification``; a message that names both spellings
    (``task='regression' (--task regression)``) is left as it is.

    >>> cli_spelling("y is not numeric; use task='classification' or clean the column")
    'y is not numeric; use --task classification or clean the column'
    """
    return _TASK_KEYWORD.sub(r"--task \1", message)


class Interrupted(Exception):
    """Ctrl-C during a command, with a note saying what was kept (raised by
    :func:`keep_on_interrupt`; an ``Exception``, so Typer lets it through to ``main``)."""


@contextmanager
def keep_on_interrupt(store_url: str) -> Iterator[None]:
    """Turn Ctrl-C inside the block into :class:`Interrupted`, naming the store that keeps
    the finished points (each point is stored the moment it ends, so a rerun resumes).

    Parameters
    ----------
    store_url : str
        The run store the command writes to.
    """
    try:
        yield
    except KeyboardInterrupt:
        raise Interrupted(
            f"the points finished so far are kept in {store_url}; run the same command again "
            "to resume from them"
        ) from None


def usage_line(exc: UsageError, argv: Sequence[str]) -> str:
    """One line for a usage error: the problem, Click's suggestion when it has one, and
    where the options are listed.

    Parameters
    ----------
    exc : UsageError
        What the parser raised (an unknown option, a bad value, a missing argument, ...).
    argv : sequence of str
        The command line, to name the command when the error carries no context.

    Returns
    -------
    str
        E.g. ``no such option --targte; did you mean --target? (howmuchdata curve --help
        lists the options)``.
    """
    if isinstance(exc, NoSuchOption):
        problem = f"no such option {exc.option_name}"
        if exc.possibilities:
            problem += f"; did you mean {' or '.join(exc.possibilities)}?"
    else:
        problem = _as_clause(exc.format_message())
    path = _command_path(exc, argv)
    listed = "commands" if path == "howmuchdata" else "options"
    return f"{problem} ({path} --help lists the {listed})"


def _command_path(exc: UsageError, argv: Sequence[str]) -> str:
    ctx = exc.ctx
    if ctx is not None and ctx.command_path:
        return ctx.command_path
    # Some parser errors (an option without its value, ...) carry no context: the
    # command is then the first word of the command line that names one.
    from howmuchdata.cli._app import app

    names = {
        info.name or info.callback.__name__.replace("_", "-")  # Typer's own naming rule
        for info in app.registered_commands
        if info.name or info.callback is not None
    }
    for word in argv:
        if word in names:
            return f"howmuchdata {word}"
    return "howmuchdata"


def _as_clause(message: str) -> str:
    """Click's sentence as a clause of our line: one line, lower-case start, no final stop."""
    text = " ".join(message.split()).rstrip(".")
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        text = text[0].lower() + text[1:]
    return text
