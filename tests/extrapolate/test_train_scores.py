"""Training scores: the second learned model reads the gap between training and validation."""

from __future__ import annotations

import numpy as np
import pytest

import howmuchdata as hmd
from howmuchdata.errors import HowMuchDataError
from howmuchdata.extrapolate.features import TRAIN_FEATURES, per_size_means, train_summary
from howmuchdata.extrapolate.fitting import CurveData
from howmuchdata.extrapolate.lcdb import LcdbCurve, curve_rows

TRAINED_NOTE = "Training scores read"


def _curve(repeats: int = 5, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    sizes = np.repeat(np.round(2.0 ** (4 + np.arange(8) / 2)), repeats)
    rng = np.random.default_rng(seed)
    scores = 0.9 - 0.5 * sizes**-0.4 + rng.normal(0.0, 0.004, sizes.size)
    return sizes, scores


def test_train_summary_reads_the_gap_and_its_change():
    sizes = np.array([16.0, 32.0, 64.0, 128.0])
    valid = np.array([0.60, 0.70, 0.76, 0.80])
    train = np.array([1.00, 0.98, 0.95, 0.92])
    data = CurveData.from_points(sizes, 1.0 - valid, 0.0)
    feats = dict(zip(TRAIN_FEATURES, train_summary(data, train), strict=True))
    assert feats["train_last"] == pytest.approx(0.92)
    assert feats["gap_last"] == pytest.approx(0.12)
    assert feats["gap_slope1"] == pytest.approx(0.12 - 0.19)  # gap at 64: 0.95 - 0.76
    assert feats["train_slope1"] == pytest.approx(0.92 - 0.95)
    assert feats["gap_slope2"] == pytest.approx(0.19 - 0.28)
    assert feats["gap_max"] == pytest.approx(0.40)


def test_per_size_means_skip_unknown_scores():
    sizes = np.array([10.0, 10.0, 20.0, 20.0, 30.0])
    values = np.array([0.5, np.nan, 0.6, 0.8, np.nan])
    means = per_size_means(sizes, values, np.array([10.0, 20.0, 30.0]))
    assert means[:2] == pytest.approx([0.5, 0.7])
    assert np.isnan(means[2])


def test_the_lcdb_table_holds_the_training_features_of_each_prefix():
    anchors = np.round(2.0 ** (4 + np.arange(12) / 2))
    sizes = np.repeat(anchors, 3)
    valid = 0.9 - 0.4 * sizes**-0.5
    train = np.minimum(1.0, valid + 0.3 * sizes**-0.3)
    truth = 0.9 - 0.4 * anchors**-0.5
    with_train = LcdbCurve(1, "SVC_linear", 0, sizes, valid, anchors, truth, train)
    rows = curve_rows(with_train)
    assert rows["X_train"].shape == (len(rows["X"]), len(TRAIN_FEATURES))
    gap = rows["X_train"][:, TRAIN_FEATURES.index("gap_last")]
    assert np.all(gap > 0) and np.all(np.isfinite(rows["X_train"]))
    # a curve without training scores has the same rows, its training features unknown
    bare = curve_rows(LcdbCurve(1, "SVC_linear", 0, sizes, valid, anchors, truth))
    np.testing.assert_array_equal(bare["X"], rows["X"])
    assert np.all(np.isnan(bare["X_train"]))


def test_training_scores_select_the_second_model():
    sizes, scores = _curve()
    plain = hmd.extrapolate(sizes, scores, direction="increase")
    train = np.minimum(1.0, scores + 0.1)
    ext = hmd.extrapolate(sizes, scores, direction="increase", train_scores=train)
    assert ext.method == plain.method == "learned"
    assert any(TRAINED_NOTE in n for n in ext.notes)
    assert not any(TRAINED_NOTE in n for n in plain.notes)
    # the training means it read are kept with the observed curve (and in result.json)
    means = [train[sizes == n].mean() for n in np.unique(sizes)]
    np.testing.assert_allclose(ext.observed["train_mean"], means)
    assert "train_mean" not in plain.observed
    again = hmd.Extrapolation.from_dict(ext.to_dict())
    np.testing.assert_allclose(again.observed["train_mean"], means)
    far = [8 * sizes.max()]
    assert ext.predict(far)[0] != pytest.approx(plain.predict(far)[0], abs=1e-6)


def test_a_closed_gap_predicts_less_growth_than_a_wide_one():
    # The same validation curve, measured with two learners: one that scores as well on its
    # training set as on validation (high bias, it has learned what it can), one that fits
    # its training set perfectly (high variance, more data closes the gap).
    sizes, scores = _curve()
    closed = hmd.extrapolate(sizes, scores, direction="increase", train_scores=scores + 0.005)
    wide = hmd.extrapolate(sizes, scores, direction="increase", train_scores=np.ones_like(scores))
    far = [16 * sizes.max()]
    gain_closed = closed.predict(far)[0] - scores[sizes == sizes.max()].mean()
    gain_wide = wide.predict(far)[0] - scores[sizes == sizes.max()].mean()
    assert gain_wide > gain_closed + 0.005
    assert wide.asymptote > closed.asymptote


def test_training_scores_missing_at_a_size_fall_back_to_validation_alone():
    sizes, scores = _curve()
    train = np.minimum(1.0, scores + 0.1)
    train[sizes == sizes.min()] = np.nan
    ext = hmd.extrapolate(sizes, scores, direction="increase", train_scores=train)
    plain = hmd.extrapolate(sizes, scores, direction="increase")
    assert any("missing at some sizes" in n for n in ext.notes)
    np.testing.assert_allclose(ext.predict([4000.0]), plain.predict([4000.0]))


def test_training_scores_are_ignored_with_a_note_outside_the_learned_model():
    sizes, scores = _curve()
    loss = 1.0 - scores
    ext = hmd.extrapolate(sizes, loss, direction="decrease", train_scores=loss - 0.05)
    assert ext.method == "families"
    assert any("read only by the learned model" in n for n in ext.notes)


@pytest.mark.parametrize(
    ("train", "message"),
    [
        (lambda s: s[:-1], "train_scores has"),
        (lambda s: np.where(np.arange(s.size) == 0, np.inf, s), "inf"),
        (lambda s: s + 2.0, "outside the metric's range"),
    ],
)
def test_bad_training_scores_get_a_clear_error(train, message):
    sizes, scores = _curve()
    with pytest.raises(HowMuchDataError, match=message):
        hmd.extrapolate(sizes, scores, bounds=(0, 1), train_scores=train(scores))


def test_a_given_model_without_training_features_says_it_ignored_them():
    from howmuchdata.extrapolate.learned import shipped_model

    sizes, scores = _curve()
    train = np.minimum(1.0, scores + 0.1)
    ext = hmd.extrapolate(
        sizes, scores, direction="increase", learned_model=shipped_model(), train_scores=train
    )
    plain = hmd.extrapolate(sizes, scores, direction="increase")
    assert any("does not read training scores" in n for n in ext.notes)
    assert "train_mean" not in ext.observed
    np.testing.assert_allclose(ext.predict([4000.0]), plain.predict([4000.0]))
    # and a model that reads them refuses to run without them
    with pytest.raises(HowMuchDataError, match="reads training scores"):
        hmd.extrapolate(
            sizes, scores, direction="increase", learned_model=shipped_model(with_train=True)
        )
