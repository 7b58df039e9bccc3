"""Augmenters: what they add, and that the size axis counts original labels only."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier

from howmuchdata.curve import learning_curve
from howmuchdata.strategies.augment import (
    AugmentedEstimator,
    GaussianNoise,
    ImageAugment,
    Mixup,
    WordDropout,
)
from howmuchdata.strategies.synthetic import resample


def test_noise_jitters_numeric_columns_and_keeps_the_rest():
    X = pd.DataFrame({"a": np.arange(10.0), "c": list("xyxyxyxyxy")})
    y = np.arange(10) % 2
    new, y_new = GaussianNoise(scale=0.1).augment(X, y, 2, np.random.default_rng(0))
    assert len(new) == 20 and np.array_equal(y_new, np.tile(y, 2))
    assert (new["c"].to_numpy() == np.tile(X["c"].to_numpy(), 2)).all()
    shift = new["a"].to_numpy() - np.tile(X["a"].to_numpy(), 2)
    assert 0 < np.abs(shift).max() < 1.5  # a tenth of the spread (~3), not more


def test_mixup_mixes_rows_of_the_same_class_only():
    X = pd.DataFrame({"a": np.r_[np.zeros(5), np.full(5, 10.0)]})
    y = np.r_[np.zeros(5), np.ones(5)].astype(int)
    new, y_new = Mixup(alpha=0.4).augment(X, y, 4, np.random.default_rng(0))
    # class 0 lives at 0, class 1 at 10: a same-class mix stays exactly there
    assert np.allclose(new["a"].to_numpy(), np.where(y_new == 1, 10.0, 0.0))


def test_image_augment_keeps_shape_range_and_label(digits):
    X, y = digits
    new, y_new = ImageAugment((8, 8)).augment(X.iloc[:200], y[:200], 2, np.random.default_rng(0))
    assert new.shape == (400, 64) and list(new.columns) == list(X.columns)
    assert new.to_numpy().min() >= 0 and new.to_numpy().max() <= 16
    assert not np.allclose(new.to_numpy()[:200], X.iloc[:200].to_numpy())
    # label-preserving: a 1-NN model of other digits still reads most copies as their digit
    reader = KNeighborsClassifier(n_neighbors=1).fit(X.iloc[200:], y[200:])
    assert (reader.predict(new) == y_new).mean() >= 0.8
    flipped, _ = ImageAugment((8, 8), ops=("flip",), p=1.0).augment(
        X.iloc[:1], y[:1], 1, np.random.default_rng(0)
    )
    assert np.array_equal(
        flipped.to_numpy().reshape(8, 8), X.iloc[0].to_numpy().reshape(8, 8)[:, ::-1]
    )


def test_word_dropout_keeps_words_in_order():
    X = pd.DataFrame({"text": ["one two three four five six seven eight"]})
    new, _ = WordDropout("text", p=0.5).augment(X, np.array([1]), 5, np.random.default_rng(3))
    for text in new["text"]:
        words = text.split()
        assert words and words == [w for w in X["text"][0].split() if w in words]


def test_size_axis_counts_original_labels(small_table):
    X, y = small_table
    model = AugmentedEstimator(LogisticRegression(), GaussianNoise(), copies=3)
    X_num = X[["a", "b"]]
    fitted = model.fit(X_num.iloc[::6], y[::6])
    assert fitted.n_original_ == 40 and fitted.n_augmented_ == 120
    curve = learning_curve(model, X_num, y, sizes=[20, 40], repeats=2)
    assert curve.points["size"].tolist() == [20, 20, 40, 40]
    assert (curve.points["status"] == "ok").all()
    counts = curve.points["train_counts"].map(lambda c: sum(c.values()))
    assert counts.tolist() == [20, 20, 40, 40]  # what the point saw as labels: the originals


def test_smote_adapts_to_tiny_classes_and_skips_single_rows():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(9, 2))
    y = np.array([0] * 6 + [1] * 3)
    X_new, y_new = resample(X, y)
    assert np.bincount(y_new).tolist() == [6, 6]  # minority raised to the majority
    X_one, y_one = resample(X[:7], y[:7])  # one row of class 1: nothing to interpolate
    assert len(y_one) == 7
