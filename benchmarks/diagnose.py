"""Benchmarks of ``howmuchdata.diagnose``.

1. Label noise on digits: inject 5%, 10%, 20% wrong labels (each flipped to another class at
   random), run the ``label_noise`` check with the default model (logreg preset), and compare
   the estimated share with the true share; precision and recall of the suspect list against
   the flipped rows. Over ``--seeds`` seeds.
2. Time of a full ``diagnose`` (every check that applies) on digits and on a 100,000-row
   table (with a time column and a subgroup), the learning curve timed separately.

Run:  .venv/bin/python benchmarks/diagnose.py [--part noise|timing|timing-digits|timing-large|
      timing-stages|all] [--seeds 5]   (timing-stages: seconds per stage on the 100,000 rows)
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time

import numpy as np
import pandas as pd
from sklearn.datasets import load_digits, make_classification

import howmuchdata as hmd


def flip_labels(
    y: np.ndarray, rate: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Flip a share ``rate`` of labels to a different class chosen at random."""
    classes = np.unique(y)
    flipped = rng.random(y.size) < rate
    noisy = y.copy()
    shift = rng.integers(1, classes.size, flipped.sum())
    noisy[flipped] = classes[(np.searchsorted(classes, y[flipped]) + shift) % classes.size]
    return noisy, flipped


def noise_benchmark(seeds: int) -> pd.DataFrame:
    X, y = load_digits(return_X_y=True, as_frame=True)
    y = y.to_numpy()
    rows = []
    for rate in (0.05, 0.10, 0.20):
        for seed in range(seeds):
            noisy, flipped = flip_labels(y, rate, np.random.default_rng(seed))
            start = time.perf_counter()
            with tempfile.TemporaryDirectory() as tmp:
                findings = hmd.diagnose(
                    X=X, y=noisy, checks=["label_noise"], random_state=seed, out_dir=tmp
                )
                suspects = pd.read_csv(os.path.join(tmp, "label_issues.csv"))["row"].to_numpy()
            seconds = time.perf_counter() - start
            found = findings[0].evidence
            hit = flipped[suspects].sum()
            rows.append(
                {
                    "injected": rate,
                    "seed": seed,
                    "true_share": flipped.mean(),
                    "estimated_share": found["estimated_share"],
                    "n_suspects": suspects.size,
                    "precision": hit / max(suspects.size, 1),
                    "recall": hit / max(flipped.sum(), 1),
                    "seconds": seconds,
                }
            )
            print(rows[-1], flush=True)
    return pd.DataFrame(rows)


def timing_benchmark(which: str) -> list[dict]:
    out = []
    rng = np.random.default_rng(0)
    if which in ("timing", "timing-digits"):
        out.append(time_digits(rng))
    if which in ("timing", "timing-large"):
        out.append(time_large(rng))
    return out


def time_digits(rng: np.random.Generator) -> dict:
    X, y = load_digits(return_X_y=True, as_frame=True)
    t_curve = time.perf_counter()
    curve = hmd.learning_curve(hmd_estimator("logreg", X, y.to_numpy()), X, y.to_numpy(), repeats=3)
    t_curve = time.perf_counter() - t_curve
    start = time.perf_counter()
    findings = hmd.diagnose(
        curve, X, y.to_numpy(), time=rng.permutation(len(y)), subgroup=rng.integers(0, 4, len(y))
    )
    row = {
        "data": "digits (1,797 x 64), time + 4 subgroups",
        "curve_seconds": t_curve,
        "diagnose_seconds": time.perf_counter() - start,
        "findings": [f"{f.severity}:{f.kind}" for f in findings],
    }
    print(row, flush=True)
    return row


def time_large(rng: np.random.Generator) -> dict:
    """100,000 rows; the curve (timed apart) uses 5 sizes x 2 repeats to keep it short."""
    Xb, yb = make_classification(
        100_000, n_features=20, n_informative=8, flip_y=0.05, random_state=0
    )
    frame = pd.DataFrame(Xb, columns=[f"f{i}" for i in range(20)])
    frame["site"] = rng.choice(list("ABCDEFGH"), len(yb))
    stamps = np.arange(len(yb), dtype=float)
    t_curve = time.perf_counter()
    curve = hmd.learning_curve(
        hmd_estimator("logreg", frame, yb),
        frame,
        yb,
        sizes=[1000, 3000, 10000, 30000, 80000],
        repeats=2,
    )
    t_curve = time.perf_counter() - t_curve
    start = time.perf_counter()
    findings = hmd.diagnose(curve, frame, yb, time=stamps, subgroup="site")
    row = {
        "data": "make_classification (100,000 x 20 + 1 categorical), time + 8 subgroups",
        "curve_seconds": t_curve,
        "diagnose_seconds": time.perf_counter() - start,
        "findings": [f"{f.severity}:{f.kind}" for f in findings],
    }
    print(row, flush=True)
    return row


def time_stages() -> None:
    """Seconds per stage on the 100,000-row table: shared values first, then each check."""
    from howmuchdata.data import load_dataset
    from howmuchdata.diagnose import DiagnosisContext, get_check

    rng = np.random.default_rng(0)
    Xb, yb = make_classification(
        100_000, n_features=20, n_informative=8, flip_y=0.05, random_state=0
    )
    frame = pd.DataFrame(Xb, columns=[f"f{i}" for i in range(20)])
    frame["site"] = rng.choice(list("ABCDEFGH"), len(yb))
    data = load_dataset(frame, yb, time=np.arange(len(yb), dtype=float))
    ctx = DiagnosisContext(
        None, data.X, data.y, time=data.time, subgroup=frame["site"].to_numpy(), task=data.task
    )
    stages = {
        "oof_proba": lambda: ctx.oof_proba,
        "features": lambda: ctx.features,
        **{
            name: (lambda name=name: get_check(name).run(ctx))
            for name in [
                "label_noise",
                "imbalance",
                "subgroup_underperforms",
                "duplicates",
                "drift",
            ]
        },
    }
    for name, stage in stages.items():
        start = time.perf_counter()
        stage()
        print(f"| {name} | {time.perf_counter() - start:.1f} |", flush=True)


def hmd_estimator(preset: str, X: pd.DataFrame, y: np.ndarray):
    from howmuchdata.data import load_dataset
    from howmuchdata.models import make_estimator

    return make_estimator(preset, load_dataset(X, target=y))


def machine() -> str:
    cpu = "unknown CPU"
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    return f"{os.cpu_count()} cores ({cpu}), {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--part",
        choices=["noise", "timing", "timing-digits", "timing-large", "timing-stages", "all"],
        default="all",
    )
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    print("machine:", machine())
    if args.part in ("noise", "all"):
        table = noise_benchmark(args.seeds)
        summary = table.groupby("injected").agg(
            true_share=("true_share", "mean"),
            estimated_mean=("estimated_share", "mean"),
            estimated_min=("estimated_share", "min"),
            estimated_max=("estimated_share", "max"),
            precision=("precision", "mean"),
            recall=("recall", "mean"),
            seconds=("seconds", "mean"),
        )
        print(summary.round(3).to_markdown())
    if args.part == "timing-stages":
        time_stages()
    elif args.part != "noise":
        for row in timing_benchmark("timing" if args.part == "all" else args.part):
            print(
                f"| {row['data']} | {row['curve_seconds']:.1f} | {row['diagnose_seconds']:.1f} | "
                f"{', '.join(row['findings'])} |"
            )


if __name__ == "__main__":
    main()
