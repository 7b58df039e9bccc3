"""Pool-based active learning, simulated on the labeled data with scikit-activeml.

For every split of the comparison, the split's training pool plays the unlabeled pool (its
labels are revealed only when a row is queried) and its validation rows score the model. The
loop starts cold from a small random seed set (the first rows of the split's own order, i.e.
exactly the baseline's smallest training subset), then queries batches with a scikit-activeml
strategy: uncertainty (least confident), margin or entropy sampling, or random sampling as the
honest reference. The baseline pipeline is refitted on the labeled rows after every batch, and
at each of the comparison's sizes it is scored on the validation rows: the result is an ordinary
:class:`~howmuchdata.curve.LearningCurve`, so its labels needed per target come out of the same
extrapolation and table as every other strategy's.

scikit-activeml validates ``X`` as a dense numeric array, which text or mixed-type tables are
not. The simulation therefore hands it row ids, and the classifier looks each id up in the full
feature table (:class:`RowLookup`) before the baseline pipeline: the baseline sees raw rows,
exactly as in the other curves, and fits its own preprocessing on the labeled rows only.

Every point is written to the comparison's run store the moment it is scored, under a key of
the data, the baseline pipeline, the query method, the seed set, the batch, the sizes, the
seed, the scorer and the split it ran on (:func:`simulation_identity`). The points of a size
depend on the rows queried before it, so the unit a rerun reuses is a whole repeat: a repeat
whose points are all stored and fitted is read back, any other is simulated again from its
seed set (after Ctrl-C the finished repeats are kept).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from time import perf_counter
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin, clone
from sklearn.metrics import get_scorer, recall_score
from sklearn.pipeline import Pipeline
from sklearn.utils.metaestimators import available_if

from howmuchdata.curve.inputs import key_digest
from howmuchdata.errors import HowMuchDataError
from howmuchdata.strategies.base import (
    Arm,
    Shared,
    StrategyContext,
    baseline_estimator,
    has_probabilities,
    probability_fix,
    splits_digest,
)

METHODS = {
    "least_confident": "uncertainty sampling (least confident top class)",
    "margin": "margin sampling (smallest gap between the two top classes)",
    "entropy": "entropy sampling (most uncertain class distribution)",
    "random": "random sampling from the same seed set and batches (the reference)",
}
_SKACTIVEML_METHOD = {
    "least_confident": "least_confident",
    "margin": "margin_sampling",
    "entropy": "entropy",
}
# Default batch: this share of the labels held so far (at least one row), so the number of
# refits grows with the log of the budget, not with the budget.
DEFAULT_BATCH_FRACTION = 0.2
MISSING = -1
MAX_ERROR_CHARS = 400  # of the model's message; the point's error adds where the repeat stopped
# bump when a change of the simulation makes stored points incomparable with new ones
SIMULATION_VERSION = 1


class RowLookup(TransformerMixin, BaseEstimator):
    """Turn a column of row ids into those rows of a shared feature table."""

    def __init__(self, table: Shared) -> None:
        self.table = table

    def fit(self, X: Any, y: Any = None) -> RowLookup:
        return self

    def transform(self, X: Any) -> Any:
        ids = np.asarray(X).ravel().astype(int)
        frame = self.table.value
        return frame.iloc[ids] if hasattr(frame, "iloc") else frame[ids]


def _batch_schedule(seed_size: int, sizes: list[int], batch: int | None) -> list[int]:
    """Labeled counts after each batch: growing batches that land exactly on every size."""
    targets = sorted(s for s in sizes if s > seed_size)
    counts: list[int] = []
    current = seed_size
    for target in targets:
        while current < target:
            step = batch if batch else max(1, math.ceil(DEFAULT_BATCH_FRACTION * current))
            current = min(target, current + step)
            counts.append(current)
    return counts


def simulate_split(
    ctx: StrategyContext,
    split: Any,
    method: str,
    *,
    seed_size: int,
    batch: int | None = None,
    on_point: Callable[[dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Run one active-learning simulation on one split; one point per comparison size.

    ``on_point(point)`` is called with each point the moment it is scored (the store writes
    it, the progress reporter shows it).
    """
    from skactiveml.classifier import SklearnClassifier
    from skactiveml.pool import RandomSampling, UncertaintySampling

    classes, codes = np.unique(ctx.y, return_inverse=True)
    pool = np.asarray(split.train_order)
    val = np.asarray(split.val)
    rng_seed = int(
        np.random.SeedSequence([ctx.random_state, split.repeat]).generate_state(1)[0] >> 1
    )
    if method == "random":
        query = RandomSampling(missing_label=MISSING, random_state=rng_seed)
    else:
        query = UncertaintySampling(
            method=_SKACTIVEML_METHOD[method], missing_label=MISSING, random_state=rng_seed
        )
    model = Pipeline([("rows", RowLookup(Shared(ctx.X))), ("model", baseline_estimator(ctx))])
    _seed_model(model, rng_seed)
    clf = SklearnClassifier(
        model, classes=np.arange(len(classes)), missing_label=MISSING, random_state=rng_seed
    )
    scorer = get_scorer(ctx.scoring)
    ids = pool.astype(float).reshape(-1, 1)
    y_known = np.full(len(pool), MISSING)
    y_known[:seed_size] = codes[pool[:seed_size]]
    wanted = set(ctx.sizes)
    points: list[dict[str, Any]] = []
    schedule = [seed_size, *_batch_schedule(seed_size, ctx.sizes, batch)]
    fitted: Any = None

    def point_at(
        model_now: Any, error: str | None, caught: list[Any], size: int, seconds: float
    ) -> dict[str, Any]:
        # y_known is filled in place as rows are queried: the point reads the labels so far
        return _point(
            model_now, error, caught, ctx, pool, val, codes, classes, y_known, size,
            split.repeat, scorer, seconds,
        )  # fmt: skip

    for step, labeled in enumerate(schedule):
        if step > 0:
            # query from the model fitted on the previous labeled set
            chosen = _query(query, ids, y_known, fitted, labeled - schedule[step - 1])
            y_known[chosen] = codes[pool[chosen]]
        start = perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fitted, error = _fit(clf, model, ids, y_known)
        fit_seconds = perf_counter() - start
        if error is not None:
            # The next batch would be queried by no model, so the repeat ends here. Every size
            # it had still to reach is a failed point naming the error, as the curve engine
            # records a failing fit: the partial-failure line reports it, the points measured
            # before it stay, and a rerun simulates this repeat again.
            error = f"{error} (fit at {labeled:,} labels; the repeat stopped there)"
            for size in sorted(n for n in wanted if n >= labeled):
                seconds = fit_seconds if size == labeled else math.nan
                points.append(point_at(None, error, [], size, seconds))
                if on_point is not None:
                    on_point(points[-1])
            break
        if labeled in wanted:
            points.append(point_at(fitted, None, caught, labeled, fit_seconds))
            if on_point is not None:
                on_point(points[-1])
    return points


def _fit(clf: Any, model: Any, ids: np.ndarray, y_known: np.ndarray) -> tuple[Any, str | None]:
    """The classifier fitted on the labeled rows, or ``(None, error)`` when the model fails.

    scikit-activeml catches the model's exception and silently predicts the class frequencies
    instead (``is_fitted_`` false, one warning): a point scored that way would pass for a
    fitted one. The model is then fitted alone on the same rows to get its exception, type
    included.
    """
    try:
        fitted = clone(clf).fit(ids, y_known)
    except Exception as exc:  # raised by scikit-activeml's own checks
        return None, _error_text(exc)
    if getattr(fitted, "is_fitted_", True):
        return fitted, None
    labeled = y_known != MISSING
    try:
        clone(model).fit(ids[labeled], y_known[labeled])
    except Exception as exc:
        return None, _error_text(exc)
    return None, "the model could not be fitted (scikit-activeml fell back to class frequencies)"


def _error_text(exc: BaseException) -> str:
    """``"Type: first line"``, as the curve engine stores a failed fit."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}".strip()[:MAX_ERROR_CHARS]


def _seed_model(model: Any, seed: int) -> None:
    params = model.get_params(deep=True)
    unset = {k: seed for k, v in params.items() if k.endswith("random_state") and v is None}
    if unset:
        model.set_params(**unset)


def _query(query: Any, ids: np.ndarray, y_known: np.ndarray, fitted: Any, batch: int) -> np.ndarray:
    if hasattr(query, "method"):
        return np.asarray(query.query(ids, y_known, clf=fitted, fit_clf=False, batch_size=batch))
    return np.asarray(query.query(ids, y_known, batch_size=batch))


def _point(
    fitted: Any,
    error: str | None,
    caught: list[Any],
    ctx: StrategyContext,
    pool: np.ndarray,
    val: np.ndarray,
    codes: np.ndarray,
    classes: np.ndarray,
    y_known: np.ndarray,
    size: int,
    repeat: int,
    scorer: Any,
    fit_seconds: float,
) -> dict[str, Any]:
    labeled = pool[y_known != MISSING]
    point: dict[str, Any] = {
        "size": size,
        "repeat": repeat,
        "train_score": math.nan,
        "val_score": math.nan,
        "fit_seconds": fit_seconds,
        "predict_seconds": math.nan,
        "status": "failed" if error else "ok",
        "error": error,
        "warning": f"{caught[0].category.__name__}: {caught[0].message}"[:500] if caught else None,
        "n_train_groups": None,
        "train_counts": _counts(classes[codes[labeled]]),
        "val_counts": _counts(ctx.y[val]),
        "val_recall": None,
        "n_params": None,
    }
    if fitted is None:
        return point
    val_ids = val.astype(float).reshape(-1, 1)
    start = perf_counter()
    point["val_score"] = float(scorer(_Decoded(fitted, classes), val_ids, ctx.y[val]))
    point["predict_seconds"] = perf_counter() - start
    point["train_score"] = float(
        scorer(_Decoded(fitted, classes), labeled.astype(float).reshape(-1, 1), ctx.y[labeled])
    )
    predicted = classes[np.asarray(fitted.predict(val_ids), dtype=int)]
    present = [c for c in classes if np.any(ctx.y[val] == c)]
    recall = recall_score(ctx.y[val], predicted, labels=present, average=None, zero_division=0)
    point["val_recall"] = {str(c): float(r) for c, r in zip(present, recall, strict=True)}
    return point


class _Decoded(ClassifierMixin, BaseEstimator):
    """A fitted scikit-activeml classifier (labels 0..k-1) seen with the original labels."""

    def __init__(self, fitted: Any, classes: np.ndarray) -> None:
        self.fitted = fitted
        self.classes = classes
        self.classes_ = classes

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[np.asarray(self.fitted.predict(X), dtype=int)]

    @available_if(lambda self: hasattr(self.fitted.estimator_, "predict_proba"))
    def predict_proba(self, X: Any) -> np.ndarray:
        return self.fitted.predict_proba(X)

    # Only for a model without probabilities (SVC(), LinearSVC()): a threshold scorer such as
    # roc_auc then reads its decision function, as it would on the model itself. Models with
    # both keep being scored by their probabilities, as before.
    @available_if(
        lambda self: (
            not hasattr(self.fitted.estimator_, "predict_proba")
            and hasattr(self.fitted.estimator_, "decision_function")
            and len(self.fitted.estimator_.classes_) == len(self.classes_)
        )
    )
    def decision_function(self, X: Any) -> np.ndarray:
        return self.fitted.estimator_.decision_function(X)


def _counts(values: np.ndarray) -> dict[str, int]:
    labels, counts = np.unique(values, return_counts=True)
    return {str(label): int(count) for label, count in zip(labels, counts, strict=True)}


def simulation_identity(
    ctx: StrategyContext, method: str, seed_size: int, batch: int | None
) -> dict[str, Any]:
    """What the points of a simulation depend on, besides the split (see :func:`point_key`).

    As in :func:`howmuchdata.learning_curve`: the data, the model (its fingerprint and the
    source of the user's own classes in it), the scorer, the task and the root seed; and the
    simulation's own settings. The sizes are all part of it, not only the size of a point:
    the batches land on every size, so another list of sizes queries other rows.
    """
    from howmuchdata.curve.inputs import fingerprint, user_code_fingerprint

    model = baseline_estimator(ctx)
    identity: dict[str, Any] = {
        "simulation": "active",
        "version": SIMULATION_VERSION,
        "data": fingerprint((ctx.X, ctx.y)),
        "model": fingerprint(model),
        "scoring": ctx.scoring,
        "task": ctx.task,
        "random_state": ctx.random_state,
        "method": method,
        "seed_size": seed_size,
        "batch": batch,
        "sizes": [int(n) for n in ctx.sizes],
    }
    code = user_code_fingerprint(model)
    if code is not None:
        identity["code"] = code
    return identity


def point_key(run_id: str, split: Any, size: int) -> str:
    """The store key of the point at ``size`` of the simulation ``run_id`` on ``split``."""
    fingerprint = splits_digest([split])[:16]
    return key_digest({"run": run_id, "repeat": split.repeat, "split": fingerprint, "size": size})


def simulate(
    ctx: StrategyContext,
    method: str,
    *,
    name: str,
    store: Any = None,
    progress: Any = None,
) -> Any:
    """The active-learning curve of one query method over all of the comparison's splits.

    Parameters
    ----------
    store : str or Store, optional
        The run store (as in :func:`howmuchdata.learning_curve`): each point is written the
        moment it is scored, and a repeat whose points are all stored and fitted is read back
        instead of simulated. Default: in memory only.
    progress : bool or {"auto", "log", "bar"} or Reporter, optional
        Show progress, one point at a time (as the learning-curve engine does).
    """
    from howmuchdata.curve import LearningCurve, points_frame
    from howmuchdata.curve.progress import make_reporter
    from howmuchdata.store import Store, open_store

    seed_size = int(ctx.options.get("active_seed", ctx.sizes[0]))
    batch = ctx.options.get("active_batch")
    if seed_size < 2 or seed_size > ctx.sizes[-1]:
        raise HowMuchDataError(
            f"active-learning seed set of {seed_size} rows is outside 2..{ctx.sizes[-1]}; "
            "pass active_seed within the training sizes"
        )
    # the sizes a repeat has a point at (smaller ones come before the seed set)
    expected = [int(n) for n in ctx.sizes if n >= seed_size]
    run_id = key_digest(simulation_identity(ctx, method, seed_size, batch))
    keys = {(s.repeat, n): point_key(run_id, s, n) for s in ctx.splits for n in expected}

    owns_store = not isinstance(store, Store)
    point_store = open_store(store)
    reporter = make_reporter(progress)
    records: list[dict[str, Any]] = []
    computed = 0
    try:
        found = point_store.get_many(keys.values())
        # a repeat is reused whole: its later points depend on the rows queried before them
        reused = {
            s.repeat
            for s in ctx.splits
            if all(
                found.get(keys[s.repeat, n], {}).get("status", "failed") == "ok" for n in expected
            )
        }
        total = len(keys)
        reporter.start(name, total, len(reused) * len(expected))
        try:
            for split in ctx.splits:
                if split.repeat in reused:
                    records.extend(found[keys[split.repeat, n]] for n in expected)
                    continue

                def keep(point: dict[str, Any], split: Any = split) -> None:
                    key = keys[split.repeat, int(point["size"])]
                    point_store.put(key, point, run=run_id, model=name)
                    reporter.advance(point)

                points = simulate_split(
                    ctx, split, method, seed_size=seed_size, batch=batch, on_point=keep
                )
                computed += len(points)
                records.extend(points)
        finally:
            reporter.finish()
        store_url = point_store.url
    finally:
        if owns_store:
            point_store.close()
    sizes = sorted({int(r["size"]) for r in records})
    return LearningCurve(
        points=points_frame(records),
        scoring=ctx.scoring,
        greater_is_better=True,
        task=ctx.task,
        n_samples=len(ctx.y),
        classes=np.unique(ctx.y).tolist(),
        model=name,
        settings={
            "sizes": sizes,
            "repeats": len(ctx.splits),
            "scoring": ctx.scoring,
            "split": "comparison",
            "random_state": ctx.random_state,
            "simulation": "pool-based active learning (scikit-activeml)",
            "query": METHODS[method],
            "seed_size": seed_size,
            "batch": batch if batch else f"{DEFAULT_BATCH_FRACTION:.0%} of labels held",
            "fingerprint": run_id,
            "store": store_url,
            "computed": computed,
            "from_store": len(records) - computed,
        },
    )


#: The query methods that rank rows by the model's class probabilities.
UNCERTAINTY = ("least_confident", "margin", "entropy")


def arms(ctx: StrategyContext, variant: str | None = None) -> list[Arm]:
    """``active:<method>`` arms for every query method (``random`` always included)."""
    return arms_for(ctx, [variant])


def arms_for(ctx: StrategyContext, variants: Sequence[str | None]) -> list[Arm]:
    """The active-learning arms for every ``active`` / ``active:<method>`` of a strategy list.

    ``None`` in ``variants`` is the whole family. ``random`` comes with every uncertainty
    method, as their reference.

    - On two classes least-confident, margin and entropy sampling rank rows alike (each is
      a monotone function of the one probability, so each queries the rows nearest 0.5): one
      arm is run for them, the first named, else ``least_confident``, and a line in
      ``ctx.notes`` says so.
    - Uncertainty sampling needs the baseline's ``predict_proba``. Without it a method named
      by the user stops here with the fix; the family alone leaves the uncertainty methods
      out (and ``random``, unless named), with a note, so the other strategies still run.

    Raises
    ------
    HowMuchDataError
        For an unknown method, a numeric target, a missing scikit-activeml, or a method named
        by the user that the baseline cannot drive (no ``predict_proba``).
    """
    ctx.require_classification("active")
    for variant in variants:
        if variant is not None and variant not in METHODS:
            raise HowMuchDataError(
                f"unknown active-learning method {variant!r}; use one of "
                + ", ".join(f"active:{m}" for m in METHODS)
            )
    try:
        import skactiveml  # noqa: F401
    except ImportError:
        raise HowMuchDataError(
            "the active strategy needs scikit-activeml; pip install 'howmuchdata[strategies]'"
        ) from None
    named = list(dict.fromkeys(v for v in variants if v is not None))
    named_uncertain = [m for m in named if m in UNCERTAINTY]
    whole_family = None in variants
    uncertain = named_uncertain + (
        [m for m in UNCERTAINTY if m not in named_uncertain] if whole_family else []
    )
    if uncertain and not has_probabilities(ctx):
        reason = (
            f"the baseline {ctx.baseline_name} has no predict_proba, which uncertainty "
            f"sampling ranks rows by; pass {probability_fix(ctx)}"
        )
        if named_uncertain:
            raise HowMuchDataError(
                f"active:{named_uncertain[0]}: {reason}, or leave it out of strategies="
            )
        left = "active:random ran alone" if "random" in named else "active left out"
        ctx.notes.append(f"{left}: {reason} to compare uncertainty sampling")
        uncertain = []
    descriptions = {m: METHODS[m] for m in METHODS}
    if len(uncertain) > 1 and len(np.unique(ctx.y)) == 2:
        kept, same = uncertain[0], uncertain[1:]
        others = " and ".join(f"active:{m}" for m in same)
        ctx.notes.append(
            f"active:{kept} also stands for {others}: on two classes they query the same rows "
            "(probability nearest 0.5)"
        )
        descriptions[kept] += f"; on two classes the same queries as {others}"
        uncertain = [kept]
    methods = uncertain + (["random"] if uncertain or "random" in named else [])
    return [
        Arm(
            name=f"active:{m}",
            simulate=lambda c, m=m, **run: simulate(c, m, name=f"active:{m}", **run),
            family="active",
            description=descriptions[m],
        )
        for m in methods
    ]
