"""The need model's training table from the public LCDB slice.

Used by ``scripts/build_need_table.py`` (the shipped table) and ``benchmarks/planning.py``
(which retrains per fold through the same code). A row is one prefix of one curve (every
prefix of 4 or more sizes) with one target: one point below the truth at a later size (the
largest size always, and the sizes about 1/2, 1, 2, 3 and 4 doublings further); its answer is
log2 of the size where the truth first reaches that target over the largest size seen.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from howmuchdata.extrapolate.features import make_prefix
from howmuchdata.extrapolate.lcdb import (
    LcdbCurve,
    cached_table,
    prefix_data,
    rows_of_curves,
    select_curves,
)
from howmuchdata.extrapolate.lcdb import shipping_subset as lcdb_shipping_subset
from howmuchdata.planner.need import NEED_FEATURES, need_row
from howmuchdata.planner.rounds import reach_size

#: How far below the truth at a later size each training target lies.
TARGET_BELOW = 0.01
TARGET_DOUBLINGS = (0.5, 1.0, 2.0, 3.0, 4.0)


def need_curve_rows(curve: LcdbCurve) -> dict[str, np.ndarray] | None:
    """Every (prefix, target) row of one curve."""
    anchors = np.unique(curve.sizes)
    truth = curve.truth_at(anchors)
    rows, answers = [], []
    for j in range(3, len(anchors) - 1):
        later = np.arange(j + 1, len(anchors))
        dist = np.log2(anchors[later] / anchors[j])
        picks = {int(later[-1])}
        picks |= {int(later[np.argmin(np.abs(dist - t))]) for t in TARGET_DOUBLINGS}
        targets = []
        for k in sorted(picks):
            target = float(truth[k]) - TARGET_BELOW
            n_star = reach_size(anchors, truth, target)
            if n_star > anchors[j]:
                targets.append((target, n_star))
        if not targets:
            continue
        prefix = make_prefix(prefix_data(curve, anchors[j]))
        for target, n_star in targets:
            rows.append(need_row(prefix, target))
            answers.append(np.log2(n_star / anchors[j]))
    if not rows:
        return None
    return {
        "X": np.vstack(rows),
        "y": np.array(answers),
        "groups": np.full(len(rows), curve.openmlid),
    }


def build_need_table(curves: list[LcdbCurve], n_jobs: int = 2) -> dict[str, np.ndarray]:
    """The need table of many curves (rows in curve order), computed in parallel."""
    table = rows_of_curves(need_curve_rows, curves, n_jobs)
    assert table["X"].shape[1] == len(NEED_FEATURES)
    return table


def load_or_build_table(
    lcdb: str | Path, cache: Path | None = None, n_jobs: int = 2
) -> dict[str, np.ndarray]:
    """The full need table of the LCDB slice at ``lcdb``, read from ``cache`` when it is there
    (and written to it otherwise)."""
    import pandas as pd

    return cached_table(
        cache, lambda: build_need_table(select_curves(pd.read_parquet(lcdb)), n_jobs=n_jobs)
    )


#: Rows of the shipped need table (and of the benchmark's training table).
MAX_SHIPPED_ROWS = 50_000


def shipping_subset(table: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The deterministic subset of the rows that ships (and that the benchmark trains on)."""
    return lcdb_shipping_subset(table, MAX_SHIPPED_ROWS)
