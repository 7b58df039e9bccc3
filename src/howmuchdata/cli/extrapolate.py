"""``howmuchdata extrapolate``: extrapolate measured curves, print the answers, write result.json.

Thin: read points (a run folder's result.json, or a CSV with size and score columns) ->
:func:`howmuchdata.extrapolate` per curve -> print (rich) -> ``result.json["extrapolation"]``
-> :func:`howmuchdata.report.write_report`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from howmuchdata._format import sig, size_span, span
from howmuchdata.cli._app import app
from howmuchdata.cli._output import save_run
from howmuchdata.errors import HowMuchDataError
from howmuchdata.extrapolate.extrapolation import measured_means
from howmuchdata.metrics import scorer_bounds
from howmuchdata.result import RESULT_FILE, from_json_number, read_result

SIZE_COLUMNS = ("size", "size_train", "n", "train_size")
SCORE_COLUMNS = ("score", "val_score", "score_valid", "validation_score")
TRAIN_COLUMNS = ("train_score", "score_train", "training_score")
LOSS_HINTS = ("neg_", "loss", "error", "rmse", "mse", "mae")


def _find(columns: list[str], names: tuple[str, ...]) -> str | None:
    """The first of ``names`` among ``columns``; spelt exactly, else ignoring case and the
    spaces around it (``Size``, `` score ``); None when there is none."""
    for name in names:
        if name in columns:
            return name
    loose = {c.strip().lower(): c for c in reversed(columns)}
    return next((loose[name] for name in names if name in loose), None)


def _pick(columns: list[str], names: tuple[str, ...], what: str, path: Path) -> str:
    """Like :func:`_find`, for a column that must be there."""
    found = _find(columns, names)
    if found is None:
        raise HowMuchDataError(
            f"{path} has no {what} column (looked for {', '.join(names)}; found "
            f"{', '.join(columns) or 'none'}); rename the column to '{names[0]}'"
        )
    return found


def _read_points(path: Path) -> pd.DataFrame:
    """A points CSV as a frame; a file written with ``;`` or tabs between its values (a
    spreadsheet export) is read with that separator."""
    try:
        frame = pd.read_csv(path)
        if len(frame.columns) == 1:
            header = str(frame.columns[0])
            sep = next((c for c in (";", "\t") if c in header), None)
            if sep is not None:
                frame = pd.read_csv(path, sep=sep)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise HowMuchDataError(
            f"cannot read {path} as CSV ({exc}); pass a CSV with size and score columns"
        ) from None
    return frame


def _from_csv(path: Path) -> dict[str, dict[str, Any]]:
    frame = _read_points(path)
    cols = [str(c) for c in frame.columns]
    frame.columns = cols
    size_col = _pick(cols, SIZE_COLUMNS, "size", path)
    score_col = _pick(cols, SCORE_COLUMNS, "score", path)
    train_col = _find(cols, TRAIN_COLUMNS)
    status_col, model_col = _find(cols, ("status",)), _find(cols, ("model",))
    if status_col is not None:
        frame = frame[frame[status_col].astype(str).str.strip() == "ok"]
    for column in (size_col, score_col, train_col):
        if column is not None:
            _check_numbers(frame, column, path)
    groups = frame.groupby(model_col, sort=False) if model_col else [(path.stem, frame)]
    curves = {}
    for name, grp in groups:
        sizes = pd.to_numeric(grp[size_col], errors="coerce").to_numpy(float)
        scores = pd.to_numeric(grp[score_col], errors="coerce").to_numpy(float)
        train = (
            pd.to_numeric(grp[train_col], errors="coerce").to_numpy(float) if train_col else None
        )
        curves[str(name)] = {"sizes": sizes, "scores": scores, "train": train, "direction": None}
    return curves


def _check_numbers(frame: pd.DataFrame, column: str, path: Path) -> None:
    """Refuse a cell of ``column`` that is not a number, naming it; read as NaN, it was
    reported as a failed fit ("scores contain NaN")."""
    values = frame[column]
    numbers = pd.to_numeric(values, errors="coerce")
    bad = numbers.isna() & values.notna() & (values.astype(str).str.strip() != "")
    if bad.any():
        row = values.index[bad.to_numpy()][0]  # the file's row: failed points may be left out
        raise HowMuchDataError(
            f"{path}: {column} {str(values[row])!r} in line {int(row) + 2} is not a number; "
            f"write a number there or delete that line"
        )
    blank = numbers.isna()
    # an unknown training score may be blank
    if blank.any() and column.strip().lower() not in TRAIN_COLUMNS:
        row = values.index[blank.to_numpy()][0]
        raise HowMuchDataError(
            f"{path}: {column} is blank in line {int(row) + 2} ({int(blank.sum())} blank in all); "
            "fill it in or delete those lines"
        )


def _direction_from_meta(meta: dict[str, Any]) -> str | None:
    if "greater_is_better" in meta:
        return "increase" if meta["greater_is_better"] else "decrease"
    scoring = str(meta.get("scoring") or "")
    if scoring:
        return (
            "decrease"
            if any(h in scoring for h in LOSS_HINTS) and not scoring.startswith("neg_")
            else "increase"
        )
    return None


def _from_run(run: Path) -> dict[str, dict[str, Any]]:
    result = read_result(run)
    points = result.get("points") or []
    if not points:
        raise HowMuchDataError(f"{run / RESULT_FILE} has no points; run `howmuchdata curve` first")
    meta = {c.get("model"): c for c in result.get("curves", []) if isinstance(c, dict)}
    curves: dict[str, dict[str, Any]] = {}
    for p in points:
        if p.get("status", "ok") != "ok":
            continue
        model = str(p.get("model", "model"))
        c = curves.setdefault(model, {"sizes": [], "scores": [], "train": [], "direction": None})
        c["sizes"].append(from_json_number(p.get("size")))
        c["scores"].append(from_json_number(p.get("val_score")))
        c["train"].append(from_json_number(p.get("train_score")))
    for model, c in curves.items():
        c["sizes"], c["scores"] = np.array(c["sizes"]), np.array(c["scores"])
        c["train"] = np.array(c["train"], dtype=float)
        c["direction"] = _direction_from_meta(meta.get(model, {}))
        c["bounds"] = scorer_bounds(meta.get(model, {}).get("scoring"))
    if not curves:
        raise HowMuchDataError(
            f"{run / RESULT_FILE} has no successful points; fix the failed fits first"
        )
    return curves


def _fmt_size(n: float) -> str:
    return "out of reach" if not np.isfinite(n) else f"{n:,.0f}"


def _measured_meets(ext: Any, target: float) -> tuple[float, float] | None:
    """The first measured size whose mean meets ``target``, and that mean; None if none."""
    sizes, means = measured_means(ext)
    met = means >= target if ext.direction == "increase" else means <= target
    if not met.any():
        return None
    i = int(np.argmax(met))
    return float(sizes[i]), float(means[i])


@contextmanager
def _naming(model: str, n_curves: int) -> Iterator[None]:
    """Prefix a bad-input error with the curve it is about, when there are several."""
    try:
        yield
    except HowMuchDataError as exc:
        if n_curves < 2:
            raise
        raise HowMuchDataError(f"curve {model!r}: {exc}") from None


def _met_note(ext: Any, target: float, n_t: float) -> str | None:
    """What to say when the data already met ``target`` at a size below the forecast's
    ``n_t``: the answer would otherwise read as "collect more" for a score already measured.

    Parameters
    ----------
    ext : Extrapolation
    target : float
    n_t : float
        ``ext.size_for(target)``.

    Returns
    -------
    str or None
        None when no measured mean met the target below ``n_t``.
    """
    met = _measured_meets(ext, target)
    if met is None or n_t <= met[0] * (1.0 + 1e-9):
        return None
    shape = f" (shape: {', '.join(ext.flags)})" if ext.flags else ""
    measured = f"the measured mean met it at {met[0]:,.0f} samples ({sig(met[1])})"
    if not np.isfinite(n_t):
        # a peaking or dipping curve: the data met the target, the forecast does not
        return (
            f"{sig(target, 6)} is out of reach by the forecast, but {measured}: the curve "
            f"does not stay there{shape}."
        )
    if ext.ill_behaved:
        return (
            f"{sig(target, 6)} is reached at {n_t:,.0f} samples by the forecast, but {measured}: "
            f"the curve does not stay there{shape}."
        )
    return (
        f"{sig(target, 6)} is reached at {n_t:,.0f} samples by the forecast, but {measured}; "
        f"the forecast's smooth curve through the noisy means gives "
        f"{sig(float(ext.predict(met[0])))} there."
    )


@app.command()
def extrapolate(
    source: Annotated[
        Path,
        typer.Argument(help="Run folder (with result.json) or CSV with size and score columns."),
    ],
    at: Annotated[
        list[float] | None, typer.Option("--at", help="Training size to predict at; repeatable.")
    ] = None,
    target: Annotated[
        list[float] | None,
        typer.Option("--target", help="Score to reach: how many samples? Repeatable."),
    ] = None,
    level: Annotated[float, typer.Option("--level", help="Interval level.")] = 0.8,
    direction: Annotated[
        str | None,
        typer.Option(help="increase (accuracy, R², AUC) or decrease (a loss); default: inferred."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Output folder (default: the run folder, or runs/<csv name>)."
        ),
    ] = None,
    report: Annotated[bool, typer.Option("--report/--no-report", help="Write report.html.")] = True,
) -> None:
    """Extrapolate measured learning curves: scores at larger sizes, samples for a target."""
    from howmuchdata.extrapolate import extrapolate as fit
    from howmuchdata.extrapolate.core import DIRECTION_ALIASES

    if not 0 < level < 1:
        raise HowMuchDataError(f"--level must be between 0 and 1, got {level}; e.g. --level 0.8")
    for n in at or []:
        if not (np.isfinite(n) and n > 0):
            raise HowMuchDataError(
                f"--at {n:g} is not a training size; pass a positive number of rows, e.g. --at 10000"
            )
    if direction is not None:
        direction = DIRECTION_ALIASES.get(direction.strip().lower(), direction.strip().lower())
    if direction is not None and direction not in ("increase", "decrease"):
        raise HowMuchDataError(
            f"--direction {direction!r} is neither increase nor decrease; pass --direction "
            "increase for a score (accuracy, R², AUC) or --direction decrease for a loss"
        )
    if source.is_dir():
        curves, default_out = _from_run(source), source
    elif source.exists():
        curves, default_out = _from_csv(source), Path("runs") / source.stem
    else:
        raise HowMuchDataError(f"{source} does not exist; pass a run folder or a CSV of points")
    out_dir = out or default_out
    console = Console()
    results, answers = {}, {}
    for model, c in curves.items():
        settings = {"direction": direction or c["direction"], "bounds": c.get("bounds")}
        with _naming(model, len(curves)):
            ext = fit(c["sizes"], c["scores"], train_scores=c["train"], **settings)
            if c["train"] is not None and ext.method != "learned":
                # the training scores came with the points, unasked: a loss's curve has no
                # use for them, and its summary must not say they were given and left unused
                ext = fit(c["sizes"], c["scores"], **settings)
            results[model] = ext
    for t in target or []:  # before printing anything: a target no curve can take
        for model, ext in results.items():
            with _naming(model, len(results)):
                ext.size_for(t)
    for model, ext in results.items():
        answers[model] = asked = {"level": level, "at": [], "targets": []}
        notes: list[str] = []
        sizes = ext.observed["sizes"]
        queries = list(at or [])
        if not queries:
            queries = [2 * float(sizes[-1]), 10 * float(sizes[-1])]
        table = Table(title=f"{model}: measured up to {float(sizes[-1]):,.0f} samples")
        table.add_column("question")
        table.add_column("answer", justify="right")
        table.add_column(f"{level:.0%} interval", justify="right")
        for n in queries:
            lo, hi = (float(v) for v in ext.interval(n, level))
            score = float(ext.predict(n))
            asked["at"].append({"size": n, "score": score, "lo": lo, "hi": hi})
            table.add_row(f"score at {n:,.0f}", sig(score), span(lo, hi))
        for t in target or []:
            n_t = ext.size_for(t)
            lo_n, hi_n = ext.size_for(t, level=level)
            asked["targets"].append({"target": t, "size": n_t, "lo": lo_n, "hi": hi_n})
            table.add_row(f"samples to reach {sig(t, 6)}", _fmt_size(n_t), size_span(lo_n, hi_n))
            note = _met_note(ext, t, n_t)
            if note:
                notes.append(note)
        a_lo, a_hi = ext.asymptote_interval(level)
        table.add_row("asymptote (ceiling)", sig(ext.asymptote), span(a_lo, a_hi))
        console.print(table)
        for note in notes:
            console.print(note, highlight=False)
        if ext.flags:
            console.print(f"[yellow]shape: {', '.join(ext.flags)}[/yellow]")
        console.print(ext.summary(), highlight=False)
    sections = {
        "extrapolation": {m: {**e.to_dict(), "answers": answers[m]} for m, e in results.items()}
    }
    save_run(console, out_dir, "extrapolate", sections, report=report)
