"""The LCDB training table also holds prefixes with fewer repeats than LCDB measured."""

from __future__ import annotations

import numpy as np

from howmuchdata.extrapolate.features import FEATURE_NAMES
from howmuchdata.extrapolate.lcdb import (
    TRAINING_REPEATS,
    LcdbCurve,
    curve_rows,
    curve_rows_all_repeats,
    fewer_repeats,
    shipping_subset,
)

BEST = FEATURE_NAMES.index("best_rep_last")
WORST = FEATURE_NAMES.index("worst_rep_last")
REPEATS = FEATURE_NAMES.index("repeats")


def lcdb_like_curve(repeats: int = 5) -> LcdbCurve:
    anchors = np.round(2.0 ** (4 + np.arange(14) / 2))
    rng = np.random.default_rng(0)
    sizes = np.repeat(anchors, repeats)
    truth = 0.92 - 0.4 * (anchors / 16.0) ** -0.5
    scores = np.repeat(truth, repeats) + rng.normal(0.0, 0.01, sizes.size)
    return LcdbCurve(1, "SVC_linear", 0, sizes, scores, anchors, truth)


def test_fewer_repeats_keeps_the_first_k_at_every_size():
    sizes = np.array([10, 10, 10, 20, 20, 20, 20, 30], dtype=float)
    scores = np.arange(8, dtype=float)
    s, y = fewer_repeats(sizes, scores, 2)
    assert s.tolist() == [10, 10, 20, 20, 30]
    assert y.tolist() == [0, 1, 3, 4, 7]
    assert fewer_repeats(sizes, scores, None)[0] is sizes


def test_the_table_has_rows_for_each_repeat_count():
    curve = lcdb_like_curve()
    per_count = [curve_rows(curve, k) for k in TRAINING_REPEATS]
    table = curve_rows_all_repeats(curve)
    assert len(table["X"]) == sum(len(p["X"]) for p in per_count)
    assert set(np.unique(table["groups"])) == {1}
    single = per_count[TRAINING_REPEATS.index(1)]["X"]
    every = per_count[TRAINING_REPEATS.index(None)]["X"]
    # a single run per size has no best or worst repeat apart from its mean; five do
    assert np.all(single[:, [BEST, WORST]] == 0.0)
    assert np.all(every[:, [BEST, WORST]] > 0.0)
    # and the model is told how many repeats it reads
    assert np.all(single[:, REPEATS] == 1.0) and np.all(every[:, REPEATS] == 5.0)
    assert sorted(np.unique(table["repeats_kept"])) == [0, 1, 3]
    # the same prefixes and queries at every repeat count
    assert len(single) == len(every)


def test_the_shipped_subset_keeps_full_rows_apart_from_the_fewer_repeat_ones():
    table = curve_rows_all_repeats(lcdb_like_curve())
    every = int(np.sum(table["repeats_kept"] == 0))
    few = shipping_subset(table, max_rows=every // 2)
    kept = few["repeats_kept"]
    assert int(np.sum(kept == 0)) == every // 2
    # the fewer-repeat rows are not cut to make room (this table has fewer than their cap)
    assert int(np.sum(kept != 0)) == int(np.sum(table["repeats_kept"] != 0))
