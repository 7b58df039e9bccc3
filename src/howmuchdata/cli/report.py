"""``howmuchdata report RUN_DIR``: rebuild report.html, PNGs and summary.md from result.json.

Nothing is refitted: the report is drawn from the stored result alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from howmuchdata.cli._app import app
from howmuchdata.errors import HowMuchDataError


@app.command()
def report(
    run_dir: Annotated[
        Path, typer.Argument(help="Folder with result.json (written by any command).")
    ],
    png: Annotated[
        bool, typer.Option("--png/--no-png", help="Also draw the static PNG figures.")
    ] = True,
) -> None:
    """Rebuild report.html, figures/*.png and summary.md from a stored result.json."""
    from howmuchdata.report import build_report, read_run
    from howmuchdata.report.summary import answer
    from howmuchdata.result import read_result

    if run_dir.exists() and not run_dir.is_dir():
        raise HowMuchDataError(
            f"{run_dir} is a file, not a run folder; pass the --out folder of a howmuchdata "
            "command (the folder that holds result.json)"
        )
    if not run_dir.is_dir():
        raise HowMuchDataError(
            f"run folder {run_dir} does not exist; pass the --out folder of a howmuchdata command"
        )
    files = build_report(run_dir, pngs=png)
    console = Console()
    for statement in answer(read_run(read_result(run_dir))):
        console.print(statement.text, markup=False, highlight=False)
    console.print(f"wrote {files.html}", markup=False)
    console.print(f"wrote {files.summary}", markup=False)
    for path in files.pngs:
        console.print(f"wrote {path}", markup=False)
