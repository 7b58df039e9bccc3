"""How rows become tensors: one small adapter per kind of input.

An adapter is a scikit-learn style object (so it is cloned with the estimator that holds it).
``fit`` learns what it needs from the training rows only (scaling, shapes); ``dataset`` turns
rows (and labels) into a :class:`torch.utils.data.Dataset`; ``module_kwargs`` tells the network
factory the input shape.

* :class:`TabularInput`: a numeric table (or the output of a scikit-learn preprocessor).
* :class:`ImageInput`: image files given by path, decoded lazily one row at a time, or pixel
  arrays already in memory (``(n, H*W)``, ``(n, H, W)``, ``(n, C, H, W)`` or
  ``(n, H, W, C)``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator

from howmuchdata.deep.images import COLOR_CHANNELS, height_width
from howmuchdata.errors import HowMuchDataError

# channel counts of pictures (grey, RGB, RGBA): how a 4-D array's channel axis is recognised
_CHANNEL_COUNTS = (1, 3, 4)


class TabularInput(BaseEstimator):
    """Numeric rows, standardised with the training rows' mean and standard deviation.

    Parameters
    ----------
    scale : bool
        Standardise each column (skip it when a preprocessor already scaled the data).
    """

    def __init__(self, scale: bool = True) -> None:
        self.scale = scale

    def fit(self, X: Any) -> TabularInput:
        values = _numeric_matrix(X)
        self.n_features_in_ = values.shape[1]
        if self.scale:
            self.mean_ = values.mean(axis=0)
            std = values.std(axis=0)
            self.std_ = np.where(std > 0, std, 1.0).astype(np.float32)
        return self

    def transform(self, X: Any) -> np.ndarray:
        values = _numeric_matrix(X)
        if values.shape[1] != self.n_features_in_:
            raise HowMuchDataError(
                f"the model was fitted on {self.n_features_in_} columns but got "
                f"{values.shape[1]}; pass the same columns to fit and predict"
            )
        if self.scale:
            values = (values - self.mean_) / self.std_
        return values.astype(np.float32, copy=False)

    def dataset(self, X: Any, y: np.ndarray | None = None) -> Any:
        """A torch dataset of ``(features, target)`` pairs."""
        from skorch.dataset import Dataset

        return Dataset(self.transform(X), y)

    def module_kwargs(self) -> dict[str, Any]:
        """What the network factory may need to know: ``n_features``."""
        return {"n_features": self.n_features_in_}


class ImageInput(BaseEstimator):
    """Images: file paths decoded lazily with Pillow, or pixel arrays in memory.

    Parameters
    ----------
    size : int, (height, width) or None
        Images read from files are resized to ``size x size`` pixels (or to ``(height,
        width)``). ``None`` follows the files the adapter is fitted on
        (:func:`~howmuchdata.deep.images.follow_images`): their size when they all share one
        of at most 32x32, else 32x32.
    color : {"RGB", "L"} or None
        Colour mode for images read from files (``"L"`` is greyscale, one channel). ``None``
        follows the files: ``"L"`` when all are greyscale, else ``"RGB"``.
    shape : tuple of int, optional
        ``(channels, height, width)`` of pixel arrays given as flat rows (flattened channels
        first). ``None`` infers one square channel from the number of columns (64 columns ->
        ``(1, 8, 8)``). For 4-D arrays it says which axis holds the channels.
    path_column : str
        The column holding file paths when rows come as a DataFrame.
    """

    def __init__(
        self,
        size: int | tuple[int, int] | None = 32,
        color: str | None = "RGB",
        shape: tuple[int, int, int] | None = None,
        path_column: str = "path",
    ) -> None:
        self.size = size
        self.color = color
        self.shape = shape
        self.path_column = path_column

    def fit(self, X: Any) -> ImageInput:
        paths = self._paths(X)
        if paths is not None:
            if self.color is not None and self.color not in COLOR_CHANNELS:
                raise HowMuchDataError(
                    f"unknown image colour mode {self.color!r}; use one of: "
                    + ", ".join(COLOR_CHANNELS)
                )
            size, color = self.size, self.color
            if size is None or color is None:
                from howmuchdata.deep.images import follow_images

                followed_size, followed_color = follow_images(paths)
                size = followed_size if size is None else size
                color = followed_color if color is None else color
            self.from_files_ = True
            self.size_ = height_width(size)
            self.color_ = str(color)
            self.input_shape_ = (COLOR_CHANNELS[self.color_], *self.size_)
            return self
        self.from_files_ = False
        self.channels_last_ = _channels_last(X, self.shape)
        pixels = self._pixels(X, fitted=False)
        self.input_shape_ = tuple(int(d) for d in pixels.shape[1:])
        # pixel arrays come in any range (digits: 0..16, photos: 0..255): one scalar
        # standardisation learnt on the training rows puts them on a common scale
        self.mean_ = float(pixels.mean())
        self.std_ = float(pixels.std()) or 1.0
        return self

    def dataset(self, X: Any, y: np.ndarray | None = None) -> Any:
        """A torch dataset; for paths each item is decoded when the loader asks for it."""
        from skorch.dataset import Dataset

        paths = self._paths(X)
        if paths is not None:
            if not self.from_files_:
                raise HowMuchDataError(
                    "the model was fitted on pixel arrays but got file paths; pass the same "
                    "kind of input to fit and predict"
                )
            from howmuchdata.deep._datasets import ImagePathDataset

            return ImagePathDataset(paths, y, size=self.size_, color=self.color_)
        pixels = (self._pixels(X, fitted=True) - self.mean_) / self.std_
        return Dataset(pixels.astype(np.float32, copy=False), y)

    def module_kwargs(self) -> dict[str, Any]:
        """What the network factory may need to know: ``input_shape`` as (C, H, W)."""
        return {"input_shape": self.input_shape_}

    def _paths(self, X: Any) -> np.ndarray | None:
        if isinstance(X, pd.DataFrame):
            if self.path_column in X.columns:
                return X[self.path_column].astype(str).to_numpy()
            if X.shape[1] == 1 and not pd.api.types.is_numeric_dtype(X.iloc[:, 0]):
                return X.iloc[:, 0].astype(str).to_numpy()
            return None
        values = np.asarray(X) if not isinstance(X, pd.Series) else X.to_numpy()
        if values.ndim == 1 and values.dtype.kind in "OUS":
            return values.astype(str)
        return None

    def _pixels(self, X: Any, *, fitted: bool) -> np.ndarray:
        values = _numeric_matrix(X) if np.ndim(X) <= 2 else np.asarray(X, dtype=np.float32)
        if values.ndim == 4:
            if getattr(self, "channels_last_", False):
                values = values.transpose(0, 3, 1, 2)
            if fitted and tuple(values.shape[1:]) != tuple(self.input_shape_):
                raise HowMuchDataError(
                    f"the model was fitted on images of shape {tuple(self.input_shape_)} "
                    f"(channels, height, width) but got {tuple(values.shape[1:])}; pass images "
                    "of the same shape to fit and predict"
                )
            return values
        if values.ndim == 3:
            return values[:, None, :, :]
        shape = self.input_shape_ if fitted else (self.shape or _square_shape(values.shape[1]))
        if math.prod(shape) != values.shape[1]:
            raise HowMuchDataError(
                f"rows of {values.shape[1]} pixels do not fit the image shape {tuple(shape)}; "
                "pass shape=(channels, height, width) to ImageInput"
            )
        return values.reshape((len(values), *shape))


def _numeric_matrix(X: Any) -> np.ndarray:
    if sparse.issparse(X):
        X = X.toarray()
    if isinstance(X, pd.DataFrame):
        bad = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
        if bad:
            raise HowMuchDataError(
                f"column(s) {', '.join(map(str, bad[:5]))} are not numeric; one-hot encode "
                "them first (howmuchdata.models.make_preprocessor) or drop them"
            )
    values = np.asarray(X, dtype=np.float32)
    if values.ndim == 1:
        values = values.reshape(-1, 1)
    if not np.isfinite(values).all():
        raise HowMuchDataError(
            "the input has missing or infinite values; impute them first "
            "(howmuchdata.models.make_preprocessor does)"
        )
    return values


def _channels_last(X: Any, shape: tuple[int, int, int] | None) -> bool:
    """Whether a 4-D pixel array is ``(n, H, W, C)`` rather than ``(n, C, H, W)``.

    NumPy and Pillow images are channels last, torch wants channels first; reading a
    ``(n, 32, 32, 3)`` array as 32 channels of 32x3 images trains without an error. With
    ``shape`` given, the axis that matches it decides; else a last axis of 1, 3 or 4 where
    the second is not.

    Raises
    ------
    HowMuchDataError
        When ``shape`` fits neither order.
    """
    if np.ndim(X) != 4:
        return False
    dims = tuple(int(d) for d in np.shape(X)[1:])
    if shape is not None:
        channels, height, width = (int(d) for d in shape)
        if dims == (channels, height, width):
            return False
        if dims == (height, width, channels):
            return True
        raise HowMuchDataError(
            f"images of shape {dims} fit neither (channels, height, width) = "
            f"{tuple(shape)} nor (height, width, channels); pass the shape of the images "
            "as shape=(channels, height, width)"
        )
    return dims[2] in _CHANNEL_COUNTS and dims[0] not in _CHANNEL_COUNTS


def _square_shape(n_columns: int) -> tuple[int, int, int]:
    side = math.isqrt(n_columns)
    if side * side != n_columns:
        raise HowMuchDataError(
            f"cannot read rows of {n_columns} pixels as a square image; pass "
            "shape=(channels, height, width) to ImageInput"
        )
    return (1, side, side)
