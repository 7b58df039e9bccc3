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


def test_repeats_of_a_time_split_with_few_time_stamps_are_all_different():
    # 12 months of 100 rows: the step between windows (48 rows) is shorter than a month, so
    # each repeat's start would fall back onto the previous one's month boundary
    time = np.repeat(np.arange(12.0), 100)
    splits = make_splits(np.zeros(1200), task="regression", repeats=5, seed=0, time=time)
    starts = [split.train_order.size for split in splits]
    assert starts == [900, 800, 700, 600, 500]  # one month earlier each time
    for split in splits:
        assert time[split.train_order].max() < time[split.val].min()


def test_time_split_with_many_time_stamps_keeps_its_step():
    time = np.arange(1000.0)
    splits = make_splits(np.zeros(1000), task="regression", repeats=3, seed=0, time=time)
    assert [split.train_order.size for split in splits] == [800, 760, 720]


def test_a_time_series_split_on_rows_out_of_order_gets_its_own_store_key(monkeypatch):
    # points stored before TimeSeriesSplit followed time= were measured on position splits
    # of rows out of order (leaky): the key of such a run must differ from theirs
    from sklearn.linear_model import LinearRegression

    import howmuchdata as hmd
    from howmuchdata.curve import core

    seen = []
    real = core.key_digest
    monkeypatch.setattr(
        core, "key_digest", lambda identity: seen.append(identity) or real(identity)
    )
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(120, 2)), rng.normal(size=120)
    kwargs = dict(sizes=[10, 20, 30], repeats=2, cv=TimeSeriesSplit(3))
    hmd.learning_curve(LinearRegression(), X, y, time=rng.permutation(120).astype(float), **kwargs)
    hmd.learning_curve(LinearRegression(), X, y, time=np.arange(120.0), **kwargs)
    marked = [identity.get("cv_time_order") for identity in seen if "engine" in identity]
    assert marked == [1, None]  # in time order the splits are as before: keys unchanged
