"""howmuchdata.learning_curve against sklearn.model_selection.learning_curve.

Same estimator, same training sizes, same number of repeats, n_jobs=2, in the same run. Each
variant runs in a fresh Python process (fresh worker pool, same baseline), which reports:

* wall time of the call alone (data made and libraries imported before the clock starts);
* peak memory: the largest sum of resident memory of that process and all its children
  (joblib's worker processes), sampled every 20 ms during the call.

howmuchdata runs with a SQLite store (as the CLI does), then again with every point stored.

Usage::

    .venv/bin/python benchmarks/learning_curve.py            # both cases
    .venv/bin/python benchmarks/learning_curve.py --case digits
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

CASES = {
    "digits": "digits (1,797 x 64) + LogisticRegression(max_iter=1000)",
    "hgb200k": "make_classification 200,000 x 20 + HistGradientBoostingClassifier",
}
REPEATS = {"digits": 5, "hgb200k": 3}


def _data(case: str):
    import numpy as np

    if case == "digits":
        from sklearn.datasets import load_digits
        from sklearn.linear_model import LogisticRegression

        X, y = load_digits(return_X_y=True)
        return X, y, LogisticRegression(max_iter=1000), None
    from sklearn.datasets import make_classification
    from sklearn.ensemble import HistGradientBoostingClassifier

    X, y = make_classification(n_samples=200_000, n_features=20, n_informative=10, random_state=0)
    sizes = [1000 * 2**k for k in range(8)] + [160_000]  # 1,000 ... 128,000, 160,000
    return X.astype(np.float64), y, HistGradientBoostingClassifier(random_state=0), sizes


class PeakMemory:
    """Largest summed RSS of this process and its children, sampled in a thread."""

    def __init__(self, interval: float = 0.02) -> None:
        import psutil

        self.process = psutil.Process()
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        total = self.process.memory_info().rss
        for child in self.process.children(recursive=True):
            with contextlib.suppress(Exception):  # a worker that just exited
                total += child.memory_info().rss
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            time.sleep(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._sample())


def run_one(case: str, variant: str, store: str | None) -> dict:
    """Run one variant in this process and return its figures."""
    X, y, estimator, sizes = _data(case)
    repeats = REPEATS[case]
    if sizes is None:
        from howmuchdata.curve.plan import default_min_size, geometric_sizes

        # the default grid howmuchdata chooses, given to both
        sizes = geometric_sizes(default_min_size(y, "classification"), int(len(y) * 0.8))
    from sklearn.model_selection import ShuffleSplit

    # the same splits for both, so both fit exactly the same models: the ratio is the
    # engine's own cost (with its default stratified splits the fits differ, and so does the
    # time an iterative solver needs)
    cv = ShuffleSplit(n_splits=repeats, test_size=0.2, random_state=0)
    if variant == "sklearn":
        from sklearn.model_selection import learning_curve

        with PeakMemory() as memory:
            start = time.perf_counter()
            learning_curve(estimator, X, y, train_sizes=sizes, cv=cv, n_jobs=2)
            wall = time.perf_counter() - start
    else:
        from howmuchdata.curve import learning_curve

        with PeakMemory() as memory:
            start = time.perf_counter()
            curve = learning_curve(
                estimator, X, y, sizes=sizes, repeats=repeats, n_jobs=2, store=store, cv=cv
            )
            wall = time.perf_counter() - start
        assert curve.settings["from_store"] + curve.settings["computed"] == len(curve.points)
    return {"wall_s": wall, "peak_mb": memory.peak / 2**20, "points": len(sizes) * repeats}


def _spawn(case: str, variant: str, store: str | None) -> dict:
    command = [sys.executable, __file__, "--one", case, variant]
    if store:
        command.append(store)
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{os.cpu_count()} cores (nproc), {cpu}, {platform.python_version()}, load {load:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--case", choices=sorted(CASES), action="append")
    parser.add_argument("--one", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        case, variant, *store = args.one
        print(json.dumps(run_one(case, variant, store[0] if store else None)))
        return
    print(f"machine: {machine()}")
    for case in args.case or list(CASES):
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'store.db'}"
            sk = _spawn(case, "sklearn", None)
            cold = _spawn(case, "howmuchdata", url)
            rerun = _spawn(case, "howmuchdata", url)
        print(f"\n{CASES[case]}: {cold['points']} points, n_jobs=2")
        print(f"  sklearn learning_curve : {sk['wall_s']:8.2f} s  peak {sk['peak_mb']:7.0f} MB")
        print(f"  howmuchdata (cold)     : {cold['wall_s']:8.2f} s  peak {cold['peak_mb']:7.0f} MB")
        print(
            f"  howmuchdata (stored)   : {rerun['wall_s']:8.2f} s  peak {rerun['peak_mb']:7.0f} MB"
        )
        print(
            f"  wall-time ratio howmuchdata / sklearn : {cold['wall_s'] / sk['wall_s']:.3f}"
            "  (target <= 1.1)"
        )
        print(
            f"  peak-memory ratio                     : {cold['peak_mb'] / sk['peak_mb']:.3f}"
            "  (target <= 1.5)"
        )
        print(
            f"  stored rerun / cold run               : {rerun['wall_s'] / cold['wall_s']:.3%}"
            "  (target < 5%)"
        )
    print(f"\nload after: {machine().rsplit('load ', 1)[1]}")


if __name__ == "__main__":
    main()
