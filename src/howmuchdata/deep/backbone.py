"""Features of a frozen pretrained backbone, computed once per image and kept on disk.

The ``pretrained`` preset trains only a linear head, so the backbone's output for an image is
the same at every optimizer step, epoch and curve point. :class:`BackboneFeatures` runs the
backbone once per image file (in batches, so memory holds one batch of decoded images) and
keeps the vectors in an :class:`~howmuchdata.embedding_cache.EmbeddingCache`, as the text
presets keep sentence embeddings: a curve fills the cache before its first point
(:func:`~howmuchdata.deep.embeddings.precompute_embeddings`), and every fit trains the head on
vectors read back. An image is keyed by its path, size and modification time, so an edited
file is encoded again.

Importing this module does not import torch.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from howmuchdata.deep.embeddings import CachedEmbedder
from howmuchdata.embedding_cache import embed_with_cache
from howmuchdata.errors import HowMuchDataError

_LOADED: dict[tuple[Any, ...], Any] = {}  # one backbone per process and device, not per fit


class BackboneFeatures(CachedEmbedder):
    """Replace image paths by the features of a frozen ``torch.export`` backbone.

    Nothing is learnt in ``fit``: the backbone is frozen, so a curve point's training rows
    never change how its validation rows are encoded.

    Parameters
    ----------
    weights : path
        A ``.pt2`` file saved with :func:`torch.export.save`, exported with a dynamic batch
        dimension (see :class:`~howmuchdata.deep.modules.PretrainedBackbone`).
    image_size : int
        Images are resized to ``image_size x image_size`` (what the backbone expects).
    color : {"RGB", "L"}
    batch_size : int
        Images per backbone batch.
    device : {"auto", "cpu", "cuda"}
        Where the backbone runs.
    cache_dir : path, optional
        Folder of the feature cache; default
        :func:`~howmuchdata.embedding_cache.default_cache_dir`. ``False`` keeps no cache: every
        ``transform`` then runs the backbone on its rows (once per image per call).
    path_column : str
        The column holding file paths when rows come as a DataFrame.
    """

    def __init__(
        self,
        weights: str | os.PathLike[str],
        image_size: int = 224,
        color: str = "RGB",
        batch_size: int = 64,
        device: str = "auto",
        cache_dir: str | os.PathLike[str] | bool | None = None,
        path_column: str = "path",
    ) -> None:
        self.weights = weights
        self.image_size = image_size
        self.color = color
        self.batch_size = batch_size
        self.device = device
        self.cache_dir = cache_dir
        self.path_column = path_column

    def __getstate__(self) -> dict[str, Any]:
        # the curve's store keys a model by its pickle: with the file's size and time in it,
        # a backbone exported again to the same path is measured again, not reused
        state = dict(super().__getstate__())
        state["_weights_file"] = weights_stamp(self.weights)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = {k: v for k, v in state.items() if k != "_weights_file"}
        super().__setstate__(state)

    def fit(self, X: Any, y: Any = None) -> BackboneFeatures:
        """Nothing is learnt (the backbone is frozen); checks that ``X`` holds image paths."""
        self._paths(X)
        return self

    # images per cache lookup when filling the cache: bounds the feature vectors held at once
    fill_chunk = 4096

    def transform(self, X: Any) -> np.ndarray:
        """Backbone features, one float32 row per image."""
        return embed_with_cache(self._cache_rows(X), self._encode, self._cache())

    def embedder_id(self) -> str:
        """Names the cache file: the backbone file (path, size, time), image size and colour."""
        path = Path(self.weights).resolve()
        stamp = weights_stamp(path) if path.is_file() else None
        if stamp is None:
            from howmuchdata.deep.modules import load_backbone

            load_backbone(path)  # raises, naming the file and how to write one
        where, size, mtime = stamp
        detail = f"{where}:{size}:{mtime}:{int(self.image_size)}:{self.color}"
        digest = hashlib.sha1(detail.encode()).hexdigest()[:12]
        return f"backbone-{path.stem}-{int(self.image_size)}{self.color}-{digest}"

    def _paths(self, X: Any) -> np.ndarray:
        from howmuchdata.deep.inputs import ImageInput

        paths = ImageInput(path_column=self.path_column)._paths(X)
        if paths is None:
            raise HowMuchDataError(
                "the pretrained model reads image files; pass a folder (one sub-folder per "
                "class), a CSV of image paths, or a DataFrame with a 'path' column"
            )
        return paths

    def _cache_rows(self, X: Any) -> pd.DataFrame:
        """What the cache is keyed by: path, size and modification time of each image."""
        paths = self._paths(X)
        sizes, times = np.empty(len(paths), np.int64), np.empty(len(paths), np.int64)
        for i, path in enumerate(paths):
            try:
                stat = os.stat(path)
            except OSError as exc:
                raise HowMuchDataError(
                    f"image {path!r} can no longer be read ({exc}); read the folder again to "
                    "skip it"
                ) from None
            sizes[i], times[i] = stat.st_size, stat.st_mtime_ns
        return pd.DataFrame({"path": paths, "size": sizes, "mtime_ns": times})

    def _encode(self, rows: pd.DataFrame) -> np.ndarray:
        from howmuchdata.deep._torch import require_torch, resolve_device

        torch = require_torch("the pretrained model")
        from howmuchdata.deep._datasets import ImagePathDataset

        device = resolve_device(self.device)
        backbone = _backbone(str(self.weights), device)
        paths = rows["path"].to_numpy()
        # each image is read once here: nothing to keep decoded
        dataset = ImagePathDataset(
            paths, None, size=int(self.image_size), color=self.color, keep_bytes=0
        )
        loader = torch.utils.data.DataLoader(dataset, batch_size=int(self.batch_size))
        out = []
        with torch.no_grad():
            for images, _ in loader:
                out.append(backbone(images.to(device)).flatten(1).cpu().numpy())
        return np.concatenate(out) if out else np.zeros((0, 0), np.float32)


def weights_stamp(weights: str | os.PathLike[str]) -> tuple[str, int, int] | None:
    """``(absolute path, size, modification time in ns)`` of a backbone file, ``None`` when
    there is no such file.

    Parameters
    ----------
    weights : path

    Returns
    -------
    tuple or None
    """
    path = Path(weights).resolve()
    try:
        stat = path.stat()
    except OSError:
        return None
    return str(path), int(stat.st_size), int(stat.st_mtime_ns)


def _backbone(weights: str, device: str) -> Any:
    """The backbone of ``weights`` on ``device``, loaded once per process (and file version)."""
    from howmuchdata.deep.modules import load_backbone

    stat = Path(weights).stat() if Path(weights).is_file() else None
    key = (str(Path(weights).resolve()), stat and stat.st_mtime_ns, device)
    if key not in _LOADED:
        _LOADED[key] = load_backbone(weights).to(device)
    return _LOADED[key]
