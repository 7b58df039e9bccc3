"""The ``howmuchdata`` command line: a thin skin over the public API.

Each command lives in its own module under ``howmuchdata.cli`` and registers itself on
:data:`app`. Problems the user can fix (:class:`~howmuchdata.errors.HowMuchDataError`) are
printed as one line on stderr with exit status 2, never as a traceback.
"""

from __future__ import annotations

import importlib
import sys

from howmuchdata.cli._app import app
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
    """Run the command line; return the exit status."""
    _load_commands()
    try:
        # standalone mode: Typer prints usage errors itself and exits with status 2
        app(args=argv, prog_name="howmuchdata", standalone_mode=True)
    except HowMuchDataError as exc:
        print(f"howmuchdata: error: {exc}", file=sys.stderr)
        return 2
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
