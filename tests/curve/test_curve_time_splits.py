"""Time splits: validation rows are never older than training rows, whatever the row order."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.model_selection import TimeSeriesSplit

from howmuchdata.curve.plan import make_splits


@pytest.mark.parametrize("cv", [None, TimeSeriesSplit(4)], ids=["time", "TimeSeriesSplit"])
def test_rows_out_of_time_order_never_train_on_the_future(cv):
    time = np.random.default_rng(0).permutation(200).astype(float)  # a shuffled file
    splits = make_splits(np.zeros(200), task="regression", repeats=3, seed=0, time=time, cv=cv)
    for split in splits:
        assert time[split.train_order].max() < time[split.val].min()
        # the subset of size n is the n most recent training rows
        assert np.array_equal(time[split.train_order], np.sort(time[split.train_order])[::-1])


def test_time_series_split_of_rows_in_time_order_is_the_splitters_own():
    time = np.arange(200.0)
    splits = make_splits(
        np.zeros(200), task="regression", repeats=3, seed=0, time=time, cv=TimeSeriesSplit(4)
    )
    for split, (train, val) in zip(splits, TimeSeriesSplit(4).split(np.zeros(200)), strict=False):
        assert np.array_equal(np.sort(split.train_order), train)
        assert np.array_equal(split.val, val)


def test_time_series_split_follows_the_time_stamps_not_the_row_numbers():
    time = np.arange(100.0)[::-1]  # newest row first
    (split,) = make_splits(
        np.zeros(100), task="regression", repeats=1, seed=0, time=time, cv=TimeSeriesSplit(3)
    )
    assert sorted(time[split.train_order]) == list(range(25))
    assert sorted(time[split.val]) == list(range(25, 50))
