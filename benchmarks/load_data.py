"""Benchmark of ``howmuchdata.data.load_dataset`` against pandas reading the same file.

``load_dataset`` reads a table with pandas and then checks and cleans it (decimal commas,
text numbers and dates, stray spaces, row-number columns, target copies, ...). This times
that against the bare pandas read of the same file, in the same run, as a ratio:

- a 100,000-row, 24-column CSV like a messy export (numbers, numbers with units, text
  categories with stray spaces and gaps, text dates, an id column, a binary target), and the
  same table as Parquet;
- each read ``--runs`` times in this process (median seconds), and once more in a fresh
  subprocess for the peak resident memory the read adds.

Run:  .venv/bin/python benchmarks/load_data.py [--rows 100000] [--runs 5] [--src PATH]
      (``--src``: import howmuchdata from another source tree, e.g. an older commit unpacked
      with ``git archive``, to compare versions: each run times pandas beside it.)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def messy_table(rows: int, seed: int = 0) -> pd.DataFrame:
    """A table with the quirks of a real export: units, spaces, gaps, dates, an id."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"record_id": np.arange(100_000, 100_000 + rows)})
    for i in range(10):
        frame[f"num_{i}"] = rng.normal(size=rows).round(4)
    for i in range(4):
        values = rng.normal(50, 10, rows).round(1)
        frame[f"weight_{i}"] = [f"{v} kg" for v in values]
    cities = np.array(["Leeds", "York ", " Hull", "Bath", "Ely"])
    for i in range(5):
        column = cities[rng.integers(0, cities.size, rows)].astype(object)
        column[rng.random(rows) < 0.05] = None
        frame[f"city_{i}"] = column
    days = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 1500, rows), unit="D")
    frame["visit_date"] = days.strftime("%Y-%m-%d")
    frame["visit_time"] = days.strftime("%d/%m/%Y")
    frame["outcome"] = np.where(rng.random(rows) < 0.3, "yes", "no")
    return frame


def time_reads(path: Path, runs: int) -> dict[str, float]:
    """Median seconds of ``pd.read_csv`` / ``pd.read_parquet`` and of ``load_dataset``."""
    from howmuchdata.data import load_dataset

    reader = pd.read_parquet if path.suffix == ".parquet" else pd.read_csv
    peer, ours = [], []
    for _ in range(runs):
        start = time.perf_counter()
        reader(path)
        peer.append(time.perf_counter() - start)
        start = time.perf_counter()
        load_dataset(path, "outcome")
        ours.append(time.perf_counter() - start)
    return {"pandas_s": statistics.median(peer), "howmuchdata_s": statistics.median(ours)}


def added_memory_mib(path: Path, which: str, src: str | None) -> float:
    """Peak resident memory one read adds to the process (MiB), in a fresh process.

    A thread samples ``VmRSS`` (Linux ``/proc``) every 2 ms during the read: the peak
    ``ru_maxrss`` would be the imports' own transient peak, and ``tracemalloc`` misses the
    Arrow buffers of pandas' string columns.
    """
    code = (
        "import threading, time, pandas as pd\n"
        "from howmuchdata.data import load_dataset\n"
        "def rss():\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmRSS:'):\n"
        "            return int(line.split()[1]) / 1024\n"
        "before, peak, done = rss(), [0.0], threading.Event()\n"
        "def watch():\n"
        "    while not done.is_set():\n"
        "        peak[0] = max(peak[0], rss()); time.sleep(0.002)\n"
        "watcher = threading.Thread(target=watch); watcher.start()\n"
        f"path = {str(path)!r}\n"
        f"if {which!r} == 'pandas':\n"
        "    kept = (pd.read_parquet if path.endswith('.parquet') else pd.read_csv)(path)\n"
        "else:\n"
        "    kept = load_dataset(path, 'outcome')\n"
        "done.set(); watcher.join()\n"
        "print(max(peak[0], rss()) - before)\n"
    )
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    return float(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--src", help="import howmuchdata from this source tree")
    args = parser.parse_args()
    if args.src:
        sys.path.insert(0, args.src)
    import howmuchdata

    print(f"howmuchdata from {Path(howmuchdata.__file__).parent}")
    print(
        f"machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, pandas {pd.__version__}"
    )
    frame = messy_table(args.rows)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "table.csv"
        parquet = Path(tmp) / "table.parquet"
        frame.to_csv(csv, index=False)
        frame.to_parquet(parquet, index=False)
        for path in (csv, parquet):
            timing = time_reads(path, args.runs)
            memory = {
                f"{which}_added_mib": added_memory_mib(path, which, args.src)
                for which in ("pandas", "howmuchdata")
            }
            results.append({"file": path.suffix[1:], **timing, **memory})
    table = pd.DataFrame(results)
    table["time_ratio"] = table["howmuchdata_s"] / table["pandas_s"]
    table["memory_ratio"] = table["howmuchdata_added_mib"] / table["pandas_added_mib"]
    print(f"{args.rows:,} rows x {frame.shape[1]} columns, median of {args.runs} reads")
    print(table.round(3).to_string(index=False))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
