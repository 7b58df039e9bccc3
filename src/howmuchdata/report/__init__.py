"""HTML report drawn from ``result.json`` alone (never refits anything).

Temporary minimal version: the report issue replaces it with the full page.
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path

from howmuchdata.result import read_result


def write_report(run_dir: str | os.PathLike[str]) -> Path:
    """Write ``report.html`` beside ``result.json`` in ``run_dir`` and return its path."""
    run = Path(run_dir)
    result = read_result(run)
    body = html.escape(json.dumps(result, indent=1)[:200_000])
    path = run / "report.html"
    path.write_text(
        "<!doctype html><meta charset='utf-8'><title>howmuchdata report</title>"
        f"<h1>howmuchdata report</h1><pre>{body}</pre>"
    )
    return path
