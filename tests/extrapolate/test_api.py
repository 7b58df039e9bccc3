"""The public extrapolate() API: answers, inverses, round trips, directions, degenerate input."""

from __future__ import annotations

import json

import numpy as np
import pytest

import howmuchdata as hmd
from howmuchdata.errors import HowMuchDataError
from howmuchdata.result import to_jsonable

SIZES = np.array([16, 23, 32, 45, 64, 91, 128, 181, 256, 362, 512], dtype=float)


def rising(n):
    return 0.92 - 0.5 * (n / 16) ** -0.5


def points(f=rising, noise=0.005, seed=0, sizes=SIZES, repeats=5):
    rng = np.random.default_rng(seed)
    n = np.repeat(sizes, repeats)
    return n, f(n) + rng.normal(0.0, noise, n.size)


@pytest.fixture(scope="module", params=["families", "auto"])
def ext(request):
    return hmd.extrapolate(*points(), method=request.param)


def test_predict_and_interval_shapes(ext):
    q = np.array([1000.0, 5000.0])
    pred = ext.predict(q)
    lo, hi = ext.interval(q, level=0.8)
    assert pred.shape == lo.shape == hi.shape == (2,)
    assert np.all(lo <= pred) and np.all(pred <= hi)
    assert float(ext.predict(1000.0)) == pytest.approx(pred[0])


def test_prediction_is_close_to_the_truth(ext):
    q = np.array([1024.0, 2048.0])
    assert np.all(np.abs(ext.predict(q) - rising(q)) < 0.03)


def test_intervals_widen_with_distance(ext):
    widths = [np.subtract(*ext.interval(n)[::-1]) for n in (600.0, 2000.0, 20000.0)]
    assert widths[0] < widths[1] < widths[2]
    lo80, hi80 = ext.interval(5000.0, 0.8)
    lo95, hi95 = ext.interval(5000.0, 0.95)
    assert lo95 < lo80 and hi95 > hi80


def test_size_for_inverts_predict(ext):
    for n in (700.0, 1500.0, 4000.0):
        target = float(ext.predict(n))
        if target < ext.asymptote - 1e-6:
            assert ext.size_for(target) == pytest.approx(n, rel=0.02)


def test_size_for_interval_and_out_of_reach(ext):
    target = float(ext.predict(3000.0))
    lo, hi = ext.size_for(target, level=0.8)
    assert lo <= ext.size_for(target) <= hi
    assert ext.size_for(0.999) == np.inf


def test_curve_is_monotone(ext):
    grid = np.geomspace(16, 512 * 500, 200)
    assert np.all(np.diff(ext.predict(grid)) >= -1e-12)


def test_asymptote_of_a_saturating_curve_is_found():
    def saturating(n):
        return 0.85 - 0.45 * np.exp(-n / 60.0)

    fam = hmd.extrapolate(*points(saturating, noise=0.003), method="families")
    assert fam.asymptote == pytest.approx(0.85, abs=0.015)
    lo, hi = fam.asymptote_interval(0.8)
    assert lo <= 0.85 + 0.01 and hi >= 0.85 - 0.01
    # The learned model carries the LCDB prior that real curves which look saturated still
    # creep up far out (an exponential plateau is rare there): near the data it finds the
    # plateau, and its ceiling interval keeps the true one.
    auto = hmd.extrapolate(*points(saturating, noise=0.003), method="auto")
    assert auto.method == "learned"
    assert float(auto.predict(8 * 512.0)) == pytest.approx(0.85, abs=0.01)
    lo, hi = auto.asymptote_interval(0.8)
    assert lo <= 0.85 <= hi
    assert auto.asymptote == pytest.approx(0.85, abs=0.03)


def test_to_dict_round_trip_answers_without_refitting(ext):
    d = json.loads(json.dumps(to_jsonable(ext.to_dict())))
    grid = d["grid"]
    assert grid["size"][0] == pytest.approx(16.0)
    assert 90 * 512 <= grid["size"][-1] <= 110 * 512
    assert len(grid["mean"]) == len(grid["lo"]) == len(grid["hi"]) == len(grid["size"])
    assert set(d) >= {"flags", "asymptote", "components", "method", "summary"}
    back = hmd.Extrapolation.from_dict(d)
    q = np.array([300.0, 3000.0, 30000.0])
    np.testing.assert_allclose(back.predict(q), ext.predict(q), atol=1e-9)
    np.testing.assert_allclose(back.interval(q)[0], ext.interval(q)[0], atol=1e-5)
    assert back.size_for(0.9) == pytest.approx(ext.size_for(0.9), rel=1e-4)


def test_summary_names_the_models(ext):
    text = ext.summary()
    assert "pow3" in text
    assert "asymptote" in text


def test_learned_model_carries_accuracy_curves():
    ext = hmd.extrapolate(*points())
    assert ext.method == "learned"
    assert "learned" in ext.summary()


def test_losses_that_fall():
    def loss(n):
        return 0.2 + 1.5 * (n / 16) ** -0.6

    n, y = points(loss, noise=0.01)
    ext = hmd.extrapolate(n, y)
    assert ext.direction == "decrease"
    assert ext.method == "families"
    assert "trained on accuracy" in ext.summary()
    q = np.array([1024.0, 4096.0])
    pred = ext.predict(q)
    assert pred[1] < pred[0]
    assert np.all(np.abs(pred - loss(q)) < 0.05)
    target = float(loss(2048.0))
    assert ext.size_for(target) == pytest.approx(2048.0, rel=0.5)
    explicit = hmd.extrapolate(n, y, direction="decreasing")
    assert explicit.direction == "decrease"


def test_unbounded_score_uses_families():
    # a negative MSE: rises towards 0 from below, no natural upper bound at 1
    def neg_mse(n):
        return -3.0 - 40.0 * (n / 16) ** -0.7

    ext = hmd.extrapolate(*points(neg_mse, noise=0.05), direction="increase")
    assert ext.method == "families"
    assert abs(float(ext.predict(2048.0)) - neg_mse(2048.0)) < 0.5


# --- degenerate input -------------------------------------------------------------------


def test_fewer_than_three_sizes():
    with pytest.raises(HowMuchDataError, match="distinct size"):
        hmd.extrapolate([10, 10, 20, 20], [0.5, 0.52, 0.6, 0.61])


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_or_inf_scores(bad):
    n, y = points()
    y[3] = bad
    with pytest.raises(HowMuchDataError, match="NaN or inf"):
        hmd.extrapolate(n, y)


def test_non_positive_sizes():
    n, y = points()
    n[0] = 0
    with pytest.raises(HowMuchDataError, match="positive"):
        hmd.extrapolate(n, y)


def test_scores_outside_the_metric_range():
    n, y = points()
    y[-1] = 1.2
    with pytest.raises(HowMuchDataError, match="outside the metric's range"):
        hmd.extrapolate(n, y, bounds=(0, 1))


def test_mismatched_lengths_and_bad_options():
    n, y = points()
    with pytest.raises(HowMuchDataError, match="one size per score"):
        hmd.extrapolate(n[:-1], y)
    with pytest.raises(HowMuchDataError, match="direction"):
        hmd.extrapolate(n, y, direction="up")
    with pytest.raises(HowMuchDataError, match="level"):
        hmd.extrapolate(n, y, method="families").interval(1000, level=1.5)


def test_constant_curve_falls_back_to_its_level():
    n = np.repeat(SIZES, 3)
    ext = hmd.extrapolate(n, np.full(n.size, 0.7))
    assert ext.flags == ["flat"]
    assert float(ext.predict(10_000)) == pytest.approx(0.7)
    assert ext.size_for(0.75) == np.inf
    assert "flat" in ext.summary()


def test_hmd_extrapolate_stays_callable_after_submodule_imports():
    import howmuchdata.extrapolate.families  # noqa: F401  (binds the package on howmuchdata)

    ext = hmd.extrapolate(*points(), method="families")
    assert isinstance(ext, hmd.Extrapolation)


def test_every_grid_value_is_finite(ext):
    assert np.all(np.isfinite(ext.mean)) and np.all(np.isfinite(ext.quantiles))
    assert np.isfinite(ext.asymptote)
    assert np.all(np.isfinite(ext.asymptote_interval(0.8)))


def test_three_sizes_fall_back_to_families_and_say_so():
    n, y = points(sizes=np.array([50.0, 100.0, 200.0]))
    ext = hmd.extrapolate(n, y)
    assert ext.method == "families"
    assert "Only 3 sizes" in ext.summary()
