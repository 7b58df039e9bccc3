"""howmuchdata.curve.plan: sizes, nested splits and seeds."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold, TimeSeriesSplit

from howmuchdata.curve.plan import (
    default_min_size,
    fit_seed,
    geometric_sizes,
    make_splits,
    resolve_sizes,
)
from howmuchdata.errors import HowMuchDataError


def test_geometric_sizes_grow_by_sqrt2_and_end_at_the_maximum():
    sizes = geometric_sizes(50, 1437)
    assert sizes[0] == 50 and sizes[-1] == 1437
    ratios = np.diff(np.log(sizes[:-1]))
    assert np.allclose(ratios, math.log(math.sqrt(2)), atol=0.02)


def test_default_minimum_holds_a_few_rows_of_every_class():
    y = np.repeat([0, 1, 2], [90, 90, 20])  # rarest class: 10% of rows
    assert default_min_size(y, "classification") == max(16, 5 * 3, 20)
    assert default_min_size(np.arange(50.0), "regression") == 16


def test_fewer_rows_than_the_smallest_size():
    with pytest.raises(HowMuchDataError, match="fewer than the smallest useful training size"):
        resolve_sizes(None, min_size=50, max_size=30, n_rows=38)
    with pytest.raises(HowMuchDataError, match="pass sizes up to 30"):
        resolve_sizes([10, 40], min_size=1, max_size=30, n_rows=38)
    assert resolve_sizes([0.5, 1.0, 10], min_size=1, max_size=30, n_rows=38) == [10, 15, 30]


def test_stratified_subsets_keep_every_class_at_every_prefix():
    y = np.repeat([0, 1, 2, 3], [100, 100, 50, 25])
    (split,) = make_splits(y, task="classification", repeats=1, seed=3)
    share = np.bincount(y) / len(y)
    for n in (16, 20, 40, 100):
        counts = np.bincount(y[split.train_order[:n]], minlength=4)
        assert np.all(np.abs(counts - n * share) <= 1.0 + 1e-9), (n, counts)
    assert not set(split.train_order) & set(split.val)


def test_class_too_small_to_stratify():
    y = np.array([0] * 20 + [1] * 20 + [2])
    with pytest.raises(HowMuchDataError, match="class 2 has 1 row"):
        make_splits(y, task="classification", repeats=2, seed=0)


def test_group_split_keeps_groups_on_one_side_and_adds_whole_groups():
    groups = np.repeat(np.arange(30), 5)
    y = np.arange(150) % 2
    for split in make_splits(y, task="classification", repeats=3, seed=1, groups=groups):
        assert not set(groups[split.train_order]) & set(groups[split.val])
        # rows arrive a group at a time: the first 25 rows are exactly 5 whole groups
        assert len(set(groups[split.train_order[:25]])) == 5


def test_time_split_validates_after_training_on_the_most_recent_rows():
    rng = np.random.default_rng(0)
    time = rng.permutation(np.arange(100.0))
    y = rng.random(100)
    splits = make_splits(y, task="regression", repeats=3, seed=0, time=time)
    for split in splits:
        assert time[split.train_order].max() < time[split.val].min()
        newest = time[split.train_order[:10]]
        before = time[split.train_order]
        assert set(newest) == set(np.sort(before)[-10:])
    # repeats move the validation window back in time
    assert time[splits[0].val].min() > time[splits[1].val].min() > time[splits[2].val].min()


def test_splits_and_seeds_depend_only_on_seed_and_repeat():
    y = np.repeat([0, 1], 60)
    three = make_splits(y, task="classification", repeats=3, seed=7)
    five = make_splits(y, task="classification", repeats=5, seed=7)
    for a, b in zip(three, five[:3], strict=True):
        assert np.array_equal(a.train_order, b.train_order) and np.array_equal(a.val, b.val)
    other = make_splits(y, task="classification", repeats=1, seed=8)[0]
    assert not np.array_equal(other.val, three[0].val)
    assert fit_seed(7, 1, 100) == fit_seed(7, 1, 100) != fit_seed(7, 2, 100)


@pytest.mark.parametrize(
    ("sizes", "expected"),
    [
        ([0.1, 0.5, 1], [14, 71, 142]),  # a bare 1 next to fractions is all of the rows
        ([0.1, 0.5, 1.0], [14, 71, 142]),
        ([1.0], [142]),
        ([0.5, 1.0, 10], [10, 71, 142]),
        ([1, 50, 100], [2, 50, 100]),  # only row counts: 1 is one row (at least 2 are fitted)
        ([50.0, np.int64(60)], [50, 60]),
    ],
)
def test_fractions_and_row_counts(sizes, expected):
    assert resolve_sizes(sizes, min_size=1, max_size=142, n_rows=178) == expected


@pytest.mark.parametrize(
    ("sizes", "message"),
    [
        ([0.5, 2.5], "training size 2.5 is neither a row count"),
        ([-1], "training size -1 is not a positive number"),
        ([float("nan")], "training size nan is not a positive number"),
        (["50"], "training size '50' is not a number"),
        ([], "no training sizes given"),
    ],
)
def test_sizes_that_are_neither_counts_nor_fractions(sizes, message):
    with pytest.raises(HowMuchDataError, match=message) as exc:
        resolve_sizes(sizes, min_size=1, max_size=142, n_rows=178)
    assert "0.1,0.5,1" in str(exc.value) and "\n" not in str(exc.value)


def _sorted_classes() -> tuple[np.ndarray, np.ndarray]:
    y = np.repeat([0, 1, 2], [60, 70, 50])  # sorted by class, like load_wine
    return np.zeros((len(y), 1)), y


def test_sklearn_splitter_subsets_are_a_seeded_random_stratified_order():
    X, y = _sorted_classes()
    cv = KFold(5, shuffle=True, random_state=0)
    splits = make_splits(y, task="classification", repeats=3, seed=0, cv=cv, X=X)
    for split, (train, val) in zip(splits, cv.split(X, y), strict=False):
        share = np.bincount(y[train]) / len(train)  # the proportions of this training pool
        assert np.array_equal(np.sort(split.train_order), train)  # the splitter's rows
        assert np.array_equal(split.val, val)
        assert not np.array_equal(split.train_order, train)  # but not its sorted order
        for n in (10, 20, 60):
            counts = np.bincount(y[split.train_order[:n]], minlength=3)
            assert np.all(np.abs(counts - n * share) <= 1.0 + 1e-9), (n, counts)
    again = make_splits(y, task="classification", repeats=3, seed=0, cv=cv, X=X)
    other = make_splits(y, task="classification", repeats=1, seed=1, cv=cv, X=X)
    assert all(
        np.array_equal(a.train_order, b.train_order) for a, b in zip(splits, again, strict=True)
    )
    assert not np.array_equal(other[0].train_order, splits[0].train_order)
    # not stratified: still a random order (every class among the first 20 rows)
    (plain,) = make_splits(y, task="classification", repeats=1, seed=0, cv=cv, stratify=False)
    assert len(np.unique(y[plain.train_order[:20]])) == 3


def test_stratified_kfold_and_group_kfold_are_reordered_too():
    X, y = _sorted_classes()
    (split,) = make_splits(y, task="classification", repeats=1, seed=0, cv=StratifiedKFold(3), X=X)
    assert len(np.unique(y[split.train_order[:6]])) == 3
    groups = np.arange(len(y)) // 4
    (grouped,) = make_splits(
        y, task="classification", repeats=1, seed=0, groups=groups, cv=GroupKFold(3), X=X
    )
    # whole groups at a time, in random order: not the 5 lowest group ids of the pool
    first = groups[grouped.train_order[:20]]
    lowest = np.unique(groups[grouped.train_order])[:5]
    assert len(set(first)) == 5 and set(first) != set(lowest)
    assert len(np.unique(y[grouped.train_order[:40]])) > 1


def test_time_series_split_keeps_time_order_most_recent_first():
    y = np.arange(100.0)
    splits = make_splits(y, task="regression", repeats=3, seed=0, cv=TimeSeriesSplit(3))
    for split in splits:
        assert split.train_order.max() < split.val.min()
        assert np.array_equal(split.train_order, np.sort(split.train_order)[::-1])
        n = len(split.train_order)
        assert set(split.train_order[:10]) == set(range(n - 10, n))  # the 10 most recent rows
    # with time stamps: by time, not by row number
    time = np.arange(100.0)[::-1]
    (by_time,) = make_splits(
        y, task="regression", repeats=1, seed=0, time=time, cv=TimeSeriesSplit(3)
    )
    assert np.array_equal(time[by_time.train_order], np.sort(time[by_time.train_order])[::-1])


def test_a_splitter_of_ones_own_keeps_its_order():
    class Given:
        def split(self, X=None, y=None, groups=None):
            yield np.array([9, 3, 7, 1, 5, 0, 8, 2]), np.array([4, 6])

    y = np.array([0, 1] * 5)
    (split,) = make_splits(y, task="classification", repeats=1, seed=0, cv=Given())
    assert split.train_order.tolist() == [9, 3, 7, 1, 5, 0, 8, 2]
