"""Frozen embeddings computed once per row and kept on disk.

A learning curve refits its model dozens of times on overlapping subsets; encoding the same
review with a transformer at every curve point would cost far more than the fits. The cache
keys each row by a 64-bit content hash (``pandas.util.hash_pandas_object``) inside one SQLite
file per embedder, so a row is encoded the first time any curve point (or any later run)
needs it and read back afterwards.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

# SQLite limits the number of bound parameters per statement; query in chunks below it.
_CHUNK = 900


def default_cache_dir() -> Path:
    """``$HOWMUCHDATA_CACHE/embeddings`` or ``~/.cache/howmuchdata/embeddings``."""
    root = os.environ.get("HOWMUCHDATA_CACHE")
    base = Path(root) if root else Path.home() / ".cache" / "howmuchdata"
    return base / "embeddings"


def row_keys(values: Any) -> np.ndarray:
    """A 64-bit content hash per row (signed, to fit SQLite's INTEGER).

    ``values`` is a sequence of strings (text), a 2-D array (one image or vector per row) or a
    DataFrame. Equal rows get equal keys, whatever their position.
    """
    if isinstance(values, pd.DataFrame):
        frame = values
    elif isinstance(values, pd.Series):
        frame = values.to_frame()
    else:
        arr = np.asarray(values)
        if arr.ndim == 1:
            frame = pd.Series(arr).to_frame()
        else:
            frame = pd.DataFrame(arr.reshape(len(arr), -1))
    hashed = pd.util.hash_pandas_object(frame.reset_index(drop=True), index=False)
    return hashed.to_numpy(dtype=np.uint64).view(np.int64)


class EmbeddingCache:
    """One SQLite file of ``key -> float32 vector`` per embedder.

    Parameters
    ----------
    directory : path
        Folder holding the cache files (created on first write).
    embedder_id : str
        Identifies the embedding function; different models never share vectors.
    """

    def __init__(self, directory: str | os.PathLike[str], embedder_id: str) -> None:
        self.directory = Path(directory)
        self.embedder_id = embedder_id
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", embedder_id).strip("_") or "embedder"
        self.path = self.directory / f"{slug}.sqlite"

    def _connect(self) -> sqlite3.Connection:
        self.directory.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=60)
        con.execute("CREATE TABLE IF NOT EXISTS vectors (key INTEGER PRIMARY KEY, vec BLOB)")
        return con

    def get(self, keys: np.ndarray) -> dict[int, np.ndarray]:
        """Vectors for the keys that are cached (missing keys are absent from the result)."""
        if not self.path.exists():
            return {}
        found: dict[int, np.ndarray] = {}
        unique = np.unique(keys).tolist()
        with self._connect() as con:
            for start in range(0, len(unique), _CHUNK):
                chunk = unique[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                for key, blob in con.execute(
                    f"SELECT key, vec FROM vectors WHERE key IN ({marks})", chunk
                ):
                    found[int(key)] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        """Store one vector per key (existing keys are overwritten)."""
        vectors = np.asarray(vectors, dtype=np.float32)
        rows = [(int(k), v.tobytes()) for k, v in zip(keys, vectors, strict=True)]
        with self._connect() as con:
            con.executemany("INSERT OR REPLACE INTO vectors (key, vec) VALUES (?, ?)", rows)

    def __len__(self) -> int:
        if not self.path.exists():
            return 0
        with self._connect() as con:
            return int(con.execute("SELECT COUNT(*) FROM vectors").fetchone()[0])


def embed_with_cache(
    values: Sequence[Any] | np.ndarray | pd.DataFrame,
    embed: Any,
    cache: EmbeddingCache | None,
    *,
    keys: np.ndarray | None = None,
) -> np.ndarray:
    """Embed rows, reading cached vectors and encoding (then storing) only the missing ones.

    Parameters
    ----------
    values : rows to embed (texts, images as rows, or a frame)
    embed : callable
        ``embed(rows) -> (n_rows, dim) array`` for the missing rows, called once.
    cache : EmbeddingCache or None
        ``None`` embeds everything (no caching).
    keys : ndarray, optional
        :func:`row_keys` of ``values`` when the caller has them already.
    """
    n = len(values)
    if cache is None:
        return np.asarray(embed(values), dtype=np.float32)
    keys = row_keys(values) if keys is None else keys
    known = cache.get(keys)
    missing = np.array([i for i, k in enumerate(keys) if int(k) not in known], dtype=int)
    if missing.size:
        # each distinct row once, even when it repeats in the input
        miss_keys, first = np.unique(keys[missing], return_index=True)
        rows = missing[first]
        subset = (
            values.iloc[rows]
            if isinstance(values, pd.DataFrame | pd.Series)
            else _take(values, rows)
        )
        fresh = np.asarray(embed(subset), dtype=np.float32)
        if fresh.ndim != 2 or len(fresh) != len(rows):
            raise ValueError(
                f"embed returned shape {fresh.shape} for {len(rows)} rows; "
                "it must return one vector per row"
            )
        cache.put(miss_keys, fresh)
        known.update({int(k): v for k, v in zip(miss_keys, fresh, strict=True)})
    return np.vstack([known[int(k)] for k in keys]) if n else np.zeros((0, 0), np.float32)


def fill_counts_words(fill: Mapping[str, Any]) -> str | None:
    """How the rows of a cache fill were got, in words, or ``None`` without the counts.

    Parameters
    ----------
    fill : mapping
        A cache fill as a curve stores it (``CacheFill.to_dict()``): ``encoded``, ``cache``
        and, since they were recorded, ``from_cache`` and ``repeats``.

    Returns
    -------
    str or None
        ``"2,093 encoded, 0 read from CACHE, 7 repeats of earlier rows"``; a fill recorded
        before the repeats were counted keeps the old words, ``"229 encoded, the rest read
        from CACHE"``.
    """
    encoded = _count(fill.get("encoded"))
    if encoded is None:
        return None
    where = fill.get("cache") or "the cache"
    from_cache, repeats = _count(fill.get("from_cache")), _count(fill.get("repeats"))
    if from_cache is None or repeats is None:
        return f"{encoded:,} encoded, the rest read from {where}"
    again = "repeat of an earlier row" if repeats == 1 else "repeats of earlier rows"
    return f"{encoded:,} encoded, {from_cache:,} read from {where}, {repeats:,} {again}"


def _count(value: Any) -> int | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if np.isfinite(number) else None


def _take(values: Any, rows: np.ndarray) -> Any:
    if isinstance(values, np.ndarray):
        return values[rows]
    return [values[i] for i in rows]
