"""The ``howmuchdata`` command line: a thin skin over the public API.

Each command lives in its own module under ``howmuchdata.cli`` and registers itself on
:data:`app`. Problems the user can fix (:class:`~howmuchdata.errors.HowMuchDataError`, and
usage errors: an unknown option, a bad option value, a missing argument) are printed as one
line on stderr with exit status 2, never as a traceback or a boxed panel. Ctrl-C ends with one
line and exit status 130 (128 + SIGINT, the shell's convention for a command stopped by
Ctrl-C, so that scripts can tell it from bad input); finished points stay in the run store.
"""

from __future__ import annotations

import importlib
import sys

import typer

from howmuchdata.cli._app import app
from howmuchdata.cli._errors import (
    INTERRUPTED_STATUS,
    ClickException,
    Interrupted,
    NoArgsIsHelpError,
    UsageError,
    cli_spelling,
    usage_line,
)
from howmuchdata.errors import HowMuchDataError

# One line per command module; each module adds its commands to ``app`` on import.
COMMAND_MODULES = [
    "howmuchdata.cli.curve",
    "howmuchdata.cli.extrapolate",
    "howmuchdata.cli.diagnose",
    "howmuchdata.cli.plan",
    "howmuchdata.cli.report",
    "howmuchdata.cli.compare",
]


def _load_commands() -> None:
    for name in COMMAND_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # a real missing dependency inside the module: a bug
                raise


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Parameters
    ----------
    argv : list of str, optional
        The arguments after ``howmuchdata`` (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success (``--help`` included), 2 for bad input or usage, 130 after Ctrl-C.
    """
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        _load_commands()
        # not standalone: Click's exceptions come here instead of being printed as panels
        status = app(args=args, prog_name="howmuchdata", standalone_mode=False)
    except HowMuchDataError as exc:
        return _fail(cli_spelling(str(exc)))
    except NoArgsIsHelpError as exc:
        # bare `howmuchdata`: the help, as Click shows it (rich help is already printed)
        if exc.format_message().strip():
            print(exc.format_message(), file=sys.stderr)
        return exc.exit_code
    except UsageError as exc:
        return _fail(usage_line(exc, args), exc.exit_code)
    except ClickException as exc:
        return _fail(" ".join(exc.format_message().split()), exc.exit_code)
    except typer.Abort as exc:
        # older Click turns Ctrl-C into Abort; end of input (EOF at a prompt) too
        if isinstance(exc.__cause__ or exc.__context__, KeyboardInterrupt):
            return _interrupted()
        print("howmuchdata: aborted", file=sys.stderr)
        return 1
    except Interrupted as exc:
        return _interrupted(str(exc))
    except KeyboardInterrupt:
        return _interrupted()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    if status == INTERRUPTED_STATUS:  # Typer turned a Ctrl-C outside keep_on_interrupt into this
        return _interrupted()
    return status if isinstance(status, int) else 0


def _fail(line: str, status: int = 2) -> int:
    print(f"howmuchdata: error: {line}", file=sys.stderr)
    return status


def _interrupted(note: str | None = None) -> int:
    print(f"howmuchdata: interrupted{'; ' + note if note else ''}", file=sys.stderr)
    return INTERRUPTED_STATUS


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
