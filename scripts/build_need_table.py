"""Rebuild the planner's need model table from the public LCDB slice.

    .venv/bin/python scripts/build_need_table.py \
        --lcdb ../shared/data/lcdb_public_accuracy.parquet --n-jobs 2

Writes ``src/howmuchdata/_resources/lcdb_need.npz``: prefix-and-target features, the answer
log2(n_needed / n_seen) and the dataset ids, for a deterministic subset of the rows. The
package fits its regressor from it on first use. The purchase margins that read the model are
calibrated by ``benchmarks/planning.py --calibrate`` (grouped by dataset).

Data: LCDB 1.0 (F. Mohr, T. J. Viering, M. Loog, J. N. van Rijn, ECML PKDD 2022), MIT license,
"Copyright (c) 2021 Felix Mohr".
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from howmuchdata.planner.need import NEED_FEATURES, need_table_path
from howmuchdata.planner.need_lcdb import load_or_build_table, shipping_subset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lcdb", default="../shared/data/lcdb_public_accuracy.parquet")
    parser.add_argument("--out", default=str(need_table_path()))
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--table-cache", default=None, help="reuse/keep the full table here")
    args = parser.parse_args()
    t0 = time.time()
    cache = Path(args.table_cache) if args.table_cache else None
    table = load_or_build_table(args.lcdb, cache, args.n_jobs)
    print(f"full table: {len(table['y'])} rows ({time.time() - t0:.0f} s)")
    table = shipping_subset(table)
    np.savez_compressed(
        args.out,
        X=table["X"].astype(np.float32),
        y=table["y"].astype(np.float32),
        groups=table["groups"].astype(np.int32),
        feature_names=np.array(NEED_FEATURES),
    )
    size = Path(args.out).stat().st_size / 1e6
    print(f"shipped table: {len(table['y'])} rows, {size:.2f} MB -> {args.out}")


if __name__ == "__main__":
    main()
