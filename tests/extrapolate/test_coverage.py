"""Intervals are calibrated: on curves from a known process, 80% intervals cover ~80%."""

from __future__ import annotations

import numpy as np
import pytest

from howmuchdata.extrapolate import extrapolate

SIZES = np.array([16, 23, 32, 45, 64, 91, 128, 181, 256, 362, 512], dtype=float)
QUERIES = np.array([1024.0, 4096.0, 16384.0])


def random_curve(rng):
    """A saturating curve from one of three shapes, random parameters, and its repeats."""
    c, a = rng.uniform(0.7, 0.95), rng.uniform(0.2, 0.5)
    shape = rng.integers(3)
    if shape == 0:
        b = rng.uniform(0.3, 1.0)

        def f(n):
            return c - a * (n / 16) ** -b
    elif shape == 1:
        half = rng.uniform(40, 300)

        def f(n):
            return c - a * half / (half + n)  # Michaelis-Menten (mmf with d = 1)
    else:
        scale = rng.uniform(50, 400)

        def f(n):
            return c - a * np.exp(-np.sqrt(n / scale))  # Weibull-shaped

    noise = rng.uniform(0.005, 0.03)
    n = np.repeat(SIZES, 5)
    return f, n, np.clip(f(n) + rng.normal(0, noise, n.size), 0, 1)


@pytest.mark.slow
def test_family_intervals_cover_at_their_level():
    rng = np.random.default_rng(2024)
    hits, hits95 = [], []
    for _ in range(45):
        f, n, y = random_curve(rng)
        ext = extrapolate(n, y, method="families")
        lo, hi = ext.interval(QUERIES, 0.8)
        hits.append((lo <= f(QUERIES)) & (f(QUERIES) <= hi))
        lo, hi = ext.interval(QUERIES, 0.95)
        hits95.append((lo <= f(QUERIES)) & (f(QUERIES) <= hi))
    coverage = float(np.mean(hits))
    assert 0.7 <= coverage <= 0.9, coverage
    assert float(np.mean(hits95)) > coverage


@pytest.mark.slow
def test_learned_intervals_are_honest_on_smooth_curves():
    # the learned model's quantiles come from real curves, which are rougher than these:
    # on smooth curves its 80% intervals must cover at least their level
    rng = np.random.default_rng(7)
    hits = []
    for _ in range(30):
        f, n, y = random_curve(rng)
        ext = extrapolate(n, y)
        assert ext.method == "learned"
        lo, hi = ext.interval(QUERIES, 0.8)
        hits.append((lo <= f(QUERIES)) & (f(QUERIES) <= hi))
    assert float(np.mean(hits)) >= 0.75
