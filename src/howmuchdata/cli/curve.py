"""``howmuchdata curve`` and ``howmuchdata demo``: measure learning curves, write result.json.

Thin: parse -> :func:`howmuchdata.data.load_dataset` -> :func:`howmuchdata.models.make_estimator`
-> :func:`howmuchdata.curve.learning_curve` -> print + ``result.json`` + ``report.html``.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from howmuchdata._format import fixed
from howmuchdata.cli._app import app
from howmuchdata.cli._errors import keep_on_interrupt
from howmuchdata.cli._images import (
    SHAPED_IMAGE_MODELS,
    check_image_shape,
    image_model,
    parse_image_shape,
)
from howmuchdata.cli._models import (
    BeforeFirstFit,
    default_model,
    model_lines,
    once,
    reads_table,
    refuse_unread_options,
    require_target,
    say,
)
from howmuchdata.cli._output import refuse_ambiguous_column, save_run, say_columns
from howmuchdata.curve import LearningCurve, curves_to_result, learning_curve
from howmuchdata.curve.core import most_common_error
from howmuchdata.curve.dask_backend import DaskCluster
from howmuchdata.curve.progress import make_reporter
from howmuchdata.curve.runner import check_backend
from howmuchdata.data import Dataset, load_dataset
from howmuchdata.deep import gpu_safe_jobs
from howmuchdata.deep.images import skipped_message
from howmuchdata.diagnose import Finding, diagnose, sort_findings
from howmuchdata.errors import HowMuchDataError
from howmuchdata.models import make_estimator
from howmuchdata.result import check_can_update
from howmuchdata.store import default_store_url
from howmuchdata.strategies.base import preset_label, resolve_preset

DEMO_MODELS = ("logreg", "rf")
DEMO_REPEATS = 3


@app.command()
def curve(
    data: Annotated[
        Path, typer.Argument(help="CSV or Parquet file, one row per example, or an image folder.")
    ],
    target: Annotated[
        str | None,
        typer.Option("--target", "-t", help="Column to predict (not for image folders)."),
    ] = None,
    model: Annotated[
        list[str] | None,
        typer.Option(
            "--model",
            "-m",
            help="Preset (logreg, rf, hgb, knn, mlp; cnn, pretrained, tfidf-linear, "
            "minilm-linear, minilm-mlp) or module:callable; repeat for several (default: "
            "logreg; cnn on an image folder, tfidf-linear with --text).",
        ),
    ] = None,
    text: Annotated[str | None, typer.Option(help="Text column for the text models.")] = None,
    epochs: Annotated[int | None, typer.Option(help="Epoch budget of neural networks.")] = None,
    min_steps: Annotated[
        int | None,
        typer.Option(
            help="Optimizer steps per fit at least, for neural networks (default 250; small "
            "subsets train more epochs to reach it; 0 turns it off)."
        ),
    ] = None,
    device: Annotated[str, typer.Option(help="auto, cpu or cuda (neural networks).")] = "auto",
    weights: Annotated[
        Path | None, typer.Option(help="Backbone .pt2 file of the pretrained model.")
    ] = None,
    image_shape: Annotated[
        str | None,
        typer.Option(
            help="Rows are flattened images of this shape, HEIGHTxWIDTH or "
            "HEIGHTxWIDTHxCHANNELS (channels last), e.g. 8x16 or 32x32x3: how --model cnn "
            "reads the pixel columns (default: square greyscale)."
        ),
    ] = None,
    groups: Annotated[
        str | None, typer.Option(help="Column of group ids (patient, site): never split.")
    ] = None,
    time: Annotated[
        str | None, typer.Option(help="Time column: validate on rows after the training rows.")
    ] = None,
    task: Annotated[
        str | None, typer.Option(help="classification or regression (default: inferred).")
    ] = None,
    sizes: Annotated[
        str | None,
        typer.Option(
            help="Training sizes: row counts (50,100,200) or fractions of the largest "
            "(0.1,0.5,1: values below 1, and 1.0) (default: geometric)."
        ),
    ] = None,
    repeats: Annotated[int, typer.Option(help="Independent splits per size.")] = 5,
    scoring: Annotated[
        str | None, typer.Option(help="scikit-learn scorer name (default accuracy / r2).")
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Parallel workers.")] = 1,
    backend: Annotated[str, typer.Option(help="local (joblib processes) or dask.")] = "local",
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address (default: a LocalCluster).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output folder (default runs/<data name>).")
    ] = None,
    store: Annotated[
        str | None, typer.Option(help="Run store URL (default sqlite:///OUT/store.db).")
    ] = None,
    drop: Annotated[
        list[str] | None, typer.Option(help="Column to leave out of the features; repeatable.")
    ] = None,
    val_fraction: Annotated[float, typer.Option(help="Share held out for validation.")] = 0.2,
    stratify: Annotated[
        bool, typer.Option("--stratify/--no-stratify", help="Stratify classification splits.")
    ] = True,
    seed: Annotated[int, typer.Option(help="Root random seed.")] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")] = False,
    report: Annotated[bool, typer.Option("--report/--no-report", help="Write report.html.")] = True,
) -> None:
    """Measure learning curves of one or more models on a CSV / Parquet table."""
    shape = parse_image_shape(image_shape)
    require_target(data, target, "curve")
    dataset = load_dataset(
        data,
        target,
        groups=groups,
        time=time,
        task=_task(task),
        drop=tuple(drop or ()),
        text=text,
    )
    refuse_ambiguous_column(dataset, text, "--text")
    # said now, before the (long) curve, and without promising result.json: a bad setting or
    # an error during the run may stop the command before it writes one
    if (note := skipped_message(dataset)) is not None:
        typer.echo(f"howmuchdata: {note}", err=True)
    out_dir = out or Path("runs") / data.stem
    default, reason = default_model(dataset, text, image_shape=shape)
    models = model or [default]
    if shape is not None:
        check_image_shape(dataset, shape, models)
    given = {"--epochs": epochs, "--min-steps": min_steps, "--device": device}
    refuse_unread_options(models, {**given, "--weights": weights}, defaulted=not model)
    lines = model_lines(models, text=text, reason=None if model else reason)
    curves = run_curves(
        dataset,
        models=models,
        out_dir=out_dir,
        sizes=parse_sizes(sizes),
        repeats=repeats,
        scoring=scoring,
        jobs=jobs,
        backend=backend,
        scheduler=scheduler,
        store=store,
        val_fraction=val_fraction,
        stratify=None if stratify else False,
        seed=seed,
        quiet=quiet,
        deep_options={
            "text": text,
            "epochs": epochs,
            "min_steps": min_steps,
            "device": device,
            "weights": weights,
        },
        image_shape=shape,
        before_fits=lambda: say_before_fits(dataset, models, lines),
    )
    path = finish(curves, dataset, out_dir, command="curve", report=report)
    if note is not None:
        typer.echo(
            f"howmuchdata: the skipped files are listed in {path} (data.images.skipped)", err=True
        )
    if failed := [item for item in curves if _all_failed(item)]:
        # the other models' answers are written; the exit status still says one failed
        raise HowMuchDataError(
            f"{_no_points_error(failed[0], store or default_store_url(out_dir))}; "
            f"the curves of the other models are in {path}"
        )


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("runs/demo"),
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Parallel workers.")] = 2,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")] = False,
) -> None:
    """Learning curves of two models on scikit-learn's bundled digits (1,797 8x8 images)."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    dataset = load_dataset(digits.data, digits.target)
    dataset.source = "scikit-learn digits"
    curves = run_curves(
        dataset,
        models=list(DEMO_MODELS),
        out_dir=out,
        sizes=None,
        repeats=DEMO_REPEATS,
        scoring=None,
        jobs=jobs,
        backend="local",
        scheduler=None,
        store=None,
        val_fraction=0.2,
        stratify=None,
        seed=0,
        quiet=quiet,
    )
    finish(curves, dataset, out, command="demo", report=True)


def run_curves(
    dataset: Dataset,
    *,
    models: list[str],
    out_dir: Path,
    sizes: list[float] | None,
    repeats: int,
    scoring: str | None,
    jobs: int,
    backend: str,
    scheduler: str | None,
    store: str | None,
    val_fraction: float,
    stratify: bool | None,
    seed: int,
    quiet: bool,
    deep_options: dict[str, Any] | None = None,
    image_shape: tuple[int, ...] | None = None,
    before_fits: Callable[[], None] | None = None,
) -> list[LearningCurve]:
    """One curve per model on ``dataset``, all points kept in one store.

    With ``backend="dask"`` the models share one Dask cluster: the scheduler at
    ``scheduler``, or a LocalCluster of ``jobs`` workers started for the first point to fit
    and shut down when the last model ends (or the command stops, Ctrl-C included).

    ``image_shape`` (height, width[, channels], checked with
    :func:`howmuchdata.cli._images.check_image_shape`) is how the ``cnn`` model reads the
    pixel columns; the other models read them as a table.

    ``before_fits`` is called once, when the first curve has checked its inputs and is about
    to fit (and not when an input is refused): the place for notes the user should read
    before a long run (:func:`say_before_fits`).

    Raises
    ------
    HowMuchDataError
        For bad settings, and when every point of a model failed (quoting the most common
        error); the points measured until then stay in the store.
    howmuchdata.cli._errors.Interrupted
        On Ctrl-C, naming the store that keeps the points finished until then.
    """
    if jobs < 1:
        raise HowMuchDataError(f"--jobs {jobs}; pass 1 or more workers")
    check_backend(backend, scheduler)
    check_can_update(out_dir)  # before any fit, not after
    # ridge is logreg's name on a numeric target (as in compare): take it, and name it so
    given, models = models, [resolve_preset(name, dataset.task, "--model ") for name in models]
    if len(set(models)) != len(models):
        if len(set(given)) == len(given):
            raise HowMuchDataError(
                "--model ridge and --model logreg are the same model on a numeric target "
                "(logreg fits ridge there); list it once"
            )
        raise HowMuchDataError("the same --model is given twice; list each model once")
    store_url = store or default_store_url(out_dir)
    # every model is built (and checked) before the first fit
    estimators = [
        image_model(name, dataset, image_shape, deep_options)
        if image_shape is not None and name in SHAPED_IMAGE_MODELS
        else make_estimator(name, dataset, deep_options=deep_options)
        for name in models
    ]
    hook = once(before_fits or (lambda: None))
    curves = []
    cluster = DaskCluster(scheduler, jobs) if backend == "dask" else None
    with keep_on_interrupt(store_url), cluster or contextlib.nullcontext():
        for name, estimator in zip(models, estimators, strict=True):
            curves.append(
                learning_curve(
                    estimator,
                    dataset.X,
                    dataset.y,
                    groups=dataset.groups,
                    time=dataset.time,
                    sizes=sizes,
                    repeats=repeats,
                    scoring=scoring,
                    store=store_url,
                    n_jobs=gpu_safe_jobs(estimator, jobs),
                    backend=backend,
                    scheduler=cluster,
                    task=dataset.task,
                    stratify=stratify,
                    val_fraction=val_fraction,
                    random_state=seed,
                    name=preset_label(name, dataset.task),
                    progress=BeforeFirstFit(make_reporter(False if quiet else "auto"), hook),
                )
            )
    if all(_all_failed(item) for item in curves):
        raise _no_points_error(curves[0], store_url)
    return curves


def say_before_fits(dataset: Dataset, models: Sequence[str], lines: Sequence[str]) -> None:
    """Say ``lines`` (the model notes of :func:`howmuchdata.cli._models.model_lines`), then
    what loading did to the columns, the identifier columns the table models leave out only
    where a table model is among ``models``."""
    say(lines)
    say_columns(dataset, table_models=reads_table(models))


def _all_failed(item: LearningCurve) -> bool:
    """Whether every point of ``item`` failed: a table of nothing is no answer."""
    return not item.points.empty and item.ok_points.empty


def _main_error(item: LearningCurve) -> tuple[int, str]:
    """How many of the failed points of ``item`` share the most common error, and that error."""
    return most_common_error(item.failures) or (len(item.failures), "unknown error")


def _no_points_error(item: LearningCurve, store_url: str) -> HowMuchDataError:
    count, error = _main_error(item)
    return HowMuchDataError(
        f"every one of the {len(item.points)} points of model {item.model!r} failed, "
        f"{count} of them with: {error}; fix that (e.g. another --model "
        f"or --scoring) and run again (the failed points are kept in {store_url})"
    )


def finish(
    curves: list[LearningCurve], dataset: Dataset, out_dir: Path, *, command: str, report: bool
) -> Path:
    """Print the summary, write result.json (+ extrapolation when available) and the report.

    Returns
    -------
    Path
        The path of result.json.
    """
    console = Console()
    sections: dict[str, Any] = curves_to_result(curves)
    sections["data"] = dataset.describe()
    measured = [item for item in curves if not _all_failed(item)]
    extrapolations = extrapolate_curves(measured, console)
    if extrapolations:
        sections["extrapolation"] = {name: ext.to_dict() for name, ext in extrapolations.items()}
    sections["findings"] = [f.to_dict() for f in curve_findings(measured, extrapolations)]
    _print_summary(console, curves, extrapolations)
    for finding in sections["findings"]:
        if finding["severity"] != "info":
            model = finding["evidence"]["model"]
            console.print(f"{finding['severity']}: {model}: {finding['advice']}", markup=False)
    return save_run(console, out_dir, command, sections, report=report)


def curve_findings(curves: list[LearningCurve], extrapolations: dict[str, Any]) -> list[Finding]:
    """The diagnosis checks that read only the curve (no refit), for every curve.

    Each finding's evidence names its ``model``; the data checks (label noise, duplicates,
    drift, ...) need the rows and a model of their own: ``howmuchdata diagnose`` runs them.
    """
    findings: list[Finding] = []
    for item in curves:
        for finding in diagnose(item, extrapolation=extrapolations.get(item.model)):
            evidence = {"model": item.model, **finding.evidence}
            findings.append(dataclasses.replace(finding, evidence=evidence))
    return sort_findings(findings)


def extrapolate_curves(
    curves: list[LearningCurve], console: Console | None = None
) -> dict[str, Any]:
    """``curve.extrapolate()`` per curve.

    A curve that cannot be extrapolated (e.g. fewer than three sizes) is left out, with a
    note on ``console``.
    """
    fitted = {}
    for item in curves:
        try:
            fitted[item.model] = item.extrapolate()
        except HowMuchDataError as exc:
            if console is not None:
                console.print(f"{item.model}: not extrapolated ({exc})", markup=False)
    return fitted


def parse_sizes(text: str | None) -> list[float] | None:
    """``"50,100,0.5"`` -> ``[50, 100, 0.5]``: whole numbers stay integers, so that ``"1"``
    and ``"1.0"`` stay apart (see :func:`howmuchdata.curve.plan.resolve_sizes`)."""
    if text is None or not text.strip():
        return None
    values: list[float] = []
    for part in text.split(","):
        part = part.strip()
        try:
            values.append(int(part) if part.isdigit() else float(part))
        except ValueError:
            raise HowMuchDataError(
                f"--sizes value {part!r} is not a number; pass e.g. --sizes 50,100,200"
            ) from None
    return values


def _task(text: str | None) -> Any:
    if text is None:
        return None
    if text not in ("classification", "regression"):
        raise HowMuchDataError(f"--task {text!r}; use classification or regression")
    return text


def _print_summary(console: Console, curves: list[LearningCurve], extrapolations: dict) -> None:
    for item in curves:
        if _all_failed(item):
            count, error = _main_error(item)
            console.print(
                f"[bold red]{item.model}: every one of its {len(item.points)} points failed[/]"
            )
            console.print(f"  {count} of them with: {error}", markup=False)
            continue
        table = Table(title=f"{item.model}  ({item.scoring}, {item.settings['split']} splits)")
        for column in ("size", "repeats ok", "validation", "train", "fit s"):
            table.add_column(column, justify="right")
        for row in item.by_size().itertuples():
            spread = f" ± {fixed(row.val_std, 3)}" if row.val_std == row.val_std else ""
            table.add_row(
                str(row.size),
                str(row.n_ok),
                f"{fixed(row.val_mean)}{spread}",
                f"{fixed(row.train_mean)}",
                f"{row.fit_seconds:.3f}",
            )
        console.print(table)
        stored, computed = item.settings["from_store"], item.settings["computed"]
        failed_now = item.settings.get("computed_failed", 0)
        also = f" ({failed_now} more failed)" if failed_now else ""
        console.print(
            f"{item.model}: {computed - failed_now} points fitted{also}, "
            f"{stored} reused from the store"
        )
        failed = item.failures
        if not failed.empty:
            console.print(f"[bold red]{item.model}: {len(failed)} failed points[/]")
            for row in failed.itertuples():
                console.print(f"  size {row.size}, repeat {row.repeat}: {row.error}", markup=False)
        ext = extrapolations.get(item.model)
        if ext is not None:
            console.print(f"{item.model}: {ext.summary()}", markup=False)
