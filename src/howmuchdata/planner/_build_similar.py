"""Rebuild ``_resources/lcdb_similar.csv``: samples needed to get within 1 point of the ceiling.

Run from the repository root (the LCDB slice is not shipped with the package)::

    python -m howmuchdata.planner._build_similar /work/shared/data/lcdb_public_accuracy.parquet

For every (dataset, learner) curve of the public LCDB slice (outer seed 0; truth at a size =
mean test accuracy over all seeds), the ceiling is the truth at the largest size and ``n_1pt``
the smallest size where the truth is within 0.01 of it (log-linear interpolation between sizes).
Curves are grouped by learner and by the dataset's largest training size (the slice carries no
feature or class counts), and the table keeps the quartiles of ``n_1pt`` per group.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from howmuchdata.planner.rounds import reach_size

OUT = Path(__file__).resolve().parents[1] / "_resources" / "lcdb_similar.csv"
#: Upper edges of the dataset-size bands (largest training size of the dataset).
POOL_BANDS = (1_000, 10_000, np.inf)
POOL_LABELS = ("<1k", "1k-10k", ">10k")


def pool_band(pool: float) -> str:
    """Label of the dataset-size band that ``pool`` falls in."""
    for edge, label in zip(POOL_BANDS, POOL_LABELS, strict=True):
        if pool < edge:
            return label
    return POOL_LABELS[-1]


def curve_table(df: pd.DataFrame) -> pd.DataFrame:
    """One row per (dataset, learner): ceiling and samples to within 1 point of it."""
    truth = df.groupby(["openmlid", "learner", "size_train"], observed=True)["score_test"].mean()
    rows = []
    for (dataset, learner), t in truth.groupby(level=[0, 1], observed=True):
        sizes = t.index.get_level_values("size_train").to_numpy(float)
        values = t.to_numpy(float)
        if sizes.size < 6:
            continue
        ceiling = values[-1]
        rows.append(
            {
                "openmlid": dataset,
                "learner": str(learner),
                "pool": sizes[-1],
                "ceiling": ceiling,
                "n_1pt": reach_size(
                    sizes, values, ceiling - 0.01
                ),  # inf: never (not possible here)
            }
        )
    return pd.DataFrame(rows)


def build(parquet: str | Path) -> pd.DataFrame:
    """Summary table: per learner (and ``all``) and dataset-size band, quartiles of n_1pt."""
    df = pd.read_parquet(parquet, columns=["openmlid", "learner", "size_train", "score_test"])
    curves = curve_table(df)
    curves["band"] = curves["pool"].map(pool_band)
    both = pd.concat([curves, curves.assign(learner="all")])
    q = both.groupby(["learner", "band"])["n_1pt"].quantile([0.25, 0.5, 0.75]).unstack()
    q.columns = ["n_q25", "n_median", "n_q75"]
    out = q.join(
        both.groupby(["learner", "band"]).agg(
            curves=("n_1pt", "size"),
            datasets=("openmlid", "nunique"),
            pool_median=("pool", "median"),
            ceiling_median=("ceiling", "median"),
        )
    )
    return out.reset_index().round(
        {"n_q25": 0, "n_median": 0, "n_q75": 0, "pool_median": 0, "ceiling_median": 4}
    )


if __name__ == "__main__":
    table = build(
        sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/lcdb_public_accuracy.parquet"
    )
    table.to_csv(OUT, index=False)
    print(f"wrote {OUT} ({len(table)} rows)")
