"""``compare``: every strategy's learning curve on the same splits, and the labels each saves."""

from __future__ import annotations

import math
import numbers
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter
from typing import Any

import numpy as np
import pandas as pd

from howmuchdata.curve import LearningCurve, curves_to_result, learning_curve
from howmuchdata.curve.core import check_scoring, check_task_and_target, most_common_error
from howmuchdata.curve.plan import (
    DEFAULT_RATIO,
    DEFAULT_VAL_FRACTION,
    default_min_size,
    make_splits,
    resolve_sizes,
)
from howmuchdata.data import Dataset, Task, check_groups, check_time
from howmuchdata.deep.embeddings import encode_into_cache
from howmuchdata.embedding_cache import (
    EmbeddingCache,
    default_cache_dir,
)
from howmuchdata.errors import HowMuchDataError, shown
from howmuchdata.extrapolate.core import MIN_DISTINCT_SIZES
from howmuchdata.metrics import check_target_score
from howmuchdata.models import DEEP_PRESETS, PRESETS
from howmuchdata.strategies.base import (
    Arm,
    StrategyContext,
    preset_labels,
    resolve_preset,
    splits_digest,
)
from howmuchdata.strategies.embedders import (
    FunctionEmbedder,
    ImageEmbedder,
    TextEmbedder,
    embedder_rows,
)
from howmuchdata.strategies.labels_saved import (
    LABELS_SAVED_COLUMNS,
    best_strategy_at,
    crossovers,
    default_targets,
    describe_row,
    labels_saved_table,
    ratio,
)
from howmuchdata.strategies.registry import EMBEDDING_FAMILIES, build_arms, families_of

DEFAULT_STRATEGIES = ("baseline", "simpler", "augment", "ensemble")
# scikit-learn scorers (greater is better) whose scores can exceed 1
UNBOUNDED_SCORERS = ("positive_likelihood_ratio", "mutual_info_score")
MAX_ERROR_CHARS = 300
ACTIVE_COLUMNS = ["random_labels", "ratio_vs_random"]


class ComparisonSplits:
    """A scikit-learn splitter that replays the comparison's splits to every curve.

    Handing the engine this splitter (``cv=``) makes every strategy's curve use literally the
    same validation rows and the same nested training subsets (the first ``n`` rows of each
    split's order), instead of relying on equal seeds.
    """

    def __init__(self, splits: list[Any], kind: str) -> None:
        self.splits = splits
        self.kind = kind
        self.fingerprint = splits_digest(splits)[:12]

    def split(
        self, X: Any = None, y: Any = None, groups: Any = None
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for s in self.splits:
            yield np.asarray(s.train_order), np.asarray(s.val)

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        return len(self.splits)

    def __repr__(self) -> str:
        # the engine keys stored points by this text: it must change whenever the splits do
        return f"ComparisonSplits({self.kind}, {len(self.splits)} repeats, {self.fingerprint})"


@dataclass
class Comparison:
    """Learning curves of several strategies on the same splits, and the labels each saves.

    Attributes
    ----------
    curves : dict of str to LearningCurve
        One curve per strategy that ran (``baseline`` first).
    extrapolations : dict of str to Extrapolation
        One fitted extrapolation per curve that could be extrapolated.
    labels_saved : pandas.DataFrame
        One row per (strategy, target): ``labels``, ``labels_lo``, ``labels_hi`` (interval at
        ``level``), ``baseline_labels`` (+ ``baseline_lo`` / ``baseline_hi``), ``ratio``
        (baseline labels / strategy labels), and for active-learning rows ``random_labels`` and
        ``ratio_vs_random`` (against random sampling from the same seed set).
    crossovers : list of dict
        Sizes where the best strategy changes: ``size``, ``below``, ``above``, ``score``,
        ``extrapolated``. Only changes that are more than noise: the two curves' ``level``
        intervals separate on at least one side, and the measured points agree on the other
        (see :func:`~howmuchdata.strategies.labels_saved.crossovers`).
    targets : list of float
    baseline : str
        Name of the reference curve (``"baseline"``).
    failures : dict of str to str
        Strategies that did not produce a usable curve, with the reason (one line).
    partial_failures : dict of str to str
        Strategies with a curve of which some points failed: how many, at which sizes, and the
        most common error (one line). Their curves, and so their labels, rest on the points
        that fitted only.
    strategies : list of dict
        Per strategy: ``name``, ``family``, ``description``, ``seconds``, ``status``,
        ``failed_points``.
    notes : list of str
        Arms left out or merged before any fit, one line each: the uncertainty sampling
        methods that query the same rows on two classes, those a baseline without
        ``predict_proba`` cannot drive, and the ``simpler`` models that cannot read the
        sparse TF-IDF of a text column.
    settings : dict
        Sizes, repeats, split, scoring, seed, level, embedding details.
    """

    curves: dict[str, LearningCurve]
    extrapolations: dict[str, Any]
    labels_saved: pd.DataFrame
    crossovers: list[dict[str, Any]]
    targets: list[float]
    baseline: str = "baseline"
    failures: dict[str, str] = field(default_factory=dict)
    partial_failures: dict[str, str] = field(default_factory=dict)
    strategies: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def best_at(self, n: float) -> str:
        """Name of the strategy with the best predicted score at ``n`` labels."""
        names, _ = best_strategy_at(self.extrapolations, np.array([float(n)]))
        return names[0]

    def summary(self) -> str:
        """A few lines: labels needed per target against the baseline, crossovers, failures
        (whole strategies, then strategies with some failed points), and notes on the arms
        left out or merged."""
        lines = []
        for target in self.targets:
            rows = self.labels_saved[self.labels_saved["target"] == target]
            lines.append(f"target {self.settings.get('scoring', 'score')} {target:g}:")
            for row in rows.sort_values("labels").to_dict(orient="records"):
                lines.append("  " + describe_row(row, self.baseline))
        for cross in self.crossovers:
            where = " (extrapolated)" if cross["extrapolated"] else ""
            lines.append(
                f"{cross['below']} is best below ~{cross['size']:,.0f} labels, "
                f"{cross['above']} above{where}"
            )
        for name, reason in self.failures.items():
            lines.append(f"{name} failed: {reason}")
        for name, reason in self.partial_failures.items():
            lines.append(f"{name}: {reason}")
        lines.extend(self.notes)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """Jupyter display: the same answer and labels-saved summary as the report."""
        from howmuchdata.report.jupyter import summary_html

        return summary_html(self.to_dict())

    def to_dict(self) -> dict[str, Any]:
        """The result.json sections: ``points``, ``curves``, ``extrapolation``,
        ``labels_saved`` and ``comparison``."""
        out = curves_to_result(list(self.curves.values()))
        split_rows = self.settings.get("split_rows")
        if split_rows:  # every strategy's curve uses the same splits
            out["curves"] = [{**meta, "split_rows": split_rows} for meta in out["curves"]]
        out["extrapolation"] = {name: ext.to_dict() for name, ext in self.extrapolations.items()}
        out["labels_saved"] = self.labels_saved.to_dict(orient="records")
        out["comparison"] = {
            "baseline": self.baseline,
            "targets": list(self.targets),
            "crossovers": self.crossovers,
            "strategies": self.strategies,
            "failures": self.failures,
            "partial_failures": self.partial_failures,
            "notes": self.notes,
            "settings": self.settings,
        }
        return out


def compare(
    X: Any,
    y: Any = None,
    *,
    strategies: Sequence[Any] = DEFAULT_STRATEGIES,
    targets: Sequence[float] | None = None,
    baseline: Any = "logreg",
    text: str | None = None,
    image_shape: tuple[int, ...] | None = None,
    image_weights: str | os.PathLike[str] | None = None,
    image_arch: str = "resnet18",
    embed: Callable[[Any], Any] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    groups: Any = None,
    time: Any = None,
    sizes: Sequence[float] | None = None,
    repeats: int = 5,
    scoring: str | None = None,
    val_fraction: float = DEFAULT_VAL_FRACTION,
    ratio: float = DEFAULT_RATIO,
    level: float = 0.8,
    random_state: int = 0,
    n_jobs: int | None = None,
    store: Any = None,
    options: dict[str, Any] | None = None,
    progress: Any = "interactive",
) -> Comparison:
    """Measure each strategy's learning curve on the same splits and tabulate labels saved.

    Parameters
    ----------
    X : DataFrame, array or Dataset
        Features (one row per labeled example). A :class:`~howmuchdata.data.Dataset` brings its
        own ``y``, ``groups`` and ``time``.
    y : array-like or str, optional
        Target values, or the name of the target column of ``X``.
    strategies : sequence of str or (name, estimator)
        Families (``baseline``, ``simpler``, ``transfer``, ``augment``, ``semi``, ``active``,
        ``fewshot``, ``synthetic``, ``ensemble``), single variants (``simpler:knn``,
        ``active:margin``) or user pairs ``("my_svm", SVC())``. The baseline is always included.
    targets : sequence of float, optional
        Target scores for the labels-saved table, inside the scorer's range (at most 1 for
        accuracy, AUC, F1, R^2, ...; at most 0 for ``neg_*`` errors); default: the baseline's
        expected score at its middle and largest size, and halfway from there to its
        extrapolated asymptote. When the baseline is flat (its curve flagged ``flat``, or those
        levels round to one target), the strategy measured best at its largest size adds its
        measured mean at its middle and largest size, where better than the baseline's
        targets: how many labels the baseline needs to match it, or that it does not (see
        :func:`~howmuchdata.strategies.labels_saved.default_targets`).
    baseline : str or estimator
        The reference model: a preset (``logreg``, ``hgb``, ``knn``, ``mlp``, ``rf``) or an
        estimator / pipeline. On a numeric target ``logreg`` fits a ridge regression and is
        named ``ridge`` in the results (``ridge`` is accepted as its name there). With ``text`` the preset runs on TF-IDF of the text column. An
        estimator's declared type sets the task (a regressor: regression, a classifier:
        classification), as in :func:`howmuchdata.learning_curve`; a preset leaves it to ``y``.
    text : str, optional
        Name of a free-text column: TF-IDF for the baseline, MiniLM sentence embeddings for
        transfer and few-shot.
    image_shape : tuple, optional
        ``(height, width[, channels])`` when each row is a flattened image: enables image
        augmentation and, with weights on disk, image transfer. The table must have
        ``height * width * channels`` numeric feature columns.
    image_weights : path, optional
        Backbone file for image transfer: a ``.pt2`` :func:`torch.export.save` program, a
        TorchScript archive, or a torchvision ``state_dict`` of ``image_arch`` (default:
        torchvision's file for ``image_arch`` in the torch hub cache).
    image_arch : str
        torchvision backbone for image transfer.
    embed : callable, optional
        Your own ``embed(X) -> array`` for transfer and few-shot (takes precedence).
    cache_dir : path, optional
        Embedding cache folder; default ``$HOWMUCHDATA_CACHE/embeddings`` or
        ``~/.cache/howmuchdata/embeddings``.
    groups, time : array-like, optional
        As in :func:`howmuchdata.learning_curve`.
    sizes, repeats, scoring, val_fraction, ratio, random_state, n_jobs, store, progress
        As in :func:`howmuchdata.learning_curve`; shared by every strategy.
    level : float
        Coverage of the labels intervals, and of the intervals that decide whether two
        curves differ enough for a crossover.
    options : dict, optional
        Per-family settings: ``augment_copies`` (2), ``image_ops`` (shift, crop, noise),
        ``active_seed`` (the smallest size), ``active_batch`` (20% of labels held),
        ``max_unlabeled`` (2000), ``ensemble_size`` (10).

    Returns
    -------
    Comparison

    Raises
    ------
    HowMuchDataError
        For bad input found before any fitting: an unknown strategy, a missing text column,
        an image shape that does not fit the columns, a scorer that cannot score the target
        (``roc_auc`` on three classes), a target outside the scorer's range, missing
        pretrained weights, a strategy that does not apply, a user strategy whose type
        contradicts the task, a baseline name that is not a table preset, an uncertainty
        or self-training arm named while the baseline has no ``predict_proba``. And when the baseline fails (every point, say): every ratio is
        against it, so the strategies are not measured. Another strategy that fails while
        running does not raise: it is listed in ``Comparison.failures`` and the others go on;
        one that fails at some points only is listed in ``Comparison.partial_failures``.
    """
    _check_not_image_files(X)
    declared_by = None if isinstance(baseline, str) else baseline
    X, y_arr, task, groups, time = _inputs(X, y, groups, time, declared_by)
    if isinstance(baseline, str):
        baseline = resolve_preset(baseline.strip(), task, "--baseline ")
        _check_baseline_name(baseline, task)
    if text is not None and text not in X.columns:
        names = ", ".join(map(str, list(X.columns)[:8]))
        raise HowMuchDataError(
            f"text column {text!r} not found; pass text=COLUMN (--text COLUMN) with one of: {names}"
        )
    if image_shape is not None:
        image_shape = _check_image_shape(X, image_shape)
    scoring_name = scoring or ("accuracy" if task == "classification" else "r2")
    check_scoring(scoring_name, y_arr, task)  # once here, not once per strategy
    if targets is not None:
        targets = _check_targets(targets, scoring_name)
    strategies = list(strategies)
    needs_embedding = bool(families_of(strategies) & EMBEDDING_FAMILIES)
    embedder = _embedder(X, text, image_shape, image_weights, image_arch, embed, needs_embedding)
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()

    splits = make_splits(
        y_arr,
        task=task,
        repeats=repeats,
        seed=random_state,
        groups=groups,
        time=time,
        val_fraction=val_fraction,
    )
    max_size = min(len(s.train_order) for s in splits)
    min_size = default_min_size(y_arr, task) if sizes is None else 1
    size_list = resolve_sizes(
        sizes, min_size=min_size, max_size=max_size, n_rows=len(y_arr), ratio=ratio
    )
    if len(set(size_list)) < MIN_DISTINCT_SIZES:
        # labels saved are read off extrapolated curves, which need three sizes: say so
        # before every strategy's points are fitted, not after
        listed = ", ".join(f"{n:,}" for n in size_list)
        raise HowMuchDataError(
            f"the sizes {listed} are {len(set(size_list))} distinct training size(s); labels saved "
            f"are read off extrapolated curves, which need {MIN_DISTINCT_SIZES} or more: pass at least "
            f"{MIN_DISTINCT_SIZES} sizes (--sizes), or leave them out for the default"
        )
    kind = (
        "time"
        if time is not None
        else "groups"
        if groups is not None
        else ("stratified" if task == "classification" else "random")
    )
    splitter = ComparisonSplits(splits, kind)
    ctx = StrategyContext(
        X=X,
        y=y_arr,
        task=task,
        baseline=baseline,
        text=text,
        image_shape=image_shape,
        embedder=embedder,
        cache_dir=cache if embedder is not None else None,
        splits=splits,
        sizes=size_list,
        scoring=scoring_name,
        random_state=random_state,
        options=dict(options or {}),
    )
    arms = build_arms(ctx, strategies)  # every configuration error surfaces here, before fitting
    if groups is not None and any(a.family == "active" for a in arms):
        # the active arms query single rows: their labels spread over more groups than the
        # baseline's subsets, which add whole groups, and that alone can look like a saving
        ctx.notes.append(
            "with groups, active learning queries single rows of any group, while the baseline "
            "and the other strategies add whole groups at a time: part of an active arm's "
            "saving against the baseline comes from labelling rows of more groups; read the "
            "active arms against active:random, which draws single rows the same way"
        )

    settings: dict[str, Any] = {
        "sizes": size_list,
        "repeats": len(splits),
        "split": repr(splitter),
        "scoring": scoring_name,
        "random_state": random_state,
        "level": level,
        "baseline_model": ctx.baseline_name,
        "text": text,
        "image_shape": list(image_shape) if image_shape else None,
        # where the rows go in each repeat: the report says how many train, validate and
        # are unused (a grouped or time split's validation set is not a fixed share of rows)
        "split_rows": {
            "validate": [int(len(s.val)) for s in splits],
            "train": [int(len(s.train_order)) for s in splits],
        },
    }
    if embedder is not None and any(a.family in EMBEDDING_FAMILIES for a in arms):
        settings["embedding"] = _precompute(ctx, embedder, cache, progress)

    curves: dict[str, LearningCurve] = {}
    extrapolations: dict[str, Any] = {}
    failures: dict[str, str] = {}
    partial: dict[str, str] = {}
    records: list[dict[str, Any]] = []
    for arm in arms:
        start = perf_counter()
        status = "ok"
        curve = None
        try:
            curve = _run_arm(
                arm,
                ctx,
                X,
                y_arr,
                groups,
                splitter,
                size_list,
                scoring_name,
                val_fraction,
                random_state,
                n_jobs,
                store,
                progress,
            )
            if curve.ok_points.empty:
                raise HowMuchDataError(_every_point_failed(curve))
            curves[arm.name] = curve
            extrapolations[arm.name] = curve.extrapolate()
        except Exception as exc:  # one failing strategy must not stop the others
            reason = _one_line(exc)
            if curve is not None and 0 < len(curve.failures) < len(curve.points):
                # e.g. too few sizes left to extrapolate: the failed points are the cause
                reason = f"{_failed_points(curve)}; on the points left: {reason}"
            if arm.name == "baseline":
                # every ratio is against the baseline: without its extrapolation, no answer
                fix = (
                    "clean the data or pass another baseline= (--baseline)"
                    if curve is not None and curve.ok_points.empty
                    else "fix that"
                )
                raise HowMuchDataError(
                    f"the baseline ({arm.description}) failed, and every strategy is measured "
                    f"against it: {reason}; {fix} and run again"
                ) from None
            failures[arm.name] = reason
            status = "failed"
        n_failed = len(curve.failures) if curve is not None else 0
        if status == "ok" and 0 < n_failed < len(curve.points):
            partial[arm.name] = _partial_failure(curve)
        records.append(
            {
                "name": arm.name,
                "family": arm.family,
                "description": arm.description,
                "seconds": perf_counter() - start,
                "status": status,
                "failed_points": n_failed,
            }
        )

    table, cross, target_list = _tables(curves, extrapolations, targets, level, size_list)
    return Comparison(
        curves=curves,
        extrapolations=extrapolations,
        labels_saved=table,
        crossovers=cross,
        targets=target_list,
        failures=failures,
        partial_failures=partial,
        strategies=records,
        settings=settings,
        notes=list(ctx.notes),
    )


def _check_baseline_name(name: str, task: Task) -> None:
    """Refuse a baseline name compare cannot run, naming the ones it can.

    compare builds every strategy around a table preset (``split_baseline``): the deep presets
    and ``module:callable`` of ``howmuchdata curve --model`` are not among them.
    """
    if name in PRESETS:
        return
    accepted = ", ".join(preset_labels(task))
    if name in DEEP_PRESETS:
        raise HowMuchDataError(
            f"--baseline {name} is a network preset of howmuchdata curve, which compare does "
            f"not run; use one of {accepted}, or measure it alone with: "
            f"howmuchdata curve DATA --model {name}"
        )
    extra = " (module:callable is for howmuchdata curve --model)" if ":" in name else ""
    raise HowMuchDataError(
        f"unknown baseline {name!r}{extra}; pass baseline= (--baseline) one of {accepted}, "
        "or from Python an estimator such as baseline=SVC(probability=True)"
    )


def _check_not_image_files(X: Any) -> None:
    """Refuse image files (a folder, a CSV of image paths, or their Dataset) and other paths.

    The strategies read table rows: on the one-column table of file paths that an image
    folder loads as they would learn from the file names, not the pixels (``howmuchdata
    compare`` refuses them the same way).
    """
    if isinstance(X, str | os.PathLike):
        from howmuchdata.deep.images import is_image_csv

        path = Path(X)
        if path.is_dir() or is_image_csv(path):
            raise HowMuchDataError(image_files_message(str(X)))
        raise HowMuchDataError(
            f"X is the path {str(X)!r}; compare takes the data itself: read the file with "
            "howmuchdata.data.load_dataset(PATH, TARGET) and pass that Dataset (or a DataFrame)"
        )
    if isinstance(X, Dataset) and (getattr(X, "notes", None) or {}).get("images"):
        raise HowMuchDataError(image_files_message(X.source))


def image_files_message(
    source: str, image_shape: str = "image_shape=(HEIGHT, WIDTH[, CHANNELS])"
) -> str:
    """Why compare refuses image files, and what to do instead (``image_shape`` as the
    caller spells that setting: the keyword here, ``--image-shape ...`` on the command line)."""
    return (
        f"compare reads tables and {source} holds image files: its strategies would learn "
        "from the file names, not the pixels; pass the pixels as columns (one row per image) "
        f"with {image_shape}, or measure the images with: howmuchdata curve {source} --model cnn"
    )


def _inputs(
    X: Any, y: Any, groups: Any, time: Any, estimator: Any = None
) -> tuple[pd.DataFrame, np.ndarray, str, Any, Any]:
    if isinstance(X, Dataset):
        ds = X
        X, y = ds.X, ds.y
        groups = ds.groups if groups is None else groups
        time = ds.time if time is None else time
    if isinstance(y, str):
        if not isinstance(X, pd.DataFrame) or y not in X.columns:
            raise HowMuchDataError(
                f"target column {y!r} not found; pass y= with the target values or column"
            )
        X, y = X.drop(columns=[y]), X[y]
    if y is None:
        raise HowMuchDataError("no target given; pass y= (values or a column name of X)")
    if isinstance(X, pd.DataFrame):
        frame = X.reset_index(drop=True)
    else:
        arr = np.asarray(X)
        if arr.ndim != 2:
            raise HowMuchDataError(
                f"X has {arr.ndim} dimensions; pass a 2-D table (one row per example)"
            )
        frame = pd.DataFrame(arr, columns=[f"x{i}" for i in range(arr.shape[1])])
    # the lengths first: ten values of a longer y would read as a one-class target
    n_values = len(y) if hasattr(y, "__len__") else None
    if n_values is not None and n_values != len(frame):
        raise HowMuchDataError(
            f"X has {len(frame)} rows but y has {n_values} values; pass one target per row"
        )
    y_arr, task = check_task_and_target(estimator, y, name="y")
    if len(y_arr) != len(frame):
        raise HowMuchDataError(
            f"X has {len(frame)} rows but y has {len(y_arr)} values; pass one target per row"
        )
    groups = check_groups(groups, len(frame)) if groups is not None else None
    time = check_time(time, len(frame)) if time is not None else None
    return frame, y_arr, task, groups, time


def _check_image_shape(X: pd.DataFrame, image_shape: Any) -> tuple[int, ...]:
    """The image shape as a tuple, after checking it against the table (a one-line error).

    Every feature column must be a number and their count must be height x width [x channels]:
    a wrong shape would otherwise fail every point of every image strategy, one by one.
    """
    try:
        shape = tuple(int(d) for d in image_shape)
    except (TypeError, ValueError):
        shape = ()
    if len(shape) not in (2, 3) or min(shape) < 1 or shape != tuple(image_shape):
        raise HowMuchDataError(
            f"image_shape {image_shape!r} is not (height, width[, channels]); pass e.g. "
            "image_shape=(8, 8) (--image-shape 8x8)"
        )
    written = "x".join(map(str, shape))
    needed = math.prod(shape)
    if X.shape[1] != needed:
        n = X.shape[1]
        raise HowMuchDataError(
            f"image shape {written} needs {needed} pixel columns but the table has {n} feature "
            "columns; pass image_shape=(HEIGHT, WIDTH[, CHANNELS]), the shape the rows were "
            f"flattened from, multiplying to {n}{_shape_hint(n)}, or drop the columns that are "
            "not pixels from X (--drop)"
        )
    text_columns = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    if text_columns:
        raise HowMuchDataError(
            f"image shape {written} given but column {text_columns[0]!r} is not numeric; "
            "pass pixel values only: drop it from X (--drop)"
        )
    return shape


def _shape_hint(columns: int) -> str:
    """``", e.g. image_shape=(8, 8) (--image-shape 8x8)"`` when the column count fits a square
    image (grey, or three channels), else ``" (--image-shape HEIGHTxWIDTH[xCHANNELS])"``."""
    for channels in (1, 3):
        side = math.isqrt(columns // channels)
        if columns % channels == 0 and side * side * channels == columns and side > 1:
            shape = (side, side, 3) if channels == 3 else (side, side)
            return f", e.g. image_shape={shape} (--image-shape {'x'.join(map(str, shape))})"
    return " (--image-shape HEIGHTxWIDTH[xCHANNELS])"


def _check_targets(targets: Sequence[float], scoring: str) -> list[float]:
    """The targets as floats, each inside the scorer's range (checked before any fitting).

    :func:`howmuchdata.metrics.check_target_score` judges the range; as no score has been
    measured yet, a scorer is taken to top out at 1 unless it is one of scikit-learn's few
    unbounded ones (an error, ``neg_*``, tops out at 0 there).
    """
    if isinstance(targets, str | bytes | numbers.Real):
        targets = [targets]  # type: ignore[list-item]
    checked = []
    for target in targets:
        try:
            value = float(target)
        except (TypeError, ValueError):
            value = math.nan
        if not math.isfinite(value):
            raise HowMuchDataError(
                f"target {shown(target)} is not a number; pass scores like "
                "targets=[0.9, 0.95] (--targets 0.9,0.95)"
            )
        top = math.inf if scoring in UNBOUNDED_SCORERS else 1.0
        check_target_score(value, True, scoring, top)
        checked.append(value)
    return checked


def _embedder(
    X: pd.DataFrame,
    text: str | None,
    image_shape: Any,
    weights: Any,
    arch: str,
    embed: Any,
    needed: bool,
) -> Any:
    if embed is not None:
        embedder: Any = FunctionEmbedder(embed)
    elif text is not None:
        embedder = TextEmbedder()
    elif image_shape is not None:
        pixel_max = float(np.nanmax(X.to_numpy(dtype=float))) or 1.0
        embedder = ImageEmbedder(
            tuple(image_shape), arch=arch, weights=weights, pixel_max=pixel_max
        )
    else:
        return None
    if needed:
        embedder.check()  # missing weights or packages: say so now, not after an hour of curves
    return embedder


def _precompute(
    ctx: StrategyContext, embedder: Any, cache_dir: Path, progress: Any = None
) -> dict[str, Any]:
    """Embed every row once (reading the cache); the curves then only read vectors back.

    Loading the encoder and encoding take place here, before any curve, so no point's fit
    time includes them: they are timed apart (``seconds``, shown with the progress lines).
    """
    cache = EmbeddingCache(cache_dir, embedder.id)
    rows = embedder_rows(embedder, ctx.X[ctx.text] if ctx.text is not None else ctx.X)
    say = _progress_lines(progress)
    say(f"embeddings: {len(rows):,} rows with {embedder.id}, encoded once before the curves")
    fill = encode_into_cache(rows, embedder, cache)
    say(
        f"embeddings: ready in {fill.seconds:.1f} s ({fill.counts_words()}); not counted in "
        "any fit time"
    )
    return fill.to_dict()


def _progress_lines(progress: Any) -> Callable[[str], None]:
    """Print a line on stderr where ``progress`` shows the engine's progress (bar or log)."""
    from howmuchdata.curve.progress import SilentReporter, make_reporter

    watched = progress == "interactive" and not isinstance(make_reporter(progress), SilentReporter)
    if progress in (True, "auto", "log", "bar") or watched:
        return lambda line: print(line, file=sys.stderr, flush=True)
    return lambda line: None


def _run_arm(
    arm: Arm,
    ctx: StrategyContext,
    X: pd.DataFrame,
    y: np.ndarray,
    groups: Any,
    splitter: ComparisonSplits,
    sizes: list[int],
    scoring: str,
    val_fraction: float,
    random_state: int,
    n_jobs: Any,
    store: Any,
    progress: Any,
) -> LearningCurve:
    if arm.simulate is not None:
        # the simulation keeps its points in the same store, and shows the same progress
        curve = arm.simulate(ctx, store=store, progress=progress)
    else:
        curve = learning_curve(
            arm.estimator,
            X,
            y,
            groups=groups,
            sizes=sizes,
            repeats=splitter.get_n_splits(),
            scoring=scoring,
            store=store,
            n_jobs=n_jobs,
            cv=splitter,
            task=ctx.task,
            val_fraction=val_fraction,
            random_state=random_state,
            name=arm.name,
            progress=progress,
        )
    return curve


def _every_point_failed(curve: LearningCurve) -> str:
    """Why a curve without a single fitted point failed, in one line."""
    count, error = _most_common_error(curve)
    n = len(curve.points)
    return f"every point failed ({n} of {n}; most common error, {count} times: {error})"


def _most_common_error(curve: LearningCurve) -> tuple[int, str]:
    """How often the most common error of the failed points occurs, and its first line."""
    failed = curve.failures
    if failed.empty:
        return 0, "no point could be fitted"
    return most_common_error(failed) or (len(failed), "no error message stored")


def _failed_points(curve: LearningCurve) -> str:
    """``"2 of 6 points failed (size 32; most common error, 2 times: ...)"``."""
    failed = curve.failures
    sizes = sorted({int(s) for s in failed["size"]})
    listed = ", ".join(f"{s:,}" for s in sizes)
    count, error = _most_common_error(curve)
    return (
        f"{len(failed)} of {len(curve.points)} points failed (size{'s' if len(sizes) > 1 else ''} "
        f"{listed}; most common error, {count} times: {error})"
    )


def _partial_failure(curve: LearningCurve) -> str:
    """One line on the failed points of a curve that has some points left."""
    return (
        f"{_failed_points(curve)}; its curve and labels rest on the {len(curve.ok_points)} "
        "that fitted"
    )


def _tables(
    curves: dict[str, LearningCurve],
    extrapolations: dict[str, Any],
    targets: Sequence[float] | None,
    level: float,
    sizes: list[int],
) -> tuple[pd.DataFrame, list[dict[str, Any]], list[float]]:
    if "baseline" not in extrapolations:
        return pd.DataFrame(columns=[*LABELS_SAVED_COLUMNS, *ACTIVE_COLUMNS]), [], []
    base = curves["baseline"]
    if targets is None:
        others = {k: v for k, v in _competing(extrapolations).items() if k != "baseline"}
        target_list = default_targets(
            extrapolations["baseline"],
            base.ok_points["size"].to_numpy(),
            greater_is_better=base.greater_is_better,
            others=others,
        )
    else:
        target_list = [float(t) for t in targets]
    table = labels_saved_table(extrapolations, target_list, baseline="baseline", level=level)
    table = _versus_random(table)
    cross = crossovers(
        _competing(extrapolations),
        min_size=float(sizes[0]),
        max_size=float(sizes[-1]),
        level=level,
    )
    return table, cross, target_list


def _competing(extrapolations: dict[str, Any]) -> dict[str, Any]:
    """The curves that compete for "best below / above N labels": ``active:random`` is the
    reference of the other active arms (how they would do without choosing), not a way to
    need fewer labels, so it competes only when it is the one active arm."""
    active = [name for name in extrapolations if name.startswith("active:")]
    if "active:random" in active and len(active) > 1:
        return {k: v for k, v in extrapolations.items() if k != "active:random"}
    return extrapolations


def _versus_random(table: pd.DataFrame) -> pd.DataFrame:
    """For active-learning rows: labels random sampling needs, and the ratio to it."""
    table = table.copy()
    table["random_labels"] = math.nan
    table["ratio_vs_random"] = math.nan
    random_rows = table[table["strategy"] == "active:random"].set_index("target")["labels"]
    if random_rows.empty:
        return table
    active = table["strategy"].str.startswith("active:")
    for i in table.index[active]:
        reference = float(random_rows.get(table.at[i, "target"], math.nan))
        table.at[i, "random_labels"] = reference
        table.at[i, "ratio_vs_random"] = ratio(reference, float(table.at[i, "labels"]))
    return table


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    text = lines[0] if lines else ""
    if not isinstance(exc, HowMuchDataError):
        text = f"{type(exc).__name__}: {text}"
    return text[:MAX_ERROR_CHARS]
