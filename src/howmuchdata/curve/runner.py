"""Fitting the points of a learning curve: one function per point, three ways to run them.

:func:`fit_point` fits and scores one (size, repeat) and never raises for a model's own
failure: the point comes back with ``status="failed"`` and the error text. :func:`run_points`
runs a list of points in this process, on local joblib worker processes, or on a Dask cluster
(:mod:`.dask_backend`),
and hands every finished point to a callback the moment it arrives (the store writes it then).

Large inputs are not copied per point: joblib memory-maps large NumPy arrays (also those inside
a DataFrame) once per run, and Dask receives the data once (``scatter``); each task then carries
only the split it uses and its size.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from time import perf_counter
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from joblib.externals.loky.process_executor import TerminatedWorkerError
from sklearn.base import clone
from sklearn.metrics import accuracy_score, get_scorer, r2_score, recall_score

from howmuchdata.curve.plan import Split
from howmuchdata.deep.seeding import torch_seeded
from howmuchdata.errors import HowMuchDataError
from howmuchdata.models import count_parameters

# Scorers that only compare ``predict`` output with the truth: the score is computed from the
# predictions made once for timing and recall, instead of predicting a second time. The values
# are identical to ``get_scorer(name)(estimator, X, y)``.
_PREDICT_METRICS: dict[str, Callable[[Any, Any], float]] = {
    "accuracy": accuracy_score,
    "r2": r2_score,
}
MAX_ERROR_CHARS = 500
#: Regression scorers that divide by the variance of the truth: undefined on a constant
#: validation target, where scikit-learn reports 1 (a perfect prediction) or 0 instead.
VARIANCE_SCORERS = frozenset({"r2", "explained_variance"})
#: What a worker that stopped mid-run means and what to do (local and Dask backends alike).
LOST_WORKER_ADVICE = (
    "it was probably killed for memory or crashed in the model's native code; the points "
    "finished until then are kept in the store: run again with fewer workers (n_jobs, --jobs) "
    "or a smaller model"
)
# the start of loky's warning when it replaces a worker it shut down (see _run_local)
_LOKY_RECYCLED_WORKER = "A worker stopped while some jobs were given to the executor"


@dataclass(frozen=True)
class PointTask:
    """One point to compute: which repeat, which size and the model's seed."""

    repeat: int
    size: int
    seed: int
    key: str


def fit_point(
    estimator: Any,
    X: Any,
    y: np.ndarray,
    split: Split,
    task: PointTask,
    scoring: str | Callable[..., float],
    classes: list[Any] | None,
) -> dict[str, Any]:
    """Fit ``estimator`` on the first ``task.size`` training rows of ``split`` and score it.

    Returns
    -------
    dict
        One point: ``size``, ``repeat``, ``train_score``, ``val_score``, ``fit_seconds``,
        ``predict_seconds``, ``status``, ``error``, ``warning``, ``n_train_groups`` (left to
        the caller), ``train_counts``, ``val_counts``, ``val_recall``, ``n_params``.
    """
    train = split.train_order[: task.size]
    val = split.val
    y_train, y_val = y[train], y[val]
    point: dict[str, Any] = {
        "size": task.size,
        "repeat": task.repeat,
        "train_score": np.nan,
        "val_score": np.nan,
        "fit_seconds": np.nan,
        "predict_seconds": np.nan,
        "status": "ok",
        "error": None,
        "warning": None,
        "n_train_groups": None,
        "train_counts": _counts(y_train) if classes is not None else None,
        "val_counts": _counts(y_val) if classes is not None else None,
        "val_recall": None,
        "n_params": None,
    }
    model = clone(estimator)
    _seed_unset_random_states(model, task.seed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            _check_defined(y_val, scoring, classes)
            X_train, X_val = _take(X, train), _take(X, val)
            # a skorch net draws its weights from torch's global random state: seed it
            with torch_seeded(model, task.seed):
                start = perf_counter()
                model.fit(X_train, y_train)
                point["fit_seconds"] = perf_counter() - start
            point.update(_score(model, X_train, y_train, X_val, y_val, scoring, classes))
            point["n_params"] = count_parameters(model)
        except Exception as exc:  # a model failing on one subset must not stop the run
            point["status"] = "failed"
            message = str(exc).strip().splitlines()
            text = f"{type(exc).__name__}: {message[0] if message else ''}".strip()
            point["error"] = text[:MAX_ERROR_CHARS]
            point["train_score"] = point["val_score"] = np.nan
    if caught:
        first = caught[0]
        point["warning"] = f"{first.category.__name__}: {first.message}"[:MAX_ERROR_CHARS]
    return point


def _check_defined(
    y_val: np.ndarray, scoring: str | Callable[..., float], classes: list[Any] | None
) -> None:
    """Refuse to score a regression on a constant validation target with a variance scorer.

    Raises
    ------
    ValueError
        When ``scoring`` is in :data:`VARIANCE_SCORERS` and every validation value is the
        same: the 1 or 0 scikit-learn would give in its place is no measurement, and would
        enter the means and the extrapolation as one.
    """
    if classes is not None or not isinstance(scoring, str) or y_val.size == 0:
        return
    if scoring not in VARIANCE_SCORERS:
        return
    if np.all(y_val == y_val[0]):
        raise ValueError(
            f"the {y_val.size} validation rows of this repeat all have the target "
            f"{y_val[0]:g}, so {scoring} is undefined on them; hold out more rows "
            "(val_fraction, --val-fraction) or score with neg_mean_absolute_error (--scoring)"
        )


def _score(
    model: Any,
    X_train: Any,
    y_train: np.ndarray,
    X_val: Any,
    y_val: np.ndarray,
    scoring: str | Callable[..., float],
    classes: list[Any] | None,
) -> dict[str, Any]:
    metric = _PREDICT_METRICS.get(scoring) if isinstance(scoring, str) else None
    start = perf_counter()
    if metric is not None:
        y_pred = model.predict(X_val)
        predict_seconds = perf_counter() - start
        val_score = metric(y_val, y_pred)
        train_score = metric(y_train, model.predict(X_train))
    else:
        scorer = get_scorer(scoring) if isinstance(scoring, str) else scoring
        val_score = scorer(model, X_val, y_val)
        predict_seconds = perf_counter() - start
        train_score = scorer(model, X_train, y_train)
        y_pred = model.predict(X_val) if classes is not None else None
    out = {
        "train_score": float(train_score),
        "val_score": float(val_score),
        "predict_seconds": predict_seconds,
    }
    if classes is not None:
        present = [c for c in classes if np.any(y_val == c)]
        recall = recall_score(y_val, y_pred, labels=present, average=None, zero_division=0)
        out["val_recall"] = {str(c): float(r) for c, r in zip(present, recall, strict=True)}
    return out


def _counts(values: np.ndarray) -> dict[str, int]:
    labels, counts = np.unique(values, return_counts=True)
    return {str(label): int(count) for label, count in zip(labels, counts, strict=True)}


def _take(X: Any, rows: np.ndarray) -> Any:
    if hasattr(X, "iloc"):
        return X.iloc[rows]
    if isinstance(X, list):  # e.g. texts for a TfidfVectorizer pipeline: keep it a list
        return [X[i] for i in rows]
    return X[rows]


def _seed_unset_random_states(model: Any, seed: int) -> None:
    """Give every ``random_state`` left at ``None`` the point's seed (reproducible runs)."""
    params = model.get_params(deep=True)
    unset = {k: seed for k, v in params.items() if k.endswith("random_state") and v is None}
    if unset:
        model.set_params(**unset)


def run_points(
    tasks: list[PointTask],
    *,
    estimator: Any,
    X: Any,
    y: np.ndarray,
    splits: list[Split],
    scoring: str | Callable[..., float],
    classes: list[Any] | None,
    on_result: Callable[[PointTask, dict[str, Any]], None],
    n_jobs: int | None = None,
    backend: str = "local",
    scheduler: Any = None,
) -> None:
    """Compute ``tasks`` and call ``on_result(task, point)`` for each as soon as it finishes.

    Parameters
    ----------
    backend : {"local", "dask"}
        ``"local"``: this process (``n_jobs`` None or 1) or joblib worker processes (loky);
        ``"dask"``: a dask.distributed cluster at ``scheduler``, or a new LocalCluster with
        ``n_jobs`` single-threaded worker processes when no address is given.
    scheduler : str or distributed.Client or DaskCluster, optional
        Where the Dask tasks go (see :func:`howmuchdata.curve.dask_backend.run_dask`).
    """
    check_backend(backend, scheduler)
    if not tasks:
        return
    by_repeat = {split.repeat: split for split in splits}
    if backend == "local":
        _run_local(tasks, estimator, X, y, by_repeat, scoring, classes, on_result, n_jobs)
    else:
        from howmuchdata.curve.dask_backend import run_dask

        run_dask(tasks, estimator, X, y, by_repeat, scoring, classes, on_result, n_jobs, scheduler)


def check_backend(backend: Any, scheduler: Any) -> None:
    """Refuse a backend that is not ``"local"`` or ``"dask"``, and a scheduler without Dask.

    Parameters
    ----------
    backend : object
        The ``backend=`` argument.
    scheduler : object
        The ``scheduler=`` argument (None unless ``backend="dask"``).

    Raises
    ------
    HowMuchDataError
        For an unknown backend, or a scheduler given with the local backend (which would
        ignore it and run every point on this machine).
    """
    if backend not in ("local", "dask"):
        raise HowMuchDataError(
            f"unknown backend {backend!r}; pass backend='local' or 'dask' (--backend local or dask)"
        )
    if backend == "local" and scheduler is not None:
        raise HowMuchDataError(
            "a Dask scheduler is given but the backend is local, which would run every point "
            "on this machine; pass backend='dask' (--backend dask) or leave out scheduler= "
            "(--scheduler)"
        )


def _run_local(
    tasks: list[PointTask],
    estimator: Any,
    X: Any,
    y: np.ndarray,
    by_repeat: dict[int, Split],
    scoring: Any,
    classes: Any,
    on_result: Callable[[PointTask, dict[str, Any]], None],
    n_jobs: int | None,
) -> None:
    if n_jobs in (None, 1) or len(tasks) == 1:
        for task in tasks:
            on_result(
                task, fit_point(estimator, X, y, by_repeat[task.repeat], task, scoring, classes)
            )
        return
    # Largest points first: the long fits start early and the last worker does not idle.
    ordered = sorted(tasks, key=lambda t: -t.size)
    jobs = (
        delayed(_fit_tagged)(estimator, X, y, by_repeat[t.repeat], t, scoring, classes)
        for t in ordered
    )
    parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
    with warnings.catch_warnings():
        # loky measures each worker's memory after its first task and recycles a worker that
        # then holds 300 MB more (e.g. the first point that loads torch or the sentence
        # encoder, after points of a lighter model): the worker exits cleanly *after*
        # returning its point and a new worker takes its place, so no point is lost; loky
        # still warns about it with a generic message (joblib/joblib#883, joblib/loky#641),
        # the same it gives for a worker that stopped after loky's idle timeout (also clean).
        # A worker that dies instead (killed for memory, crashed) is not this warning: it
        # raises TerminatedWorkerError, which still stops the run (with one line, below).
        warnings.filterwarnings("ignore", message=_LOKY_RECYCLED_WORKER, category=UserWarning)
        try:
            for task, point in parallel(jobs):
                on_result(task, point)
        except TerminatedWorkerError as exc:
            codes = re.search(r"exit codes of the workers are (\{.*?\})", str(exc))
            raise HowMuchDataError(
                "a worker process stopped while fitting"
                + (f" (exit codes {codes.group(1)})" if codes else "")
                + f": {LOST_WORKER_ADVICE}"
            ) from None


def _fit_tagged(*args: Any) -> tuple[PointTask, dict[str, Any]]:
    task = args[4]
    return task, fit_point(*args)


def n_groups_per_point(
    groups: np.ndarray | None, split: Split, sizes: Iterable[int]
) -> dict[int, int]:
    """Number of distinct groups in each nested training subset of ``split``."""
    if groups is None:
        return {}
    ordered = groups[split.train_order]
    # first appearance of each group along the order: a prefix of n rows holds the groups
    # whose first appearance is before n
    _, first = np.unique(ordered, return_index=True)
    first = np.sort(first)
    return {int(n): int(np.searchsorted(first, n, side="left")) for n in sizes}
