"""What every computing command does last: merge its sections into result.json, then the report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console

from howmuchdata.result import update_result


def save_run(
    console: Console, out_dir: Path, command: str, sections: dict[str, Any], *, report: bool
) -> Path:
    """Write ``sections`` into ``out_dir/result.json`` and, unless ``report`` is false, the
    report beside it; print each path written. Returns the result.json path."""
    path = update_result(out_dir, command, **sections)
    console.print(f"wrote {path}", markup=False)
    if report:
        from howmuchdata.report import write_report  # plotly/matplotlib: only when needed

        console.print(f"wrote {write_report(out_dir)}", markup=False)
    return path
