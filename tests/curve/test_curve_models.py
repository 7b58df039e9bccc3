"""howmuchdata.models: presets, module:callable and the preprocessing pipeline."""

from __future__ import annotations

import numpy as np
import pandas as pd
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


def test_the_mlp_preset_learns_a_target_in_the_hundreds():
    # a target on the scale of reaction times in ms: unscaled, the network's 500 epochs stopped
    # far from it and scored an R^2 of about -60 where a linear model scores 0.9
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = 300 + X @ [40.0, -20.0, 10.0] + rng.normal(size=200) * 10
    ds = load_dataset(X[:150], y[:150])
    with threadpool_limits(1):
        model = make_estimator("mlp", ds, random_state=0).fit(ds.X, ds.y)
    held_out = pd.DataFrame(X[150:], columns=ds.X.columns)
    assert model.score(held_out, y[150:]) > 0.8
    assert count_parameters(model) == 3 * 64 + 64 + 64 + 1  # the wrapped network's weights


def test_count_parameters(digits_small):
    X, y = digits_small
    fitted = LogisticRegression(max_iter=200).fit(X, y)
    assert count_parameters(fitted) == 64 * 5 + 5
    ds = load_dataset(X, y)
    forest = make_estimator("rf", ds, random_state=0).fit(ds.X, ds.y)
    assert count_parameters(forest) is None


@pytest.fixture
def image_folder(tmp_path):
    """Two class folders of four tiny PNGs each."""
    from PIL import Image

    rng = np.random.default_rng(0)
    for label in ("cat", "dog"):
        (tmp_path / "pics" / label).mkdir(parents=True)
        for i in range(4):
            pixels = rng.integers(0, 255, (8, 8, 3), dtype=np.uint8)
            Image.fromarray(pixels, "RGB").save(tmp_path / "pics" / label / f"{i}.png")
    return tmp_path / "pics"


@pytest.mark.parametrize("preset", [*sorted(PRESETS), "tfidf-linear"])
def test_table_and_text_models_refuse_an_image_folder(image_folder, preset):
    ds = load_dataset(image_folder)
    with pytest.raises(HowMuchDataError, match=rf"--model {preset} is a (table|text) model.*cnn"):
        make_estimator(preset, ds)


def test_an_estimator_that_would_read_image_paths_as_a_column_is_refused(image_folder):
    ds = load_dataset(image_folder)
    with pytest.raises(HowMuchDataError, match="LogisticRegression would get the image file"):
        make_estimator(LogisticRegression(), ds)
    with pytest.raises(HowMuchDataError, match="--model cnn or --model pretrained"):
        make_estimator("sklearn.linear_model:LogisticRegression", ds)


def test_image_models_on_an_image_folder_and_table_models_on_pixel_columns(
    image_folder, digits_small
):
    pytest.importorskip("torch")
    pytest.importorskip("skorch")
    from howmuchdata.deep import ImageInput, TorchClassifier
    from howmuchdata.deep.modules import SmallCNN

    ds = load_dataset(image_folder)
    assert [
        name for name, _ in make_estimator("cnn", ds, deep_options={"device": "cpu"}).steps
    ] == ["model"]
    network = TorchClassifier(SmallCNN, inputs=ImageInput(size=8), device="cpu")
    built = make_estimator(network, ds)
    assert [name for name, _ in built.steps] == ["model"]  # no table preprocessing of paths
    mine = Pipeline([("model", network)])
    assert make_estimator(mine, ds) is not mine
    X, y = digits_small  # pixel columns in a table are a table: table models are fine
    assert make_estimator("logreg", load_dataset(X, y)).steps[0][0] == "preprocess"


def test_capacity_advice_suggests_a_model_of_the_same_kind():
    from howmuchdata.models import richer_model_hint

    assert "hgb" in richer_model_hint("logreg") and "hgb" in richer_model_hint(None)
    for image_model in ("cnn", "pretrained"):
        hint = richer_model_hint(image_model)
        assert "hgb" not in hint and "--model" in hint, image_model
    assert "minilm-mlp" in richer_model_hint("tfidf-linear")
    assert "such as hgb" not in richer_model_hint("hgb")


def _low_flat_curve(model):
    """A curve that fits its training rows badly at every size (capacity-limited)."""
    from howmuchdata.curve import LearningCurve, points_frame

    records = [
        {"size": n, "repeat": r, "val_score": 0.6, "train_score": 0.62, "status": "ok"}
        for n in (100, 200, 400, 800)
        for r in range(2)
    ]
    return LearningCurve(
        points=points_frame(records),
        scoring="accuracy",
        greater_is_better=True,
        task="classification",
        n_samples=1000,
        classes=[0, 1],
        model=model,
    )


def test_capacity_finding_of_an_image_model_does_not_suggest_a_table_preset():
    from howmuchdata.diagnose import diagnose

    def advice(model):
        (finding,) = diagnose(_low_flat_curve(model), checks=["capacity_limited"])
        return finding.advice

    assert "--model pretrained --weights FILE" in advice("cnn")
    assert "hgb" not in advice("cnn") and "hgb" not in advice("pretrained")
    assert "such as hgb" in advice("logreg")


def test_hgb_learns_from_a_few_dozen_rows():
    # scikit-learn's default leaf of 20 rows allows no split below 40 rows: the model would
    # predict the majority class (0.63 on breast cancer); the preset caps the leaf instead
    from sklearn.base import clone
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    ds = load_dataset(X.assign(y=y), "y")
    model = make_estimator("hgb", ds, random_state=0)
    X_small, X_val, y_small, y_val = train_test_split(
        ds.X, ds.y, train_size=24, stratify=ds.y, random_state=0
    )
    with threadpool_limits(1):
        small = clone(model).fit(X_small, y_small)
        large = clone(model).fit(ds.X.iloc[:300], ds.y[:300])
    majority = max(np.mean(y_val == label) for label in np.unique(y_val))
    assert small.score(X_val, y_val) > majority + 0.15
    assert small[-1].min_samples_leaf_ == 6  # a quarter of 24 rows
    assert large[-1].min_samples_leaf_ == 20  # scikit-learn's default from 80 rows on
    # the parameter is set back: the estimator clones as it was built
    assert small[-1].get_params()["min_samples_leaf"] == 20


def test_hgb_regressor_leaves_follow_the_rows_too():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 2))
    ds = load_dataset(X, 3 * X[:, 0] + rng.normal(size=30) * 0.1)
    with threadpool_limits(1):
        model = make_estimator("hgb", ds, random_state=0).fit(ds.X, ds.y)
    assert model[-1].min_samples_leaf_ == 7
    assert model.score(ds.X, ds.y) > 0.5  # a single leaf would score 0
