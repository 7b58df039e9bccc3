"""Benchmark: size and build time of the report for a stored run (the demo by default).

    .venv/bin/python benchmarks/report_build.py [RUN_DIR] [--repeats 3]

Without RUN_DIR it runs ``howmuchdata demo --out benchmarks/out/demo`` first (not timed).
Reports the size of report.html (and how much of it is plotly.js), and the median wall time
of rebuilding the page + summary.md alone and with the PNG figures, from result.json only.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from plotly.offline import get_plotlyjs

from howmuchdata.report import build_report


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def median_seconds(run: Path, *, pngs: bool, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        build_report(run, pngs=pngs)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir", nargs="?", type=Path)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    run = args.run_dir
    if run is None:
        run = Path("benchmarks/out/demo")
        cli = Path(sys.executable).parent / "howmuchdata"
        subprocess.run([str(cli), "demo", "--out", str(run), "--quiet"], check=True)
    build_report(run, pngs=False)  # warm imports, so the timings are the report's own work
    page = run / "report.html"
    size = page.stat().st_size
    plotly = len(get_plotlyjs().encode())
    print(f"machine: {os.cpu_count()} cores, {cpu_model()}")
    print(f"run: {run}")
    print(
        f"report.html: {size:,} bytes ({size / 1e6:.2f} MB); plotly.js {plotly:,} bytes, "
        f"the rest {size - plotly:,} bytes"
    )
    print(
        f"page + summary.md: {median_seconds(run, pngs=False, repeats=args.repeats):.2f} s "
        f"(median of {args.repeats})"
    )
    print(
        f"page + summary.md + PNGs: {median_seconds(run, pngs=True, repeats=args.repeats):.2f} s "
        f"(median of {args.repeats})"
    )


if __name__ == "__main__":
    main()
