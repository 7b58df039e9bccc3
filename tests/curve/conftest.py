"""Small data with known properties for the curve, data, models and store tests."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_digits

# the helper models must be importable by worker processes (joblib, dask) by module name
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def digits_small() -> tuple[np.ndarray, np.ndarray]:
    """400 digits, classes 0-4 only: fast to fit, 5 balanced classes."""
    X, y = load_digits(return_X_y=True)
    keep = y < 5
    return X[keep][:400], y[keep][:400]


@pytest.fixture
def mixed_frame() -> pd.DataFrame:
    """A mixed-type table: numbers with gaps, a text category, a boolean, a binary target
    that depends on both the number and the category."""
    rng = np.random.default_rng(0)
    n = 240
    age = rng.normal(50, 10, n)
    site = rng.choice(["north", "south", "east"], n)
    smoker = rng.random(n) < 0.3
    logit = 0.15 * (age - 50) + np.where(site == "north", 2.5, -1.0)
    label = np.where(rng.random(n) < 1 / (1 + np.exp(-logit)), "sick", "well")
    age[rng.random(n) < 0.1] = np.nan
    return pd.DataFrame(
        {
            "age": age,
            "site": site,
            "smoker": smoker,
            "patient": np.repeat(np.arange(n // 4), 4),
            "day": pd.date_range("2024-01-01", periods=n, freq="D").astype(str),
            "label": label,
        }
    )


@pytest.fixture
def binary() -> tuple[np.ndarray, np.ndarray]:
    """300 rows, two informative features, a balanced binary target."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 2))
    y = (X[:, 0] + 0.5 * rng.normal(size=300) > 0).astype(int)
    return X, y
