"""Grouped data with a few large groups of unequal size: sizes count rows, training rows come
group by group, and a size that ends inside a group trains on the first rows of that group
only (as the README and ``learning_curve``'s docstring say)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from howmuchdata.curve import learning_curve
from howmuchdata.curve.plan import make_splits
from howmuchdata.curve.runner import n_groups_per_point

GROUP_ROWS = [300, 120, 60, 200, 40, 80]  # six groups, none smaller than 40 rows


@pytest.fixture
def few_large_groups() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    groups = np.repeat(np.array(list("abcdef")), GROUP_ROWS)
    rng.shuffle(groups)  # rows of a group scattered through the file
    X = rng.normal(size=(groups.size, 3))
    y = X[:, 0] + rng.normal(size=groups.size)
    return X, y, groups


def _runs(labels: np.ndarray) -> list[str]:
    """The groups along an order, one entry per run of equal labels."""
    starts = np.r_[True, labels[1:] != labels[:-1]]
    return labels[starts].tolist()


def test_training_rows_come_group_by_group(few_large_groups):
    _, y, groups = few_large_groups
    for split in make_splits(y, task="regression", repeats=4, seed=0, groups=groups):
        runs = _runs(groups[split.train_order])
        assert len(runs) == len(set(runs))  # each group's rows together, once
        assert not set(runs) & set(groups[split.val])  # validation: whole other groups


def test_a_subset_is_whole_groups_plus_the_first_rows_of_the_next(few_large_groups):
    _, y, groups = few_large_groups
    cut = 0
    for split in make_splits(y, task="regression", repeats=4, seed=0, groups=groups):
        order = groups[split.train_order]
        for n in (16, 45, 130, 333, len(order)):
            used, rows = np.unique(order[:n], return_counts=True)
            pool = dict(zip(*np.unique(order, return_counts=True), strict=True))
            partial = [g for g, k in zip(used, rows, strict=True) if k < pool[g]]
            assert len(partial) <= 1
            if partial:  # the partly used group is the last one added
                assert partial[0] == order[n - 1]
                cut += 1
    assert cut  # sizes do land inside groups: they count rows, not groups


def test_a_size_inside_the_first_group_trains_on_that_group_alone(few_large_groups):
    X, y, groups = few_large_groups
    curve = learning_curve(Ridge(), X, y, groups=groups, sizes=[16, 39], repeats=3)
    assert (curve.points["n_train_groups"] == 1).all()  # every group has at least 40 rows


def test_n_train_groups_counts_a_partly_used_group(few_large_groups):
    X, y, groups = few_large_groups
    sizes = [16, 45, 130, 333]
    curve = learning_curve(Ridge(), X, y, groups=groups, sizes=sizes, repeats=3)
    splits = make_splits(y, task="regression", repeats=3, seed=0, groups=groups)
    for split in splits:
        expected = {n: np.unique(groups[split.train_order[:n]]).size for n in sizes}
        assert n_groups_per_point(groups, split, sizes) == expected
        mine = curve.points[curve.points["repeat"] == split.repeat]
        assert dict(zip(mine["size"], mine["n_train_groups"], strict=True)) == expected
