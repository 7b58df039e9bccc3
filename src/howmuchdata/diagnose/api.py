"""``diagnose``: run the registered checks on a curve and/or the data, most important first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from howmuchdata.diagnose.context import DiagnoseOptions, DiagnosisContext
from howmuchdata.diagnose.finding import Finding, sort_findings
from howmuchdata.diagnose.registry import CHECKS, get_check
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
        The model (a preset name, or an estimator; non-pipelines get the standard
        preprocessing). Defaults to ``options["model"]`` (``"logreg"``).
    extrapolation : Extrapolation, optional
        A fit of ``curve``; fitted from the curve when not given.
    checks : sequence of str, optional
        Registry names of the checks to run (default: all, see
        :data:`howmuchdata.diagnose.registry.CHECKS`).
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
        When there is nothing to diagnose, or ``y``, ``groups``, ``time`` or ``subgroup`` do
        not fit ``X`` (e.g. a missing subgroup column or a subgroup with one row).
    """
    opts = DiagnoseOptions.from_kwargs(**options)
    names = list(CHECKS) if checks is None else list(checks)
    for name in names:
        if name not in CHECKS:
            raise HowMuchDataError(f"unknown check {name!r}; use one of: {', '.join(CHECKS)}")
    if curve is None and X is None:
        raise HowMuchDataError("nothing to diagnose; pass a learning curve, or X and y")
    ctx = _context(curve, X, y, groups, time, subgroup, estimator, extrapolation, opts)
    findings: list[Finding] = []
    for name in names:
        check = get_check(name)
        if all(ctx.has(need) for need in check.requires):
            findings.extend(check.run(ctx))
    return sort_findings(findings)


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
        )
    if subgroup is not None or groups is not None or time is not None:
        raise HowMuchDataError(
            "groups, time or subgroup given without the data; pass X and y as well"
        )
    return DiagnosisContext(curve, estimator=estimator, extrapolation=extrapolation, options=opts)


def _subgroup(subgroup: Any, X: pd.DataFrame) -> np.ndarray | None:
    """Validate the subgroup column / values: present, one per row, at least two rows each."""
    if subgroup is None:
        return None
    if isinstance(subgroup, str):
        if subgroup not in X.columns:
            shown = ", ".join(map(str, list(X.columns)[:12]))
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
