"""Reading and writing ``result.json``: the versioned file every computing command writes.

The file holds one key per stage that ran (``points``, ``curve``, ``extrapolation``,
``findings``, ``labels_saved``, ``plan``, ...) next to ``schema_version``. The report is drawn
from this file alone. The schema is documented in ``docs/result_schema.md``.

A later command on the same folder merges its sections into the file (:func:`merge_sections`):
per-model sections by model, findings by the checks that ran, and a section derived from a
curve that has since changed (``plan``, ``labels_saved``, ``comparison``) is kept but listed
under ``stale`` with the reason.
"""

from __future__ import annotations

import json
import math
import os
import secrets
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from howmuchdata.errors import HowMuchDataError

SCHEMA_VERSION = 1
RESULT_FILE = "result.json"

#: Sections with one entry per model (a curve's name): merged by model.
PER_MODEL_SECTIONS = ("points", "curves", "extrapolation")
#: Sections computed from curves: what each is called and the command that recomputes it.
DERIVED_SECTIONS = {
    "plan": ("plan", "plan"),
    "labels_saved": ("labels-saved table", "compare"),
    "comparison": ("comparison", "compare"),
}

# The JSON type each known section must have: "list" (of objects), "object", "objects" (an
# object whose values are objects), "strings" (a list of strings) or "string".
_SECTION_SHAPES = {
    "commands": "strings",
    "updated": "string",
    "data": "object",
    "points": "list",
    "curves": "list",
    "extrapolation": "objects",
    "findings": "list",
    "labels_saved": "list",
    "comparison": "object",
    "plan": "object",
    "stale": "object",
}
_SHAPE_WORDS = {
    "list": "a list of objects",
    "object": "an object",
    "objects": "an object of objects",
    "strings": "a list of strings",
    "string": "a string",
}


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


def _json_type(value: Any) -> str:
    """The JSON name of a parsed value's type, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return f"the string {value[:40]!r}"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _is_number(value: Any, *, missing_ok: bool = False) -> bool:
    if missing_ok and (value is None or value in ("inf", "-inf")):
        return True
    return isinstance(value, int | float) and not isinstance(value, bool)


def _shape_problem(data: Any) -> str | None:
    """What makes ``data`` not a howmuchdata result (``None`` when its shape is right)."""
    if not isinstance(data, dict):
        return f"the file holds {_json_type(data)}, not an object"
    if "schema_version" not in data:
        return "it has no schema_version"
    version = data["schema_version"]
    if not isinstance(version, int) or isinstance(version, bool):
        return f"schema_version is {_json_type(version)}, not an integer"
    if version > SCHEMA_VERSION:
        return None  # a newer file: its sections may differ; the caller says to upgrade
    for key, shape in _SECTION_SHAPES.items():
        value = data.get(key)
        if value is None:
            continue
        if shape == "string":
            ok = isinstance(value, str)
        elif shape == "strings":
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        elif shape == "object":
            ok = isinstance(value, dict)
        elif shape == "objects":
            ok = isinstance(value, dict) and all(isinstance(v, dict) for v in value.values())
        else:
            ok = isinstance(value, list) and all(isinstance(v, dict) for v in value)
        if not ok:
            return f"{key} is {_json_type(value)}, not {_SHAPE_WORDS[shape]}"
    for i, point in enumerate(data.get("points") or []):
        if not isinstance(point.get("model", ""), str):
            return f"points[{i}].model is {_json_type(point['model'])}, not a string"
        if not _is_number(point.get("size")):
            return f"points[{i}].size is {_json_type(point.get('size'))}, not a number"
        for key in ("val_score", "train_score"):
            if not _is_number(point.get(key), missing_ok=True):
                return f"points[{i}].{key} is {_json_type(point[key])}, not a number or null"
    for key in ("curves", "findings"):
        for i, item in enumerate(data.get(key) or []):
            name = "model" if key == "curves" else "kind"
            if not isinstance(item.get(name, ""), str):
                return f"{key}[{i}].{name} is {_json_type(item[name])}, not a string"
    return None


def read_result(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read ``result.json`` from a run folder or a file path.

    Parameters
    ----------
    path : path
        A run folder (its ``result.json`` is read) or the file itself.

    Returns
    -------
    dict
        The parsed result. A section stored as ``null`` reads as absent.

    Raises
    ------
    HowMuchDataError
        When there is no such file, it is not JSON, or it is not a howmuchdata result (not an
        object, a section of the wrong type, a point without a numeric size, ...), or it has a
        newer ``schema_version``.
    """
    return _read(Path(path), fix="rerun the command that wrote it")


#: What to do about a stored result that a command would add to but cannot read.
_FIX_FOR_UPDATE = "move or delete it, or pass another --out"


def _read(path: Path, *, fix: str, prefix: str = "") -> dict[str, Any]:
    """:func:`read_result`, with ``fix`` as the advice of a file that cannot be read as a
    result, and ``prefix`` before each such message."""
    if path.is_dir():
        path = path / RESULT_FILE
    if not path.exists():
        raise HowMuchDataError(
            f"no {RESULT_FILE} at {path}; pass a run folder written by a howmuchdata command"
        )
    try:
        text = path.read_text(encoding="utf-8")
        if not text.strip():
            raise HowMuchDataError(f"{prefix}{path} is empty; {fix}")
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HowMuchDataError(f"{prefix}{path} is not valid JSON ({exc.msg}); {fix}") from None
    except UnicodeDecodeError:
        raise HowMuchDataError(
            f"{prefix}{path} is not valid JSON (not UTF-8 text); {fix}"
        ) from None
    except OSError as exc:
        raise HowMuchDataError(
            f"{prefix}cannot read {path} ({exc.strerror or exc}); pass a run folder with a readable "
            f"{RESULT_FILE}"
        ) from None
    problem = _shape_problem(data)
    if problem is not None:
        raise HowMuchDataError(f"{prefix}{path} is not a howmuchdata result ({problem}); {fix}")
    version = data["schema_version"]
    if version > SCHEMA_VERSION:
        raise HowMuchDataError(
            f"{prefix}{path} has schema_version {version!r}, this howmuchdata reads up to "
            f"{SCHEMA_VERSION}; upgrade howmuchdata or rerun the command"
        )
    return {k: v for k, v in data.items() if v is not None}


def update_result(
    out_dir: str | os.PathLike[str],
    command: str,
    *,
    checks: Collection[str] | None = None,
    **sections: Any,
) -> Path:
    """Merge ``sections`` into ``out_dir/result.json`` (created if missing) atomically.

    Parameters
    ----------
    out_dir : path
        The run folder.
    command : str
        The command writing (appended to ``commands``; named in stale notes).
    checks : collection of str, optional
        The diagnosis checks that ran in this command (registry names): each replaces its
        own earlier findings. Default: the checks behind the new findings, and every curve
        check on the curves in ``sections`` when they come with findings.
    **sections
        The sections to write, merged as :func:`merge_sections` describes.

    Returns
    -------
    Path
        The path of ``result.json``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / RESULT_FILE
    old = _readable_for_update(path)
    data = merge_sections(old, to_jsonable(sections), command=command, checks=checks)
    data["schema_version"] = SCHEMA_VERSION
    data["commands"] = [*old.get("commands", []), command]
    data["updated"] = datetime.now(UTC).isoformat(timespec="seconds")
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


def check_can_update(out_dir: str | os.PathLike[str]) -> None:
    """Refuse, before any work is done, a run folder whose result.json cannot be added to.

    Raises
    ------
    HowMuchDataError
        When ``out_dir/result.json`` exists but is not a readable howmuchdata result.
    """
    _readable_for_update(Path(out_dir) / RESULT_FILE)


def _readable_for_update(path: Path) -> dict[str, Any]:
    """The stored result to merge into (empty when there is none), or a one-line error that
    says how to get past a file no command can add to."""
    if not path.exists():
        return {}
    return _read(path, fix=_FIX_FOR_UPDATE, prefix="cannot add to it: ")


def merge_sections(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    *,
    command: str = "a later command",
    checks: Collection[str] | None = None,
) -> dict[str, Any]:
    """The stored result ``old`` with the sections ``new`` of a later command merged in.

    - ``points``, ``curves``, ``extrapolation``: by model. A model in ``new`` (in its points
      or curves) replaces all of its own entries, its extrapolation included; the other
      models' entries stay. An ``extrapolation`` alone replaces the models it names.
    - ``findings``: by check. A check that ran replaces its own earlier findings (a curve
      check: those of the curves it read, named by ``evidence.model``); findings of checks
      that did not run stay, unless they were read from a curve whose points changed.
    - ``plan``, ``labels_saved``, ``comparison``: computed from curves. When the points or
      the extrapolation of such a curve change and the section is not rewritten, it stays
      but is listed in ``stale`` (section -> why, and which command renews it).
    - Every other section in ``new`` replaces the stored one.

    Parameters
    ----------
    old : mapping
        The stored result (as :func:`read_result` returns it).
    new : mapping
        JSON-ready sections (see :func:`to_jsonable`).
    command : str
        The command writing, named in stale notes.
    checks : collection of str, optional
        As in :func:`update_result`.

    Returns
    -------
    dict
        The merged result (without ``schema_version``, ``commands`` and ``updated``).
    """
    data = {k: v for k, v in old.items() if k not in ("schema_version", "commands", "updated")}
    covered = _models_in(new)
    changed = _changed_models(old, new, covered)
    if "points" in new or "curves" in new:
        for key in ("points", "curves"):
            merged = _merge_by_model(old.get(key) or [], new.get(key) or [], covered)
            if merged or key in new or key in data:
                data[key] = merged
    if covered or "extrapolation" in new:
        stored = {m: e for m, e in (old.get("extrapolation") or {}).items() if m not in covered}
        extrapolation = {**stored, **(new.get("extrapolation") or {})}
        # the same curve measured again keeps the answers `extrapolate` printed for it
        before = old.get("extrapolation") or {}
        for model, entry in (new.get("extrapolation") or {}).items():
            kept = before.get(model)
            if model not in changed and isinstance(kept, Mapping) and "answers" in kept:
                extrapolation[model] = {"answers": kept["answers"], **entry}
        if extrapolation or "extrapolation" in data or "extrapolation" in new:
            data["extrapolation"] = extrapolation
    if "findings" in new or (changed and "findings" in data):
        data["findings"] = _merge_findings(
            old.get("findings") or [], new.get("findings"), covered, changed, checks
        )
    for key, value in new.items():
        if key not in PER_MODEL_SECTIONS and key != "findings":
            data[key] = value
    stale = {k: v for k, v in (old.get("stale") or {}).items() if k not in new}
    for key, (noun, renewed_by) in DERIVED_SECTIONS.items():
        if key in new or key not in data or key in stale:
            continue
        sources = _derived_from(key, data[key], data)
        hit = sorted(changed & sources) if sources is not None else sorted(changed)
        if hit:
            curves = f"curve of {hit[0]}" if len(hit) == 1 else f"curves of {', '.join(hit)}"
            stale[key] = (
                f"the {noun} was computed from the {curves}, which `{command}` has "
                f"since measured again; rerun `howmuchdata {renewed_by}` on this folder for a "
                "current one"
            )
    stale = {k: v for k, v in stale.items() if k in data}
    if stale:
        data["stale"] = stale
    else:
        data.pop("stale", None)
    return data


def _model_of(item: Mapping[str, Any]) -> str:
    """The curve an entry belongs to (``"model"`` when it names none, as the report reads it)."""
    model = item.get("model")
    return "model" if model is None else str(model)


def _models_in(sections: Mapping[str, Any]) -> set[str]:
    """Models whose curve ``sections`` measures (in its points or curves)."""
    return {_model_of(item) for key in ("points", "curves") for item in sections.get(key) or []}


def _merge_by_model(
    old: list[dict[str, Any]], new: list[dict[str, Any]], covered: set[str]
) -> list[dict[str, Any]]:
    """Old entries of the models not in ``covered``, with the new ones in the place of the
    models they replace (so the first model stays first)."""
    order = list(dict.fromkeys([*(_model_of(i) for i in old), *(_model_of(i) for i in new)]))
    out: list[dict[str, Any]] = []
    for model in order:
        source = new if model in covered else old
        out.extend(item for item in source if _model_of(item) == model)
    return out


def _curve_substance(result: Mapping[str, Any], model: str) -> tuple[Any, ...]:
    """What a derived section read of one model: its measured scores and its extrapolation
    (the ``answers`` a command printed aside)."""
    points = sorted(
        json.dumps([p.get(k) for k in ("size", "repeat", "status", "val_score", "train_score")])
        for p in result.get("points") or []
        if _model_of(p) == model
    )
    ext = (result.get("extrapolation") or {}).get(str(model))
    ext = None if ext is None else {k: v for k, v in ext.items() if k != "answers"}
    return tuple(points), json.dumps(ext, sort_keys=True)


def _changed_models(old: Mapping[str, Any], new: Mapping[str, Any], covered: set[str]) -> set[str]:
    """Models whose points or extrapolation differ after the merge from what ``old`` held."""
    if not old:
        return set()
    touched = set(covered) | set(new.get("extrapolation") or {})
    known = _models_in(old) | set(old.get("extrapolation") or {})
    changed = set()
    for model in touched & known:
        after = {
            "points": (new.get("points") if model in covered else old.get("points")) or [],
            "extrapolation": {
                **({} if model in covered else old.get("extrapolation") or {}),
                **(new.get("extrapolation") or {}),
            },
        }
        if _curve_substance(old, model) != _curve_substance(after, model):
            changed.add(model)
    return changed


def _derived_from(key: str, section: Any, data: Mapping[str, Any]) -> set[str] | None:
    """The curves a derived section was computed from; ``None`` when it does not say."""
    if key == "plan":
        if section.get("kind") == "before_data":
            return set()  # planned from assumptions, no curve
        return {str(section["model"])} if section.get("model") is not None else None
    names = {str(row["strategy"]) for row in data.get("labels_saved") or [] if "strategy" in row}
    comparison = data.get("comparison") or {}
    for item in comparison.get("strategies") or []:
        if isinstance(item, Mapping) and "name" in item:
            names.add(str(item["name"]))
    if comparison.get("baseline") is not None:
        names.add(str(comparison["baseline"]))
    return names or None


def _merge_findings(
    old: list[dict[str, Any]],
    new: list[dict[str, Any]] | None,
    covered: set[str],
    changed: set[str],
    checks: Collection[str] | None,
) -> list[dict[str, Any]]:
    """Old findings that still hold, with the new ones, most important first."""
    from howmuchdata.diagnose.finding import KINDS, SEVERITIES
    from howmuchdata.diagnose.registry import CURVE_CHECKS, KIND_CHECKS

    def check_of(finding: Mapping[str, Any]) -> str:
        kind = str(finding.get("kind", ""))
        return KIND_CHECKS.get(kind, kind)

    if checks is not None:
        ran = set(checks)
    elif new is None:  # the command diagnosed nothing
        ran = set()
    else:  # what found something ran, and a command that diagnoses its curves checks them all
        ran = {check_of(f) for f in new} | (CURVE_CHECKS if covered else set())
    new = list(new or [])
    # curve checks ran on the curves this command measured (no curve: they were skipped)
    ran_on_curves = (ran & CURVE_CHECKS) if covered else set()
    ran_on_data = ran - CURVE_CHECKS

    def still_holds(finding: Mapping[str, Any]) -> bool:
        check = check_of(finding)
        if check not in CURVE_CHECKS:
            return check not in ran_on_data
        evidence = finding.get("evidence")
        model = evidence.get("model") if isinstance(evidence, Mapping) else None
        if model is None:  # read from a curve it does not name: any change may be its curve
            return not (changed or (covered and check in ran_on_curves))
        model = str(model)
        return model not in changed and not (model in covered and check in ran_on_curves)

    merged = [f for f in old if still_holds(f)] + new

    def rank(finding: Mapping[str, Any]) -> tuple[int, int]:
        severity, kind = finding.get("severity"), finding.get("kind")
        return (
            -SEVERITIES.index(severity) if severity in SEVERITIES else 1,
            KINDS.index(kind) if kind in KINDS else len(KINDS),
        )

    return sorted(merged, key=rank)
