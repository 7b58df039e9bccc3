"""``diagnose``: run the registered checks on a curve and/or the data, most important first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from howmuchdata.curve.core import most_common_error
from howmuchdata.data import listed_names
from howmuchdata.diagnose.context import DiagnoseOptions, DiagnosisContext
from howmuchdata.diagnose.finding import Finding, sort_findings
from howmuchdata.diagnose.overfitting import with_drift_reading
from howmuchdata.diagnose.registry import CHECKS, KIND_REQUIRES, get_check, resolve_check
from howmuchdata.errors import HowMuchDataError


def diagnose(
    curve: Any = None,
    X: Any = None,
    y: Any = None,
    *,
    groups: Any = None,
    time: Any = None,
    subgroup: Any = None,
    estimator: Any = None,
    extrapolation: Any = None,
    checks: Sequence[str] | None = None,
    **options: Any,
) -> list[Finding]:
    """Find what holds the model back: each finding with its evidence and one action.

    Parameters
    ----------
    curve : LearningCurve or pandas.DataFrame, optional
        A curve from :func:`howmuchdata.learning_curve` (or its ``points`` table). Needed by
        the curve checks: ``data_limited``/``saturated``, ``overfitting``/``high_variance``,
        ``capacity_limited``, ``params_per_example``, ``class_needs_data``.
    X : DataFrame, array or Dataset, optional
        Features (or a :class:`howmuchdata.data.Dataset`, which brings ``y``, ``groups`` and
        ``time``). Needed by the data checks: ``label_noise``, ``duplicates``/``leakage``,
        ``imbalance``, ``subgroup_underperforms``, ``drift``.
    y : array-like, optional
        Target, one value per row of ``X``.
    groups : array-like, optional
        Group per row (e.g. patient id): folds keep groups apart; copies across groups are
        reported as ``leakage``.
    time : array-like, optional
        Time stamp per row: enables the ``drift`` check.
    subgroup : str or array-like, optional
        A column of ``X`` or one value per row (site, device, ...): enables the
        ``subgroup_underperforms`` check. Every subgroup needs at least two rows.
    estimator : estimator or str, optional
        The model the data checks cross-validate (a preset name, or an estimator;
        non-pipelines get the standard preprocessing). Defaults to the curve's model when the
        curve is named after a preset (``name="hgb"``), else ``options["model"]``
        (``"logreg"``).
    extrapolation : Extrapolation, optional
        A fit of ``curve``; fitted from the curve when not given.
    checks : sequence of str, optional
        The checks to run: registry names (see :data:`howmuchdata.diagnose.registry.CHECKS`)
        or finding kinds, which run the check that finds them (``saturated`` ->
        ``data_limited``, ``high_variance`` -> ``overfitting``, ``leakage`` -> ``duplicates``).
        Default: every check whose inputs are given; the others are skipped. The data checks
        need a table of features: for a Dataset read from image files (an image folder) only
        the curve checks run.
    **options
        Thresholds and settings, see :class:`DiagnoseOptions` (e.g. ``out_dir`` to write
        ``label_issues.csv``, ``target``, ``min_gain``, ``cv``, ``random_state``).

    Returns
    -------
    list of Finding
        Most important first (critical before warning before info).

    Raises
    ------
    HowMuchDataError
        When there is nothing to diagnose (no curve and no data, a ``curve`` that is neither
        a LearningCurve nor a points table with ``size`` and ``val_score``, or a curve whose
        every point failed given without the data), ``y``, ``groups``, ``time`` or
        ``subgroup`` do not fit ``X`` (e.g. a missing subgroup column or a subgroup with one row), an option is
        out of range, or a check named in ``checks`` lacks an input it needs (e.g.
        ``overfitting`` without a curve, ``drift`` without ``time``).
    """
    resolve_checks(checks)  # an unknown name fails before any data is read
    ctx = diagnosis_context(
        curve,
        X,
        y,
        groups=groups,
        time=time,
        subgroup=subgroup,
        estimator=estimator,
        extrapolation=extrapolation,
        **options,
    )
    if curve is not None and not ctx.has_curve and not ctx.has_data:
        # every check would be skipped: an empty list would read as "nothing holds it back"
        raise HowMuchDataError(_no_successful_points(ctx.curve))
    findings, _ = run_checks(ctx, checks)
    return findings


def _no_successful_points(curve: Any) -> str:
    """The one-line error for a curve without a single successful point."""
    frame = curve if isinstance(curve, pd.DataFrame) else curve.points
    if frame.empty:
        return "the curve has no points; measure it first (hmd.learning_curve), or pass X and y"
    found = most_common_error(frame)
    common = f" (most common error, {found[0]} times: {found[1]})" if found else ""
    return (
        f"every one of the {len(frame)} points of the curve failed{common}, so there is "
        "nothing to diagnose; fix that and measure again, or pass X and y for the data checks"
    )


def diagnosis_context(
    curve: Any = None,
    X: Any = None,
    y: Any = None,
    *,
    groups: Any = None,
    time: Any = None,
    subgroup: Any = None,
    estimator: Any = None,
    extrapolation: Any = None,
    **options: Any,
) -> DiagnosisContext:
    """The validated inputs of :func:`diagnose`, as the context its checks read.

    Parameters are those of :func:`diagnose` (without ``checks``). Nothing is fitted here: the
    expensive values are computed when a check first reads them.

    Returns
    -------
    DiagnosisContext

    Raises
    ------
    HowMuchDataError
        As :func:`diagnose`.
    """
    opts = DiagnoseOptions.from_kwargs(**options)
    if curve is None and X is None:
        raise HowMuchDataError("nothing to diagnose; pass a learning curve, or X and y")
    _check_curve(curve)
    return _context(curve, X, y, groups, time, subgroup, estimator, extrapolation, opts)


def resolve_checks(checks: Sequence[str] | None) -> list[tuple[str, str]]:
    """``(name asked for, registered check)`` per distinct check to run, in the order asked.

    ``None`` means every registered check. A finding kind that is not a check name (e.g.
    ``saturated``) stands for the check that finds it (``data_limited``).

    Raises
    ------
    HowMuchDataError
        For a name that is neither a check nor a finding kind.
    """
    if checks is None:
        return [(name, name) for name in CHECKS]
    if isinstance(checks, str):
        checks = [checks]
    chosen: dict[str, str] = {}
    for name in checks:
        chosen.setdefault(resolve_check(name), name)
    return [(asked, check) for check, asked in chosen.items()]


def run_checks(
    ctx: DiagnosisContext, checks: Sequence[str] | None = None
) -> tuple[list[Finding], dict[str, str]]:
    """Run checks on a context: the findings, and the checks skipped for want of an input.

    Parameters
    ----------
    ctx : DiagnosisContext
        From :func:`diagnosis_context`.
    checks : sequence of str, optional
        Check names or finding kinds, as in :func:`diagnose`. ``None`` runs every check whose
        inputs are there and skips the others.

    Returns
    -------
    findings : list of Finding
        Most important first.
    skipped : dict of str to str
        Check name -> the first input it lacks (``curve``, ``time``, ``subgroup``,
        ``classification``, ...); empty when checks were named, since those must run.

    Raises
    ------
    HowMuchDataError
        When a check asked for by name cannot run on these inputs (e.g. ``overfitting``
        without a learning curve); the message names the missing input and how to give it.
    """
    findings: list[Finding] = []
    skipped: dict[str, str] = {}
    ran: set[str] = set()
    for asked, name in resolve_checks(checks):
        check = get_check(name)
        missing = _missing(ctx, asked, check)
        if missing is None:
            findings.extend(check.run(ctx))
            ran.add(name)
        elif checks is None:
            skipped[name] = missing
        else:
            raise HowMuchDataError(_cannot_run(ctx, asked, name, missing))
    if "drift" in ran:
        findings = with_drift_reading(findings)
    return sort_findings(findings), skipped


def check_inputs(
    ctx: DiagnosisContext, checks: Sequence[str] | None, *, curve_to_come: bool = False
) -> None:
    """Raise the error of :func:`run_checks` now, for a named check that could not run.

    For callers that measure the curve after validating the rest: with ``curve_to_come`` a
    check that needs a curve is taken as runnable. ``None`` (every check) never raises.

    Raises
    ------
    HowMuchDataError
        When a check named in ``checks`` lacks an input it needs.
    """
    if checks is None:
        return
    for asked, name in resolve_checks(checks):
        missing = _missing(ctx, asked, get_check(name), curve_to_come)
        if missing is not None:
            raise HowMuchDataError(_cannot_run(ctx, asked, name, missing))


def _missing(
    ctx: DiagnosisContext, asked: str, check: Any, curve_to_come: bool = False
) -> str | None:
    """The first input the check (asked for as ``asked``) needs and ``ctx`` lacks, if any."""
    for need in (*check.requires, *KIND_REQUIRES.get(asked, ())):
        if not (ctx.has(need) or (need == "curve" and curve_to_come)):
            return need
    return None


#: What each input a check may need is, and how to give it (CLI first, then Python).
_INPUTS: dict[str, tuple[str, str]] = {
    "curve": ("a learning curve", "drop --no-curve (Python: pass the curve)"),
    "data": ("the data", "pass X and y (or a Dataset)"),
    "time": ("a time column", "pass --time (Python: time=)"),
    "subgroup": ("a subgroup column", "pass --subgroup (Python: subgroup=)"),
    "groups": ("group ids", "pass --groups (Python: groups=)"),
}


def _cannot_run(ctx: DiagnosisContext, asked: str, name: str, need: str) -> str:
    """The one-line error for a check asked for by name whose input ``need`` is missing."""
    which = f"check {asked!r}" if asked == name else f"check {asked!r} (found by {name!r})"
    if need == "curve" and ctx.curve is not None:
        return (
            f"{which} needs a learning curve with successful points, and every point of the "
            "curve given failed; fix what made them fail (the curve's failures) and measure again"
        )
    if need == "classification":
        return (
            f"{which} needs a classification target and this one is {ctx.task}; leave the check out"
        )
    if need == "table":
        return (
            f"{which} needs a table of features, not image files; leave the check out (the "
            "curve checks, e.g. --check data_limited, run on images)"
        )
    what, how = _INPUTS.get(need, (need, f"pass {need}="))
    return f"{which} needs {what}; {how}, or leave the check out"


def _context(
    curve: Any,
    X: Any,
    y: Any,
    groups: Any,
    time: Any,
    subgroup: Any,
    estimator: Any,
    extrapolation: Any,
    opts: DiagnoseOptions,
) -> DiagnosisContext:
    from howmuchdata.data import Dataset, load_dataset

    task = None
    if isinstance(X, Dataset):
        dataset = X
    elif X is not None:
        if y is None:
            raise HowMuchDataError("X given without y; pass the target values as y")
        dataset = load_dataset(
            X, target=y, groups=groups, time=time, task=getattr(curve, "task", None)
        )
    else:
        dataset = None
    if dataset is not None:
        task = dataset.task
        subgroup_values = _subgroup(subgroup, dataset.X)
        return DiagnosisContext(
            curve,
            dataset.X,
            dataset.y,
            groups=dataset.groups,
            time=dataset.time,
            subgroup=subgroup_values,
            task=task,
            estimator=estimator,
            extrapolation=extrapolation,
            options=opts,
            images=_holds_images(dataset),
        )
    if subgroup is not None or groups is not None or time is not None:
        raise HowMuchDataError(
            "groups, time or subgroup given without the data; pass X and y as well"
        )
    return DiagnosisContext(curve, estimator=estimator, extrapolation=extrapolation, options=opts)


#: The columns a points table must have for the curve checks to read it.
_POINT_COLUMNS_NEEDED = ("size", "val_score")


def _check_curve(curve: Any) -> None:
    """Refuse a ``curve`` the checks cannot read: not a curve, or a table without its columns."""
    if curve is None:
        return
    frame = curve if isinstance(curve, pd.DataFrame) else getattr(curve, "points", None)
    if not isinstance(frame, pd.DataFrame):
        from howmuchdata.data import Dataset

        if isinstance(curve, Dataset | np.ndarray | list):
            # data given where the curve goes: diagnose's first argument is the curve
            raise HowMuchDataError(
                f"the first argument of diagnose is a learning curve, not data "
                f"({type(curve).__name__}); pass the data by keyword: "
                "hmd.diagnose(curve, X=..., y=...), or hmd.diagnose(X=dataset) without a curve"
            )
        raise HowMuchDataError(
            f"curve of type {type(curve).__name__} is not a learning curve; pass the result of "
            "hmd.learning_curve (or its points table; a saved dict: LearningCurve.from_dict)"
        )
    missing = [c for c in _POINT_COLUMNS_NEEDED if c not in frame.columns]
    if missing and not frame.empty:
        raise HowMuchDataError(
            f"the curve's points table has no column {', '.join(map(repr, missing))}; pass "
            "curve.points of a LearningCurve, or a table with size, repeat, val_score and "
            "train_score columns"
        )


def _holds_images(dataset: Any) -> bool:
    """Whether a :class:`~howmuchdata.data.Dataset` was read from image files (an image folder
    or a CSV of image paths: :func:`howmuchdata.deep.images.load_image_source` notes them)."""
    return "images" in getattr(dataset, "notes", {})


def _subgroup(subgroup: Any, X: pd.DataFrame) -> np.ndarray | None:
    """Validate the subgroup column / values: present, one per row, at least two rows each."""
    if subgroup is None:
        return None
    if isinstance(subgroup, str):
        if subgroup not in X.columns:
            # a list cut short says so: the column sought may be past the first twelve
            shown = listed_names([str(c) for c in X.columns])
            raise HowMuchDataError(
                f"subgroup column {subgroup!r} not found in the features; pass --subgroup "
                f"with one of: {shown}"
            )
        values = X[subgroup].to_numpy()
    else:
        values = np.asarray(subgroup)
    if values.shape != (len(X),):
        raise HowMuchDataError(
            f"subgroup has {values.size} values for {len(X)} rows; pass one value per row"
        )
    series = pd.Series(values)
    if series.isna().any():
        raise HowMuchDataError(
            f"subgroup has {int(series.isna().sum())} missing values; give every row a "
            "subgroup (e.g. 'unknown')"
        )
    sizes = series.value_counts()
    if len(sizes) < 2:
        raise HowMuchDataError(
            f"subgroup has a single value ({sizes.index[0]!r}); pass a column with at least "
            "two subgroups"
        )
    if sizes.min() < 2:
        lonely = sizes[sizes < 2].index[0]
        raise HowMuchDataError(
            f"subgroup {lonely!r} has only one row, too few to score; merge it into a larger "
            "subgroup or drop it"
        )
    return values
