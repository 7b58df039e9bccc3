"""A user's own torch module in TorchClassifier / TorchRegressor: the mistakes they make."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_diabetes, load_digits

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from howmuchdata.curve import learning_curve  # noqa: E402
from howmuchdata.deep.estimator import (  # noqa: E402
    READY_MODULE_WARNING,
    TorchClassifier,
    TorchRegressor,
)
from howmuchdata.deep.inputs import ImageInput  # noqa: E402
from howmuchdata.errors import HowMuchDataError  # noqa: E402

QUICK = {"max_epochs": 3, "min_steps": 0, "device": "cpu", "n_threads": 1, "random_state": 0}


def linear(n_features: int, n_outputs: int) -> torch.nn.Module:
    return torch.nn.Linear(n_features, n_outputs)


class FlatRegressor(torch.nn.Module):
    """One value per row as shape (batch,): the ``.squeeze(-1)`` many regression nets end with."""

    def __init__(self, n_features: int) -> None:
        super().__init__()
        self.layer = torch.nn.Linear(n_features, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layer(x).squeeze(-1)


def test_a_regression_module_returning_shape_n_learns_as_one_returning_n_by_1() -> None:
    X, y = load_diabetes(return_X_y=True)
    settings = {**QUICK, "max_epochs": 40}
    column = TorchRegressor(lambda n_features: torch.nn.Linear(n_features, 1), **settings)
    flat = TorchRegressor(FlatRegressor, **settings)

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # MSELoss's broadcasting warning would be an error
        flat.fit(X[:300], y[:300])
    column.fit(X[:300], y[:300])

    # before, (batch,) against a (batch, 1) target broadcast to a grid: R^2 near 0
    assert flat.score(X[300:], y[300:]) > 0.3
    np.testing.assert_allclose(flat.predict(X[300:]), column.predict(X[300:]), rtol=1e-4)


def test_a_regression_module_with_two_outputs_is_a_one_line_error() -> None:
    X, y = load_diabetes(return_X_y=True)
    model = TorchRegressor(lambda n_features: torch.nn.Linear(n_features, 2), **QUICK)
    with pytest.raises(HowMuchDataError, match=r"returns shape \(2, 2\).*one value per row"):
        model.fit(X[:50], y[:50])


@pytest.mark.parametrize("width", [5, 20])
def test_a_classifier_whose_output_is_not_the_class_count_says_so(width: int) -> None:
    X, y = load_digits(return_X_y=True)
    model = TorchClassifier(lambda n_features: torch.nn.Linear(n_features, width), **QUICK)

    curve = learning_curve(model, X, y, sizes=[100], repeats=1)

    # before: "IndexError: Target 6 is out of bounds" (5), or 20-column probabilities (20)
    error = curve.points["error"].iloc[0]
    assert error.startswith("HowMuchDataError: the module returns shape (2, ")
    assert "target has 10 classes" in error and "10 logits per row" in error


def test_the_output_check_does_not_change_the_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    from howmuchdata.deep import estimator

    def dropout_net(n_features: int, n_outputs: int) -> torch.nn.Module:
        return torch.nn.Sequential(
            torch.nn.Linear(n_features, 16), torch.nn.Dropout(0.5), torch.nn.Linear(16, n_outputs)
        )

    X, y = load_digits(return_X_y=True)
    checked = TorchClassifier(dropout_net, **QUICK).fit(X[:200], y[:200])
    monkeypatch.setattr(estimator, "_probe_output", lambda *args: None)
    unchecked = TorchClassifier(dropout_net, **QUICK).fit(X[:200], y[:200])

    # the probe runs without dropout and on a forked random state: same weights, same scores
    np.testing.assert_array_equal(
        checked.predict_proba(X[200:260]), unchecked.predict_proba(X[200:260])
    )


def test_a_module_returning_a_tuple_is_told_to_return_a_tensor() -> None:
    class Pair(torch.nn.Module):
        def __init__(self, n_features: int, n_outputs: int) -> None:
            super().__init__()
            self.layer = torch.nn.Linear(n_features, n_outputs)

        def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            return self.layer(x), x

    X, y = load_digits(return_X_y=True)
    with pytest.raises(HowMuchDataError, match="returns a tuple, not a tensor"):
        TorchClassifier(Pair, **QUICK).fit(X[:50], y[:50])


def test_a_ready_module_instance_warns_that_random_state_does_not_set_its_weights() -> None:
    X, y = load_digits(return_X_y=True)
    model = TorchClassifier(torch.nn.Linear(64, 10), **QUICK)

    curve = learning_curve(model, X, y, sizes=[60], repeats=1)

    assert curve.points["status"].iloc[0] == "ok"
    assert READY_MODULE_WARNING[:60] in curve.points["warning"].iloc[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TorchClassifier(linear, **QUICK).fit(X[:60], y[:60])  # a factory: no warning


def conv_net(input_shape: tuple[int, int, int], n_outputs: int) -> torch.nn.Module:
    return torch.nn.Sequential(
        torch.nn.Conv2d(input_shape[0], 4, 3, padding=1),
        torch.nn.AdaptiveAvgPool2d(1),
        torch.nn.Flatten(),
        torch.nn.Linear(4, n_outputs),
    )


def test_channels_last_image_arrays_are_read_as_channels_last() -> None:
    rng = np.random.default_rng(0)
    first = rng.normal(size=(40, 3, 8, 6)).astype(np.float32)  # (n, C, H, W)
    last = first.transpose(0, 2, 3, 1)  # the same images as NumPy and Pillow hold them
    y = np.arange(40) % 2

    a = TorchClassifier(conv_net, inputs=ImageInput(), **QUICK).fit(first, y)
    b = TorchClassifier(conv_net, inputs=ImageInput(), **QUICK).fit(last, y)

    assert b.inputs_.input_shape_ == (3, 8, 6)  # before: (8, 6, 3), 8 channels of 6x3 pixels
    np.testing.assert_allclose(a.predict_proba(first), b.predict_proba(last), rtol=1e-5)
    with pytest.raises(HowMuchDataError, match=r"fitted on images of shape \(3, 8, 6\)"):
        b.predict(first[:, :, :, :4])


def test_an_image_shape_that_fits_neither_axis_order_is_a_one_line_error() -> None:
    pixels = np.zeros((12, 8, 8, 3), dtype=np.float32)
    inputs = ImageInput(shape=(1, 8, 8))
    with pytest.raises(HowMuchDataError, match=r"fit neither \(channels, height, width\)"):
        inputs.fit(pixels)
    assert ImageInput(shape=(3, 8, 8)).fit(pixels).input_shape_ == (3, 8, 8)


def test_making_the_estimator_does_the_first_fits_imports() -> None:
    # the curve engine clones the model before a point's clock starts; torch._dynamo (1.7 s)
    # was imported inside the first fit of every process and counted as its fit time
    code = (
        "import sys; from howmuchdata.deep.estimator import TorchClassifier; "
        "TorchClassifier(None); print('torch._dynamo' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
