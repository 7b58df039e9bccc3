"""``learning_curve``: validation score against training-set size, with repeats and a store."""

from __future__ import annotations

import inspect
import numbers
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sklearn.base import is_classifier, is_regressor
from sklearn.metrics import get_scorer, get_scorer_names
from sklearn.model_selection import TimeSeriesSplit
from sklearn.utils.multiclass import type_of_target

from howmuchdata._format import fixed
from howmuchdata.curve.inputs import (
    check_aligned,
    check_estimator,
    check_n_jobs,
    check_random_state,
    check_repeats,
    explain_failure,
    fingerprint,
    key_digest,
    rows_of,
    scorer_label,
    user_code_fingerprint,
)
from howmuchdata.curve.plan import (
    DEFAULT_RATIO,
    DEFAULT_VAL_FRACTION,
    TIME_WINDOW_STEP,
    default_min_size,
    fit_seed,
    is_sklearn_splitter,
    make_splits,
    resolve_cv,
    resolve_sizes,
)
from howmuchdata.curve.progress import Reporter, make_reporter
from howmuchdata.curve.runner import (
    VARIANCE_SCORERS,
    PointTask,
    check_backend,
    n_groups_per_point,
    run_points,
)
from howmuchdata.data import Task, check_groups, check_target, check_time
from howmuchdata.errors import HowMuchDataError, shown
from howmuchdata.metrics import unknown_scoring_message
from howmuchdata.models import model_name
from howmuchdata.result import from_json_number
from howmuchdata.store import Store, open_store

if TYPE_CHECKING:
    from howmuchdata.extrapolate import Extrapolation

POINT_COLUMNS = [
    "size",
    "repeat",
    "train_score",
    "val_score",
    "fit_seconds",
    "predict_seconds",
    "status",
    "error",
    "warning",
    "n_train_groups",
    "train_counts",
    "val_counts",
    "val_recall",
    "n_params",
]
_FLOAT_COLUMNS = ["train_score", "val_score", "fit_seconds", "predict_seconds"]
# bump when a change makes stored points incomparable with new ones
_ENGINE_VERSION = 1
# the order of subsets drawn from a scikit-learn cv= splitter (see plan.is_sklearn_splitter)
_CV_ORDER_VERSION = 2
# the validation window of a time split (see plan._time_splits)
_TIME_WINDOW_VERSION = 3


@dataclass
class LearningCurve:
    """The measured points of one model's learning curve.

    Attributes
    ----------
    points : pandas.DataFrame
        One row per (size, repeat), sorted by size then repeat; columns ``size``, ``repeat``,
        ``train_score``, ``val_score`` (NaN when failed), ``fit_seconds``, ``predict_seconds``,
        ``status`` ("ok" | "failed"), ``error``, ``warning`` (first warning the fit raised),
        ``n_train_groups``, ``train_counts``, ``val_counts``, ``val_recall`` (dicts class ->
        value, None for regression), ``n_params``.
    scoring : str
        scikit-learn scorer name. Scores are as the scorer returns them, so greater is better
        (``neg_log_loss`` is minus the log-loss).
    greater_is_better : bool
    task : {"classification", "regression"}
    n_samples : int
        Rows available (training pool plus validation).
    classes : list or None
    model : str
        The curve's name.
    settings : dict
        Everything needed to reproduce the run (sizes, repeats, split, seed, fingerprints).
    """

    points: pd.DataFrame
    scoring: str
    greater_is_better: bool
    task: Task
    n_samples: int
    classes: list[Any] | None
    model: str
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def ok_points(self) -> pd.DataFrame:
        """The points that fitted (``status == "ok"`` with a finite validation score)."""
        ok = (self.points["status"] == "ok") & np.isfinite(self.points["val_score"].astype(float))
        return self.points[ok]

    @property
    def failures(self) -> pd.DataFrame:
        """The failed points with their errors."""
        return self.points[self.points["status"] != "ok"]

    def by_size(self) -> pd.DataFrame:
        """Mean and standard deviation of the scores per size (over the ok repeats)."""
        grouped = self.ok_points.groupby("size")
        table = pd.DataFrame(
            {
                "n_ok": grouped["val_score"].count(),
                "val_mean": grouped["val_score"].mean(),
                "val_std": grouped["val_score"].std(ddof=1),
                "train_mean": grouped["train_score"].mean(),
                "fit_seconds": grouped["fit_seconds"].mean(),
            }
        )
        return table.reset_index()

    def extrapolate(self, **kwargs: Any) -> Extrapolation:
        """Fit :func:`howmuchdata.extrapolate` to the ok points (every repeat, not the means),
        with their training scores and the range the scorer's name implies.

        Parameters
        ----------
        **kwargs
            Passed to :func:`howmuchdata.extrapolate` (``direction``, ``bounds``, ``method``,
            ...), over the defaults read from the curve.

        Returns
        -------
        Extrapolation

        Raises
        ------
        HowMuchDataError
            When no point succeeded, or fewer than three sizes did.
        """
        from howmuchdata.extrapolate import extrapolate
        from howmuchdata.metrics import scorer_bounds

        ok = self.ok_points
        if ok.empty:
            raise HowMuchDataError(
                f"curve {self.model!r} has no successful points to extrapolate; "
                "fix the failures listed in the summary"
            )
        kwargs.setdefault("direction", "increase" if self.greater_is_better else "decrease")
        kwargs.setdefault("bounds", scorer_bounds(self.scoring))
        if "train_score" in ok:
            kwargs.setdefault("train_scores", ok["train_score"].to_numpy(dtype=float))
        return extrapolate(
            ok["size"].to_numpy(dtype=float), ok["val_score"].to_numpy(dtype=float), **kwargs
        )

    def summary(self) -> str:
        """Two lines: the score at the smallest and largest size, and the failures."""
        table = self.by_size()
        if table.empty:
            text = f"{self.model}: no successful points"
        else:
            first, last = table.iloc[0], table.iloc[-1]
            spread = f" ± {fixed(last.val_std, 3)}" if np.isfinite(last.val_std) else ""
            n_ok = int(last.n_ok)
            text = (
                f"{self.model}: {self.scoring} {fixed(last.val_mean)}{spread} with "
                f"{int(last['size'])} training rows ({_plural(n_ok, 'repeat')})"
            )
            if len(table) > 1:
                text += f"; {fixed(first.val_mean)} with {int(first['size'])}"
        failed = self.failures
        if not failed.empty:
            text += f"\n  {_plural(len(failed), 'failed point')}:"
            for row in failed.itertuples():
                text += f"\n    size {row.size}, repeat {row.repeat}: {row.error}"
        return text

    def __repr__(self) -> str:
        """One line: the model, the scorer, the sizes and repeats, failures and the last score
        (the dataclass default would print the whole points table and settings)."""
        sizes = sorted({int(n) for n in self.points["size"]})
        grid = f"sizes {sizes[0]:,} to {sizes[-1]:,}" if sizes else "no sizes"
        table = self.by_size()
        last = (
            f"; {self.scoring} {table['val_mean'].iloc[-1]:.4g} at {int(table['size'].iloc[-1]):,}"
            if not table.empty
            else "; no successful points"
        )
        return (
            f"LearningCurve(model={self.model!r}, scoring={self.scoring!r}, task={self.task!r}, "
            f"{len(sizes)} {grid}, {_plural(self.points['repeat'].nunique(), 'repeat')}, "
            f"{_plural(len(self.points), 'point')}, {len(self.failures)} failed{last})"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain metadata plus ``points`` (list of dicts, each with ``model``)."""
        return {
            **self.metadata(),
            "points": [
                {"model": self.model, **_record(row)}
                for row in self.points.to_dict(orient="records")
            ],
        }

    def _repr_html_(self) -> str:
        """Jupyter display: the same answer-first summary as the report, with the curve's
        extrapolation and the findings of the checks that read only the curve (no refit)."""
        from howmuchdata.diagnose import diagnose
        from howmuchdata.report.jupyter import summary_html

        sections = curves_to_result([self])
        try:
            ext = self.extrapolate()
        except HowMuchDataError:  # no successful points, fewer than 3 sizes: the page says so
            ext = None
        if ext is not None:
            sections["extrapolation"] = {self.model: ext.to_dict()}
        if not self.ok_points.empty:
            sections["findings"] = [
                {**f.to_dict(), "evidence": {"model": self.model, **f.to_dict()["evidence"]}}
                for f in diagnose(self, extrapolation=ext)
            ]
        return summary_html(sections)

    def metadata(self) -> dict[str, Any]:
        """Everything but the points (the ``curves`` entry of result.json)."""
        return {
            "model": self.model,
            "scoring": self.scoring,
            "greater_is_better": self.greater_is_better,
            "task": self.task,
            "n_samples": self.n_samples,
            "classes": self.classes,
            "settings": self.settings,
            "n_points": len(self.points),
            "n_failed": len(self.failures),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LearningCurve:
        """Rebuild a curve from :meth:`to_dict` output (or result.json).

        Raises
        ------
        HowMuchDataError
            When ``data`` lacks a key every curve has (``model``, ``scoring``, ``task``,
            ``n_samples``), e.g. a hand-edited or truncated result.json.
        """
        missing = [k for k in ("model", "scoring", "task", "n_samples") if k not in data]
        if missing:
            raise HowMuchDataError(
                f"the saved curve has no {', '.join(map(repr, missing))}; pass the output of "
                "LearningCurve.to_dict (or a curve of result.json), or measure it again"
            )
        records = [
            {k: v for k, v in p.items() if k != "model"}
            for p in data.get("points", [])
            if p.get("model", data["model"]) == data["model"]
        ]
        return cls(
            points=points_frame(records),
            scoring=data["scoring"],
            greater_is_better=bool(data.get("greater_is_better", True)),
            task=data["task"],
            n_samples=int(data["n_samples"]),
            classes=data.get("classes"),
            model=data["model"],
            settings=dict(data.get("settings", {})),
        )


def points_frame(records: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """A points DataFrame with the standard columns, sorted by size and repeat."""
    frame = pd.DataFrame(list(records), columns=POINT_COLUMNS)
    for column in _FLOAT_COLUMNS:
        frame[column] = [from_json_number(v) for v in frame[column]]
    frame["size"] = frame["size"].astype(int)
    frame["repeat"] = frame["repeat"].astype(int)
    frame = frame.astype({"error": object, "warning": object, "n_train_groups": object})
    return frame.sort_values(["size", "repeat"], kind="stable").reset_index(drop=True)


def most_common_error(points: pd.DataFrame) -> tuple[int, str] | None:
    """How often the most common error among ``points`` occurs, and its first line.

    Parameters
    ----------
    points : DataFrame
        Curve points (``LearningCurve.points``, its ``failures``, or a bare points table);
        rows without an ``error`` are not counted.

    Returns
    -------
    (int, str) or None
        None when no row carries an error message.
    """
    errors = points.get("error")
    if errors is None:
        return None
    errors = errors.dropna().astype(str)
    if errors.empty:
        return None
    counts = errors.map(lambda e: (e.strip().splitlines() or [""])[0]).value_counts()
    return int(counts.iloc[0]), str(counts.index[0])


def curves_to_result(curves: Sequence[LearningCurve]) -> dict[str, Any]:
    """The ``points`` and ``curves`` keys of result.json for several curves."""
    points: list[dict[str, Any]] = []
    for curve in curves:
        points.extend(curve.to_dict()["points"])
    return {"points": points, "curves": [curve.metadata() for curve in curves]}


def curves_from_result(result: Mapping[str, Any]) -> list[LearningCurve]:
    """Rebuild every curve stored in a result.json dict."""
    curves = []
    for meta in result.get("curves", []):
        mine = [p for p in result.get("points", []) if p.get("model") == meta["model"]]
        curves.append(LearningCurve.from_dict({**meta, "points": mine}))
    return curves


def learning_curve(
    estimator: Any,
    X: Any,
    y: Any,
    *,
    groups: Any = None,
    time: Any = None,
    sizes: Sequence[float] | None = None,
    repeats: int = 5,
    scoring: str | Callable[..., float] | None = None,
    store: str | Store | None = None,
    n_jobs: int | None = None,
    backend: str = "local",
    scheduler: Any = None,
    cv: Any = None,
    task: Task | None = None,
    stratify: bool | None = None,
    val_fraction: float = DEFAULT_VAL_FRACTION,
    ratio: float = DEFAULT_RATIO,
    random_state: int = 0,
    name: str | None = None,
    progress: bool | str | Reporter | None = "interactive",
) -> LearningCurve:
    """Measure validation score against training-set size, ``repeats`` times per size.

    Parameters
    ----------
    estimator : scikit-learn estimator
        An instance, cloned for every point. A ``random_state`` left at ``None`` (also inside
        pipelines) is set from the point's seed so that runs are reproducible.
    X : array-like or DataFrame, shape (n_samples, n_features)
        Rows are paired with ``y``, ``groups`` and ``time`` by position; pandas inputs that
        hold the same index labels in another order are refused. A model that cannot take
        text, date, missing or infinite values in ``X`` fails at every point, and the error
        names those columns and the fix.
    y : array-like, shape (n_samples,)
        A single column (``(n_samples, 1)`` or a one-column DataFrame) is read as that column.
    groups : array-like, optional
        Group label per row: a group is never on both sides of a split (validation holds out
        whole groups). Training rows are added group by group, in a random order of the
        training groups, each group's rows together. Sizes count rows, so a size that ends
        inside a group trains on the first rows of that group (the rest of it is neither
        trained nor validated on at that size): with few large groups, the smallest sizes
        may all come from a single group. ``points.n_train_groups`` counts the groups a
        subset draws on, a partly used one included.
    time : array-like, optional
        Time stamp per row: validation always lies after the training data, and the training
        subset of size ``n`` is the ``n`` most recent rows before the validation window.
    sizes : sequence of int or float, optional
        Training sizes as row counts (``[50, 100, 200]``) or fractions of the largest training
        pool (``[0.1, 0.5, 1]``): values below 1, and ``1.0``, are fractions, and so is a bare
        ``1`` next to fractions. Default: a geometric grid (ratio ``ratio``) from a few rows per
        class up to the largest training pool.
    repeats : int
        Independent splits, each with its own validation set fixed across sizes.
    scoring : str or callable, optional
        A scikit-learn scorer name (``"accuracy"``, ``"neg_log_loss"``, ``"r2"``, ...) or a
        scorer callable, called ``(estimator, X, y)`` (named by its function name or repr;
        stored points are reused only for the same callable); a metric called
        ``(y_true, y_pred)``, such as ``accuracy_score``, is refused: wrap it in
        ``make_scorer``. Default: accuracy for classification, R^2 for regression. A point
        whose validation target is constant fails with ``r2`` and ``explained_variance``,
        which are undefined there.
    store : str or Store, optional
        ``"sqlite:///path/store.db"`` (or a :class:`~howmuchdata.store.Store`): finished points
        are written there at once and reused by later runs; failed points are computed
        again by a later run (and replaced when they fit). Default: in memory only.
    n_jobs : int, optional
        Parallel workers (joblib processes, or Dask workers of a new LocalCluster); -1 for
        every core.
    backend : {"local", "dask"}
    scheduler : str or distributed.Client or DaskCluster, optional
        With ``backend="dask"``: the address of a running Dask scheduler (checked before
        anything is shown or fitted), a ``distributed.Client`` (left open), or a
        :class:`~howmuchdata.curve.dask_backend.DaskCluster` to run several curves on one
        cluster. Default: a LocalCluster of ``n_jobs`` workers (2 when None), started for
        this call and shut down at its end.
    cv : int or scikit-learn splitter, optional
        Use its first ``repeats`` splits instead of the built-in ones. An int ``k`` is ``k``
        validation folds, each ``1/k`` of the rows, as scikit-learn's ``cv=k``:
        ``StratifiedKFold(k)`` for classification (unless ``stratify=False``), ``KFold(k)``
        otherwise, but shuffled with a seed from ``random_state``; with ``groups``,
        ``GroupKFold(k)`` (scikit-learn's ``cv=k`` would ignore the groups); with ``time``
        it is refused (use ``TimeSeriesSplit(k)``). So ``cv=10`` uses the first
        ``repeats`` (5 by default) of its 10 folds (pass ``repeats=10`` for all), and
        ``cv=3`` with 5 repeats gives 3 repeats. ``cv=k`` gives the same points as the splitter it stands
        for (``curve.settings["split"]`` names it), and reuses them from the store.
        A splitter: with ``groups``, one that puts a group on both sides, such as
        ``KFold``, is refused: use a group splitter such as ``GroupKFold``. The subsets of
        a split are nested in a seeded random order of its training rows (groups as with
        ``groups`` below, stratified as ``stratify`` says), except for ``TimeSeriesSplit``:
        the subset of size ``n`` is the ``n`` most recent training rows. A splitter that is
        not scikit-learn's keeps its own order (the subset is its first ``n`` training
        indices).
    task : {"classification", "regression"}, optional
        Default: the estimator's declared type (see :func:`check_task_and_target`), which wins
        over the look of ``y``: a scikit-learn regressor makes it regression even for a target
        of a few integers, a classifier makes it classification. An estimator that declares
        neither leaves it to ``y`` (at most 20 distinct integers: classification). A task that
        contradicts the estimator's type raises.
    stratify : bool, optional
        Stratified splits and subsets; default True for classification (True for a
        regression target is an error).
    val_fraction : float
        Share of rows (groups, with ``groups``) held out for validation in each repeat.
    ratio : float
        Ratio between consecutive default sizes.
    random_state : int
        Root seed of every split and every model seed (a non-negative integer).
    name : str, optional
        Name of the curve (default: the model's class name).
    progress : bool or {"interactive", "auto", "log", "bar"} or Reporter, default "interactive"
        ``"interactive"``: a live bar (points done / total, elapsed, time left) where someone
        watches: stderr is a terminal, or a Jupyter notebook (log lines there when ipywidgets
        is not installed); nothing elsewhere (pytest, pipes, CI logs, scheduled jobs).
        ``True`` or ``"auto"``: the same, with log lines instead of nothing (the command
        line's setting). ``"log"``: one line per point; ``"bar"``: the bar; ``False`` or
        ``None``: nothing. A :class:`~howmuchdata.curve.progress.Reporter` receives the
        events itself.

    Returns
    -------
    LearningCurve

    Raises
    ------
    HowMuchDataError
        For inputs that cannot give a curve (see :mod:`howmuchdata.data`), including a scorer
        that cannot score the target (``roc_auc`` on three classes), a metric function given
        as ``scoring`` and a ``task`` or target
        the estimator's type cannot take (a regressor with ``task="classification"`` or text
        labels, a classifier on a continuous target); for an estimator that is a name, a
        class or not clonable; for ``repeats``, ``n_jobs`` or ``random_state`` that are not
        whole numbers in range, and ``sizes`` that are not a list of sizes. A model that fails
        on some or all subsets does not raise: those points have ``status == "failed"``.
    """
    check_estimator(estimator)
    repeats = check_repeats(repeats)
    random_state = check_random_state(random_state)
    n_jobs = check_n_jobs(n_jobs)
    check_backend(backend, scheduler)
    X = rows_of(X)
    n_rows = _num_rows(X)
    n_values = _num_rows(y, "y")
    # before check_target: ten values of a longer y look like a one-class target
    if n_values != n_rows:
        raise HowMuchDataError(
            f"X has {n_rows} rows but y has {n_values} values; pass one target value per row"
        )
    check_aligned(X, {"y": y, "groups": groups, "time": time})
    y_arr, task = check_task_and_target(estimator, y, task=task, name="y")
    group_arr = check_groups(groups, n_rows) if groups is not None else None
    time_arr = check_time(time, n_rows) if time is not None else None
    scoring_name, scorer_arg = check_scoring(scoring, y_arr, task)
    # cv=5 as given, for messages
    folds = int(cv) if isinstance(cv, numbers.Integral) and not isinstance(cv, bool) else None
    if cv is not None:
        # an int becomes its k-fold splitter here, so that the run's identity (and so the keys
        # of its stored points) is that of the splitter: cv=5 and the splitter it stands for
        # share stored points
        stratified = task == "classification" and stratify is not False
        cv = resolve_cv(
            cv, y_arr, stratify=stratified, groups=group_arr, time=time_arr, seed=random_state
        )
    splits = make_splits(
        y_arr,
        task=task,
        repeats=repeats,
        seed=random_state,
        groups=group_arr,
        time=time_arr,
        cv=cv,
        X=X,
        val_fraction=val_fraction,
        stratify=stratify,
    )
    max_size = min(len(s.train_order) for s in splits)
    min_size = default_min_size(y_arr, task) if sizes is None else 1
    pool = None
    if cv is not None:
        smallest = min(range(len(splits)), key=lambda r: len(splits[r].train_order))
        if isinstance(cv, TimeSeriesSplit):
            fix = (
                "a TimeSeriesSplit with fewer n_splits (its first split trains on the fewest rows)"
            )
        elif folds is not None:
            fix = f"more folds than cv={folds} (each holds out 1/{folds} of the rows)"
        else:
            fix = "fewer repeats or a splitter with larger training sets"
        pool = (
            f"of {n_rows}: the training rows of split {smallest}, the smallest of the "
            f"{_plural(len(splits), 'split')} of cv= used; use {fix}"
        )
    size_list = resolve_sizes(
        sizes, min_size=min_size, max_size=max_size, n_rows=n_rows, ratio=ratio, pool=pool
    )
    classes = np.unique(y_arr).tolist() if task == "classification" else None
    label = name or model_name(estimator)

    split_kind = _split_kind(cv, group_arr, time_arr, stratify, task)
    settings: dict[str, Any] = {
        "sizes": size_list,
        "repeats": len(splits),
        "scoring": scoring_name,
        "split": split_kind,
        "val_fraction": val_fraction,
        "random_state": random_state,
        "backend": backend,
        "n_jobs": n_jobs,
        "estimator": _short_repr(estimator),
        # per repeat, the rows it validates on and the rows its subsets are drawn from: the
        # report says how many rows train, validate and are left out (not a fixed share for
        # grouped, time and cv= splits)
        "split_rows": {
            "validate": [int(len(s.val)) for s in splits],
            "train": [int(len(s.train_order)) for s in splits],
        },
    }
    identity = {
        "engine": _ENGINE_VERSION,
        "data": fingerprint((X, y_arr, group_arr, time_arr)),
        "model": fingerprint(estimator),
        "scoring": scoring_name,
        "split": split_kind,
        "val_fraction": val_fraction,
        "time_step": TIME_WINDOW_STEP if time_arr is not None else None,
        "random_state": random_state,
        "task": task,
    }
    if time_arr is not None and cv is None:
        # since version 2 a time split's validation window keeps its most recent rows when
        # a tie moves its start, since version 3 no repeat repeats the previous one's start:
        # earlier points validated on other rows
        identity["time_window"] = _TIME_WINDOW_VERSION
    if (
        time_arr is not None
        and isinstance(cv, TimeSeriesSplit)
        and not np.all(time_arr[:-1] <= time_arr[1:])
    ):
        # TimeSeriesSplit with time= splits the rows in time order: points stored before
        # that, on rows out of order, were measured on other (leaky) splits
        identity["cv_time_order"] = 1
    if (
        task == "regression"
        and isinstance(scorer_arg, str)
        and scorer_arg in VARIANCE_SCORERS
        and any(np.ptp(y_arr[s.val]) == 0 for s in splits)
    ):
        # a repeat validating on a constant target: its points, stored with the 1 or 0 that
        # scikit-learn gives there before they were refused as undefined, must not be reused
        identity["constant_validation"] = 1
    if isinstance(X, list):
        identity["rows"] = "list"  # points of a list X stored before lists were indexable failed
    code = user_code_fingerprint(estimator, scorer_arg)
    if code is not None:
        # the source of the user's own classes and functions: an edit must not reuse points
        identity["code"] = code
    if callable(scorer_arg):
        # two scorer objects share a name (every make_scorer result is a _Scorer); their
        # points must not be reused for each other
        identity["scorer"] = fingerprint(scorer_arg)
    if cv is not None:
        # the rows each split trains and validates on, in the order they are added: a
        # splitter's repr does not always tell its splits apart (PredefinedSplit prints its
        # folds cut short with "...", KFold(shuffle=True) without a seed differs per call)
        identity["split_rows"] = fingerprint([(s.train_order, s.val) for s in splits])
    if cv is not None and is_sklearn_splitter(cv):
        # points of scikit-learn splitters measured before their subsets were shuffled
        # (first n sorted indices) must not be reused; other splits keep their fingerprint
        stratified = task == "classification" and stratify is not False
        identity["cv_order"] = [_CV_ORDER_VERSION, "stratified" if stratified else "random"]
    run_id = key_digest(identity)
    settings["fingerprint"] = run_id
    tasks = [
        PointTask(
            repeat=s.repeat,
            size=n,
            seed=fit_seed(random_state, s.repeat, n),
            key=key_digest({"run": run_id, "repeat": s.repeat, "size": n}),
        )
        for n in size_list
        for s in splits
    ]

    reporter = make_reporter(progress)  # a bad setting is refused before anything opens
    dask = _dask_cluster(scheduler, n_jobs) if backend == "dask" else None
    owns_store = not isinstance(store, Store)
    point_store = open_store(store)
    settings["store"] = point_store.url
    try:
        # Failed points are computed again: the failure may have been the machine's (memory,
        # a killed worker) rather than the model's, and a rerun is how a user retries.
        stored = {
            key: point
            for key, point in point_store.get_many(t.key for t in tasks).items()
            if point.get("status", "ok") == "ok"
        }
        results: dict[str, dict[str, Any]] = dict(stored)
        missing = [t for t in tasks if t.key not in stored]

        def keep(task_: PointTask, point: dict[str, Any]) -> None:
            point_store.put(task_.key, point, run=run_id, model=label)
            results[task_.key] = point
            reporter.advance(point)

        if missing and dask is not None:
            dask.client()  # a wrong address is said before any progress line
        if missing:
            embedding = _prepare_fits(estimator, X, backend, scheduler, reporter)
            if embedding:
                settings["embedding"] = embedding[0] if len(embedding) == 1 else embedding
        reporter.start(label, len(tasks), len(stored))
        try:
            run_points(
                missing,
                estimator=estimator,
                X=X,
                y=y_arr,
                splits=splits,
                scoring=scorer_arg,
                classes=classes,
                on_result=keep,
                n_jobs=n_jobs,
                backend=backend,
                scheduler=dask,
            )
        finally:
            reporter.finish()
    finally:
        try:
            if dask is not None and dask is not scheduler:
                dask.close()
        finally:
            if owns_store:
                point_store.close()

    settings["computed"] = len(missing)
    settings["computed_failed"] = sum(results[t.key].get("status") != "ok" for t in missing)
    settings["from_store"] = len(stored)
    explained: dict[str, str | None] = {}  # one look at X per distinct error
    records = [_explained(results[t.key], X, explained) for t in tasks]
    if group_arr is not None:
        counts = {s.repeat: n_groups_per_point(group_arr, s, size_list) for s in splits}
        for record in records:
            record["n_train_groups"] = counts[record["repeat"]][record["size"]]
    points = points_frame(records)
    return LearningCurve(
        points=points,
        scoring=scoring_name,
        greater_is_better=True,
        task=task,
        n_samples=n_rows,
        classes=classes,
        model=label,
        settings=settings,
    )


def _prepare_fits(
    estimator: Any, X: Any, backend: str, scheduler: Any, reporter: Reporter
) -> list[dict[str, Any]]:
    """What the fits of a curve on this machine need done once, before any point's clock:
    a device the machine lacks is refused (every point would fail the same way), and every
    row is encoded into the embedding cache of the model's sentence embedders, so that no
    point (the first of each worker above all) counts the encoder's loading in its fit time.

    Returns what each embedding cache fill did (:meth:`CacheFill.to_dict`), for the curve's
    ``settings["embedding"]``. A scheduler elsewhere is left alone: its workers may have the
    GPU, and need not share this machine's cache folder.
    """
    if backend != "local" and scheduler is not None:
        return []
    from howmuchdata.deep.devices import check_devices
    from howmuchdata.deep.embeddings import precompute_embeddings

    if backend == "local":
        check_devices(estimator)
    note = getattr(reporter, "note", None)
    fills = precompute_embeddings(estimator, X, before=note)
    for fill in fills:
        if note is not None:
            note(
                f"embeddings: {fill.rows:,} rows ready in {fill.seconds:.1f} s "
                f"({fill.counts_words()}); not counted in any fit time"
            )
    return [fill.to_dict() for fill in fills]


def _dask_cluster(scheduler: Any, n_jobs: int | None) -> Any:
    """The DaskCluster a run sends its points to: ``scheduler`` itself when it is one."""
    from howmuchdata.curve.dask_backend import DaskCluster

    return scheduler if isinstance(scheduler, DaskCluster) else DaskCluster(scheduler, n_jobs)


def _num_rows(X: Any, name: str = "X") -> int:
    if hasattr(X, "shape") and len(X.shape) >= 1:
        return int(X.shape[0])
    try:
        return len(X)
    except TypeError:
        raise HowMuchDataError(
            f"{name} of type {type(X).__name__} has no length; pass an array or DataFrame"
        ) from None


def estimator_task(estimator: Any) -> Task | None:
    """The task an estimator declares by its type, or None when it declares none.

    scikit-learn's :func:`~sklearn.base.is_regressor` / :func:`~sklearn.base.is_classifier`
    (a pipeline declares what its last step does); for a duck-typed model without
    scikit-learn tags, its ``_estimator_type`` attribute.

    Parameters
    ----------
    estimator : object

    Returns
    -------
    {"classification", "regression"} or None
    """
    try:
        if is_regressor(estimator):
            return "regression"
        if is_classifier(estimator):
            return "classification"
        return None
    except Exception:  # no __sklearn_tags__ (not a BaseEstimator): read the old attribute
        kind = getattr(estimator, "_estimator_type", None)
    return {"regressor": "regression", "classifier": "classification"}.get(kind)


def check_task_and_target(
    estimator: Any, y: Any, *, task: Task | None = None, name: str = "y"
) -> tuple[np.ndarray, Task]:
    """Validate the target and settle the task, the estimator's declared type first.

    Without ``task``, a regressor makes the task regression and a classifier makes it
    classification, whatever ``y`` looks like (``y.astype(float)`` of ten digits is a
    regression target for ``Ridge``); an estimator that declares neither leaves the task to
    :func:`howmuchdata.data.check_target`.

    Parameters
    ----------
    estimator : object
        The model whose type is read (:func:`estimator_task`).
    y : array-like
    task : {"classification", "regression"}, optional
        Must agree with the estimator's type when that is declared.
    name : str
        How ``y`` is called in messages.

    Returns
    -------
    y : numpy.ndarray
    task : {"classification", "regression"}

    Raises
    ------
    HowMuchDataError
        For a bad target (see :func:`~howmuchdata.data.check_target`), a ``task`` that
        contradicts the estimator's type, text labels for a regressor or a continuous target
        for a classifier.
    """
    declared = estimator_task(estimator)
    model = model_name(estimator)
    if declared is not None and task in ("classification", "regression") and task != declared:
        kind = "regressor" if declared == "regression" else "classifier"
        other = "classifier" if declared == "regression" else "regressor"
        raise HowMuchDataError(
            f"task={task!r} contradicts the model: {model} is a {kind}; pass "
            f"task={declared!r} (--task {declared}) or leave it unset, or use a {other}"
        )
    try:
        values, inferred = check_target(y, task=task, name=name)
    except HowMuchDataError:
        if declared is None or task is not None:
            raise
        # the target was read without knowing the model: the message must say what this
        # model's kind of target lacks (a regressor's: that it varies, or holds no labels)
        check_target(y, task=declared, name=name)
        raise
    if declared is None or task is not None or declared == inferred:
        return values, inferred
    if declared == "classification":
        if type_of_target(values) == "continuous":
            raise HowMuchDataError(
                f"{model} is a classifier but {name} is continuous ({np.unique(values).size} "
                "distinct values, not all integers); pass a regressor, or class labels"
            )
        return check_target(y, task="classification", name=name)  # the labels, not floats
    try:
        pd.to_numeric(pd.Series(values))
    except (ValueError, TypeError):
        raise HowMuchDataError(
            f"{model} is a regressor but {name} holds labels such as {shown(values[0])}, not "
            "numbers; pass a classifier, or a numeric target"
        ) from None
    return check_target(y, task="regression", name=name)


def check_scoring(scoring: Any, y: np.ndarray, task: Task) -> tuple[str, Any]:
    """The scorer's name and what to hand the engine, after checking it can score ``y``.

    Parameters
    ----------
    scoring : str or callable or None
        A scikit-learn scorer name or a scorer callable (not checked against ``y``); ``None``
        is accuracy for classification, R^2 for regression.
    y : numpy.ndarray
        The validated target.
    task : {"classification", "regression"}

    Returns
    -------
    name : str
    scorer : str or callable

    Raises
    ------
    HowMuchDataError
        For an unknown scorer name, or one that cannot score ``y``
        (:func:`check_scoring_fits_target`).
    """
    scoring_name, scorer_arg = _resolve_scoring(scoring, task)
    if isinstance(scorer_arg, str):
        check_scoring_fits_target(scorer_arg, y, task)
    return scoring_name, scorer_arg


def _resolve_scoring(scoring: Any, task: Task) -> tuple[str, Any]:
    if scoring is None:
        scoring = "accuracy" if task == "classification" else "r2"
    if callable(scoring):
        _refuse_metric_function(scoring)
        return scorer_label(scoring), scoring
    try:
        get_scorer(scoring)
    except (ValueError, KeyError):
        raise HowMuchDataError(unknown_scoring_message(scoring)) from None
    return scoring, scoring


def _refuse_metric_function(scoring: Callable[..., Any]) -> None:
    """Refuse a metric such as ``accuracy_score``, called ``(y_true, y_pred)``, where a scorer,
    called ``(estimator, X, y)``, is meant: every point would fail with a ``TypeError`` that
    names neither.

    Raises
    ------
    HowMuchDataError
        When the first parameter of ``scoring`` is ``y_true``, naming the scorer to pass.
    """
    try:
        first = next(iter(inspect.signature(scoring).parameters), None)
    except (TypeError, ValueError):  # no signature to read (some builtins): leave it be
        return
    if first != "y_true":
        return
    name = scorer_label(scoring)
    names = set(get_scorer_names())
    stem = name.removesuffix("_score")
    named = next((n for n in (stem, f"neg_{stem}") if n in names), None)
    loss = "" if named is None or not named.startswith("neg_") else ", greater_is_better=False"
    fix = f"scoring={named!r}, or " if named is not None else ""
    raise HowMuchDataError(
        f"scoring={name} is a metric, called as {name}(y_true, y_pred), not a scorer, called "
        f"as scorer(estimator, X, y); pass {fix}sklearn.metrics.make_scorer({name}{loss})"
    )


def check_scoring_fits_target(scoring: str, y: np.ndarray, task: Task) -> None:
    """Refuse a scorer that cannot score this target at all, before any point is fitted.

    The scorer is tried on a perfect classifier (every class twice) or a mean regressor fitted
    to ``y``: a scorer that raises there (``roc_auc`` or ``f1`` on three classes, ``accuracy``
    on a numeric target, ...) would fail at every point of the curve.

    Parameters
    ----------
    scoring : str
        A scikit-learn scorer name.
    y : numpy.ndarray
        The validated target.
    task : {"classification", "regression"}

    Raises
    ------
    HowMuchDataError
        Naming the scorer, the reason and scorers of the same family that do work.
    """
    error = _scorer_error(scoring, y, task)
    if error is None:
        return
    variants = [
        name
        for name in sorted(get_scorer_names())
        if name.startswith(f"{scoring}_") and _scorer_error(name, y, task) is None
    ]
    if task == "regression":
        what = "this numeric (regression) target"
        fallback = "a regression scorer such as r2 or neg_mean_absolute_error"
    else:
        n_classes = np.unique(y).size
        what = f"a target with {n_classes} classes" if n_classes > 2 else "this binary target"
        fallback = "e.g. balanced_accuracy, f1_macro or roc_auc_ovr"
    fix = f"a variant such as {', '.join(variants[:4])}" if variants else fallback
    raise HowMuchDataError(
        f"scoring {scoring!r} cannot score {what} ({error}); use {fix} (--scoring)"
    )


def _scorer_error(scoring: str, y: np.ndarray, task: Task) -> str | None:
    """The first line of the error ``scoring`` raises on a stand-in model of ``y``, or None."""
    from sklearn.dummy import DummyRegressor
    from sklearn.tree import DecisionTreeClassifier

    if task == "classification":
        classes = np.unique(y)
        y_probe = np.concatenate([classes, classes])
        X_probe = np.tile(np.arange(classes.size), 2).reshape(-1, 1).astype(float)
        model: Any = DecisionTreeClassifier(random_state=0)  # predicts every class right
    else:
        y_probe = y[np.linspace(0, len(y) - 1, min(len(y), 200)).astype(int)]
        X_probe = np.zeros((len(y_probe), 1))
        model = DummyRegressor()  # the mean: positive for the deviances that need it
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            get_scorer(scoring)(model.fit(X_probe, y_probe), X_probe, y_probe)
        except Exception as exc:  # any error here would recur at every point
            lines = str(exc).strip().splitlines()
            return f"{type(exc).__name__}: {lines[0] if lines else ''}".strip()
    return None


def _split_kind(cv: Any, groups: Any, time: Any, stratify: bool | None, task: str) -> str:
    if cv is not None:
        # a repr with a memory address (a splitter class without __repr__) would differ per
        # object, and stored points would never be reused; the rows split are fingerprinted
        return "cv:" + re.sub(r" at 0x[0-9a-fA-F]+", "", repr(cv))
    if time is not None:
        return "time"
    if groups is not None:
        return "groups"
    if stratify is None:
        stratify = task == "classification"
    return "stratified" if stratify else "random"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _short_repr(estimator: Any, limit: int = 300) -> str:
    text = " ".join(repr(estimator).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _explained(point: dict[str, Any], X: Any, cache: dict[str, str | None]) -> dict[str, Any]:
    """A copy of a failed point whose error says how to fix an input the model cannot take."""
    error = point.get("error")
    if point.get("status") == "ok" or not error:
        return point
    if error not in cache:
        cache[error] = explain_failure(error, X)
    return {**point, "error": cache[error]}


def _record(row: Mapping[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in row.items():
        if isinstance(value, float) and np.isnan(value) and key not in _FLOAT_COLUMNS:
            value = None
        out[key] = value
    return out
