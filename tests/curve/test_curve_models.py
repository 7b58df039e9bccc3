"""howmuchdata.models: presets, module:callable and the preprocessing pipeline."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from howmuchdata.data import load_dataset
from howmuchdata.errors import HowMuchDataError
from howmuchdata.models import PRESETS, count_parameters, make_estimator


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_every_preset_fits_a_mixed_table_with_gaps(mixed_frame, preset):
    ds = load_dataset(mixed_frame, "label", drop=["patient", "day"])
    assert ds.X["age"].isna().any()  # the pipeline has to impute
    model = make_estimator(preset, ds, random_state=0)
    assert isinstance(model, Pipeline)
    # one OpenMP/BLAS thread: on a shared 2-core machine spinning threads make hgb crawl
    with threadpool_limits(1):
        model.fit(ds.X, ds.y)
    assert set(model.predict(ds.X)) <= {"sick", "well"}


def test_one_hot_encoding_lets_a_linear_model_use_the_category(mixed_frame):
    # the label depends strongly on site == "north": with the category one-hot encoded the
    # model must beat a model that sees only the numbers
    frame = mixed_frame.drop(columns=["patient", "day"])
    train, test = frame.iloc[:160], frame.iloc[160:]

    def held_out_accuracy(columns: list[str]) -> float:
        ds = load_dataset(train[columns + ["label"]], "label")
        model = make_estimator("logreg", ds).fit(ds.X, ds.y)
        return model.score(test[columns], test["label"])

    assert held_out_accuracy(["age", "site"]) > held_out_accuracy(["age"]) + 0.05


def test_regression_presets_are_regressors():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    ds = load_dataset(X, X @ [1.0, 2.0, 3.0] + rng.normal(size=80) * 0.1)
    assert ds.task == "regression"
    model = make_estimator("logreg", ds).fit(ds.X, ds.y)
    assert model.score(ds.X, ds.y) > 0.99


def test_module_callable_and_errors(mixed_frame):
    ds = load_dataset(mixed_frame, "label")
    model = make_estimator("hmd_curve_models:fails_below", ds)
    assert type(model.steps[-1][1]).__name__ == "FailsBelow"
    with pytest.raises(HowMuchDataError, match="unknown model 'boosted'"):
        make_estimator("boosted", ds)
    with pytest.raises(HowMuchDataError, match="cannot import module"):
        make_estimator("no_such_module_xyz:build", ds)
    with pytest.raises(HowMuchDataError, match="is a regressor"):
        make_estimator(LinearRegression(), ds)


def test_a_given_pipeline_is_used_as_it_is(mixed_frame):
    ds = load_dataset(mixed_frame, "label")
    mine = Pipeline([("model", LogisticRegression())])
    built = make_estimator(mine, ds)
    assert [name for name, _ in built.steps] == ["model"] and built is not mine


def test_count_parameters(digits_small):
    X, y = digits_small
    fitted = LogisticRegression(max_iter=200).fit(X, y)
    assert count_parameters(fitted) == 64 * 5 + 5
    ds = load_dataset(X, y)
    forest = make_estimator("rf", ds, random_state=0).fit(ds.X, ds.y)
    assert count_parameters(forest) is None
