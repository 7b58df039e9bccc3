"""howmuchdata.curve.learning_curve: scores, failures, backends, store reuse."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hmd_curve_models import FailsBelow, GrowsMemory
from sklearn.datasets import load_wine
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import KFold, ShuffleSplit, TimeSeriesSplit
from sklearn.model_selection import learning_curve as sk_learning_curve
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from howmuchdata.curve import POINT_COLUMNS, LearningCurve, curves_from_result, learning_curve
from howmuchdata.curve.core import check_scoring_fits_target, estimator_task
from howmuchdata.curve.plan import make_splits
from howmuchdata.errors import HowMuchDataError
from howmuchdata.store import open_store

SCORE_COLUMNS = ["size", "repeat", "train_score", "val_score", "n_params"]


def test_scores_equal_sklearn_learning_curve_on_identical_splits(digits_small):
    X, y = digits_small
    estimator = LogisticRegression(max_iter=300)
    cv = ShuffleSplit(n_splits=2, test_size=0.25, random_state=0)
    sizes = [30, 60, 120]
    # the engine's subsets of cv's splits, handed to scikit-learn in the engine's order
    splits = make_splits(y, task="classification", repeats=2, seed=0, cv=cv, X=X)
    sk_sizes, sk_train, sk_val = sk_learning_curve(
        estimator,
        X,
        y,
        train_sizes=sizes,
        cv=[(s.train_order, s.val) for s in splits],
        scoring="accuracy",
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
def test_a_worker_recycled_for_its_memory_loses_no_point_and_prints_no_loky_warning(
    digits_small, tmp_path
):
    # a worker whose memory grows 300 MB past its size after its first point is shut down
    # and replaced by loky (after it returned its point); loky's "A worker stopped while some
    # jobs were given to the executor" UserWarning about it is noise, not a failure
    pytest.importorskip("psutil")  # loky watches worker memory only with psutil
    X, y = digits_small
    pids = tmp_path / "pids.txt"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        curve = learning_curve(
            GrowsMemory(pid_file=str(pids)), X, y, sizes=[40, 60, 80, 100], repeats=3, n_jobs=2
        )
    assert len(curve.ok_points) == 12
    assert len(set(pids.read_text().split())) > 2  # a worker was replaced
    assert not [w for w in caught if "A worker stopped" in str(w.message)]


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


def test_r2_on_a_constant_validation_target_fails_the_point_instead_of_a_made_up_score():
    # three rows of 400 are non-zero: a repeat whose validation rows miss all three has a
    # constant validation target, where R^2 is 0/0 and scikit-learn reports 1 (a model
    # trained on zeros predicts them perfectly) or 0; such 1s lifted the small sizes' mean
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 3))
    y = np.zeros(400)
    y[:3] = [1.0, 2.0, 3.0]
    settings = {"task": "regression", "repeats": 6, "seed": 0, "val_fraction": 0.2}
    constant = {s.repeat for s in make_splits(y, **settings) if np.ptp(y[s.val]) == 0}
    assert 0 < len(constant) < 6  # the data hold both kinds of repeat
    curve = learning_curve(Ridge(), X, y, sizes=[5, 300], repeats=6)
    failed = curve.points["status"] == "failed"
    assert set(curve.points.loc[failed, "repeat"]) == constant
    assert curve.points.loc[failed, "error"].str.contains("r2 is undefined").all()
    assert curve.points.loc[~failed, "val_score"].lt(1).all()
    # a scorer defined there measures every repeat
    mae = learning_curve(
        Ridge(), X, y, sizes=[5, 300], repeats=6, scoring="neg_mean_absolute_error"
    )
    assert mae.failures.empty


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


def test_a_curve_extrapolates_within_its_scorers_range(digits_small):
    X, y = digits_small
    curve = learning_curve(
        LogisticRegression(max_iter=300), X, y, sizes=[40, 80, 160, 320], repeats=2,
        scoring="neg_log_loss",
    )  # fmt: skip
    ext = curve.extrapolate()
    assert ext.score_range == (-np.inf, 0.0)
    assert float(ext.interval(3200)[1]) <= 0.0
    with pytest.raises(HowMuchDataError, match="above the metric's range"):
        ext.size_for(0.05)
    assert curve.extrapolate(bounds=(-10.0, 0.0)).score_range == (-10.0, 0.0)


def test_kfold_on_data_sorted_by_class_gives_random_subsets():
    X, y = load_wine(return_X_y=True)  # rows sorted by class
    model = LogisticRegression(max_iter=2000)
    cv = KFold(5, shuffle=True, random_state=0)
    on_kfold = learning_curve(model, X, y, cv=cv, sizes=[20, 60, 120], repeats=3)
    assert set(on_kfold.points["status"]) == {"ok"}
    small = on_kfold.points[on_kfold.points["size"] == 20]
    assert all(len(counts) == 3 for counts in small["train_counts"])  # every class, not one
    default = learning_curve(model, X, y, sizes=[20, 60, 120], repeats=3)
    means = on_kfold.by_size()["val_mean"].to_numpy()
    assert np.all(np.abs(means - default.by_size()["val_mean"].to_numpy()) < 0.08)
    assert means[1] > 0.88
    again = learning_curve(model, X, y, cv=cv, sizes=[20, 60, 120], repeats=3)
    pd.testing.assert_frame_equal(again.points[SCORE_COLUMNS], on_kfold.points[SCORE_COLUMNS])


def test_time_series_split_trains_on_the_most_recent_rows():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 2))
    y = X[:, 0] + 0.1 * rng.normal(size=120)
    from sklearn.linear_model import Ridge

    curve = learning_curve(Ridge(), X, y, cv=TimeSeriesSplit(3), sizes=[10, 30], repeats=3)
    assert set(curve.points["status"]) == {"ok"}
    splits = make_splits(y, task="regression", repeats=3, seed=0, cv=TimeSeriesSplit(3))
    for split in splits:
        newest = split.train_order[:10]
        assert newest.tolist() == list(range(split.val.min() - 1, split.val.min() - 11, -1))


def test_a_scorer_that_cannot_score_the_target_stops_before_fitting():
    X, y = load_wine(return_X_y=True)
    for name, variant in [("roc_auc", "roc_auc_ovr"), ("f1", "f1_macro")]:
        with pytest.raises(HowMuchDataError, match="cannot score a target with 3 classes") as exc:
            learning_curve(LogisticRegression(), X, y, scoring=name, repeats=1)
        assert variant in str(exc.value) and "\n" not in str(exc.value)
    binary = (y == 0).astype(int)
    for name in ("roc_auc", "f1", "average_precision", "neg_log_loss"):
        check_scoring_fits_target(name, binary, "classification")  # binary: fine
    for name in ("roc_auc_ovr", "f1_macro", "balanced_accuracy", "neg_log_loss"):
        check_scoring_fits_target(name, y, "classification")
    check_scoring_fits_target("neg_mean_poisson_deviance", np.abs(X[:, 0]), "regression")
    with pytest.raises(HowMuchDataError, match="a regression scorer such as r2"):
        check_scoring_fits_target("accuracy", X[:, 0], "regression")


def test_wrong_length_y_is_reported_as_such_not_as_one_class():
    X = np.zeros((100, 2))
    y = np.repeat([0, 1], 50)
    with pytest.raises(HowMuchDataError, match="X has 100 rows but y has 10 values"):
        learning_curve(LogisticRegression(), X, y[:10])
    with pytest.raises(HowMuchDataError, match=r"y has one class \(0\); a classifier") as exc:
        learning_curve(LogisticRegression(), X, np.zeros(100, dtype=np.int64))
    assert "np." not in str(exc.value)


def test_groups_and_time_together_say_how_to_get_both(digits_small):
    X, y = digits_small
    with pytest.raises(HowMuchDataError, match="use --groups or --time .* not both.*cv="):
        learning_curve(
            LogisticRegression(), X, y, groups=np.arange(len(y)) // 4, time=np.arange(len(y))
        )


class DuckRegressor:
    """A model without scikit-learn tags that declares itself the old way."""

    _estimator_type = "regressor"

    def get_params(self, deep=True):
        return {}

    def set_params(self, **params):
        return self

    def fit(self, X, y):
        self.model_ = Ridge().fit(X, y)
        return self

    def predict(self, X):
        return self.model_.predict(X)


def test_the_estimators_type_sets_the_task_over_the_look_of_y(digits_small):
    X, y = digits_small
    as_float = y.astype(float)  # five distinct integers: read as classes from y alone
    ridge = learning_curve(Ridge(), X, as_float, sizes=[50, 200], repeats=2)
    assert ridge.task == "regression" and ridge.scoring == "r2" and ridge.classes is None
    assert ridge.failures.empty and ridge.by_size()["val_mean"].iloc[-1] > 0.5
    duck = learning_curve(DuckRegressor(), X, as_float, sizes=[50], repeats=1)
    assert duck.task == "regression" and duck.failures.empty
    # a classifier keeps them classes; a model that declares nothing leaves it to y
    logreg = learning_curve(LogisticRegression(max_iter=300), X, as_float, sizes=[50], repeats=1)
    assert logreg.task == "classification" and logreg.scoring == "accuracy"
    many = np.arange(len(y)) % 30  # 30 integer classes: a number to y alone
    tree = learning_curve(DecisionTreeClassifier(), X, many, sizes=[200], repeats=1)
    assert tree.task == "classification" and tree.classes == list(range(30))
    assert all(isinstance(c, int) for c in tree.classes)  # labels as given, not floats
    assert estimator_task(Pipeline([("scale", StandardScaler()), ("model", Ridge())])) == (
        "regression"
    )
    assert estimator_task(StandardScaler()) is None and estimator_task(object()) is None


def test_the_deep_regressors_declare_regression(digits_small):
    pytest.importorskip("torch")
    from howmuchdata.deep import TabularInput, TorchRegressor, make_cnn

    X, y = digits_small
    cnn = make_cnn(task="regression", max_epochs=1, n_threads=1, random_state=0)
    curve = learning_curve(cnn, X[:200], y[:200].astype(float), sizes=[100], repeats=1)
    assert curve.task == "regression" and curve.scoring == "r2" and curve.failures.empty
    assert estimator_task(make_cnn(task="regression")) == "regression"
    assert estimator_task(make_cnn()) == "classification"
    assert estimator_task(TorchRegressor(lambda n_features, n_outputs: None, inputs=TabularInput()))


@pytest.mark.parametrize(
    ("estimator", "target", "task", "message"),
    [
        (Ridge(), "digits", "classification", r"task='classification' contradicts .*Ridge is a "),
        (LogisticRegression(), "digits", "regression", r"LogisticRegression is a classifier; "),
        (Ridge(), "words", None, r"Ridge is a regressor but y holds labels such as 'even', not "),
        (LogisticRegression(), "noisy", None, r"LogisticRegression is a classifier but y is "),
    ],
)
def test_a_task_or_target_the_estimator_cannot_take_is_one_line(
    digits_small, estimator, target, task, message
):
    X, y = digits_small
    targets = {
        "digits": y,
        "words": np.where(y % 2 == 1, "odd", "even"),
        "noisy": y + np.random.default_rng(0).normal(size=len(y)),
    }
    with pytest.raises(HowMuchDataError, match=message) as info:
        learning_curve(estimator, X, targets[target], task=task, sizes=[50], repeats=1)
    assert "\n" not in str(info.value)
    # agreeing with the estimator is fine
    agreed = "regression" if isinstance(estimator, Ridge) else "classification"
    if target == "digits":
        curve = learning_curve(estimator, X, y, task=agreed, sizes=[50], repeats=1)
        assert curve.task == agreed


def test_a_mistyped_scorer_is_answered_with_the_name_it_meant():
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import Ridge

    X, y = load_diabetes(return_X_y=True)
    with pytest.raises(
        HowMuchDataError, match="did you mean scoring='neg_root_mean_squared_error'"
    ):
        learning_curve(Ridge(), X, y, scoring="neg_rmse", repeats=1)
