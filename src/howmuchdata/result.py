"""Reading and writing ``result.json``: the versioned file every computing command writes.

The file holds one key per stage that ran (``points``, ``curve``, ``extrapolation``,
``findings``, ``labels_saved``, ``plan``, ...) next to ``schema_version``. The report is drawn
from this file alone. The schema is documented in ``docs/result_schema.md``.
"""

from __future__ import annotations

import json
import math
import os
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from howmuchdata.errors import HowMuchDataError

SCHEMA_VERSION = 1
RESULT_FILE = "result.json"


def to_jsonable(value: Any) -> Any:
    """Turn NumPy / pandas scalars and containers into plain JSON values.

    Non-finite floats become ``None`` (JSON has no NaN or infinity), except that
    ``+inf`` and ``-inf`` are written as the strings ``"inf"`` and ``"-inf"`` so that
    "out of reach" survives the round trip (see :func:`from_json_number`).
    """
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def from_json_number(value: Any) -> float:
    """Inverse of :func:`to_jsonable` for one number: ``None`` -> NaN, ``"inf"`` -> inf."""
    if value is None:
        return math.nan
    if isinstance(value, str):
        return float(value)
    return float(value)


def read_result(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read ``result.json`` from a run folder or a file path."""
    path = Path(path)
    if path.is_dir():
        path = path / RESULT_FILE
    if not path.exists():
        raise HowMuchDataError(
            f"no {RESULT_FILE} at {path}; pass a run folder written by a howmuchdata command"
        )
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise HowMuchDataError(
            f"{path} is not valid JSON ({exc.msg}); rerun the command that wrote it"
        ) from None
    version = data.get("schema_version")
    if version is None or version > SCHEMA_VERSION:
        raise HowMuchDataError(
            f"{path} has schema_version {version!r}, this howmuchdata reads up to "
            f"{SCHEMA_VERSION}; upgrade howmuchdata or rerun the command"
        )
    return data


def update_result(out_dir: str | os.PathLike[str], command: str, **sections: Any) -> Path:
    """Merge ``sections`` into ``out_dir/result.json`` (created if missing) atomically.

    Keys already in the file that are not in ``sections`` are kept, so ``curve`` followed
    by ``extrapolate`` on the same folder accumulates both stages.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / RESULT_FILE
    data: dict[str, Any] = read_result(path) if path.exists() else {}
    data["schema_version"] = SCHEMA_VERSION
    data.setdefault("commands", []).append(command)
    data["updated"] = datetime.now(UTC).isoformat(timespec="seconds")
    data.update(to_jsonable(sections))
    # Write to a temporary file and rename: a crash never leaves half a result.json.
    # os.open with mode 0o666 lets the umask decide the permissions, as for every other file
    # written (tempfile.mkstemp would make result.json readable by its owner only).
    tmp = out / f".result-{os.getpid()}-{secrets.token_hex(6)}.json"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w") as fh:
            json.dump(data, fh, indent=1, allow_nan=False)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
