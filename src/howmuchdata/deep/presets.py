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

import os
from typing import Any

import pandas as pd
from sklearn.pipeline import Pipeline

from howmuchdata.deep._torch import require_torch, resolve_device
from howmuchdata.deep.estimator import TorchClassifier, TorchRegressor
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
    image_size: int = 32,
    color: str = "RGB",
    width: int = 16,
    max_epochs: int = 30,
    patience: int = 5,
    device: str = "auto",
    n_threads: int | None = None,
    random_state: int | None = None,
) -> Pipeline:
    """A small CNN trained from scratch (:class:`~howmuchdata.deep.modules.SmallCNN`).

    Parameters
    ----------
    task : {"classification", "regression"}
    image_size : int
        Image files are resized to ``image_size x image_size``.
    color : {"RGB", "L"}
        Colour mode for image files. Pixel arrays (e.g. digits) keep their own shape.
    width : int
        Channels of the first convolution (the second has twice as many).
    max_epochs, patience, device, n_threads, random_state
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
        inputs=ImageInput(size=image_size, color=color),
        max_epochs=max_epochs,
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
    patience: int = 5,
    device: str = "auto",
    n_threads: int | None = None,
    random_state: int | None = None,
) -> Pipeline:
    """A frozen pretrained backbone from a ``.pt2`` file on disk, with a linear head.

    Parameters
    ----------
    weights : path
        A backbone saved with :func:`torch.export.save` (see
        :class:`~howmuchdata.deep.modules.PretrainedBackbone`). Nothing is downloaded: a
        missing file is an error naming it.
    image_size, color
        What the backbone expects (e.g. 224 and ``"RGB"`` for ImageNet backbones).

    Returns
    -------
    sklearn.pipeline.Pipeline
    """
    require_torch("the pretrained model")
    from howmuchdata.deep.modules import PretrainedBackbone, load_backbone

    if weights is None:
        raise HowMuchDataError(
            "the pretrained model needs a backbone file; pass weights=PATH (--weights PATH) "
            "to a .pt2 file saved with torch.export.save"
        )
    load_backbone(weights)  # fail now, naming the file, not at the first fit
    net = _network(
        task,
        module=PretrainedBackbone,
        module_kwargs={"weights": str(weights)},
        inputs=ImageInput(size=image_size, color=color),
        max_epochs=max_epochs,
        patience=patience,
        device=device,
        n_threads=n_threads,
        random_state=random_state,
    )
    return Pipeline([("model", net)])


def make_mlp(
    *,
    task: str = "classification",
    hidden: tuple[int, ...] = (128,),
    max_epochs: int = 30,
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
    device: str = "auto",
    weights: str | os.PathLike[str] | None = None,
    image_size: int | None = None,
    random_state: int | None = None,
) -> Pipeline:
    """Build a deep preset by name (the hook used by :func:`howmuchdata.models.make_estimator`).

    Parameters
    ----------
    name : str
        One of :data:`DEEP_PRESETS`.
    X : DataFrame, optional
        The features; text presets pick the text column from it when ``text`` is not given.
    task : {"classification", "regression"}
    text : str, optional
        The text column (``--text``).
    epochs : int, optional
        Epoch budget (``--epochs``); default 30.
    device : {"auto", "cpu", "cuda"}
        (``--device``).
    weights : path, optional
        Backbone file of the ``pretrained`` preset.
    image_size : int, optional
        Resize image files to this size (default 32 for ``cnn``, 224 for ``pretrained``).
    random_state : int, optional

    Returns
    -------
    sklearn.pipeline.Pipeline
    """
    max_epochs = 30 if epochs is None else int(epochs)
    if max_epochs < 1:
        raise HowMuchDataError(f"--epochs {max_epochs}; pass 1 or more")
    if name != "tfidf-linear":
        resolve_device(device)  # an unknown or absent device fails now, not at every point
    common = {
        "task": task,
        "max_epochs": max_epochs,
        "device": device,
        "random_state": random_state,
    }
    if name == "cnn":
        return make_cnn(image_size=image_size or 32, **common)
    if name == "pretrained":
        return make_pretrained(weights, image_size=image_size or 224, **common)
    if name in TEXT_PRESETS:
        if X is None and text is None:
            raise HowMuchDataError(f"the {name} model needs a text column; pass --text COL")
        column = pick_text_column(X, text) if X is not None else str(text)
        return make_text_estimator(name, column, **common)
    raise HowMuchDataError(f"unknown deep model {name!r}; use one of: {', '.join(DEEP_PRESETS)}")
