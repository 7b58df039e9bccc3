"""Turning the public LCDB slice into curves and into the learned model's training table.

Used by ``scripts/build_extrapolation_table.py`` (which writes the shipped table) and by
``benchmarks/extrapolation.py`` (which retrains per fold through the same code).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from howmuchdata.extrapolate.features import (
    FEATURE_NAMES,
    TRAIN_FEATURES,
    make_prefix,
    per_size_means,
    query_features,
    train_summary,
)
from howmuchdata.extrapolate.fitting import CurveData


@dataclass(frozen=True)
class LcdbCurve:
    """One LCDB curve: (dataset, learner) at one outer seed, with the test-score truth."""

    openmlid: int
    learner: str
    outer_seed: int
    sizes: np.ndarray  # one entry per (size, inner seed)
    scores: np.ndarray  # score_valid, aligned with sizes
    truth_sizes: np.ndarray  # distinct sizes
    truth: np.ndarray  # mean score_test over all outer and inner seeds at each size
    train_scores: np.ndarray | None = None  # score_train, aligned with sizes

    @property
    def n_max(self) -> float:
        return float(self.sizes.max())

    def truth_at(self, n: np.ndarray) -> np.ndarray:
        idx = np.searchsorted(self.truth_sizes, n)
        return self.truth[np.clip(idx, 0, len(self.truth) - 1)]


def select_curves(df: pd.DataFrame) -> list[LcdbCurve]:
    """One curve per (openmlid, learner), with a deterministic outer seed.

    The chosen seed is the one reaching the largest training size, then the one with the most
    points, then the smallest seed number.
    """
    columns = ["openmlid", "learner", "outer_seed", "size_train", "score_valid", "score_test"]
    df = df[columns + (["score_train"] if "score_train" in df else [])]
    df = df.assign(learner=df["learner"].astype(str))
    stats = (
        df.groupby(["openmlid", "learner", "outer_seed"])["size_train"]
        .agg(["max", "size"])
        .reset_index()
        .sort_values(["openmlid", "learner", "max", "size", "outer_seed"],
                     ascending=[True, True, False, False, True])
    )  # fmt: skip
    chosen = stats.drop_duplicates(["openmlid", "learner"])[["openmlid", "learner", "outer_seed"]]
    truth = df.groupby(["openmlid", "learner", "size_train"])["score_test"].mean()
    points = df.merge(chosen, on=["openmlid", "learner", "outer_seed"])
    curves = []
    for (oid, learner), grp in points.groupby(["openmlid", "learner"], sort=True):
        t = truth.loc[(oid, learner)]
        curves.append(
            LcdbCurve(
                int(oid), str(learner), int(grp["outer_seed"].iloc[0]),
                grp["size_train"].to_numpy(float), grp["score_valid"].to_numpy(float),
                t.index.to_numpy(float), t.to_numpy(float),
                grp["score_train"].to_numpy(float) if "score_train" in grp else None,
            )
        )  # fmt: skip
    return curves


def fewer_repeats(
    sizes: np.ndarray, scores: np.ndarray, k: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """The first ``k`` points at each size (all of them for ``k=None``): what a user who
    measured fewer repeats than LCDB's 5 or 25 would have."""
    if k is None:
        return sizes, scores
    keep = pd.Series(sizes).groupby(sizes).cumcount().to_numpy() < k
    return sizes[keep], scores[keep]


def _prefix_points(
    curve: LcdbCurve, values: np.ndarray, n_cut: float, repeats: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """Sizes and ``values`` (aligned with ``curve.sizes``) of the first ``repeats`` points per
    size up to ``n_cut``."""
    keep = curve.sizes <= n_cut
    return fewer_repeats(curve.sizes[keep], values[keep], repeats)


def prefix_data(curve: LcdbCurve, n_cut: float, repeats: int | None = None) -> CurveData | None:
    """The curve's points at sizes <= n_cut in error form (the first ``repeats`` per size, all
    by default), or None below 4 distinct sizes."""
    sizes, scores = _prefix_points(curve, curve.scores, n_cut, repeats)
    if len(np.unique(sizes)) < 4:
        return None
    return CurveData.from_points(sizes, 1.0 - scores, 0.0)


def prefix_train_means(
    curve: LcdbCurve, data: CurveData, n_cut: float, repeats: int | None = None
) -> np.ndarray | None:
    """Mean training score at each size of the prefix ``data`` (same points as
    :func:`prefix_data`), or None when the curve has no training scores."""
    if curve.train_scores is None:
        return None
    sizes, train = _prefix_points(curve, curve.train_scores, n_cut, repeats)
    return per_size_means(sizes, train, data.sizes)


# Training prefixes end at the anchors whose distance to n_max (log2) is closest to these;
# queries are taken at the anchors closest to these distances beyond the prefix.
PREFIX_DISTANCES = (1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0, 6.0)
QUERY_DISTANCES = (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0, 6.0, 7.0)


def _nearest(values: np.ndarray, targets: tuple[float, ...], tol: float) -> np.ndarray:
    idx = {int(np.argmin(np.abs(values - t))) for t in targets if np.min(np.abs(values - t)) <= tol}
    return np.array(sorted(idx), dtype=int)


#: Repeats per size the training prefixes are built with: all of LCDB's, and as a user with 3
#: or with a single run per size would have them, so the learned model has seen those too.
TRAINING_REPEATS: tuple[int | None, ...] = (None, 3, 1)


def curve_rows(curve: LcdbCurve, repeats: int | None = None) -> dict[str, np.ndarray] | None:
    """All training rows of one curve (several prefixes, several query sizes each), from the
    first ``repeats`` points per size (all by default)."""
    anchors = np.unique(curve.sizes)
    dist_to_max = np.log2(curve.n_max / anchors)
    rows, targets, scales, train_rows = [], [], [], []
    for i in _nearest(dist_to_max, PREFIX_DISTANCES, 0.3):
        data = prefix_data(curve, anchors[i], repeats)
        if data is None:
            continue
        prefix = make_prefix(data)
        train = prefix_train_means(curve, data, anchors[i], repeats)
        later = anchors[anchors >= anchors[i]]
        d = np.log2(later / anchors[i])
        q = later[_nearest(d, QUERY_DISTANCES, 0.3)]
        if curve.n_max not in q:
            q = np.append(q, curve.n_max)
        X, base = query_features(prefix, q)
        rows.append(X)
        targets.append(curve.truth_at(q) - base)
        scales.append(np.full(len(q), prefix.scale))
        summary = (
            train_summary(data, train)
            if train is not None
            else np.full(len(TRAIN_FEATURES), np.nan)
        )
        train_rows.append(np.tile(summary, (len(q), 1)))
    if not rows:
        return None
    X = np.vstack(rows)
    return {
        "X": X,
        "X_train": np.vstack(train_rows),
        "target": np.concatenate(targets),
        "scale": np.concatenate(scales),
        "groups": np.full(len(X), curve.openmlid),
        "repeats_kept": np.full(len(X), 0 if repeats is None else repeats),  # 0: all
    }


def rows_of_curves(
    rows_of: Callable[[LcdbCurve], dict[str, np.ndarray] | None],
    curves: list[LcdbCurve],
    n_jobs: int = 2,
) -> dict[str, np.ndarray]:
    """``rows_of`` applied to every curve in parallel, its arrays concatenated in curve order
    (curves it answers None for are left out)."""
    from joblib import Parallel, delayed

    parts = Parallel(n_jobs=n_jobs, batch_size=8)(delayed(rows_of)(c) for c in curves)
    parts = [p for p in parts if p is not None]
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def cached_table(
    cache: Path | None, build: Callable[[], dict[str, np.ndarray]]
) -> dict[str, np.ndarray]:
    """The table kept at ``cache`` (an ``.npz``) when it is there, else ``build()``'s, which is
    then written there; no cache: just ``build()``."""
    if cache is not None and cache.exists():
        with np.load(cache) as z:
            return {k: z[k] for k in z.files}
    table = build()
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache, **table)
    return table


def curve_rows_all_repeats(curve: LcdbCurve) -> dict[str, np.ndarray] | None:
    """:func:`curve_rows` at every entry of TRAINING_REPEATS, stacked."""
    parts = [p for k in TRAINING_REPEATS if (p := curve_rows(curve, k)) is not None]
    if not parts:
        return None
    return {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}


def build_table(curves: list[LcdbCurve], n_jobs: int = 2) -> dict[str, np.ndarray]:
    """The training table of many curves (rows in curve order), computed in parallel."""
    table = rows_of_curves(curve_rows_all_repeats, curves, n_jobs)
    assert table["X"].shape[1] == len(FEATURE_NAMES)
    return table


MAX_SHIPPED_ROWS = 60_000
#: Rows shipped on top from the prefixes with fewer repeats (TRAINING_REPEATS).
MAX_SHIPPED_FEWER_REPEATS = 30_000


def _random_rows(rows: np.ndarray, max_rows: int) -> np.ndarray:
    if len(rows) <= max_rows:
        return rows
    return np.sort(np.random.default_rng(0).choice(rows, size=max_rows, replace=False))


def shipping_subset(
    table: dict[str, np.ndarray], max_rows: int = MAX_SHIPPED_ROWS
) -> dict[str, np.ndarray]:
    """A deterministic random subset of the rows, so the shipped file stays a few MB.

    A table with ``repeats_kept`` gets ``max_rows`` of its rows with every repeat and up to
    MAX_SHIPPED_FEWER_REPEATS more of those with fewer.
    """
    rows = np.arange(len(table["X"]))
    if "repeats_kept" in table:
        every = table["repeats_kept"] == 0
        keep = np.sort(
            np.concatenate(
                [
                    _random_rows(rows[every], max_rows),
                    _random_rows(rows[~every], MAX_SHIPPED_FEWER_REPEATS),
                ]
            )
        )
    else:
        keep = _random_rows(rows, max_rows)
    if len(keep) == len(rows):
        return table
    return {k: v[keep] for k, v in table.items()}
