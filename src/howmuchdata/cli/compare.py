"""``howmuchdata compare``: the strategy lab on a table, write the labels-saved table.

Thin: parse -> :func:`howmuchdata.data.load_dataset` -> :func:`howmuchdata.strategies.compare`
-> print (rich) -> ``result.json`` (``points``, ``curves``, ``extrapolation``, ``labels_saved``,
``comparison``) -> :func:`howmuchdata.report.write_report`.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from howmuchdata.cli._app import app
from howmuchdata.cli._errors import keep_on_interrupt
from howmuchdata.cli._images import parse_image_shape
from howmuchdata.cli._models import require_target
from howmuchdata.cli._output import refuse_ambiguous_column, save_run, say_columns
from howmuchdata.data import load_dataset
from howmuchdata.errors import HowMuchDataError
from howmuchdata.result import check_can_update
from howmuchdata.store import default_store_url
from howmuchdata.strategies.labels_saved import crossover_words, labels_cells

DEFAULT_STRATEGIES = "baseline,simpler,augment,ensemble"


def _floats(text: str | None, what: str) -> list[float] | None:
    if text is None or not text.strip():
        return None
    values = []
    for part in text.split(","):
        try:
            value = float(part)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):  # float() also reads "nan" and "inf"
            raise HowMuchDataError(
                f"{what} {part.strip()!r} is not a number; pass numbers separated by commas, e.g. 0.9,0.95"
            )
        values.append(value)
    return values


def _sizes(text: str | None) -> list[float] | None:
    values = _floats(text, "size")
    if values is None:
        return None
    return [int(v) if float(v).is_integer() and v >= 1 else v for v in values]


@app.command()
def compare(
    data: Annotated[Path, typer.Argument(help="CSV or Parquet file, one row per labeled example.")],
    target: Annotated[str | None, typer.Option("--target", "-t", help="Column to predict.")] = None,
    strategies: Annotated[
        str,
        typer.Option(
            help="Comma-separated: baseline, simpler, transfer, augment, semi, active, fewshot, "
            "synthetic, ensemble (or family:variant, e.g. simpler:knn, active:margin) "
            f"(default: {', '.join(DEFAULT_STRATEGIES.split(','))}).",
            # the default is in the help text: the default column cuts it to "baseline,simpl…"
            show_default=False,
        ),
    ] = DEFAULT_STRATEGIES,
    targets: Annotated[
        str | None,
        typer.Option(help="Target scores, e.g. 0.9,0.95 (default: from the baseline's curve)."),
    ] = None,
    baseline: Annotated[
        str,
        typer.Option(
            help="Baseline model preset (logreg, hgb, knn, mlp, rf); on a numeric target "
            "logreg fits ridge regression (also accepted as ridge)."
        ),
    ] = "logreg",
    text: Annotated[
        str | None, typer.Option(help="Free-text column (TF-IDF baseline, MiniLM transfer).")
    ] = None,
    image_shape: Annotated[
        str | None,
        typer.Option(help="Rows are flattened images of this shape, e.g. 8x8 or 32x32x3."),
    ] = None,
    image_weights: Annotated[
        Path | None,
        typer.Option(
            help="Backbone file for image transfer: a .pt2 torch.export program, TorchScript, "
            "or a torchvision state_dict (with --image-arch)."
        ),
    ] = None,
    image_arch: Annotated[
        str, typer.Option(help="torchvision architecture of a state_dict file.")
    ] = "resnet18",
    cache: Annotated[
        Path | None,
        typer.Option(help="Embedding cache folder (default: embeddings/ in ~/.cache/howmuchdata)."),
    ] = None,
    groups: Annotated[
        str | None, typer.Option(help="Column of group ids: a group is never split.")
    ] = None,
    time: Annotated[str | None, typer.Option(help="Time column: validate on later rows.")] = None,
    drop: Annotated[list[str] | None, typer.Option(help="Column to leave out; repeatable.")] = None,
    sizes: Annotated[
        str | None, typer.Option(help="Training sizes, e.g. 50,100,200 (default: geometric).")
    ] = None,
    repeats: Annotated[int, typer.Option(help="Independent splits, shared by every strategy.")] = 5,
    scoring: Annotated[
        str | None, typer.Option(help="scikit-learn scorer (default accuracy / r2).")
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Parallel workers per curve.")] = 1,
    seed: Annotated[int, typer.Option(help="Root random seed.")] = 0,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Output folder (default runs/<data>-compare)."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")] = False,
    report: Annotated[bool, typer.Option("--report/--no-report", help="Write report.html.")] = True,
) -> None:
    """Compare ways of needing less data on your data: labels each strategy saves."""
    from howmuchdata.strategies import compare as run_compare
    from howmuchdata.strategies.compare import image_files_message

    if jobs < 1:
        raise HowMuchDataError(f"--jobs {jobs}; pass 1 or more workers")
    names = [s.strip() for s in strategies.split(",") if s.strip()]
    if not names:
        raise HowMuchDataError("--strategies is empty; pass e.g. baseline,simpler,transfer")
    require_target(data, target, "compare")  # an image folder has none: refused below
    dataset = load_dataset(
        data, target, groups=groups, time=time, drop=tuple(drop or ()), text=text
    )
    refuse_ambiguous_column(dataset, text, "--text")
    if dataset.notes.get("images"):
        # the strategies read table rows: on image files they would learn from the file names
        raise HowMuchDataError(
            image_files_message(str(data), "--image-shape HEIGHTxWIDTH[xCHANNELS]")
        )
    out_dir = out or Path("runs") / f"{data.stem}-compare"
    check_can_update(out_dir)  # before any fit, not after
    # every finished point is kept in the run folder: a rerun (after Ctrl-C, say) reuses it
    store = default_store_url(out_dir)
    with keep_on_interrupt(store):
        comparison = run_compare(
            dataset,
            strategies=names,
            targets=_floats(targets, "target"),
            baseline=baseline,
            text=text,
            image_shape=parse_image_shape(image_shape),
            image_weights=image_weights,
            image_arch=image_arch,
            cache_dir=cache,
            sizes=_sizes(sizes),
            repeats=repeats,
            scoring=scoring,
            random_state=seed,
            n_jobs=jobs,
            store=store,
            progress=False if quiet else "auto",
        )
    say_columns(dataset)  # after the run: a bad input stays the only line
    sections: dict[str, Any] = comparison.to_dict()
    sections["data"] = dataset.describe()
    # wide enough for the table when printed to a file or a pipe (as `plan` does)
    console = Console(width=None if sys.stdout.isatty() else 140)
    _print(console, comparison)
    save_run(console, out_dir, "compare", sections, report=report)


def _print(console: Console, comparison: Any) -> None:
    settings = comparison.settings
    model = settings.get("baseline_model")
    table = Table(
        title=f"Labels needed ({settings.get('scoring')}), against the baseline"
        + (f" ({model})" if model else "")
    )
    frame = comparison.labels_saved
    # Nothing is cut to "…" ("semi:self_trai…"): a strategy name keeps its width, the other
    # columns wrap, and fold a word only when the terminal is too narrow even for that.
    longest = max((len(str(name)) for name in frame["strategy"]), default=8)
    for column in ("target", "strategy", "labels", "80% interval", "baseline", "vs baseline"):
        if column == "strategy":
            table.add_column(column, no_wrap=True, min_width=longest)
        else:
            table.add_column(column, justify="right", overflow="fold")
    records = frame.to_dict(orient="records")
    for cells in labels_cells(records, baseline=comparison.baseline, targets=comparison.targets):
        table.add_row(*cells.values())
    console.print(table)
    for cross in comparison.crossovers:
        console.print(crossover_words(cross), markup=False)
    for name, reason in comparison.failures.items():
        console.print(f"{name}: failed ({reason})", markup=False)
    for name, reason in getattr(comparison, "partial_failures", {}).items():
        console.print(f"{name}: {reason}", markup=False)
    for note in getattr(comparison, "notes", []):
        console.print(note, markup=False)
