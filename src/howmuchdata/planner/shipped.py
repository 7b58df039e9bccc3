"""The planner's calibrated settings shipped as JSON under ``_resources``."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any


def shipped_json(name: str) -> dict[str, Any] | None:
    """The parsed ``_resources/<name>``, or None when the package was built without it."""
    path = resources.files("howmuchdata") / "_resources" / name
    if not path.is_file():
        return None
    return json.loads(path.read_text())
