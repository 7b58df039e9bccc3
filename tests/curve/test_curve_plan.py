"""howmuchdata.curve.plan: sizes, nested splits and seeds."""

from __future__ import annotations

import math

import numpy as np
import pytest

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
