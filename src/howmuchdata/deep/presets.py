"""Deep-learning presets by name, each a scikit-learn Pipeline the curve engine can drive.

========================  ==================================================================
``cnn``                   small CNN from scratch (image folders, CSV of paths, pixel arrays)
``pretrained``            frozen pretrained backbone read from a ``.pt2`` file + linear head
``tfidf-linear``          TF-IDF + logistic / ridge regression on a text column
``minilm-linear``         MiniLM sentence embeddings + logistic / ridge regression
``minilm-mlp``            MiniLM sentence embeddings + MLP head (deep training policy)
========================  ==================================================================

Presets return a :class:`~sklearn.pipeline.Pipeline`, so
:func:`howmuchdata.models.make_estimator` uses them as they are (no table preprocessing in
front of a network that reads image paths or text).
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from howmuchdata.deep._torch import require_torch, resolve_device
from howmuchdata.deep.estimator import DEFAULT_MIN_STEPS, TorchClassifier, TorchRegressor
from howmuchdata.deep.images import COLOR_CHANNELS
from howmuchdata.deep.inputs import ImageInput, TabularInput
from howmuchdata.deep.text import TEXT_PRESETS, make_text_estimator, pick_text_column
from howmuchdata.errors import HowMuchDataError

IMAGE_PRESETS = {
    "cnn": "small CNN trained from scratch on images",
    "pretrained": "frozen pretrained backbone (.pt2 file on disk) + linear head",
}
DEEP_PRESETS = {**IMAGE_PRESETS, **TEXT_PRESETS}


def _network(task: str, **kwargs: Any) -> TorchClassifier | TorchRegressor:
    if task not in ("classification", "regression"):
        raise HowMuchDataError(f"unknown task {task!r}; use classification or regression")
    cls = TorchClassifier if task == "classification" else TorchRegressor
    return cls(**kwargs)


def make_cnn(
    *,
    task: str = "classification",
    image_size: int | tuple[int, int] | None = None,
    color: str | None = None,
    shape: tuple[int, int, int] | None = None,
    width: int = 16,
    max_epochs: int = 30,
    min_steps: int = DEFAULT_MIN_STEPS,
    patience: int = 5,
    device: str = "auto",
    n_threads: int | None = None,
    random_state: int | None = None,
) -> Pipeline:
    """A small CNN trained from scratch (:class:`~howmuchdata.deep.modules.SmallCNN`).

    Parameters
    ----------
    task : {"classification", "regression"}
    image_size : int, (height, width) or None
        Image files are resized to ``image_size x image_size`` (or ``(height, width)``).
        ``None`` follows the images a fit is given: their own size when they all share one
        of at most 32x32 (8x8 digits stay 8x8), else 32x32
        (:func:`~howmuchdata.deep.images.follow_images`).
    color : {"RGB", "L"} or None
        Colour mode for image files; ``None`` is ``"L"`` when every image is greyscale, else
        ``"RGB"``. Pixel arrays (e.g. digits) keep their own shape.
    shape : (channels, height, width), optional
        Shape of images given as flat rows of pixels (channels first); ``None`` reads a row
        as one square greyscale image (64 columns -> 8x8).
    width : int
        Channels of the first convolution (the second has twice as many).
    max_epochs, min_steps, patience, device, n_threads, random_state
        See :class:`~howmuchdata.deep.TorchClassifier`.

    Returns
    -------
    sklearn.pipeline.Pipeline
        One step, ``model``.
    """
    require_torch("the cnn model")
    from howmuchdata.deep.modules import SmallCNN

    net = _network(
        task,
        module=SmallCNN,
        module_kwargs={"width": width},
        inputs=ImageInput(size=image_size, color=color, shape=shape),
        max_epochs=max_epochs,
        min_steps=min_steps,
        patience=patience,
        device=device,
        n_threads=n_threads,
        random_state=random_state,
    )
    return Pipeline([("model", net)])


def make_pretrained(
    weights: str | os.PathLike[str] | None,
    *,
    task: str = "classification",
    image_size: int = 224,
    color: str = "RGB",
    max_epochs: int = 30,
    min_steps: int = DEFAULT_MIN_STEPS,
    patience: int = 5,
    device: str = "auto",
    n_threads: int | None = None,
    cache_dir: str | os.PathLike[str] | bool | None = None,
    random_state: int | None = None,
) -> Pipeline:
    """A frozen pretrained backbone from a ``.pt2`` file on disk, with a linear head.

    The backbone runs once per image (:class:`~howmuchdata.deep.backbone.BackboneFeatures`,
    features kept in the embedding cache) and the head trains on its features under the
    training policy: the same fit as a network holding the backbone
    (:class:`~howmuchdata.deep.modules.PretrainedBackbone`), without running the backbone
    at every optimizer step.

    Parameters
    ----------
    weights : path
        A backbone saved with :func:`torch.export.save` (see
        :class:`~howmuchdata.deep.modules.PretrainedBackbone`). Nothing is downloaded: a
        missing file is an error naming it.
    image_size, color
        What the backbone expects (e.g. 224 and ``"RGB"`` for ImageNet backbones).
    max_epochs, min_steps, patience, device, n_threads, random_state
        See :class:`~howmuchdata.deep.TorchClassifier`.
    cache_dir : path, optional
        Folder of the feature cache (default ``$HOWMUCHDATA_CACHE/embeddings`` or
        ``~/.cache/howmuchdata/embeddings``); ``False`` keeps none (each fit and predict
        then runs the backbone once on each of its images).

    Returns
    -------
    sklearn.pipeline.Pipeline
        ``backbone`` (image paths to features) then ``model`` (the head).
    """
    require_torch("the pretrained model")
    from howmuchdata.deep.backbone import BackboneFeatures
    from howmuchdata.deep.modules import MLP, load_backbone

    if weights is None:
        raise HowMuchDataError(
            "the pretrained model needs a backbone file; pass weights=PATH (--weights PATH) "
            "to a .pt2 file saved with torch.export.save"
        )
    load_backbone(weights)  # fail now, naming the file, not at the first fit
    features = BackboneFeatures(
        # absolute: the stored points of a curve are keyed by it, whatever the working folder
        str(Path(weights).resolve()),
        image_size=image_size,
        color=color,
        device=device,
        cache_dir=cache_dir,
    )
    head = _network(
        task,
        module=MLP,
        module_kwargs={"hidden": ()},  # one linear layer
        inputs=TabularInput(scale=False),  # the features as the backbone gives them
        max_epochs=max_epochs,
        min_steps=min_steps,
        patience=patience,
        device=device,
        n_threads=n_threads,
        random_state=random_state,
    )
    return Pipeline([("backbone", features), ("model", head)])


def make_mlp(
    *,
    task: str = "classification",
    hidden: tuple[int, ...] = (128,),
    max_epochs: int = 30,
    min_steps: int = DEFAULT_MIN_STEPS,
    patience: int = 5,
    device: str = "auto",
    n_threads: int | None = None,
    random_state: int | None = None,
) -> TorchClassifier | TorchRegressor:
    """A torch MLP on numeric features (used as the head on text embeddings)."""
    require_torch("the mlp head")
    from howmuchdata.deep.modules import MLP

    return _network(
        task,
        module=MLP,
        module_kwargs={"hidden": tuple(hidden)},
        inputs=TabularInput(),
        max_epochs=max_epochs,
        min_steps=min_steps,
        patience=patience,
        device=device,
        n_threads=n_threads,
        random_state=random_state,
    )


def make_deep_estimator(
    name: str,
    X: pd.DataFrame | None = None,
    *,
    task: str = "classification",
    text: str | None = None,
    epochs: int | None = None,
    min_steps: int | None = None,
    device: str = "auto",
    weights: str | os.PathLike[str] | None = None,
    image_size: int | None = None,
    image_shape: tuple[int, int, int] | None = None,
    random_state: int | None = None,
) -> Pipeline:
    """Build a deep preset by name (the hook used by :func:`howmuchdata.models.make_estimator`).

    Parameters
    ----------
    name : str
        One of :data:`DEEP_PRESETS`.
    X : DataFrame, optional
        The features. Text presets pick the text column from it when ``text`` is not given
        and check that it holds text; image presets check that it holds image paths or
        pixel columns of the image shape. Without it these checks wait for the first fit.
    task : {"classification", "regression"}
    text : str, optional
        The text column (``--text``).
    epochs : int, optional
        Epoch budget (``--epochs``); default 30.
    min_steps : int, optional
        Optimizer steps per fit at least (``--min-steps``); default
        :data:`~howmuchdata.deep.estimator.DEFAULT_MIN_STEPS`. Small subsets train more epochs
        than ``epochs`` to reach it; 0 turns the floor off.
    device : {"auto", "cpu", "cuda"}
        (``--device``).
    weights : path, optional
        Backbone file of the ``pretrained`` preset.
    image_size : int, optional
        Resize image files to this size (default 224 for ``pretrained``; for ``cnn`` the
        images' own size and colour when they share one of at most 32x32, else 32x32, decided
        once on all the rows of ``X``: see :func:`make_cnn`).
    image_shape : (channels, height, width), optional
        Shape of images given as flat pixel rows (see :func:`make_cnn`).
    random_state : int, optional

    Returns
    -------
    sklearn.pipeline.Pipeline

    Raises
    ------
    HowMuchDataError
        For an unknown name, bad settings, and (with ``X``) a text column without text or an
        image preset on rows that are neither image paths nor pixels of the image shape.
    """
    max_epochs = 30 if epochs is None else int(epochs)
    if max_epochs < 1:
        raise HowMuchDataError(f"epochs={max_epochs} (--epochs {max_epochs}); pass 1 or more")
    if min_steps is not None and not int(min_steps) >= 0:
        raise HowMuchDataError(
            f"min_steps={min_steps} (--min-steps {min_steps}) is negative; pass 0 or more"
        )
    if name != "tfidf-linear":
        resolve_device(device)  # an unknown or absent device fails now, not at every point
    common = {
        "task": task,
        "max_epochs": max_epochs,
        "device": device,
        "random_state": random_state,
    }
    if min_steps is not None:
        common["min_steps"] = int(min_steps)
    if name in IMAGE_PRESETS and X is not None:
        _check_image_rows(name, X, image_shape)
    if name == "cnn":
        color = None
        paths = ImageInput()._paths(X) if X is not None else None
        if paths is not None:
            # decided on the whole collection, so that every point of a curve gets the same
            # input (a subset could share a size that the other images do not)
            from howmuchdata.deep.images import follow_images

            followed, color = follow_images(paths)
            image_size = image_size or followed
        return make_cnn(image_size=image_size, color=color, shape=image_shape, **common)
    if name == "pretrained":
        pipeline = make_pretrained(weights, image_size=image_size or 224, **common)
        if X is not None and ImageInput()._paths(X) is not None:
            # try the backbone on the images' shape now, not at every point of the curve
            from howmuchdata.deep.modules import load_backbone, probe_backbone

            features = pipeline.named_steps["backbone"]
            shape = (COLOR_CHANNELS[features.color], features.image_size, features.image_size)
            probe_backbone(load_backbone(str(weights)), shape, str(weights))
        return pipeline
    if name in TEXT_PRESETS:
        if X is None and text is None:
            raise HowMuchDataError(
                f"the {name} model needs a text column; pass text=COL (--text COL)"
            )
        column = pick_text_column(X, text) if X is not None else str(text)
        return make_text_estimator(name, column, **common)
    raise HowMuchDataError(f"unknown deep model {name!r}; use one of: {', '.join(DEEP_PRESETS)}")


def _check_image_rows(name: str, X: Any, shape: tuple[int, int, int] | None) -> None:
    """Stop before any fit when ``X`` is neither image paths nor pixels of the image shape.

    A table of other features (30 measurements, a text column) would otherwise fail every
    point of the curve with the same error.
    """
    if ImageInput()._paths(X) is not None or np.ndim(X) > 2:  # paths, or arrays of images
        return
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X).reshape(len(X), -1))
    not_numeric = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    if not_numeric:
        shown = ", ".join(map(str, not_numeric[:5]))
        raise HowMuchDataError(
            f"the {name} model reads images (a folder, a CSV of image paths, or numeric pixel "
            f"columns) but column(s) {shown} are not numeric; for a table use a table model "
            "(--model hgb, logreg, ...), or leave the columns out (--drop COL)"
        )
    n = frame.shape[1]
    if shape is None:
        side = math.isqrt(n)
        if side * side == n:
            return
        raise HowMuchDataError(
            f"the {name} model reads numeric columns as the pixels of a square greyscale image "
            f"(64 columns = 8x8) and {n} columns are not a square; for a table use a table "
            "model (--model hgb, logreg, ...); for images of another shape pass --image-shape "
            "HEIGHTxWIDTH[xCHANNELS] (Python: make_cnn(shape=(channels, height, width)))"
        )
    if math.prod(shape) != n:
        raise HowMuchDataError(
            f"image shape {tuple(shape)} needs {math.prod(shape)} pixel columns but the rows "
            f"have {n}; pass the (channels, height, width) the rows were flattened from"
        )
