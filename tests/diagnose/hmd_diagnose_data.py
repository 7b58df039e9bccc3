"""Data built to have (or not have) the problems the diagnosis checks look for.

A uniquely named module (not conftest) so that test files can import it by name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from howmuchdata.curve import LearningCurve, points_frame


def synthetic_curve(
    val: Callable[[float], float],
    train: Callable[[float], float] | None = None,
    *,
    sizes: Sequence[int] = (100, 200, 400, 800, 1600),
    repeats: int = 3,
    spread: float = 0.002,
    n_params: int | None = None,
    classes: Sequence[object] | None = None,
    class_share: Callable[[object], float] | None = None,
    recall: Callable[[object, float], float] | None = None,
    scoring: str = "accuracy",
) -> LearningCurve:
    """A LearningCurve whose points follow known functions of the size.

    Repeats sit at ``mean + offset`` with offsets spread evenly over ``[-spread, spread]``,
    so the standard deviation across repeats is known exactly (``spread`` itself for three
    repeats). ``scoring`` names the scorer (higher is better either way). With ``classes``, the
    training count of class c at size n is ``class_share(c) * n`` and its validation recall
    is ``recall(c, count)``.
    """
    offsets = np.linspace(-spread, spread, repeats) if repeats > 1 else np.zeros(1)
    records = []
    for n in sizes:
        for r, off in enumerate(offsets):
            record = {
                "size": n,
                "repeat": r,
                "val_score": val(n) + off,
                "train_score": (train(n) if train else val(n) + 0.01) - off,
                "fit_seconds": 0.01,
                "predict_seconds": 0.001,
                "status": "ok",
                "error": None,
                "warning": None,
                "n_train_groups": None,
                "train_counts": None,
                "val_counts": None,
                "val_recall": None,
                "n_params": n_params,
            }
            if classes is not None:
                counts = {c: class_share(c) * n for c in classes}
                record["train_counts"] = {c: int(round(m)) for c, m in counts.items()}
                record["val_counts"] = {c: max(int(round(m / 4)), 1) for c, m in counts.items()}
                record["val_recall"] = {c: recall(c, counts[c]) for c in classes}
            records.append(record)
    return LearningCurve(
        points=points_frame(records),
        scoring=scoring,
        greater_is_better=True,
        task="classification",
        n_samples=int(max(sizes) * 1.25),
        classes=list(classes) if classes is not None else [0, 1],
        model="synthetic",
    )


def flip_labels(y: np.ndarray, rate: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Flip a share ``rate`` of labels to another class drawn at random; return (noisy, mask)."""
    rng = np.random.default_rng(seed)
    classes = np.unique(y)
    flipped = rng.random(y.size) < rate
    noisy = y.copy()
    shift = rng.integers(1, classes.size, flipped.sum())
    noisy[flipped] = classes[(np.searchsorted(classes, y[flipped]) + shift) % classes.size]
    return noisy, flipped


class PredictOnly(ClassifierMixin, BaseEstimator):
    """A linear SVM that shows only ``fit`` and ``predict``: no probabilities, no scores."""

    def fit(self, X, y):
        self.model_ = make_pipeline(StandardScaler(), LinearSVC()).fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)


def linear_svc() -> Pipeline:
    """Scaling and a linear SVM: a classifier without ``predict_proba`` (``--model`` callable)."""
    return make_pipeline(StandardScaler(), LinearSVC())
