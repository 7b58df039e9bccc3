"""Neural networks through the learning-curve engine, like any scikit-learn estimator."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits

pytest.importorskip("torch")
pytest.importorskip("skorch")

from howmuchdata.curve import learning_curve  # noqa: E402
from howmuchdata.deep.images import read_image_folder  # noqa: E402
from howmuchdata.deep.presets import make_cnn  # noqa: E402


@pytest.mark.slow
def test_cnn_curve_on_digits_rises_and_resumes_from_the_store(tmp_path: Path) -> None:
    X, y = load_digits(return_X_y=True)
    store = f"sqlite:///{tmp_path / 'store.db'}"
    model = make_cnn(max_epochs=12, n_threads=1)
    sizes = [30, 120, 480]

    curve = learning_curve(model, X, y, sizes=sizes, repeats=2, store=store)

    points = curve.points
    assert (points["status"] == "ok").all()
    means = points.groupby("size")["val_score"].mean()
    assert means.loc[30] < means.loc[120] < means.loc[480]
    assert means.loc[480] > 0.85
    fitted = clone(model).fit(X[:50], y[:50])
    assert (points["n_params"] == fitted.named_steps["model"].n_params_).all()
    assert curve.settings["computed"] == 6

    again = learning_curve(model, X, y, sizes=sizes, repeats=2, store=store)
    assert again.settings["computed"] == 0 and again.settings["from_store"] == 6
    np.testing.assert_array_equal(again.points["val_score"], points["val_score"])


def test_same_seed_gives_the_same_scores_on_cpu() -> None:
    X, y = load_digits(return_X_y=True)
    X, y = X[:300], y[:300]
    model = make_cnn(max_epochs=3, min_steps=30, n_threads=1, device="cpu")

    first = learning_curve(model, X, y, sizes=[40, 120], repeats=1, random_state=7)
    second = learning_curve(model, X, y, sizes=[40, 120], repeats=1, random_state=7)

    np.testing.assert_array_equal(first.points["val_score"], second.points["val_score"])
    np.testing.assert_array_equal(first.points["train_score"], second.points["train_score"])


@pytest.mark.slow
def test_image_folder_with_bad_files_still_gives_a_curve(stripes_folder: Path) -> None:
    collection = read_image_folder(stripes_folder)
    assert len(collection.skipped) == 2
    model = make_cnn(image_size=16, max_epochs=8, min_steps=60, n_threads=1)

    curve = learning_curve(
        model, collection.frame(), np.asarray(collection.labels), sizes=[8, 56], repeats=2
    )

    points = curve.points
    assert (points["status"] == "ok").all(), points["error"].tolist()
    assert points.loc[points["size"] == 56, "val_score"].mean() > 0.8  # it learnt the stripes


def test_images_replaced_under_the_same_names_are_measured_again(
    stripes_folder: Path, tmp_path: Path, write_stripes
) -> None:
    import os

    from howmuchdata.data import load_dataset

    store = f"sqlite:///{tmp_path / 'store.db'}"
    model = make_cnn(max_epochs=1, min_steps=0, n_threads=1)

    def measure() -> dict:
        data = load_dataset(stripes_folder)
        return learning_curve(model, data.X, data.y, sizes=[20], repeats=1, store=store).settings

    assert measure()["computed"] == 1
    assert measure()["from_store"] == 1  # the same files: reused
    # the same name, size and mode, other pixels (a cleaned folder written over the old one)
    edited = stripes_folder / "vertical" / "003.png"
    write_stripes(edited, False, np.random.default_rng(5))
    os.utime(edited, ns=(1, 1))  # a new modification time, whatever the clock's resolution

    assert measure()["computed"] == 1
