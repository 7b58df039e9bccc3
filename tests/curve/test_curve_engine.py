"""howmuchdata.curve.learning_curve: scores, failures, backends, store reuse."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hmd_curve_models import FailsBelow
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import ShuffleSplit
from sklearn.model_selection import learning_curve as sk_learning_curve
from sklearn.tree import DecisionTreeClassifier

from howmuchdata.curve import POINT_COLUMNS, LearningCurve, curves_from_result, learning_curve
from howmuchdata.errors import HowMuchDataError
from howmuchdata.store import open_store

SCORE_COLUMNS = ["size", "repeat", "train_score", "val_score", "n_params"]


def test_scores_equal_sklearn_learning_curve_on_identical_splits(digits_small):
    X, y = digits_small
    estimator = LogisticRegression(max_iter=300)
    cv = ShuffleSplit(n_splits=2, test_size=0.25, random_state=0)
    sizes = [30, 60, 120]
    sk_sizes, sk_train, sk_val = sk_learning_curve(
        estimator, X, y, train_sizes=sizes, cv=cv, scoring="accuracy"
    )
    curve = learning_curve(estimator, X, y, sizes=sizes, cv=cv, repeats=2)
    val = curve.points.pivot(index="size", columns="repeat", values="val_score").to_numpy()
    train = curve.points.pivot(index="size", columns="repeat", values="train_score").to_numpy()
    assert list(sk_sizes) == sizes
    assert np.array_equal(val, sk_val) and np.array_equal(train, sk_train)


def test_points_have_the_contract_columns_and_per_class_numbers(digits_small):
    X, y = digits_small
    curve = learning_curve(LogisticRegression(max_iter=300), X, y, sizes=[25, 50], repeats=2)
    assert list(curve.points.columns) == POINT_COLUMNS
    assert len(curve.points) == 4 and set(curve.points["status"]) == {"ok"}
    first = curve.points.iloc[0]
    assert first["size"] == 25 and sum(first["train_counts"].values()) == 25
    assert set(first["val_recall"]) == {"0", "1", "2", "3", "4"}
    assert first["n_params"] == 64 * 5 + 5 and first["fit_seconds"] > 0
    assert curve.task == "classification" and curve.classes == [0, 1, 2, 3, 4]
    assert curve.scoring == "accuracy" and curve.greater_is_better
    # the validation set of a repeat is the same at every size
    counts = curve.points[curve.points["repeat"] == 0]["val_counts"].tolist()
    assert counts[0] == counts[1]


def test_more_data_helps_on_digits(digits_small):
    X, y = digits_small
    curve = learning_curve(LogisticRegression(max_iter=300), X, y, sizes=[20, 300], repeats=2)
    means = curve.by_size()["val_mean"].to_numpy()
    assert means[1] > means[0] + 0.03


def test_failing_estimator_gives_failed_points_and_the_run_goes_on(digits_small):
    X, y = digits_small
    curve = learning_curve(FailsBelow(min_rows=100), X, y, sizes=[50, 200], repeats=2)
    failed = curve.failures
    assert len(failed) == 2 and set(failed["size"]) == {50}
    assert failed["error"].str.startswith("ValueError: needs 100 rows, got 50").all()
    assert failed["val_score"].isna().all()
    assert (curve.ok_points["size"] == 200).all() and len(curve.ok_points) == 2
    assert "2 failed points" in curve.summary()


@pytest.mark.slow
def test_numbers_do_not_depend_on_job_count(digits_small):
    X, y = digits_small
    tree = DecisionTreeClassifier()  # random_state None: seeded per point by the engine
    one = learning_curve(tree, X, y, sizes=[40, 160], repeats=2)
    two = learning_curve(tree, X, y, sizes=[40, 160], repeats=2, n_jobs=2)
    pd.testing.assert_frame_equal(one.points[SCORE_COLUMNS], two.points[SCORE_COLUMNS])


@pytest.mark.slow
def test_dask_localcluster_gives_the_same_numbers(digits_small, monkeypatch):
    distributed = pytest.importorskip("distributed")
    X, y = digits_small
    tree = DecisionTreeClassifier()
    local = learning_curve(tree, X, y, sizes=[40, 160], repeats=2)

    # No scheduler address: the engine starts its own LocalCluster. Its workers run in this
    # process here (processes=False), which starts in a second instead of spawning Pythons.
    real_cluster = distributed.LocalCluster
    started = []

    def in_process_cluster(**kwargs):
        started.append(kwargs["n_workers"])
        return real_cluster(**{**kwargs, "processes": False})

    monkeypatch.setattr(distributed, "LocalCluster", in_process_cluster)
    on_dask = learning_curve(tree, X, y, sizes=[40, 160], repeats=2, backend="dask", n_jobs=2)
    assert started == [2]
    pd.testing.assert_frame_equal(local.points[SCORE_COLUMNS], on_dask.points[SCORE_COLUMNS])


def test_store_reuses_points_and_computes_only_new_sizes(tmp_path, digits_small):
    X, y = digits_small
    url = f"sqlite:///{tmp_path / 'store.db'}"
    estimator = LogisticRegression(max_iter=300)
    first = learning_curve(estimator, X, y, sizes=[30, 60], repeats=2, store=url)
    again = learning_curve(estimator, X, y, sizes=[30, 60], repeats=2, store=url)
    assert (first.settings["computed"], again.settings["computed"]) == (4, 0)
    pd.testing.assert_frame_equal(first.points, again.points)
    more = learning_curve(estimator, X, y, sizes=[30, 60, 120], repeats=2, store=url)
    assert (more.settings["computed"], more.settings["from_store"]) == (2, 4)
    # a different model is a different fingerprint: nothing reused
    other = learning_curve(
        LogisticRegression(C=0.1, max_iter=300), X, y, sizes=[30], repeats=2, store=url
    )
    assert other.settings["computed"] == 2
    store = open_store(url)
    assert store.count() == 8
    store.close()


def test_group_curve_counts_training_groups(mixed_frame):
    X = mixed_frame[["age"]].fillna(50)
    curve = learning_curve(
        LogisticRegression(),
        X,
        mixed_frame["label"],
        groups=mixed_frame["patient"],
        sizes=[20, 40],
        repeats=2,
    )
    assert curve.settings["split"] == "groups"
    assert (curve.points["n_train_groups"] == curve.points["size"] // 4).all()


def test_log_loss_scoring_and_round_trip(digits_small):
    X, y = digits_small
    curve = learning_curve(
        LogisticRegression(max_iter=300), X, y, sizes=[30, 90], repeats=2, scoring="neg_log_loss"
    )
    assert (curve.points["val_score"] < 0).all()
    assert curve.by_size()["val_mean"].is_monotonic_increasing  # less loss with more data
    rebuilt = LearningCurve.from_dict(curve.to_dict())
    pd.testing.assert_frame_equal(rebuilt.points, curve.points)
    result = {"curves": [curve.metadata()], "points": curve.to_dict()["points"]}
    (again,) = curves_from_result(result)
    assert again.scoring == "neg_log_loss" and len(again.points) == 4


def test_regression_defaults_to_r2():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = X @ [1.0, -2.0, 0.5] + rng.normal(size=200) * 0.5
    from sklearn.linear_model import Ridge

    curve = learning_curve(Ridge(), X, y, sizes=[20, 100], repeats=2)
    assert curve.task == "regression" and curve.scoring == "r2" and curve.classes is None
    assert curve.points["val_recall"].isna().all()
    assert curve.by_size()["val_mean"].iloc[-1] > 0.9


def test_bad_engine_input(digits_small):
    X, y = digits_small
    with pytest.raises(HowMuchDataError, match="X has 400 rows but y has 399"):
        learning_curve(LogisticRegression(), X, y[:-1])
    with pytest.raises(HowMuchDataError, match="unknown scoring 'acuracy'"):
        learning_curve(LogisticRegression(), X, y, scoring="acuracy")
    with pytest.raises(HowMuchDataError, match="fewer than the smallest useful training size"):
        learning_curve(LogisticRegression(), X[:30], y[:30])


def test_extrapolating_a_measured_curve_reads_its_training_scores(digits_small):
    X, y = digits_small
    curve = learning_curve(
        LogisticRegression(max_iter=300), X, y, sizes=[20, 40, 80, 160, 320], repeats=2
    )
    assert curve.ok_points["train_score"].notna().all()
    ext = curve.extrapolate()
    assert ext.method == "learned"
    assert any("Training scores read" in n for n in ext.notes)
