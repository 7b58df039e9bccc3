"""``howmuchdata plan``: how many labels to buy next (from a run folder) or before any data.

Thin: parse -> :func:`howmuchdata.planner.plan` / :func:`howmuchdata.planner.plan_before_data`
-> print (rich) -> ``result.json`` ``plan`` key -> ``report.html``.
"""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from howmuchdata._format import fixed
from howmuchdata.cli._app import app
from howmuchdata.cli._output import save_run
from howmuchdata.errors import HowMuchDataError
from howmuchdata.planner.decision import DEFAULT_POINT
from howmuchdata.result import read_result

OUTCOMES = ("binary", "continuous", "survival")
#: Keyword names of the before-data functions, as their error messages name them.
_KEYWORDS = (
    "parameters",
    "prevalence",
    "r2_cs",
    "r2_nagelkerke",
    "c_statistic",
    "r2",
    "intercept",
    "sd",
    "rate",
    "timepoint",
    "mean_followup",
    "shrinkage",
    "pool",
)
# The name must end at a word boundary before the optional "=", so that "pool=0.0" reads
# "--pool 0.0" (a lookahead after the "=" failed on a digit and let "--pool=0.0" through).
_KEYWORD = re.compile(r"(?<![\w-])(" + "|".join(_KEYWORDS) + r")(?!\w)(=)?")
#: Keywords of plan() from a measured curve, as its error messages name them; those that are
#: also plain words ("the penalty") are options only where a value is assigned.
_PLAN_KEYWORD = re.compile(
    r"(?<![\w-])(cost_per_label|value_per_point|value_of_target|max_size|rounds|penalty|budget"
    r"|point|target)(?!\w)(=)?"
)
_PLAIN_WORDS = ("rounds", "penalty", "budget", "point", "target")


def as_flags(message: str) -> str:
    """An error message of the Python API with its keywords spelled as this command's options.

    ``"pass prevalence=..."`` becomes ``"pass --prevalence ..."``, ``"sd=-1 is not ..."``
    becomes ``"--sd -1 is not ..."``, ``"pool=0.0 is not ..."`` becomes ``"--pool 0.0 is not
    ..."`` and ``"one of r2_cs, c_statistic"`` becomes ``"one of --r2-cs, --c-statistic"``.
    """
    return _spell_as_options(message, _KEYWORD)


def as_plan_flags(message: str) -> str:
    """:func:`as_flags` for the keywords of a plan from a measured curve:
    ``"cost_per_label=-2.0 ...; pass cost_per_label >= 0"`` becomes ``"--cost-per-label -2.0
    ...; pass --cost-per-label >= 0"``, while "the penalty" stays a word."""
    return _spell_as_options(message, _PLAN_KEYWORD, plain_words=_PLAIN_WORDS)


def _spell_as_options(
    message: str, keywords: re.Pattern[str], plain_words: tuple[str, ...] = ()
) -> str:
    """``keywords`` (name, then an optional "=") as options: ``--name value``; a name in
    ``plain_words`` only where a value is assigned to it."""

    def flag(m: re.Match[str]) -> str:
        if m.group(1) in plain_words and not m.group(2):
            return m.group(0)
        name = "--" + m.group(1).replace("_", "-")
        return name + " " if m.group(2) else name

    return keywords.sub(flag, message)


def _refuse(given: dict[str, bool], where: str, fix: str = "") -> None:
    """Refuse options that the chosen kind of plan would ignore."""
    ignored = [name for name, is_given in given.items() if is_given]
    if ignored:
        one = len(ignored) == 1
        raise HowMuchDataError(
            f"{', '.join(ignored)} {'applies' if one else 'apply'} only {where}; "
            f"drop {'it' if one else 'them'}{fix}"
        )


def _check_point(point: float) -> None:
    """Refuse a ``--point`` that is not a positive, finite number of metric units."""
    if not (math.isfinite(point) and point > 0):
        raise HowMuchDataError(
            f"--point {point!r} is not a positive finite number; pass the metric units in one point, "
            f"e.g. --point {DEFAULT_POINT:g} for accuracy or --point 1 for an RMSE in the target's units"
        )


def _point_words(p: Any) -> str | None:
    """The line saying what one point of the metric is, where the value per point is priced."""
    econ = p.economics
    if econ.value_per_point > 0:
        return (
            f"Value per point: {econ.value_per_point:,.2f} per {econ.point:g} of the metric "
            "(--point; also the unit of pts/1k labels)."
        )
    if econ.point != DEFAULT_POINT:
        return f"One point is {econ.point:g} of the metric (--point; the unit of pts/1k labels)."
    return None


def _rule_words(next_round: Any) -> str | None:
    """The line naming the rule that chose this round's labels: ``next_round.rule`` of the plan."""
    rule = next_round.get("rule") if isinstance(next_round, dict) else None
    return f"Rule: {rule}" if rule else None


def _rows_words(p: Any, meta: dict[str, Any] | None) -> str | None:
    """The line that turns the plan's sizes (training labels) into rows to label in all, where
    the curve held rows out for validation: ``current_size`` counts the training rows only."""
    settings = (meta or {}).get("settings") or {}
    fraction, rows = settings.get("val_fraction"), (meta or {}).get("n_samples")
    size = p.next_round.get("size") if isinstance(p.next_round, dict) else None
    if not isinstance(fraction, int | float) or not 0 < fraction < 1 or size is None:
        return None
    held = f" of its {rows:,} rows" if isinstance(rows, int) else ""
    return (
        f"Sizes count training labels: the curve held out {fraction:.0%}{held} for validation, "
        f"so a total of {int(size):,} training labels is about "
        f"{math.ceil(size / (1.0 - fraction)):,} labelled rows with the same share held out."
    )


def _fmt(v: float, digits: int = 4) -> str:
    return "-" if v is None or not np.isfinite(v) else fixed(v, digits)


def _check_target(result: dict[str, Any], model: str | None, target: float) -> None:
    """Refuse a target outside the range of the curve's scorer before the extrapolation.

    A folder of an extrapolation alone (``extrapolate POINTS.csv``) has no scorer: :func:`plan`
    checks its target, with the direction the extrapolation read.
    """
    from howmuchdata.metrics import check_target_score

    metas = [m for m in result.get("curves", []) if model in (None, m.get("model"))]
    if not metas:
        return
    meta = metas[0]
    scores = [p["val_score"] for p in result.get("points", []) if p.get("val_score") is not None]
    greater = meta.get("greater_is_better", True) is not False
    check_target_score(target, greater, meta.get("scoring"), max(scores, default=1.0))


def _extrapolation_for(
    result: dict[str, Any], model: str | None
) -> tuple[Any, str, int, bool | None, Any]:
    """(extrapolation, model name, largest size, greater_is_better, points) from result.json."""
    from howmuchdata.extrapolate import Extrapolation, extrapolate

    points = [
        p
        for p in result.get("points", [])
        if p.get("status", "ok") == "ok" and p.get("val_score") is not None
    ]
    metas = {m["model"]: m for m in result.get("curves", []) if "model" in m}
    stored = result.get("extrapolation") or {}
    names = list(dict.fromkeys([*metas, *stored, *(p["model"] for p in points if "model" in p)]))
    if not names:
        raise HowMuchDataError(
            "the run folder has no curve; run `howmuchdata curve DATA --target COL --out RUN_DIR` first"
        )
    if model is None:
        model = names[0]
    elif model not in names:
        raise HowMuchDataError(
            f"no curve for model {model!r} in this run; pass --model with one of: {', '.join(names)}"
        )
    meta = metas.get(model, {})
    mine = [p for p in points if p.get("model") == model]
    if model in stored:
        ext = Extrapolation.from_dict(stored[model])
    elif mine:
        ext = extrapolate(
            np.array([p["size"] for p in mine], float),
            np.array([p["val_score"] for p in mine], float),
        )
    else:
        raise HowMuchDataError(
            f"model {model!r} has no successful points; rerun `howmuchdata curve`"
        )
    sizes = [p["size"] for p in mine] or list(
        (getattr(ext, "observed", None) or {}).get("sizes", [])
    )
    if not sizes:
        raise HowMuchDataError(
            "cannot tell how many labels the run used; rerun `howmuchdata curve`"
        )
    gib = meta.get("greater_is_better")
    points = (
        (
            np.array([p["size"] for p in mine], float),
            np.array([p["val_score"] for p in mine], float),
        )
        if mine
        else None
    )
    return ext, model, int(max(sizes)), gib, points


def _print_plan(console: Console, p: Any, model: str, meta: dict[str, Any] | None = None) -> None:
    table = Table(title=f"Plan for {model} (80% intervals)")
    for col in (
        "total size",
        "buy",
        "score [80%]",
        "P(target)",
        "cost",
        "value [80%]",
        "net benefit [80%]",
        "pts/1k labels",
    ):
        table.add_column(col, justify="right")
    for _, r in p.table.iterrows():
        table.add_row(
            f"{int(r['size']):,}",
            f"{int(r['extra_labels']):,}",
            f"{_fmt(r['score'])} [{_fmt(r['score_lo'])}, {_fmt(r['score_hi'])}]",
            "-" if not np.isfinite(r["p_reach"]) else f"{r['p_reach']:.0%}",
            f"{r['cost']:,.0f}",
            f"{r['value']:,.0f} [{r['value_lo']:,.0f}, {r['value_hi']:,.0f}]",
            f"{r['net_benefit']:,.0f} [{r['net_lo']:,.0f}, {r['net_hi']:,.0f}]",
            f"{r['gain_per_1000']:.2f}",
        )
    console.print(table)
    point = _point_words(p)
    if point:
        console.print(point, markup=False, highlight=False)
    console.print(p.summary())
    rule = _rule_words(p.next_round)
    if rule:
        console.print(rule, markup=False, highlight=False)
    rows = _rows_words(p, meta)
    if rows:
        console.print(rows, markup=False, highlight=False)
    for item in p.priorities:
        console.print(f"Buy first: {_priority_words(item)}", highlight=False)


def _chosen_words(result: dict[str, Any], name: str) -> str | None:
    """Which curve a plan without ``--model`` read, where the run has several: the first, which
    need not be the best one that the report's headline speaks of."""
    others = [
        str(m["model"])
        for m in result.get("curves", [])
        if isinstance(m, dict) and "model" in m and m["model"] != name
    ]
    if not others:
        return None
    shown = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
    return (
        f"Planned for {name}, the first curve of the run; pass --model to plan for another "
        f"({shown})."
    )


def _priority_words(item: dict[str, Any]) -> str:
    """One line for a class or subgroup to buy first: who, and the diagnosis' advice."""
    who = f"class {item['class']}" if "class" in item else f"subgroup {item.get('subgroup', '?')}"
    advice = item.get("advice")
    return f"{who} ({item.get('kind', 'finding')}): {advice}" if advice else who


@app.command("plan")
def plan_command(
    run_dir: Annotated[
        Path | None, typer.Argument(help="Run folder with result.json from `howmuchdata curve`.")
    ] = None,
    target: Annotated[float | None, typer.Option(help="Score to reach, e.g. 0.92.")] = None,
    cost_per_label: Annotated[float, typer.Option(help="Currency per extra label.")] = 0.0,
    value_per_point: Annotated[
        float, typer.Option(help="Currency per point of the metric (a point is --point units).")
    ] = 0.0,
    value_of_target: Annotated[float, typer.Option(help="Currency for reaching the target.")] = 0.0,
    budget: Annotated[float | None, typer.Option(help="Most currency to spend on labels.")] = None,
    rounds: Annotated[int, typer.Option(help="Purchases left including this one.")] = 1,
    penalty: Annotated[float, typer.Option(help="Cost of ending below the target.")] = 0.0,
    point: Annotated[
        float | None,
        typer.Option(
            help="Metric units in one point of --value-per-point and pts/1k labels (default "
            "0.01, a percentage point, for accuracy-like metrics and R², 1 otherwise; a metric in "
            "the target's units, e.g. an RMSE, needs it with --value-per-point)."
        ),
    ] = None,
    max_size: Annotated[
        int | None,
        typer.Option(
            help="Most training labels there can be in all (a size of the curve: rows held out "
            "for validation not counted)."
        ),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option("--model", "-m", help="Which curve of the run (default: the first)."),
    ] = None,
    before_data: Annotated[
        bool,
        typer.Option(
            "--before-data",
            help="Plan before any data: Riley et al. minimum sample size (implied by --outcome, "
            "--parameters and the other inputs of such a plan when no RUN_DIR is given).",
        ),
    ] = False,
    outcome: Annotated[
        str | None, typer.Option(help="binary, continuous or survival (with --before-data).")
    ] = None,
    parameters: Annotated[int | None, typer.Option(help="Candidate predictor parameters.")] = None,
    prevalence: Annotated[float | None, typer.Option(help="Binary: outcome proportion.")] = None,
    r2_cs: Annotated[
        float | None, typer.Option("--r2-cs", help="Anticipated Cox-Snell R-squared.")
    ] = None,
    r2_nagelkerke: Annotated[
        float | None, typer.Option("--r2-nagelkerke", help="Anticipated Nagelkerke R-squared.")
    ] = None,
    c_statistic: Annotated[
        float | None, typer.Option("--c-statistic", help="Binary: anticipated C statistic.")
    ] = None,
    r2: Annotated[
        float | None, typer.Option("--r2", help="Continuous: anticipated adjusted R-squared.")
    ] = None,
    intercept: Annotated[float | None, typer.Option(help="Continuous: mean outcome.")] = None,
    sd: Annotated[
        float | None, typer.Option(help="Continuous: outcome standard deviation.")
    ] = None,
    rate: Annotated[float | None, typer.Option(help="Survival: event rate per unit time.")] = None,
    timepoint: Annotated[float | None, typer.Option(help="Survival: time of interest.")] = None,
    mean_followup: Annotated[float | None, typer.Option(help="Survival: mean follow-up.")] = None,
    shrinkage: Annotated[float, typer.Option(help="Required expected shrinkage.")] = 0.9,
    learner: Annotated[
        str | None,
        typer.Option(help="Model preset for the similar-problems estimate (logreg, rf, ...)."),
    ] = None,
    pool: Annotated[
        float | None, typer.Option(help="Rows you could label at most (similar-problems band).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Output folder (--before-data; default: print only)."),
    ] = None,
    report: Annotated[bool, typer.Option("--report/--no-report", help="Write report.html.")] = True,
) -> None:
    """Plan how many labels to buy next, at what cost and with what chance."""
    from howmuchdata.planner import Economics, plan, plan_before_data

    # wide enough for the table when printed to a file or a pipe
    console = Console(width=None if sys.stdout.isatty() else 140)
    pre_data = {
        "--outcome": outcome is not None,
        "--parameters": parameters is not None,
        "--prevalence": prevalence is not None,
        "--r2-cs": r2_cs is not None,
        "--r2-nagelkerke": r2_nagelkerke is not None,
        "--c-statistic": c_statistic is not None,
        "--r2": r2 is not None,
        "--intercept": intercept is not None,
        "--sd": sd is not None,
        "--rate": rate is not None,
        "--timepoint": timepoint is not None,
        "--mean-followup": mean_followup is not None,
        "--shrinkage": shrinkage != 0.9,
        "--learner": learner is not None,
        "--pool": pool is not None,
    }
    # Without RUN_DIR, the inputs of a plan before data mean one: --before-data is implied.
    before_data = before_data or (run_dir is None and any(pre_data.values()))
    if before_data:
        if run_dir is not None:
            raise HowMuchDataError(
                f"pass either RUN_DIR ({run_dir}) or --before-data, not both; RUN_DIR plans "
                "from its measured curve, --before-data from assumptions before any data"
            )
        _refuse(
            {
                "--target": target is not None,
                "--cost-per-label": cost_per_label != 0.0,
                "--value-per-point": value_per_point != 0.0,
                "--value-of-target": value_of_target != 0.0,
                "--budget": budget is not None,
                "--rounds": rounds != 1,
                "--penalty": penalty != 0.0,
                "--point": point is not None,
                "--max-size": max_size is not None,
                "--model": model is not None,
            },
            "to a plan from a measured curve (RUN_DIR), not with --before-data",
        )
        if outcome is None:
            raise HowMuchDataError(
                f"a plan before data (--before-data) needs --outcome; pass one of "
                f"{', '.join(OUTCOMES)}"
            )
        if parameters is None:
            raise HowMuchDataError(
                "a plan before data (--before-data) needs --parameters; pass the number of "
                "candidate predictor parameters"
            )
        try:
            result = plan_before_data(
                outcome,
                model=learner,
                pool=pool,
                parameters=parameters,
                prevalence=prevalence,
                r2_cs=r2_cs,
                r2_nagelkerke=r2_nagelkerke,
                c_statistic=c_statistic,
                r2=r2,
                intercept=intercept,
                sd=sd,
                rate=rate,
                timepoint=timepoint,
                mean_followup=mean_followup,
                shrinkage=shrinkage,
            )
        except HowMuchDataError as err:
            raise HowMuchDataError(as_flags(str(err))) from None
        console.print(result.summary())
        if out is not None:
            save_run(console, out, "plan --before-data", {"plan": result.to_dict()}, report=report)
        return
    if run_dir is None:
        raise HowMuchDataError(
            "nothing to plan from; pass RUN_DIR (a folder written by `howmuchdata curve`) or "
            "--before-data --outcome ... --parameters ..."
        )
    _refuse(
        {**pre_data, "--out": out is not None},
        "with --before-data, not to a plan from RUN_DIR",
        " or pass --before-data without RUN_DIR",
    )
    if point is not None:
        _check_point(point)
    result_json = read_result(run_dir)
    # Refuse bad money and targets before the (slower) extrapolation.
    try:
        Economics(
            cost_per_label=cost_per_label,
            value_per_point=value_per_point,
            value_of_target=value_of_target,
            penalty=penalty,
            budget=float("inf") if budget is None else budget,
            point=DEFAULT_POINT if point is None else point,
        )
        if target is not None:
            _check_target(result_json, model, target)
        ext, name, current, gib, points = _extrapolation_for(result_json, model)
        p = plan(
            ext,
            target=target,
            cost_per_label=cost_per_label,
            value_per_point=value_per_point,
            value_of_target=value_of_target,
            penalty=penalty,
            budget=budget,
            rounds=rounds,
            current_size=current,
            max_size=max_size,
            greater_is_better=gib,
            point=point,
            findings=result_json.get("findings"),
            points=points,
        )
    except HowMuchDataError as err:
        raise HowMuchDataError(as_plan_flags(str(err))) from None
    meta = next((m for m in result_json.get("curves", []) if m.get("model") == name), None)
    _print_plan(console, p, name, meta)
    if model is None:
        chosen = _chosen_words(result_json, name)
        if chosen:
            console.print(chosen, markup=False, highlight=False)
    save_run(console, run_dir, "plan", {"plan": {"model": name, **p.to_dict()}}, report=report)
