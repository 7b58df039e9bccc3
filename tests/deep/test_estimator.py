"""TorchClassifier / TorchRegressor: scikit-learn conventions and the training policy."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from howmuchdata.deep.estimator import (  # noqa: E402
    DEFAULT_MIN_STEPS,
    TorchClassifier,
    TorchRegressor,
)
from howmuchdata.deep.inputs import ImageInput  # noqa: E402
from howmuchdata.deep.modules import MLP, SmallCNN  # noqa: E402
from howmuchdata.errors import HowMuchDataError  # noqa: E402


def blobs(n: int = 300, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three well separated classes in 4 dimensions, labelled with strings."""
    rng = np.random.default_rng(seed)
    centres = np.array([[3, 0, 0, 0], [0, 3, 0, 0], [0, 0, 3, 0]], dtype=float)
    labels = rng.integers(0, 3, n)
    X = centres[labels] + rng.normal(0, 0.7, (n, 4))
    return X, np.array(["ant", "bee", "cat"])[labels]


def mlp(**kwargs) -> TorchClassifier:
    params = {
        "module": MLP,
        "module_kwargs": {"hidden": (8,)},
        "max_epochs": 40,
        "lr": 1e-2,
        "n_threads": 1,
        "random_state": 0,
    }
    return TorchClassifier(**{**params, **kwargs})


def test_classifier_follows_scikit_learn_conventions() -> None:
    X, y = blobs()
    model = mlp()
    assert clone(model).get_params()["max_epochs"] == 40
    model.fit(X[:200], y[:200])

    proba = model.predict_proba(X[200:])
    assert list(model.classes_) == ["ant", "bee", "cat"]
    assert proba.shape == (100, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert set(model.predict(X[200:])) <= {"ant", "bee", "cat"}
    assert model.score(X[200:], y[200:]) > 0.9


def test_parameter_count_is_the_networks() -> None:
    X, y = blobs()
    model = mlp(max_epochs=1).fit(X, y)
    # 4 inputs -> 8 hidden -> 3 classes: weights and biases
    assert model.n_params_ == 4 * 8 + 8 + 8 * 3 + 3
    assert model.n_params_total_ == model.n_params_


def test_same_seed_same_model_other_seed_other_model() -> None:
    X, y = blobs()
    first = mlp(max_epochs=5).fit(X, y).predict_proba(X)
    again = mlp(max_epochs=5).fit(X, y).predict_proba(X)
    other = mlp(max_epochs=5, random_state=1).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)


def test_fitting_leaves_the_global_torch_random_state_alone() -> None:
    X, y = blobs()
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    mlp(max_epochs=2).fit(X, y)
    np.testing.assert_array_equal(torch.rand(3).numpy(), expected.numpy())


def test_early_stopping_on_inner_split_restores_the_best_epoch() -> None:
    # few noisy rows and a wide network: the inner validation loss rises after a while
    rng = np.random.default_rng(3)
    X = rng.normal(size=(60, 20))
    y = (X[:, 0] + rng.normal(0, 1.5, 60) > 0).astype(int)
    model = mlp(module_kwargs={"hidden": (256,)}, lr=1e-2, max_epochs=200, patience=15)
    model.fit(X, y)

    assert model.inner_validation_rows_ == 12  # 20% of the 60 training rows
    assert model.n_epochs_ < 200  # stopped early
    history = model.net_.history[:, "valid_loss"]
    assert model.best_epoch_ == int(np.argmin(history)) + 1 < model.n_epochs_
    # the weights kept are the best epoch's: their loss on the inner rows is the minimum
    inner = torch.utils.data.Subset(model.inputs_.dataset(X, y), model.inner_valid_rows_)
    logits = model.net_.forward(inner)
    loss = torch.nn.functional.cross_entropy(logits, torch.as_tensor(y[model.inner_valid_rows_]))
    assert float(loss) == pytest.approx(min(history), rel=1e-4)


def test_a_one_batch_epoch_is_not_stopped_after_patience_steps() -> None:
    # 60 rows -> 48 inner training rows: one optimizer step per epoch. A learning rate this
    # low keeps the inner validation loss on its first plateau; five epochs of patience were
    # five steps, and the fit stopped there with the untrained first epoch's weights
    X, y = blobs(60)
    model = mlp(lr=1e-7, max_epochs=40, patience=5).fit(X, y)
    assert model.patience_ >= 20
    assert model.n_epochs_ > 5 + 1 + 10


def test_patience_stays_in_epochs_when_an_epoch_is_many_steps() -> None:
    X, y = blobs(600)  # 480 inner training rows: 8 steps per epoch
    model = mlp(lr=1e-7, max_epochs=40, patience=5).fit(X, y)
    assert model.patience_ == 5
    assert model.n_epochs_ < 40


def test_tiny_subsets_train_the_full_budget_without_inner_split() -> None:
    X, y = blobs(8)
    model = mlp(max_epochs=7, min_steps=20).fit(X, y)
    assert model.inner_validation_rows_ == 0
    assert model.n_epochs_ == model.max_epochs_ == 20  # one step per epoch: 20 for min_steps


def test_a_one_batch_subset_trains_at_least_min_steps_optimizer_steps() -> None:
    # 60 rows -> 48 inner training rows: one step per epoch, so 5 epochs would be 5 steps;
    # patience this high keeps early stopping out of the way
    X, y = blobs(60)
    model = mlp(max_epochs=5, min_steps=60, patience=1000).fit(X, y)
    assert model.steps_per_epoch_ == 1
    assert model.max_epochs_ == 60
    assert model.n_epochs_ * model.steps_per_epoch_ == model.n_steps_ >= 60
    assert len(model.net_.history) == model.n_epochs_ == 60


def test_a_large_subset_trains_max_epochs_as_before() -> None:
    # 600 rows -> 480 inner training rows: 8 steps per epoch, 7 epochs are 56 >= 50 steps
    X, y = blobs(600)
    model = mlp(max_epochs=7, min_steps=50, patience=1000).fit(X, y)
    assert model.steps_per_epoch_ == 8
    assert model.max_epochs_ == model.n_epochs_ == 7
    same = mlp(max_epochs=7, min_steps=0, patience=1000).fit(X, y)
    np.testing.assert_array_equal(model.predict_proba(X), same.predict_proba(X))


def test_default_min_steps_raises_only_the_budget_of_small_subsets() -> None:
    model = mlp(max_epochs=30)
    assert model.min_steps == DEFAULT_MIN_STEPS == 250
    assert model._epochs(48) == 250  # one batch per epoch
    assert model._epochs(320) == 50  # five batches: 250 steps in 50 epochs
    assert model._epochs(1150) == 30  # 18 batches: 30 epochs are 540 steps already


def test_cnn_reads_flat_pixel_rows_as_square_images() -> None:
    X, y = load_digits(return_X_y=True)
    model = TorchClassifier(
        SmallCNN, inputs=ImageInput(), max_epochs=10, n_threads=1, random_state=0
    )
    model.fit(X[:500], y[:500])
    assert model.inputs_.input_shape_ == (1, 8, 8)
    assert model.score(X[1000:1300], y[1000:1300]) > 0.8


def test_regressor_learns_a_linear_target_on_its_scale() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 3))
    y = 1000 + 250 * X[:, 0] - 100 * X[:, 1]
    model = TorchRegressor(
        MLP, module_kwargs={"hidden": (16,)}, max_epochs=60, lr=1e-2, n_threads=1, random_state=0
    ).fit(X[:300], y[:300])
    assert model.score(X[300:], y[300:]) > 0.95
    assert abs(model.predict(X[300:]).mean() - y[300:].mean()) < 50


def test_factory_receives_only_the_shape_arguments_it_takes() -> None:
    seen = {}

    def factory(n_features, n_outputs):
        seen.update(n_features=n_features, n_outputs=n_outputs)
        return torch.nn.Linear(n_features, n_outputs)

    X, y = blobs()
    mlp(module=factory, module_kwargs=None, max_epochs=1).fit(X, y)
    assert seen == {"n_features": 4, "n_outputs": 3}


def test_bad_settings_are_user_errors() -> None:
    X, y = blobs()
    with pytest.raises(HowMuchDataError, match="not a torch.nn.Module"):
        mlp(module=lambda **_: "nope").fit(X, y)
    with pytest.raises(HowMuchDataError, match="unknown optimizer"):
        mlp(optimizer="rmsprop").fit(X, y)
    with pytest.raises(HowMuchDataError, match="valid_fraction"):
        mlp(valid_fraction=1.5).fit(X, y)
    with pytest.raises(HowMuchDataError, match="min_steps=-1 must be 0 or more"):
        mlp(min_steps=-1).fit(X, y)
    with pytest.raises(HowMuchDataError, match="unknown device"):
        mlp(device="tpu").fit(X, y)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without a GPU")
def test_asking_for_cuda_without_a_gpu_says_so() -> None:
    X, y = blobs()
    # one message for Python (device=) and the command line (--device)
    with pytest.raises(HowMuchDataError, match=r"no CUDA GPU.*device='cpu'.*\(--device cpu"):
        mlp(device="cuda").fit(X, y)
