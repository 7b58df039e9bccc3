"""Plain skorch nets seeded per point, and devices checked before a curve's runs."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

torch = pytest.importorskip("torch")
skorch = pytest.importorskip("skorch")

from howmuchdata.deep.devices import check_devices  # noqa: E402
from howmuchdata.deep.estimator import TorchClassifier  # noqa: E402
from howmuchdata.deep.seeding import has_unseeded_torch, torch_seeded  # noqa: E402
from howmuchdata.errors import HowMuchDataError  # noqa: E402


class Net(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.layers = torch.nn.Sequential(
            torch.nn.Linear(64, 16), torch.nn.Dropout(0.3), torch.nn.Linear(16, 10)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


def skorch_net() -> object:
    return skorch.NeuralNetClassifier(
        Net, max_epochs=2, lr=0.01, optimizer=torch.optim.Adam, train_split=None, verbose=0
    )


def fit_proba(seed: int | None) -> np.ndarray:
    X, y = load_digits(return_X_y=True)
    X = X.astype(np.float32)
    net = skorch_net()
    if seed is None:
        net.fit(X[:200], y[:200])
    else:
        with torch_seeded(net, seed):
            net.fit(X[:200], y[:200])
    return net.predict_proba(X[200:240])


def test_a_skorch_net_fitted_under_the_points_seed_gives_the_same_scores_again() -> None:
    unseeded = [fit_proba(None), fit_proba(None)]
    # without a seed, weights, batch order and dropout come from torch's running state
    assert not np.array_equal(unseeded[0], unseeded[1])
    np.testing.assert_array_equal(fit_proba(11), fit_proba(11))
    assert not np.array_equal(fit_proba(11), fit_proba(12))


def test_the_seed_is_only_for_the_block() -> None:
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    with torch_seeded(skorch_net(), 99):
        torch.rand(10)
    np.testing.assert_array_equal(torch.rand(3), expected)


def test_only_models_holding_a_skorch_net_are_seeded() -> None:
    assert has_unseeded_torch(skorch_net())
    assert has_unseeded_torch(Pipeline([("net", skorch_net())]))
    assert not has_unseeded_torch(LogisticRegression())
    assert not has_unseeded_torch(TorchClassifier(Net))  # seeds itself from random_state


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without a GPU")
def test_cuda_without_a_gpu_is_an_error_before_any_fit() -> None:
    model = Pipeline([("model", TorchClassifier(Net, device="cuda"))])
    with pytest.raises(HowMuchDataError, match="torch sees no CUDA GPU"):
        check_devices(model)
    check_devices(Pipeline([("model", TorchClassifier(Net, device="cpu"))]))
    with pytest.raises(HowMuchDataError, match="unknown device 'gpu'"):
        check_devices(TorchClassifier(Net, device="gpu"))
