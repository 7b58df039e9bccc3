"""The learned model's intervals: normalised conformal bands adapt to how noisy a curve is."""

from __future__ import annotations

import numpy as np
import pytest

from howmuchdata.extrapolate.features import FEATURE_NAMES
from howmuchdata.extrapolate.learned import LearnedModel, QuantileTable, train_learned

NOISY = FEATURE_NAMES.index("sd_last")


def _table(rng: np.random.Generator, n_groups: int, per_group: int) -> dict[str, np.ndarray]:
    """Rows whose residual size is 10x larger when the 'sd_last' feature is high."""
    n = n_groups * per_group
    X = rng.normal(size=(n, len(FEATURE_NAMES)))
    X[:, 0] = rng.uniform(0.0, 4.0, n)  # extrapolation distance
    noisy = rng.random(n_groups).repeat(per_group) < 0.5
    X[:, NOISY] = np.where(noisy, 1.0, 0.0) + 0.05 * rng.normal(size=n)
    size = np.where(noisy, 0.2, 0.02) * (1.0 + X[:, 0] / 4.0)
    target = 0.05 * X[:, 1] + size * rng.standard_t(5, n)
    return {
        "X": X,
        "target": target,
        "groups": np.arange(n_groups).repeat(per_group),
        "scale": np.ones(n),
    }


def _band(model, X: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    q = model.quantiles.at(X[:, 0])
    lo = np.array([np.interp((1 - level) / 2, model.quantiles.probs, r) for r in q])
    hi = np.array([np.interp((1 + level) / 2, model.quantiles.probs, r) for r in q])
    spread = model.predict_spread(X)
    return spread * lo, spread * hi


@pytest.mark.slow
def test_bands_hold_their_level_for_quiet_and_noisy_curves_alike():
    rng = np.random.default_rng(0)
    train = _table(rng, 80, 20)
    model = train_learned(train, n_splits=5)
    test = _table(rng, 100, 20)
    resid = test["target"] - model.predict_residual(test["X"])
    lo, hi = _band(model, test["X"], 0.8)
    covered = (resid >= lo) & (resid <= hi)
    noisy = test["X"][:, NOISY] > 0.5
    assert 0.75 <= covered.mean() <= 0.9  # cross-fitted residuals err on the wide side
    # close to the level within each kind of curve, not only on average ...
    assert 0.7 <= covered[noisy].mean() <= 0.9
    assert 0.7 <= covered[~noisy].mean() <= 0.95
    # ... which one band per distance, without the spread model, is not
    oof_resid = train["target"] - model.quantiles.oof
    plain = LearnedModel(
        model.regressor, QuantileTable.from_residuals(train["X"][:, 0], oof_resid), None
    )
    plo, phi = _band(plain, test["X"], 0.8)
    plain_covered = (resid >= plo) & (resid <= phi)
    assert plain_covered[~noisy].mean() > 0.97 and plain_covered[noisy].mean() < 0.7
    # and the quiet curves get much narrower bands than the noisy ones
    width = hi - lo
    assert np.median(width[noisy]) > 2.5 * np.median(width[~noisy])
    # a wider level gives a wider band
    lo95, hi95 = _band(model, test["X"], 0.95)
    assert np.all(hi95 - lo95 >= width - 1e-12)
