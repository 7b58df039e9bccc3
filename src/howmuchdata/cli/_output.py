"""What every computing command does last: merge its sections into result.json, then the report."""

from __future__ import annotations

import sys
from collections.abc import Collection
from pathlib import Path
from typing import Any

from rich.console import Console

from howmuchdata.data import Dataset
from howmuchdata.errors import HowMuchDataError
from howmuchdata.result import update_result


def save_run(
    console: Console,
    out_dir: Path,
    command: str,
    sections: dict[str, Any],
    *,
    report: bool,
    checks: Collection[str] | None = None,
) -> Path:
    """Merge ``sections`` into ``out_dir/result.json`` and, unless ``report`` is false, write
    the report beside it; print each path written.

    Parameters
    ----------
    console : rich.console.Console
        Where the paths are printed.
    out_dir : Path
        The run folder.
    command : str
        The command writing (kept in ``commands``).
    sections : dict
        The result.json sections, merged as :func:`howmuchdata.result.merge_sections` says.
    report : bool
        Also write report.html, summary.md and the PNGs.
    checks : collection of str, optional
        The diagnosis checks that ran (see :func:`howmuchdata.result.update_result`).

    Returns
    -------
    Path
        The path of result.json.
    """
    path = update_result(out_dir, command, checks=checks, **sections)
    console.print(f"wrote {path}", markup=False)
    if report:
        from howmuchdata.report import write_report  # plotly/matplotlib: only when needed

        console.print(f"wrote {write_report(out_dir)}", markup=False)
    return path


def say_columns(dataset: Any, *, table_models: bool = True) -> None:
    """Say on stderr what loading did to the feature columns (names the header gives twice,
    row numbers dropped, names left out of the table models, dates and units read as numbers,
    text cells such as ``None`` read as missing); result.json keeps the same under
    ``data.columns``.

    Commands say it once every input is checked (a bad input stays the only line a failed
    command prints): ``curve`` before its first fit, the others when their work is done.
    ``table_models`` false (text or image models only) leaves out the identifier columns,
    which only the table models leave out.
    """
    if note := dataset.columns_note(table_models=table_models):
        print(f"howmuchdata: columns: {note}", file=sys.stderr, flush=True)


def refuse_ambiguous_column(dataset: Dataset, name: str | None, flag: str) -> None:
    """Refuse ``--text NAME`` (or another option naming a column that ``load_dataset`` does
    not look up itself) when the CSV header gives ``NAME`` more than once: pandas read the
    second as ``NAME.1``, and which one is meant is ambiguous.

    Raises
    ------
    HowMuchDataError
        Naming the columns it was read as and the fix.
    """
    read_as = ((dataset.notes.get("columns") or {}).get("duplicate_names") or {}).get(name)
    if name is None or not read_as:
        return
    shown = ", ".join(repr(c) for c in read_as)
    raise HowMuchDataError(
        f"{flag} column {name!r} is ambiguous: the header of {dataset.source} names it "
        f"{len(read_as)} times (read as {shown}); rename one of them in the file so that "
        "every column has its own name"
    )
