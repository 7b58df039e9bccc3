"""``howmuchdata diagnose``: what holds the model back, each finding with evidence and an action.

Thin: parse -> :func:`howmuchdata.data.load_dataset` -> a learning curve (unless ``--no-curve``)
-> the checks of :func:`howmuchdata.diagnose.diagnose` -> print (with the checks skipped for
want of an input) + ``result.json`` (``findings``, and the curve's
``points``/``curves``/``extrapolation``) + ``report.html``.
"""

from __future__ import annotations

import dataclasses
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from howmuchdata.cli._app import app
from howmuchdata.cli._errors import keep_on_interrupt
from howmuchdata.cli._models import default_model, model_lines, reads_table, require_target
from howmuchdata.cli._output import refuse_ambiguous_column, save_run, say_columns
from howmuchdata.curve import curves_to_result
from howmuchdata.data import load_dataset
from howmuchdata.deep.images import skipped_message
from howmuchdata.diagnose import Finding
from howmuchdata.diagnose.api import check_inputs, diagnosis_context, resolve_checks, run_checks
from howmuchdata.diagnose.registry import CURVE_CHECKS, KIND_CHECKS, check_names
from howmuchdata.errors import HowMuchDataError
from howmuchdata.result import check_can_update
from howmuchdata.store import default_store_url

SEVERITY_STYLE = {"critical": "bold red", "warning": "yellow", "info": "dim"}


@app.command(name="diagnose")
def diagnose_command(
    data: Annotated[
        Path, typer.Argument(help="CSV or Parquet file, one row per example, or an image folder.")
    ],
    target: Annotated[
        str | None,
        typer.Option("--target", "-t", help="Column to predict (not for image folders)."),
    ] = None,
    groups: Annotated[
        str | None, typer.Option(help="Column of group ids (patient, site): never split.")
    ] = None,
    time: Annotated[str | None, typer.Option(help="Time column: enables the drift check.")] = None,
    text: Annotated[
        str | None,
        typer.Option(help="Text column for the text models (tfidf-linear by default then)."),
    ] = None,
    subgroup: Annotated[
        str | None,
        typer.Option(help="Column of subgroups (site, device, ...) to score one by one."),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            "-m",
            help="Preset (logreg, rf, hgb, knn, mlp, cnn) or module:callable (default: "
            "logreg; cnn on an image folder).",
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output folder (default runs/<data name>).")
    ] = None,
    curve: Annotated[
        bool,
        typer.Option("--curve/--no-curve", help="Measure a learning curve for the curve checks."),
    ] = True,
    repeats: Annotated[int, typer.Option(help="Independent splits per curve size.")] = 5,
    sizes: Annotated[
        str | None, typer.Option(help="Curve sizes, e.g. 50,100,200 (default: geometric).")
    ] = None,
    scoring: Annotated[
        str | None,
        typer.Option(help="scikit-learn scorer name for the curve (default accuracy / r2)."),
    ] = None,
    check: Annotated[
        list[str] | None,
        typer.Option("--check", help=f"Run only this check; repeatable ({check_names()})."),
    ] = None,
    target_score: Annotated[
        float | None,
        typer.Option(
            help="Overall accuracy (0-1) the per-class advice aims at; default: the current one."
        ),
    ] = None,
    min_gain: Annotated[
        float, typer.Option(help="Gain per doubling below which more data is not worth it.")
    ] = 0.005,
    task: Annotated[
        str | None, typer.Option(help="classification or regression (default: inferred).")
    ] = None,
    drop: Annotated[
        list[str] | None, typer.Option(help="Column to leave out of the features; repeatable.")
    ] = None,
    stratify: Annotated[
        bool,
        typer.Option(
            "--stratify/--no-stratify", help="Stratify the curve's classification splits."
        ),
    ] = True,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Parallel workers.")] = 1,
    seed: Annotated[int, typer.Option(help="Root random seed.")] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")] = False,
    report: Annotated[bool, typer.Option("--report/--no-report", help="Write report.html.")] = True,
) -> None:
    """Diagnose what holds the model back: label noise, duplicates, drift, overfitting, ..."""
    from howmuchdata.cli.curve import (
        _task,
        extrapolate_curves,
        parse_sizes,
        run_curves,
        say_before_fits,
    )

    if jobs < 1:
        raise HowMuchDataError(f"--jobs {jobs}; pass 1 or more workers")
    if curve and groups is not None and time is not None:
        # the learning curve splits by groups or by time; both at once needs a splitter
        raise HowMuchDataError(
            "use --groups or --time, not both (the learning curve splits by one of them; "
            "--no-curve runs the data checks with both); for grouped time series, use the "
            "Python API with cv="
        )
    resolve_checks(check)
    require_target(data, target, "diagnose")
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
    if (note := skipped_message(dataset)) is not None:  # image files it could not read
        typer.echo(f"howmuchdata: {note}", err=True)
    default, reason = default_model(dataset, text)
    lines = model_lines([model or default], text=text, reason=None if model else reason)
    model = model or default
    if subgroup is not None and subgroup == groups:
        subgroup_values: Any = dataset.groups  # the group column left the features
    else:
        subgroup_values = subgroup
    options = {"target": target_score, "min_gain": min_gain, "random_state": seed, "n_jobs": jobs}
    # Bad thresholds, a bad subgroup and a named check without its input fail here, before
    # the (slow) learning curve: the data alone tells.
    check_inputs(
        diagnosis_context(None, dataset, subgroup=subgroup_values, **options),
        check,
        curve_to_come=curve,
    )
    out_dir = out or Path("runs") / data.stem
    check_can_update(out_dir)  # before any fit, not after
    sections: dict[str, Any] = {"data": dataset.describe()}
    measured = None
    extrapolation = None
    if curve:
        (measured,) = run_curves(  # stops with the store named on Ctrl-C
            dataset,
            models=[model],
            out_dir=out_dir,
            sizes=parse_sizes(sizes),
            repeats=repeats,
            scoring=scoring,
            jobs=jobs,
            backend="local",
            scheduler=None,
            store=None,
            val_fraction=0.2,
            stratify=None if stratify else False,
            seed=seed,
            quiet=quiet,
            before_fits=lambda: say_before_fits(dataset, [model], lines),
        )
        sections.update(curves_to_result([measured]))
        fitted = extrapolate_curves([measured])
        if fitted:
            extrapolation = fitted[measured.model]
            sections["extrapolation"] = {measured.model: extrapolation.to_dict()}
    ctx = diagnosis_context(
        measured,
        dataset,
        subgroup=subgroup_values,
        estimator=model,
        extrapolation=extrapolation,
        out_dir=out_dir,
        **options,
    )
    # the data checks refit models too (slow on large tables): Ctrl-C there keeps the curve
    with keep_on_interrupt(default_store_url(out_dir)) if curve else nullcontext():
        findings, skipped = run_checks(ctx, check)
    sections["findings"] = [
        _with_model(f, measured.model if measured is not None else None).to_dict() for f in findings
    ]
    console = Console()
    ran = [name for _, name in resolve_checks(check) if name not in skipped]
    if ran:
        print_findings(console, findings)
        if (clear := clear_line(ran, findings)) is not None:
            console.print(clear, markup=False, highlight=False)
    else:
        console.print("no check could run on these inputs; the line below says what each needs")
    if skipped:
        console.print(skipped_line(skipped), markup=False, highlight=False)
    if not curve:  # with a curve, said before its first fit; a bad input stays the only line
        say_columns(dataset, table_models=reads_table([model]))
    save_run(console, out_dir, "diagnose", sections, report=report, checks=ran)


def _with_model(finding: Finding, model: str | None) -> Finding:
    """A curve check's finding with the curve it read named in its evidence (as ``curve``
    writes them), so a later run of the same folder knows which curve it belongs to."""
    if model is None or KIND_CHECKS.get(finding.kind, finding.kind) not in CURVE_CHECKS:
        return finding
    return dataclasses.replace(finding, evidence={"model": model, **finding.evidence})


#: How the command line gives each input a skipped check lacks.
SKIPPED_BECAUSE = {
    "curve": "a learning curve: drop --no-curve",
    "time": "--time",
    "subgroup": "--subgroup",
    "groups": "--groups",
    "classification": "a classification target",
    "data": "the data",
    "table": "a table, not image files",
}


def clear_line(ran: list[str], findings: list[Finding]) -> str | None:
    """One line naming the checks that ran and found nothing (None when every one found
    something): a check that is not in the table was not forgotten.

    >>> clear_line(["duplicates", "subgroup_underperforms"], [])
    'checked, nothing found: duplicates, subgroup_underperforms'
    """
    found = {KIND_CHECKS.get(f.kind, f.kind) for f in findings}
    clear = [name for name in ran if name not in found]
    return f"checked, nothing found: {', '.join(clear)}" if clear else None


def skipped_line(skipped: dict[str, str]) -> str:
    """One line naming the checks that did not run and the input each lacks.

    >>> skipped_line({"drift": "time", "subgroup_underperforms": "subgroup"})
    'skipped: drift (needs --time); subgroup_underperforms (needs --subgroup)'
    """
    by_need: dict[str, list[str]] = {}
    for name, need in skipped.items():
        by_need.setdefault(need, []).append(name)
    parts = [
        f"{', '.join(names)} (need{'s' if len(names) == 1 else ''} "
        f"{SKIPPED_BECAUSE.get(need, need)})"
        for need, names in by_need.items()
    ]
    return "skipped: " + "; ".join(parts)


def print_findings(console: Console, findings: list[Finding]) -> None:
    """A table of the findings, most important first."""
    if not findings:
        console.print("no findings: nothing the checks that ran could see holds this model back")
        return
    table = Table(title="What holds the model back (most important first)", show_lines=True)
    table.add_column("severity")
    table.add_column("kind")
    table.add_column("advice", overflow="fold")
    for f in findings:
        table.add_row(f"[{SEVERITY_STYLE[f.severity]}]{f.severity}[/]", f.kind, escape(f.advice))
    console.print(table)
