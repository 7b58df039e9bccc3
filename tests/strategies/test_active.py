"""Active learning simulated with scikit-activeml on the comparison's splits."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer

from howmuchdata.curve.plan import make_splits
from howmuchdata.strategies.active import _batch_schedule, simulate
from howmuchdata.strategies.base import StrategyContext, baseline_estimator


def test_batches_grow_and_land_on_every_size():
    counts = _batch_schedule(20, [20, 40, 80, 160], None)
    assert counts[-1] == 160 and {40, 80, 160} <= set(counts)
    steps = np.diff([20, *counts])
    assert (steps >= 1).all() and steps.max() <= 32  # 20% of the labels held, at most
    assert _batch_schedule(20, [20, 40, 80], 25) == [40, 65, 80]


@pytest.fixture(scope="module")
def cancer_ctx():
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X = X.iloc[:, :10].reset_index(drop=True)
    y = y.to_numpy()
    splits = make_splits(y, task="classification", repeats=2, seed=0)
    return StrategyContext(
        X=X, y=y, task="classification", splits=splits, sizes=[16, 32, 64, 128], options={}
    )


@pytest.mark.slow
def test_cold_start_from_the_baselines_first_subset(cancer_ctx):
    ctx = cancer_ctx
    curves = {m: simulate(ctx, m, name=f"active:{m}") for m in ("margin", "random")}
    for curve in curves.values():
        assert sorted(curve.points["size"].unique()) == ctx.sizes
        assert (curve.points["status"] == "ok").all()
    # at the seed size both runs hold exactly the baseline's smallest training subset
    for split in ctx.splits:
        model = baseline_estimator(ctx).fit(
            ctx.X.iloc[split.train_order[:16]], ctx.y[split.train_order[:16]]
        )
        expected = model.score(ctx.X.iloc[split.val], ctx.y[split.val])
        for curve in curves.values():
            got = curve.points.query("size == 16 and repeat == @split.repeat")["val_score"].item()
            assert got == pytest.approx(expected)
    # uncertainty sampling labels class-border rows: its labeled set differs from random's
    margin = curves["margin"].points.query("size == 128")["train_counts"].tolist()
    random = curves["random"].points.query("size == 128")["train_counts"].tolist()
    assert margin != random
