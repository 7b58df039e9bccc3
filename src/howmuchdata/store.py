"""The run store: every finished curve point, keyed by a fingerprint, written the moment it ends.

One small interface (:class:`Store`) with two implementations chosen by URL:

* ``sqlite:///path/to/store.db`` (default, in the output folder): an embedded SQLite database in
  WAL mode with a busy timeout, so several runs may write to one file at the same time. Each
  point is its own committed transaction: a run killed at any moment loses at most the point it
  was computing. A point is stored once per key: a fitted point is never overwritten, while a
  failed one is replaced when its retry (the next run asks for it again) ends.
* ``memory://``: a dict, for runs that should not persist.

Resume is a property of the store: the caller asks which keys are present and computes the rest
(it computes failed points again: a failure may have been the machine's, such as memory).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol, runtime_checkable
from urllib.parse import unquote, urlparse

from howmuchdata.errors import HowMuchDataError
from howmuchdata.result import to_jsonable

DEFAULT_STORE_NAME = "store.db"
BUSY_TIMEOUT_MS = 60_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS points (
    key        TEXT PRIMARY KEY,
    run        TEXT NOT NULL,
    model      TEXT NOT NULL,
    size       INTEGER NOT NULL,
    repeat     INTEGER NOT NULL,
    status     TEXT NOT NULL,
    payload    TEXT NOT NULL,
    created    REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS points_run ON points (run);
"""


@runtime_checkable
class Store(Protocol):
    """Where finished points live. Keys are fingerprints; values are JSON-able dicts."""

    url: str

    def get_many(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The stored points among ``keys`` (missing keys are left out)."""
        ...

    def put(self, key: str, point: Mapping[str, Any], *, run: str, model: str) -> bool:
        """Store one point; return False when the key already held a fitted point (nothing
        changes). A failed point under the key is replaced."""
        ...

    def count(self, run: str | None = None) -> int:
        """Number of stored points (of one run, or all)."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...


class MemoryStore:
    """A store that lives as long as the object (``memory://``)."""

    def __init__(self, url: str = "memory://") -> None:
        self.url = url
        self._points: dict[str, tuple[str, dict[str, Any]]] = {}

    def get_many(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        return {k: dict(self._points[k][1]) for k in keys if k in self._points}

    def put(self, key: str, point: Mapping[str, Any], *, run: str, model: str) -> bool:
        if key in self._points and self._points[key][1].get("status", "ok") == "ok":
            return False
        self._points[key] = (run, dict(to_jsonable(point)))
        return True

    def count(self, run: str | None = None) -> int:
        return sum(1 for r, _ in self._points.values() if run is None or r == run)

    def close(self) -> None:
        pass


class SQLiteStore:
    """Points in one SQLite file (``sqlite:///relative/path.db`` or ``sqlite:////abs/path.db``).

    Parameters
    ----------
    path : str or PathLike
        Database file; its folder is created when missing.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.url = f"sqlite:///{self.path}"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: autocommit, so every put is its own short transaction
            self._conn = sqlite3.connect(
                self.path,
                timeout=BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,
                check_same_thread=False,
            )
            self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._retry(lambda: self._conn.execute("PRAGMA journal_mode = WAL"))
            # NORMAL in WAL mode survives a killed process (not a power cut) without an fsync
            # per point, which keeps each write cheap
            self._conn.execute("PRAGMA synchronous = NORMAL")
            self._retry(lambda: self._conn.executescript(_SCHEMA))
        except sqlite3.DatabaseError as exc:
            raise self._damaged("open", exc) from None
        self._lock = threading.Lock()

    def _damaged(self, action: str, exc: sqlite3.DatabaseError) -> HowMuchDataError:
        """One line for a store file SQLite cannot use (damaged, not a database, read-only,
        locked by another run past the busy timeout).

        A file damaged past its first page opens, and only a query that reads the damaged
        pages fails: every query says it the way the opening does.
        """
        if "locked" in str(exc):
            fix = "another run holds it: run again when that one ends, or pass --store with "
            fix += "another sqlite:///path"
        else:
            fix = "pass --store with a writable sqlite:///path or delete the damaged file"
        return HowMuchDataError(f"cannot {action} the run store {self.path} ({exc}); {fix}")

    @contextlib.contextmanager
    def _reporting(self, action: str) -> Iterator[None]:
        """Turn SQLite's error about the file into :meth:`_damaged`'s one line."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            raise self._damaged(action, exc) from None

    @staticmethod
    def _retry(action: Any, attempts: int = 20) -> Any:
        # switching to WAL and creating tables need a moment of exclusive access; a second
        # process opening the same new file at once can see "database is locked" here
        for attempt in range(attempts):
            try:
                return action()
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == attempts - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        return None

    def get_many(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        keys = list(keys)
        found: dict[str, dict[str, Any]] = {}
        chunk = 500  # SQLite limits the number of bound parameters per statement
        with self._lock, self._reporting("read"):
            for i in range(0, len(keys), chunk):
                part = keys[i : i + chunk]
                marks = ",".join("?" * len(part))
                rows = self._conn.execute(
                    f"SELECT key, payload FROM points WHERE key IN ({marks})", part
                ).fetchall()
                found.update((key, json.loads(payload)) for key, payload in rows)
        return found

    def put(self, key: str, point: Mapping[str, Any], *, run: str, model: str) -> bool:
        payload = json.dumps(to_jsonable(point), allow_nan=False)
        with self._lock, self._reporting("write to"):
            cursor = self._retry(
                lambda: self._conn.execute(
                    "INSERT INTO points (key, run, model, size, repeat, status, payload, created) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
                    "run = excluded.run, model = excluded.model, status = excluded.status, "
                    "payload = excluded.payload, created = excluded.created "
                    "WHERE points.status != 'ok'",
                    (
                        key,
                        run,
                        model,
                        int(point["size"]),
                        int(point["repeat"]),
                        str(point.get("status", "ok")),
                        payload,
                        time.time(),
                    ),
                )
            )
        return bool(cursor.rowcount)

    def count(self, run: str | None = None) -> int:
        with self._lock, self._reporting("read"):
            if run is None:
                return int(self._conn.execute("SELECT COUNT(*) FROM points").fetchone()[0])
            query = "SELECT COUNT(*) FROM points WHERE run = ?"
            return int(self._conn.execute(query, (run,)).fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def open_store(url: str | os.PathLike[str] | Store | None) -> Store:
    """Open a store by URL (``sqlite:///path``, ``memory://``), path, or pass one through.

    ``None`` gives a fresh in-memory store. A plain path is read as a SQLite file.

    Raises
    ------
    HowMuchDataError
        For an unknown URL scheme.
    """
    if url is None:
        return MemoryStore()
    if isinstance(url, Store):
        return url
    text = os.fspath(url)
    if "://" not in text:
        return SQLiteStore(text)
    parsed = urlparse(text)
    if parsed.scheme == "memory":
        return MemoryStore(text)
    if parsed.scheme == "sqlite":
        # sqlite:///rel/path -> "/rel/path" in .path; sqlite:////abs/path -> "//abs/path"
        path = unquote(text[len("sqlite:///") :]) if text.startswith("sqlite:///") else ""
        if not path:
            raise HowMuchDataError(
                f"store URL {text!r} names no file; use sqlite:///path/to/store.db"
            )
        return SQLiteStore(path)
    raise HowMuchDataError(
        f"unsupported store URL scheme {parsed.scheme!r} in {text!r}; use sqlite:///path/to/store.db "
        "or memory://"
    )


def default_store_url(out_dir: str | os.PathLike[str]) -> str:
    """The store a command uses when ``--store`` is not given: ``OUT/store.db``."""
    return f"sqlite:///{Path(out_dir) / DEFAULT_STORE_NAME}"
