"""learning_curve's own arguments: one-line errors for bad ones, right answers for odd ones.

Each test builds data with the property it checks: rows in another order, text columns a
model cannot take, tied time stamps, two scorers that share a name.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hmd_curve_models import FailsBelow
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import (
    accuracy_score,
    make_scorer,
    mean_absolute_error,
    precision_score,
    recall_score,
)
from sklearn.model_selection import GroupKFold, KFold, ShuffleSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from howmuchdata.curve import LearningCurve, learning_curve
from howmuchdata.curve.inputs import explain_failure
from howmuchdata.curve.plan import make_splits
from howmuchdata.errors import HowMuchDataError


def _one_line(excinfo: pytest.ExceptionInfo) -> str:
    text = str(excinfo.value)
    assert "\n" not in text and ";" in text  # the problem; the fix
    return text


# --- the estimator ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("estimator", "words"),
    [
        ("logreg", "make_estimator('logreg'"),
        (LogisticRegression, "pass an instance: LogisticRegression()"),
        (object(), "has no fit method"),
    ],
)
def test_an_estimator_that_is_a_name_a_class_or_no_model_is_one_line(binary, estimator, words):
    X, y = binary
    with pytest.raises(HowMuchDataError) as excinfo:
        learning_curve(estimator, X, y, sizes=[50], repeats=1)
    assert words in _one_line(excinfo)


def test_a_pipeline_with_a_lambda_step_is_measured(binary):
    # joblib.hash cannot pickle a lambda: the fingerprint of the model must not need it
    X, y = binary
    pipe = make_pipeline(FunctionTransformer(lambda Z: 2 * Z), LogisticRegression())
    curve = learning_curve(pipe, X, y, sizes=[50, 100], repeats=1)
    plain = learning_curve(LogisticRegression(C=4.0), X, y, sizes=[50, 100], repeats=1)
    assert set(curve.points["status"]) == {"ok"}
    # doubling X halves the weights: the same model as C=4 without the scaling
    assert np.allclose(curve.points["val_score"], plain.points["val_score"], atol=0.02)


# --- whole numbers and lists ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"repeats": 2.5}, "repeats=2.5 is not a whole number"),
        ({"repeats": "3"}, "repeats='3' is not a whole number"),
        ({"repeats": True}, "repeats=True is not a whole number"),
        ({"n_jobs": 0}, "n_jobs=0 is not a number of workers"),
        ({"random_state": None}, "random_state=None is not a non-negative whole number"),
        ({"random_state": -1}, "random_state=-1"),
        ({"sizes": 100}, "sizes=100 is not a list of sizes"),
        ({"sizes": "50,100"}, "sizes='50,100' is not a list of sizes"),
    ],
)
def test_settings_of_the_wrong_kind_are_one_line(binary, kwargs, words):
    X, y = binary
    settings = {"sizes": [50], "repeats": 1, **kwargs}
    with pytest.raises(HowMuchDataError) as excinfo:
        learning_curve(LogisticRegression(), X, y, **settings)
    assert words in _one_line(excinfo)


def test_numpy_integers_are_whole_numbers(binary):
    X, y = binary
    curve = learning_curve(
        LogisticRegression(), X, y, sizes=np.array([50, 100]), repeats=np.int64(2), n_jobs=1
    )
    assert curve.settings["sizes"] == [50, 100] and curve.settings["repeats"] == 2


# --- rows -------------------------------------------------------------------------------------


def test_y_holding_xs_rows_in_another_order_is_refused(binary):
    X, y = binary
    frame, target = pd.DataFrame(X, columns=["a", "b"]), pd.Series(y)
    shuffled = target.sample(frac=1.0, random_state=0)  # same labels, paired by position
    with pytest.raises(HowMuchDataError) as excinfo:
        learning_curve(LogisticRegression(), frame, shuffled, sizes=[50], repeats=1)
    assert "y = y.loc[X.index]" in _one_line(excinfo)
    # the same rows in the same order are fine, and so is a y without X's labels (positional)
    aligned = learning_curve(LogisticRegression(), frame, shuffled.loc[frame.index], sizes=[50])
    relabelled = frame.set_axis(frame.index + 1000)
    positional = learning_curve(LogisticRegression(), relabelled, target, sizes=[50])
    assert aligned.points["val_score"].tolist() == positional.points["val_score"].tolist()


def test_groups_given_in_another_row_order_are_refused(binary):
    X, y = binary
    frame = pd.DataFrame(X)
    groups = pd.Series(np.arange(300) // 10).sample(frac=1.0, random_state=1)
    with pytest.raises(HowMuchDataError, match="groups holds the same row labels"):
        learning_curve(LogisticRegression(), frame, y, groups=groups, sizes=[50], repeats=1)


def test_group_ids_of_mixed_types_are_groups_of_their_own(binary):
    # rows 10k..10k+9: the even ones in group k (an int), the odd ones in "site-k" (a str),
    # so 60 groups of 5 rows; mixed ids used to stop the run with a TypeError when sorted
    X, y = binary
    ids = np.array([f"site-{i // 10}" if i % 2 else i // 10 for i in range(300)], dtype=object)
    curve = learning_curve(LogisticRegression(), X, y, groups=ids, sizes=[50, 100], repeats=2)
    assert set(curve.points["status"]) == {"ok"}
    by_size = curve.points.groupby("size")["n_train_groups"].agg(set).to_dict()
    assert by_size == {50: {10}, 100: {20}}  # whole groups of 5 rows at a time


def test_a_single_column_target_is_read_as_that_column(binary):
    X, y = binary
    flat = learning_curve(LogisticRegression(), X, y, sizes=[50, 100], repeats=1)
    column = learning_curve(LogisticRegression(), X, y.reshape(-1, 1), sizes=[50, 100], repeats=1)
    frame = learning_curve(
        LogisticRegression(), X, pd.DataFrame({"label": y}), sizes=[50, 100], repeats=1
    )
    assert flat.points["val_score"].tolist() == column.points["val_score"].tolist()
    assert flat.points["val_score"].tolist() == frame.points["val_score"].tolist()
    with pytest.raises(HowMuchDataError) as excinfo:
        learning_curve(LogisticRegression(), X, np.c_[y, y], sizes=[50], repeats=1)
    assert "pass a single column" in _one_line(excinfo)


@pytest.mark.parametrize("option", ["groups", "time"])
def test_a_column_name_for_groups_or_time_says_to_pass_the_values(binary, option):
    X, y = binary
    frame = pd.DataFrame(X, columns=["a", "b"]).assign(day=np.arange(300))
    with pytest.raises(HowMuchDataError) as excinfo:
        learning_curve(LogisticRegression(), frame, y, **{option: "day"}, sizes=[50], repeats=1)
    text = _one_line(excinfo)
    assert f"{option}='day' is a single value" in text and f"{option}=X['day']" in text


def test_x_as_a_list_of_rows_gives_the_curve_of_the_array(binary):
    X, y = binary
    as_list = learning_curve(LogisticRegression(), X.tolist(), y.tolist(), sizes=[50, 100])
    as_array = learning_curve(LogisticRegression(), X, y, sizes=[50, 100])
    assert set(as_list.points["status"]) == {"ok"}
    assert as_list.points["val_score"].tolist() == as_array.points["val_score"].tolist()


# --- failed points say what in the input the model cannot take ------------------------------


def test_failed_points_name_the_text_columns_a_model_cannot_take(binary):
    X, y = binary
    frame = pd.DataFrame(X, columns=["a", "b"]).assign(
        site=np.where(X[:, 1] > 0, "north", "south"), kind=pd.Categorical(["x", "y"] * 150)
    )
    curve = learning_curve(LogisticRegression(), frame, y, sizes=[50, 100], repeats=1)
    errors = curve.failures["error"]
    assert len(errors) == 2
    assert errors.str.contains("X has text or category columns 'site', 'kind'").all()
    assert errors.str.contains("ColumnTransformer").all()
    # a model that takes categories has nothing to fail on: no hint, no failure
    hgb = HistGradientBoostingClassifier(max_iter=5, categorical_features="from_dtype")
    ok = learning_curve(hgb, frame.drop(columns="site"), y, sizes=[50, 100], repeats=1)
    assert ok.failures.empty


def test_failed_points_name_the_columns_with_missing_or_infinite_values(binary):
    X, y = binary
    frame = pd.DataFrame(X, columns=["a", "b"])
    gaps = frame.assign(b=np.where(np.arange(300) % 7 == 0, np.nan, frame["b"]))
    infinite = frame.assign(a=np.where(np.arange(300) % 7 == 0, np.inf, frame["a"]))
    missing = learning_curve(LogisticRegression(), gaps, y, sizes=[50], repeats=1)
    inf = learning_curve(LogisticRegression(), infinite, y, sizes=[50], repeats=1)
    assert "X has missing values in column 'b'" in missing.failures["error"].iloc[0]
    assert "SimpleImputer" in missing.failures["error"].iloc[0]
    assert "X has infinite values in column 'a'" in inf.failures["error"].iloc[0]


def test_a_models_own_failure_keeps_its_error_as_it_is(binary):
    X, y = binary
    curve = learning_curve(FailsBelow(min_rows=100), X, y, sizes=[50, 200], repeats=1)
    assert curve.failures["error"].tolist() == ["ValueError: needs 100 rows, got 50"]
    # and an input hint is given only when the input has the problem the error names
    assert explain_failure("ValueError: Input X contains NaN.", X) == (
        "ValueError: Input X contains NaN."
    )


# --- scorers --------------------------------------------------------------------------------


def test_two_scorer_objects_never_share_stored_points(tmp_path, binary):
    X, y = binary
    url = f"sqlite:///{tmp_path / 'store.db'}"
    settings = {"sizes": [40, 80], "repeats": 2, "store": url}
    recall = learning_curve(
        LogisticRegression(), X, y, scoring=make_scorer(recall_score), **settings
    )
    precision = learning_curve(
        LogisticRegression(), X, y, scoring=make_scorer(precision_score), **settings
    )
    fresh = learning_curve(
        LogisticRegression(), X, y, scoring=make_scorer(precision_score), sizes=[40, 80], repeats=2
    )
    assert precision.settings["from_store"] == 0
    assert precision.points["val_score"].tolist() == fresh.points["val_score"].tolist()
    assert precision.points["val_score"].tolist() != recall.points["val_score"].tolist()
    assert "precision_score" in precision.scoring and "recall_score" in recall.scoring
    # the same scorer again is read back
    again = learning_curve(
        LogisticRegression(), X, y, scoring=make_scorer(precision_score), **settings
    )
    assert again.settings["from_store"] == 4


@pytest.mark.parametrize(
    ("metric", "fix"),
    [
        (accuracy_score, "scoring='accuracy'"),
        (mean_absolute_error, "scoring='neg_mean_absolute_error'"),
        (lambda y_true, y_pred: 1.0, "make_scorer(<lambda>)"),
    ],
)
def test_a_metric_given_as_the_scorer_is_one_line_naming_the_scorer(binary, metric, fix):
    # a metric is called (y_true, y_pred), a scorer (estimator, X, y): every point failed
    # with "TypeError: too many positional arguments"
    X, y = binary
    with pytest.raises(HowMuchDataError) as caught:
        learning_curve(LogisticRegression(), X, y, sizes=[40], repeats=1, scoring=metric)
    text = _one_line(caught)
    assert "is a metric" in text and fix in text
    # a scorer made of it, and a scorer function of one's own, measure
    own = learning_curve(
        LogisticRegression(), X, y, sizes=[40], repeats=1, scoring=make_scorer(accuracy_score)
    )
    assert own.failures.empty


def test_a_regressor_on_a_constant_target_is_told_it_is_constant_not_one_class(binary):
    # a constant number reads as one class: a regressor was told a classifier needs two
    X, _ = binary
    with pytest.raises(HowMuchDataError, match="y is constant") as caught:
        learning_curve(Ridge(), X, np.full(len(X), 2.0), sizes=[40], repeats=1)
    assert "classifier" not in str(caught.value)


# --- splits ---------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:The groups parameter is ignored")  # scikit-learn's own
@pytest.mark.parametrize("cv", [KFold(5, shuffle=True, random_state=0), ShuffleSplit(2)])
def test_a_splitter_that_ignores_groups_is_refused_not_leaky(binary, cv):
    X, y = binary
    groups = np.arange(300) // 10  # 30 groups of 10 rows
    with pytest.raises(HowMuchDataError) as excinfo:
        learning_curve(LogisticRegression(), X, y, groups=groups, cv=cv, sizes=[50], repeats=2)
    assert "use a group splitter such as GroupKFold" in _one_line(excinfo)
    # a group splitter keeps them apart, and the curve is measured
    curve = learning_curve(
        LogisticRegression(), X, y, groups=groups, cv=GroupKFold(3), sizes=[50], repeats=2
    )
    assert set(curve.points["status"]) == {"ok"}
    splits = make_splits(
        y, task="classification", repeats=2, seed=0, groups=groups, cv=GroupKFold(3), X=X
    )
    for split in splits:
        assert not set(groups[split.train_order]) & set(groups[split.val])


def test_stratify_true_on_a_regression_target_is_refused(binary):
    X, _ = binary
    y = X[:, 0] * 3.0 + 1.0
    with pytest.raises(HowMuchDataError) as excinfo:
        learning_curve(Ridge(), X, y, sizes=[50], repeats=1, stratify=True)
    assert "stratify=True needs class labels" in _one_line(excinfo)


def test_a_training_side_too_small_to_stratify_asks_for_a_smaller_validation_fraction():
    y = np.repeat(np.arange(10), 20)
    with pytest.raises(HowMuchDataError) as excinfo:
        make_splits(y, task="classification", repeats=1, seed=0, val_fraction=0.97)
    assert "a smaller validation fraction" in _one_line(excinfo)
    with pytest.raises(HowMuchDataError) as excinfo:
        make_splits(y, task="classification", repeats=1, seed=0, val_fraction=0.02)
    assert "a larger validation fraction" in _one_line(excinfo)


def test_tied_time_stamps_keep_the_most_recent_rows_in_validation():
    # 200 rows, three per time stamp: the nominal window start (row 160) falls inside a tie
    time = np.repeat(np.arange(67), 3)[:200].astype(float)
    y = np.arange(200, dtype=float)
    (first, second) = make_splits(y, task="regression", repeats=2, seed=0, time=time)
    assert 199 in first.val  # the newest row validates
    assert len(first.val) == 41  # the window of 40, plus the tied row moved into it
    for split in (first, second):
        assert time[split.train_order].max() < time[split.val].min()
        assert len(np.intersect1d(split.train_order, split.val)) == 0


def test_all_tied_time_stamps_say_so():
    y = np.arange(100, dtype=float)
    with pytest.raises(HowMuchDataError) as excinfo:
        make_splits(y, task="regression", repeats=1, seed=0, time=np.zeros(100))
    assert "100 rows share its first time stamp" in _one_line(excinfo)


# --- what the curve says about itself -------------------------------------------------------


def test_summary_and_repr_count_one_repeat_and_one_failure_in_the_singular(binary):
    X, y = binary
    curve = learning_curve(FailsBelow(min_rows=100), X, y, sizes=[50, 200], repeats=1)
    summary = curve.summary()
    assert "(1 repeat)" in summary and "1 failed point:" in summary
    assert "; " not in summary.splitlines()[0]  # one size fitted: nothing to compare it with
    text = repr(curve)
    assert "\n" not in text and len(text) < 300
    assert "1 repeat," in text and "1 failed" in text and "2 points" in text


def test_repr_html_shows_the_forecast_and_the_curve_findings(binary):
    X, y = binary
    curve = learning_curve(LogisticRegression(), X, y, sizes=[20, 40, 80, 160], repeats=2)
    fragment = curve._repr_html_()
    assert "With 10x more data" in fragment
    assert "No extrapolation stored" not in fragment
    few = learning_curve(LogisticRegression(), X, y, sizes=[20, 40], repeats=2)
    assert "With 10x more data" not in few._repr_html_()  # two sizes: none, and no error


def test_rebuilding_a_curve_from_an_incomplete_dict_is_one_line(binary):
    X, y = binary
    curve = learning_curve(LogisticRegression(), X, y, sizes=[50], repeats=1)
    saved = curve.to_dict()
    assert LearningCurve.from_dict(saved).points.equals(curve.points)
    del saved["scoring"]
    with pytest.raises(HowMuchDataError) as excinfo:
        LearningCurve.from_dict(saved)
    assert "the saved curve has no 'scoring'" in _one_line(excinfo)


def test_a_float64_table_for_a_float32_network_gets_the_conversion_hint():
    error = "RuntimeError: mat1 and mat2 must have the same dtype, but got Double and Float"
    explained = explain_failure(error, np.zeros((3, 2)))
    assert explained.startswith(error) and "X.astype(np.float32)" in explained
    assert explain_failure("RuntimeError: shapes cannot be multiplied", np.zeros((3, 2))) == (
        "RuntimeError: shapes cannot be multiplied"
    )
