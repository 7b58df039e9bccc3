"""Rebuild the learned extrapolation model's shipped table from the public LCDB slice.

    .venv/bin/python scripts/build_extrapolation_table.py \
        --lcdb ../shared/data/lcdb_public_accuracy.parquet --n-jobs 2

Writes ``src/howmuchdata/_resources/lcdb_extrapolation.npz``: the compact training table (prefix
features, the training-score features, residual targets, curve scales, dataset ids) and the
quantile tables of grouped out-of-fold residuals of its two models (validation scores alone,
and with the training scores). The package fits its regressors from this table on first use.

Data: LCDB 1.0 (F. Mohr, T. J. Viering, M. Loog, J. N. van Rijn, ECML PKDD 2022), MIT license,
"Copyright (c) 2021 Felix Mohr".
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from howmuchdata.extrapolate.lcdb import build_table, cached_table, select_curves, shipping_subset
from howmuchdata.extrapolate.learned import resource_path, save_table, train_learned


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lcdb", default="../shared/data/lcdb_public_accuracy.parquet")
    parser.add_argument("--out", default=str(resource_path()))
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None, help="use only the first N curves")
    parser.add_argument("--table-cache", default=None, help="reuse/keep the full table here")
    args = parser.parse_args()

    t0 = time.time()
    cache = Path(args.table_cache) if args.table_cache else None

    def build() -> dict[str, np.ndarray]:
        curves = select_curves(pd.read_parquet(args.lcdb))
        if args.limit:
            curves = curves[: args.limit]
        print(f"{len(curves)} curves; building the table ...")
        return build_table(curves, n_jobs=args.n_jobs)

    table = cached_table(cache, build)
    print(f"full table: {len(table['X'])} rows ({time.time() - t0:.0f} s)")
    table = shipping_subset(table)
    model = train_learned(table)
    with_train = train_learned(table, with_train=True)
    save_table(table, model.quantiles, Path(args.out), train_quantiles=with_train.quantiles)
    size = Path(args.out).stat().st_size / 1e6
    print(f"shipped table: {len(table['X'])} rows, {size:.2f} MB -> {args.out}")
    q = model.quantiles
    lo, hi = np.searchsorted(q.probs, 0.1), np.searchsorted(q.probs, 0.9)
    for d, row in zip(q.d_bins, q.values, strict=True):
        print(f"  d={d:3.1f}: 80% normalised band [{row[lo]:+.2f}, {row[hi]:+.2f}]")
    print(f"done in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
