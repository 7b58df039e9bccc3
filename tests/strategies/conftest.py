"""Shared fixtures for the strategy lab tests: small real data sets and a one-thread BLAS."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True)
def _one_blas_thread():
    # Many tiny fits: spinning BLAS / OpenMP threads only slow them down on a shared 2-core box.
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="session")
def digits() -> tuple[pd.DataFrame, np.ndarray]:
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return pd.DataFrame(X, columns=[f"px{i}" for i in range(X.shape[1])]), y


@pytest.fixture(scope="session")
def small_table() -> tuple[pd.DataFrame, np.ndarray]:
    """Two informative numeric columns, one categorical, 240 rows, two classes."""
    rng = np.random.default_rng(0)
    n = 240
    y = np.repeat(["no", "yes"], n // 2)
    signal = (y == "yes").astype(float)
    X = pd.DataFrame(
        {
            "a": signal * 1.5 + rng.normal(size=n),
            "b": -signal + rng.normal(size=n),
            "colour": rng.choice(["red", "green", "blue"], size=n),
        }
    )
    return X, y
