"""``--image-shape HEIGHTxWIDTH[xCHANNELS]``: rows of a table are flattened images.

On the command line the shape is channels last, as a ``(height, width, channels)`` array is
flattened (and as ``compare`` reads it); the networks of :mod:`howmuchdata.deep` take
``(channels, height, width)``. :func:`image_model` builds a ``cnn`` that reads such rows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from howmuchdata.data import Dataset
from howmuchdata.errors import HowMuchDataError
from howmuchdata.models import make_estimator

#: The presets that read pixel columns in the shape ``--image-shape`` gives.
SHAPED_IMAGE_MODELS = ("cnn",)


def parse_image_shape(text: str | None) -> tuple[int, ...] | None:
    """``"8x16"`` -> ``(8, 16)``, ``"32x32x3"`` -> ``(32, 32, 3)`` (height, width[, channels]).

    Parameters
    ----------
    text : str, optional
        The ``--image-shape`` value.

    Returns
    -------
    tuple of int or None
        ``None`` when no shape is given.

    Raises
    ------
    HowMuchDataError
        When ``text`` is not two or three positive whole numbers joined by ``x``.
    """
    if text is None:
        return None
    try:
        shape = tuple(int(p) for p in text.lower().split("x"))
    except ValueError:
        shape = ()
    if len(shape) not in (2, 3) or min(shape) < 1:
        raise HowMuchDataError(
            f"--image-shape {text!r} is not HEIGHTxWIDTH[xCHANNELS]; pass e.g. 8x8 or 32x32x3"
        )
    return shape


def check_image_shape(dataset: Dataset, shape: tuple[int, ...], models: Sequence[str]) -> None:
    """Stop before any fit when ``--image-shape`` cannot apply to ``dataset`` and ``models``.

    Parameters
    ----------
    dataset : Dataset
        The loaded table (or image collection).
    shape : tuple of int
        ``(height, width[, channels])`` from :func:`parse_image_shape`.
    models : sequence of str
        The ``--model`` values.

    Raises
    ------
    HowMuchDataError
        For an image folder or CSV of image paths (the files give the shape), for models of
        which none reads shaped pixel columns, for ``pretrained`` (which would ignore the
        shape), and for a shape whose pixel count is not the number of feature columns or a
        feature column that is not numeric.
    """
    written = "x".join(map(str, shape))
    if dataset.notes.get("images"):
        raise HowMuchDataError(
            f"--image-shape {written} is for tables of pixel columns, but the data are image "
            "files, which give their own shape; leave --image-shape out"
        )
    if "pretrained" in models:
        raise HowMuchDataError(
            "--model pretrained does not read --image-shape (it takes image files); use "
            "--model cnn on pixel columns, or leave --image-shape out"
        )
    if not any(name in SHAPED_IMAGE_MODELS for name in models):
        shown = ", ".join(f"--model {name}" for name in models)
        raise HowMuchDataError(
            f"--image-shape {written} is read by --model cnn only and {shown} reads the pixel "
            "columns as a table; add --model cnn, or leave --image-shape out"
        )
    needed = math.prod(shape)
    n = dataset.X.shape[1]
    if n != needed:
        raise HowMuchDataError(
            f"image shape {written} needs {needed} pixel columns but the table has {n} feature "
            "columns; pass the shape the rows were flattened from (--image-shape "
            f"HEIGHTxWIDTH[xCHANNELS] multiplying to {n}), or drop the columns that are not "
            "pixels (--drop)"
        )
    text_columns = [c for c in dataset.X.columns if not pd.api.types.is_numeric_dtype(dataset.X[c])]
    if text_columns:
        raise HowMuchDataError(
            f"image shape {written} given but column {text_columns[0]!r} is not numeric; "
            "pass pixel values only (drop it with --drop)"
        )


def channels_first(shape: tuple[int, ...]) -> tuple[int, int, int]:
    """``(height, width[, channels])`` -> ``(channels, height, width)``, one channel by default.

    >>> channels_first((8, 16)), channels_first((32, 32, 3))
    ((1, 8, 16), (3, 32, 32))
    """
    height, width = shape[:2]
    return (shape[2] if len(shape) == 3 else 1, height, width)


def channels_last_to_first(X: Any, shape: tuple[int, int, int]) -> np.ndarray:
    """Reorder flat pixel rows from channels-last to channels-first order.

    Parameters
    ----------
    X : DataFrame or array, shape (n, height * width * channels)
        Rows flattened from ``(height, width, channels)`` arrays.
    shape : (height, width, channels)

    Returns
    -------
    numpy.ndarray, shape (n, channels * height * width)
        The same pixels, each row as a flattened ``(channels, height, width)`` array.
    """
    values = np.asarray(X, dtype=np.float32)
    height, width, channels = shape
    images = values.reshape(len(values), height, width, channels).transpose(0, 3, 1, 2)
    return images.reshape(len(values), -1)


def image_model(
    name: str,
    dataset: Dataset,
    shape: tuple[int, ...],
    deep_options: dict[str, Any] | None,
) -> Pipeline:
    """The ``name`` preset reading each row as an image of ``shape`` (channels last).

    Parameters
    ----------
    name : str
        One of :data:`SHAPED_IMAGE_MODELS`.
    dataset : Dataset
    shape : tuple of int
        ``(height, width[, channels])``, checked by :func:`check_image_shape`.
    deep_options : dict, optional
        The other deep-model settings (``epochs``, ``device``, ...).

    Returns
    -------
    sklearn.pipeline.Pipeline
        The preset, behind a step that puts colour rows in channels-first order when the
        images have more than one channel (one channel reads the same either way).
    """
    first = channels_first(shape)
    options = {**(deep_options or {}), "image_shape": first}
    pipeline = make_estimator(name, dataset, deep_options=options)
    if first[0] == 1:
        return pipeline
    reorder = FunctionTransformer(
        channels_last_to_first, kw_args={"shape": (first[1], first[2], first[0])}
    )
    return Pipeline([("channels_first", reorder), *pipeline.steps])
