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


def test_repeat_spread_features_read_the_best_and_worst_repeats():
    from howmuchdata.extrapolate.features import PREFIX_FEATURES, make_prefix
    from howmuchdata.extrapolate.fitting import CurveData

    sizes = np.repeat([16.0, 32.0, 64.0, 128.0, 256.0], 5)
    scores = 0.9 - 0.5 * sizes**-0.5
    # at 64 one repeat is 0.08 ahead of the others (a learner taking off early on one split);
    # at the largest size the repeats spread -0.02 ... +0.02 around their mean
    scores[(sizes == 64.0).nonzero()[0][0]] += 0.08
    scores[sizes == 256.0] += np.array([-0.02, -0.01, 0.0, 0.01, 0.02])
    data = CurveData.from_points(sizes, 1.0 - scores, 0.0)
    feats = dict(zip(PREFIX_FEATURES, make_prefix(data).summary, strict=True))
    y_last = 0.9 - 0.5 * 256.0**-0.5
    assert feats["best_rep_last"] == pytest.approx(0.02)
    assert feats["worst_rep_last"] == pytest.approx(0.02)
    assert feats["best_rep_ever"] == pytest.approx(0.9 - 0.5 * 64.0**-0.5 + 0.08 - y_last)
    # the back-test's shorter curve keeps the repeats' range of the sizes it keeps
    head = data.head(3)
    assert head.lowest is not None and len(head.lowest) == 3
    assert head.lowest[2] == pytest.approx(1.0 - scores[sizes == 64.0].max())
    # summary-only data (no repeats kept) gives NaN, which the boosting model handles
    bare = CurveData(
        *(getattr(data, f) for f in ("sizes", "mean", "se", "sd", "counts", "sigma", "floor"))
    )
    feats = dict(zip(PREFIX_FEATURES, make_prefix(bare).summary, strict=True))
    assert np.isnan(feats["best_rep_last"])
