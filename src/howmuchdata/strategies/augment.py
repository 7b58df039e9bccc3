"""Augmentation: more training rows made from the labeled ones, inside ``fit`` only.

:class:`AugmentedEstimator` wraps the baseline pipeline. Its ``fit`` receives exactly the
training subset of one curve point (the engine never hands it validation rows), adds
``copies`` altered copies of those rows, and fits the baseline on originals plus copies. The
size axis is the engine's training size, i.e. the original labeled rows only; prediction is
never augmented.

Augmenters (all NumPy, seeded by the point's ``random_state``):

- tables: :class:`GaussianNoise` (numeric columns jittered by a share of their spread) and
  :class:`Mixup` (convex combinations of two rows; of the same class for classification, so the
  hard label stays right; targets mixed alike for regression);
- images: :class:`ImageAugment` (flips, shifts, crops, pixel noise on rows that are flattened
  images);
- text: :class:`WordDropout` (each word dropped with a small probability).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import ndimage
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone
from sklearn.utils.metaestimators import available_if

from howmuchdata.errors import HowMuchDataError
from howmuchdata.strategies.base import Arm, StrategyContext, baseline_estimator

DEFAULT_COPIES = 2
IMAGE_OPS = ("flip", "shift", "crop", "noise")
DEFAULT_IMAGE_OPS = ("shift", "crop", "noise")  # flips change what a digit or letter means


def _numeric_columns(X: pd.DataFrame) -> list[Any]:
    return [
        c
        for c in X.columns
        if pd.api.types.is_numeric_dtype(X[c]) and not pd.api.types.is_bool_dtype(X[c])
    ]


def _as_frame(X: Any) -> tuple[pd.DataFrame, bool]:
    if isinstance(X, pd.DataFrame):
        return X, True
    return pd.DataFrame(np.asarray(X)), False


def _back(frame: pd.DataFrame, was_frame: bool) -> Any:
    return frame if was_frame else frame.to_numpy()


class GaussianNoise:
    """Numeric columns plus Gaussian noise of ``scale`` times the column's standard deviation.

    The spread is measured on the training subset being augmented; missing values stay missing
    and other columns are copied unchanged.
    """

    name = "noise"

    def __init__(self, scale: float = 0.1) -> None:
        self.scale = scale

    def augment(
        self, X: Any, y: np.ndarray, copies: int, rng: np.random.Generator
    ) -> tuple[Any, np.ndarray]:
        frame, was_frame = _as_frame(X)
        numeric = _numeric_columns(frame)
        new = pd.concat([frame] * copies, ignore_index=True)
        if numeric:
            values = new[numeric].to_numpy(dtype=float)
            spread = np.nan_to_num(
                frame[numeric].to_numpy(dtype=float).std(axis=0) if len(frame) > 1 else 0.0
            )
            values = values + rng.normal(size=values.shape) * self.scale * spread
            new[numeric] = values
        return _back(new, was_frame), np.tile(np.asarray(y), copies)


class Mixup:
    """Convex combinations ``lam * x_i + (1 - lam) * x_j`` of numeric columns.

    ``lam`` is drawn from Beta(alpha, alpha) and folded to at least 0.5, so the new row stays
    closer to ``x_i``, whose other columns it keeps. For classification ``j`` has the same class
    as ``i`` (hard labels stay correct); for regression the targets are mixed with the same ``lam``.
    """

    name = "mixup"

    def __init__(self, task: str = "classification", alpha: float = 0.4) -> None:
        self.task = task
        self.alpha = alpha

    def augment(
        self, X: Any, y: np.ndarray, copies: int, rng: np.random.Generator
    ) -> tuple[Any, np.ndarray]:
        frame, was_frame = _as_frame(X)
        y = np.asarray(y)
        numeric = _numeric_columns(frame)
        n = len(frame)
        first = np.tile(np.arange(n), copies)
        second = np.empty_like(first)
        if self.task == "classification":
            for label in np.unique(y):
                members = np.flatnonzero(y == label)
                where = np.flatnonzero(y[first] == label)
                second[where] = rng.choice(members, size=where.size)
        else:
            second = rng.integers(0, n, size=first.size)
        lam = rng.beta(self.alpha, self.alpha, size=first.size)
        lam = np.maximum(lam, 1 - lam)
        new = frame.iloc[first].reset_index(drop=True).copy()
        if numeric:
            a = frame[numeric].to_numpy(dtype=float)
            new[numeric] = lam[:, None] * a[first] + (1 - lam[:, None]) * a[second]
        if self.task == "classification":
            y_new = y[first]
        else:
            y_float = y.astype(float)
            y_new = lam * y_float[first] + (1 - lam) * y_float[second]
        return _back(new, was_frame), y_new


class ImageAugment:
    """Random flips, shifts, crops and pixel noise for rows that are flattened images.

    Parameters
    ----------
    image_shape : (height, width) or (height, width, channels)
    ops : sequence of {"flip", "shift", "crop", "noise"}
        Each copy of an image gets each geometric op (flip, shift, crop) with probability
        ``p``, and the pixel noise always.
    max_shift : float
        Largest shift (each axis) as a share of the image side; shifts are sub-pixel
        (linear interpolation), so small images are moved by a fraction of a pixel.
    crop : float
        Share of each side kept by a crop (the crop is resized back to the full image).
    noise : float
        Standard deviation of the pixel noise, as a share of the pixel range.
    """

    name = "image"

    def __init__(
        self,
        image_shape: tuple[int, ...],
        ops: tuple[str, ...] = DEFAULT_IMAGE_OPS,
        max_shift: float = 0.06,
        crop: float = 0.85,
        noise: float = 0.05,
        p: float = 0.5,
    ) -> None:
        self.image_shape = tuple(image_shape)
        self.ops = tuple(ops)
        self.p = p
        self.max_shift = max_shift
        self.crop = crop
        self.noise = noise

    def augment(
        self, X: Any, y: np.ndarray, copies: int, rng: np.random.Generator
    ) -> tuple[Any, np.ndarray]:
        frame, was_frame = _as_frame(X)
        pixels = frame.to_numpy(dtype=float)
        h, w = self.image_shape[:2]
        c = self.image_shape[2] if len(self.image_shape) == 3 else 1
        if pixels.shape[1] != h * w * c:
            raise HowMuchDataError(
                f"rows have {pixels.shape[1]} values but image_shape {self.image_shape} needs "
                f"{h * w * c}; pass the right image_shape"
            )
        low, high = float(np.min(pixels)), float(np.max(pixels))
        images = np.tile(pixels, (copies, 1)).reshape(-1, h, w, c)
        for i in range(len(images)):
            images[i] = self._one(images[i], rng)
        if "noise" in self.ops:
            images += rng.normal(size=images.shape) * self.noise * (high - low)
        images = np.clip(images, low, high)
        new = pd.DataFrame(images.reshape(len(images), -1), columns=frame.columns)
        return _back(new, was_frame), np.tile(np.asarray(y), copies)

    def _one(self, image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        h, w = image.shape[:2]
        if "flip" in self.ops and rng.random() < self.p:
            image = image[:, ::-1]
        if "crop" in self.ops and rng.random() < self.p:
            ch, cw = max(1, int(round(h * self.crop))), max(1, int(round(w * self.crop)))
            top, left = rng.integers(0, h - ch + 1), rng.integers(0, w - cw + 1)
            patch = image[top : top + ch, left : left + cw]
            image = ndimage.zoom(patch, (h / ch, w / cw, 1), order=1)[:h, :w]
        if "shift" in self.ops and self.max_shift > 0 and rng.random() < self.p:
            dy, dx = rng.integers(-self.max_shift, self.max_shift + 1, size=2)
            image = ndimage.shift(
                image, (dy, dx, 0), order=0, mode="constant", cval=float(image.min())
            )
        return image


class WordDropout:
    """Copies of each text with every word dropped with probability ``p`` (at least one kept)."""

    name = "word_dropout"

    def __init__(self, column: str, p: float = 0.1) -> None:
        self.column = column
        self.p = p

    def augment(
        self, X: Any, y: np.ndarray, copies: int, rng: np.random.Generator
    ) -> tuple[Any, np.ndarray]:
        frame, was_frame = _as_frame(X)
        new = pd.concat([frame] * copies, ignore_index=True)
        texts = []
        for text in new[self.column].tolist():
            words = [] if pd.isna(text) else str(text).split()  # a blank cell stays blank
            keep = [word for word in words if rng.random() >= self.p]
            texts.append(" ".join(keep or words[:1]))
        new[self.column] = texts
        return _back(new, was_frame), np.tile(np.asarray(y), copies)


class AugmentedEstimator(MetaEstimatorMixin, BaseEstimator):
    """Fit ``estimator`` on its training rows plus ``copies`` augmented copies of them.

    Parameters
    ----------
    estimator : estimator or pipeline
        Takes the raw rows (the baseline pipeline).
    augmenter : GaussianNoise, Mixup, ImageAugment or WordDropout
    copies : int
        Augmented copies per original row.
    random_state : int, optional
        Seeds the augmentation (the learning-curve engine sets it per point).

    Attributes
    ----------
    n_original_ : int
        Labeled rows given to ``fit`` (what the size axis counts).
    n_augmented_ : int
        Rows added by the augmenter.
    """

    def __init__(
        self,
        estimator: Any,
        augmenter: Any,
        copies: int = DEFAULT_COPIES,
        random_state: int | None = None,
    ) -> None:
        self.estimator = estimator
        self.augmenter = augmenter
        self.copies = copies
        self.random_state = random_state

    def fit(self, X: Any, y: Any) -> AugmentedEstimator:
        rng = np.random.default_rng(self.random_state)
        y = np.asarray(y)
        X_new, y_new = self.augmenter.augment(X, y, self.copies, rng)
        if isinstance(X, pd.DataFrame):
            X_all: Any = pd.concat([X.reset_index(drop=True), X_new], ignore_index=True)
        else:
            X_all = np.vstack([np.asarray(X), np.asarray(X_new)])
        y_all = np.concatenate(
            [y, np.asarray(y_new, dtype=y.dtype if y.dtype.kind != "f" else float)]
        )
        self.estimator_ = clone(self.estimator).fit(X_all, y_all)
        self.n_original_ = len(y)
        self.n_augmented_ = len(y_new)
        if hasattr(self.estimator_, "classes_"):
            self.classes_ = self.estimator_.classes_
        return self

    def predict(self, X: Any) -> np.ndarray:
        return self.estimator_.predict(X)

    @available_if(lambda self: hasattr(self.estimator, "predict_proba"))
    def predict_proba(self, X: Any) -> np.ndarray:
        return self.estimator_.predict_proba(X)

    @available_if(lambda self: hasattr(self.estimator, "decision_function"))
    def decision_function(self, X: Any) -> np.ndarray:
        return self.estimator_.decision_function(X)

    def score(self, X: Any, y: Any) -> float:
        return self.estimator_.score(X, y)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        inner = self.estimator.__sklearn_tags__()
        tags.estimator_type = inner.estimator_type
        tags.classifier_tags = inner.classifier_tags
        tags.regressor_tags = inner.regressor_tags
        return tags


def augmenters_for(ctx: StrategyContext) -> dict[str, Any]:
    """The augmenters that make sense for this data, by arm name."""
    if ctx.image_shape is not None:
        ops = tuple(ctx.options.get("image_ops", DEFAULT_IMAGE_OPS))
        unknown = sorted(set(ops) - set(IMAGE_OPS))
        if unknown:
            raise HowMuchDataError(
                f"unknown image augmentation {unknown[0]!r}; use some of {', '.join(IMAGE_OPS)}"
            )
        return {"image": ImageAugment(ctx.image_shape, ops=ops)}
    if ctx.text is not None:
        return {"word_dropout": WordDropout(ctx.text)}
    return {"noise": GaussianNoise(), "mixup": Mixup(task=ctx.task)}


def arms(ctx: StrategyContext, variant: str | None = None) -> list[Arm]:
    """``augment:<kind>`` arms for the data's modality (tables, images or text)."""
    available = augmenters_for(ctx)
    if variant is not None and variant not in available:
        raise HowMuchDataError(
            f"augmentation {variant!r} does not apply to this data; use one of "
            + ", ".join(f"augment:{k}" for k in available)
        )
    copies = int(ctx.options.get("augment_copies", DEFAULT_COPIES))
    return [
        Arm(
            name=f"augment:{name}",
            estimator=AugmentedEstimator(baseline_estimator(ctx), augmenter, copies=copies),
            family="augment",
            description=f"baseline on its labeled rows plus {copies} {name} copies of each",
        )
        for name, augmenter in available.items()
        if variant in (None, name)
    ]
