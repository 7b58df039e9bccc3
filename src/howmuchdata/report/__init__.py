"""The report: ``report.html``, PNG figures and ``summary.md``, drawn from ``result.json`` alone.

``write_report(run_dir)`` is what every command calls after writing ``result.json``; it never
refits anything, so ``howmuchdata report RUN_DIR`` rebuilds the same report from a stored run.

Modules: :mod:`~howmuchdata.report.runview` (parse result.json), :mod:`.summary` (the answer in
words, Markdown), :mod:`.figures` (plotly), :mod:`.static` (matplotlib PNGs), :mod:`.page`
(the HTML page), :mod:`.jupyter` (``_repr_html_``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from howmuchdata.report.jupyter import ReportReprMixin, summary_html
from howmuchdata.report.runview import RunView, read_run
from howmuchdata.result import read_result

REPORT_FILE = "report.html"
SUMMARY_FILE = "summary.md"
FIGURES_DIR = "figures"

__all__ = [
    "ReportFiles",
    "ReportReprMixin",
    "build_report",
    "read_run",
    "summary_html",
    "write_report",
]


@dataclass(frozen=True)
class ReportFiles:
    """The files one report build wrote."""

    html: Path
    summary: Path
    pngs: list[Path] = field(default_factory=list)


def build_report(run_dir: str | os.PathLike[str], *, pngs: bool = True) -> ReportFiles:
    """Write ``report.html``, ``summary.md`` and (optionally) ``figures/*.png`` for a run.

    Parameters
    ----------
    run_dir : path
        A folder holding ``result.json``.
    pngs : bool, default True
        Also draw the static PNG figures (matplotlib) into ``run_dir/figures``.

    Returns
    -------
    ReportFiles
        Paths of everything written.
    """
    from howmuchdata.report.figures import headline_target
    from howmuchdata.report.page import render_page
    from howmuchdata.report.summary import markdown_summary

    run = Path(run_dir)
    view: RunView = read_run(read_result(run))
    html_path = run / REPORT_FILE
    html_path.write_text(render_page(view), encoding="utf-8")
    summary_path = run / SUMMARY_FILE
    summary_path.write_text(markdown_summary(view), encoding="utf-8")
    written: list[Path] = []
    if pngs:
        from howmuchdata.report.static import write_pngs

        written = write_pngs(view, run / FIGURES_DIR, headline_target(view))
    return ReportFiles(html_path, summary_path, written)


def write_report(run_dir: str | os.PathLike[str]) -> Path:
    """Write the report of ``run_dir`` (HTML, Markdown summary, PNGs); return report.html's path."""
    return build_report(run_dir).html
