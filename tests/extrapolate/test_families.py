"""Known answers: curves sampled from each family with known parameters are recovered."""

from __future__ import annotations

import numpy as np
import pytest

from howmuchdata.extrapolate.families import FAMILIES
from howmuchdata.extrapolate.fitting import CurveData, fit_family

SIZES = np.array([16, 23, 32, 45, 64, 91, 128, 181, 256, 362, 512], dtype=float)
N_REF = SIZES[-1]

# true parameters per family (error form, x = n / 512): chosen so e stays in (0, 1)
TRUE = {
    "pow2": [0.08, 0.45],
    "pow3": [0.05, 0.7, 0.08],
    "pow4": [0.06, 0.9, 0.07, 0.05],
    "exp2": [0.3, 2.0],
    "lin2": [0.1, 0.2],
    "expp3": [-0.5, 4.0 / 512, -0.9],
    "log2": [0.04, 0.1],
    "ilog2": [0.9, 0.02],
    "exp3": [0.5, 12.0, 0.1],
    "exp4": [8.0, -1.0, 0.1, 0.6],
    "expd3": [0.5, 10.0, 0.12],
    "wbl4": [6.0, 0.4, 0.1, 0.7],
    "mmf4": [0.6, 0.05, 0.1, 1.2],
    "vap3": [-2.2, -0.01, -0.35],
    "logpower3": [0.3, -3.0, 0.8],
}


def sample(name: str, noise: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    fam = FAMILIES[name]
    n = np.repeat(SIZES, 5)
    e = fam(n / N_REF, np.array(TRUE[name]), N_REF)
    rng = np.random.default_rng(seed)
    return n, e + rng.normal(0.0, noise, n.size)


def test_every_family_has_known_parameters():
    assert set(TRUE) == set(FAMILIES)


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_noise_free_curve_is_recovered(name):
    n, e = sample(name, 0.0)
    fit = fit_family(name, CurveData.from_points(n, e, 0.0))
    assert fit.ok
    true = FAMILIES[name](np.array([1.0, 2.0, 4.0]), np.array(TRUE[name]), N_REF)
    got = fit.predict(N_REF * np.array([1.0, 2.0, 4.0]))
    np.testing.assert_allclose(got, true, atol=2e-3)


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_noisy_curve_is_recovered_within_noise(name):
    n, e = sample(name, 0.005, seed=1)
    fit = fit_family(name, CurveData.from_points(n, e, 0.0))
    assert fit.ok
    true_obs = FAMILIES[name](SIZES / N_REF, np.array(TRUE[name]), N_REF)
    got_obs = fit.predict(SIZES)
    # the fitted curve passes within a few standard errors (0.005 / sqrt(5)) of the truth
    assert np.max(np.abs(got_obs - true_obs)) < 0.006
    got_2x = fit.predict(np.array([2 * N_REF]))[0]
    true_2x = FAMILIES[name](np.array([2.0]), np.array(TRUE[name]), N_REF)[0]
    assert abs(got_2x - true_2x) < 0.015


@pytest.mark.parametrize("name", ["pow2", "pow3", "exp2", "lin2", "log2", "ilog2", "exp3"])
def test_identifiable_parameters_are_recovered(name):
    n, e = sample(name, 0.0)
    fit = fit_family(name, CurveData.from_points(n, e, 0.0))
    np.testing.assert_allclose(fit.theta, TRUE[name], rtol=0.02, atol=1e-3)


def test_repeats_weight_the_fit_by_their_spread():
    # one size with wildly spread repeats must pull the fit less than a precise one
    rng = np.random.default_rng(3)
    n = np.repeat(SIZES, 5)
    e = FAMILIES["pow3"](n / N_REF, np.array(TRUE["pow3"]), N_REF)
    noisy = n == 64
    e = e + np.where(noisy, 0.05 + rng.normal(0, 0.08, n.size), rng.normal(0, 0.001, n.size))
    fit = fit_family("pow3", CurveData.from_points(n, e, 0.0))
    true = FAMILIES["pow3"](np.array([2.0]), np.array(TRUE["pow3"]), N_REF)[0]
    assert abs(fit.predict(np.array([2 * N_REF]))[0] - true) < 0.005


def test_failed_fit_is_reported_not_raised():
    n = np.repeat(SIZES[:4], 2)
    e = np.full(n.size, np.nan)
    fit = fit_family("mmf4", CurveData.from_points(n, e, 0.0))
    assert not fit.ok
    assert np.all(np.isnan(fit.predict(np.array([100.0]))))
