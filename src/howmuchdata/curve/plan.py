"""The design of a learning-curve run: training sizes, validation splits and seeds.

A run is ``repeats`` independent splits. Each split holds out a validation set that stays the
same for every size, and orders the remaining rows so that the training subset of size ``n`` is
the first ``n`` rows of that order. Subsets are therefore nested within a repeat (as in LCDB):
the curve of one repeat differs from size to size by the added rows, not by a new draw.

All randomness comes from one seed through :class:`numpy.random.SeedSequence` with a spawn key
per repeat (the split) and per (repeat, size) (the model's ``random_state``), so a point's
numbers never depend on job count, backend, order, or which other sizes were asked for.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import (
    GroupKFold,
    GroupShuffleSplit,
    ShuffleSplit,
    StratifiedShuffleSplit,
    TimeSeriesSplit,
    check_cv,
)

from howmuchdata.curve.inputs import check_repeats
from howmuchdata.data import check_classes_across_groups
from howmuchdata.errors import HowMuchDataError, shown

DEFAULT_RATIO = math.sqrt(2)
DEFAULT_VAL_FRACTION = 0.2
MIN_SIZE_FLOOR = 16  # the smallest training size on the default grid
MIN_PER_CLASS = 5  # the default grid starts with about this many rows per class
# Time splits: consecutive repeats move the validation window back by this share of its length.
TIME_WINDOW_STEP = 0.2

# spawn-key prefixes keep the split seed and the fit seeds in separate streams
_SPLIT_STREAM = 0
_FIT_STREAM = 1
_FOLD_STREAM = 2


@dataclass(frozen=True)
class Split:
    """One repeat: the order in which training rows are added, and the validation rows.

    Attributes
    ----------
    repeat : int
    train_order : numpy.ndarray
        Indices of the training pool; the subset of size ``n`` is ``train_order[:n]``.
    val : numpy.ndarray
        Indices of the validation rows (the same for every size of this repeat).
    """

    repeat: int
    train_order: np.ndarray
    val: np.ndarray


def split_seed(seed: int, repeat: int) -> np.random.SeedSequence:
    """The seed sequence of one repeat's split."""
    return np.random.SeedSequence(seed, spawn_key=(_SPLIT_STREAM, repeat))


def fit_seed(seed: int, repeat: int, size: int) -> int:
    """The ``random_state`` given to the model at one (size, repeat) point."""
    sequence = np.random.SeedSequence(seed, spawn_key=(_FIT_STREAM, repeat, size))
    return int(sequence.generate_state(1, dtype=np.uint32)[0] >> 1)  # fits in int32


def default_min_size(y: np.ndarray, task: str) -> int:
    """The smallest default training size: a few rows of every class.

    For classification it is large enough that a stratified subset holds about
    ``MIN_PER_CLASS`` rows of each class and at least two of the rarest.
    """
    if task != "classification":
        return MIN_SIZE_FLOOR
    _, counts = np.unique(y, return_counts=True)
    rarest_share = counts.min() / counts.sum()
    return max(MIN_SIZE_FLOOR, MIN_PER_CLASS * counts.size, math.ceil(2 / rarest_share))


def geometric_sizes(min_size: int, max_size: int, ratio: float = DEFAULT_RATIO) -> list[int]:
    """Sizes ``min_size * ratio**k`` below ``max_size``, then ``max_size`` itself."""
    if ratio <= 1:
        raise HowMuchDataError(f"size ratio {ratio} must be above 1; use e.g. 1.41 (sqrt 2)")
    sizes: list[int] = []
    value = float(min_size)
    # a grid point within 5% of the maximum is replaced by the maximum itself
    while value < 0.95 * max_size:
        rounded = int(round(value))
        if not sizes or rounded > sizes[-1]:
            sizes.append(rounded)
        value *= ratio
    sizes.append(int(max_size))
    return sizes


def resolve_sizes(
    sizes: Sequence[float] | None,
    *,
    min_size: int,
    max_size: int,
    n_rows: int,
    ratio: float = DEFAULT_RATIO,
    pool: str | None = None,
) -> list[int]:
    """Turn requested sizes (absolute counts or fractions of the maximum) into row counts.

    ``pool`` says where ``max_size`` comes from in the message for a size above it (default:
    the rows left after holding out validation rows).

    A value below 1, or 1 written as a float (``1.0``), is a fraction of ``max_size``; a whole
    number above 1 is a row count. A bare integer 1 is the fraction 1 (all of ``max_size``) when
    the list holds a fraction (``[0.1, 0.5, 1]``), and a row count otherwise.

    Raises
    ------
    HowMuchDataError
        When the data are too small for the smallest size, a size exceeds the maximum, or a
        value is neither a row count nor a fraction.
    """
    if sizes is None:
        if max_size < min_size:
            raise HowMuchDataError(
                f"the data have {n_rows} rows, {max_size} of them left for training after "
                f"holding out validation rows, fewer than the smallest useful training size "
                f"{min_size}; collect more rows or pass smaller sizes (--sizes)"
            )
        return geometric_sizes(min_size, max_size, ratio)
    if isinstance(sizes, str | bytes) or not isinstance(sizes, Iterable):
        raise HowMuchDataError(
            f"sizes={shown(sizes)} is not a list of sizes; {_SIZES_HINT}, e.g. sizes=[50, 100, 200]"
        )
    values = [_size_value(value) for value in sizes]
    if not values:
        raise HowMuchDataError("no training sizes given; pass sizes like 50,100,200 or 0.1,0.5,1")
    has_fraction = any(number < 1 or is_float for number, is_float in values)
    resolved: set[int] = set()
    for number, is_float in values:
        if number < 1 or (number == 1 and (is_float or has_fraction)):
            count = int(round(number * max_size))
        elif number == int(number):
            count = int(number)
        else:
            raise HowMuchDataError(
                f"training size {number:g} is neither a row count (a whole number) nor a fraction "
                f"of the largest training size (above 0, at most 1); {_SIZES_HINT}"
            )
        if count > max_size:
            where = pool or f"of {n_rows}, after holding out validation rows"
            raise HowMuchDataError(
                f"training size {count} is more than the {max_size} training rows available "
                f"({where}); pass sizes up to {max_size}"
            )
        resolved.add(max(count, 2))
    return sorted(resolved)


_SIZES_HINT = (
    "pass row counts like 50,100,200 or fractions like 0.1,0.5,1 (values below 1, and 1.0, are "
    "fractions of the largest training size)"
)


def _size_value(value: Any) -> tuple[float, bool]:
    """``(number, written as a float)`` for one requested size, or a one-line error."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise HowMuchDataError(f"training size {shown(value)} is not a number; {_SIZES_HINT}")
    number = float(value)
    if not math.isfinite(number) or number <= 0:
        raise HowMuchDataError(f"training size {number:g} is not a positive number; {_SIZES_HINT}")
    return number, isinstance(value, float | np.floating)


def make_splits(
    y: np.ndarray,
    *,
    task: str,
    repeats: int,
    seed: int,
    groups: np.ndarray | None = None,
    time: np.ndarray | None = None,
    cv: Any = None,
    X: Any = None,
    val_fraction: float = DEFAULT_VAL_FRACTION,
    stratify: bool | None = None,
) -> list[Split]:
    """Build one :class:`Split` per repeat.

    Parameters
    ----------
    y : numpy.ndarray
        Target (used to stratify).
    task : {"classification", "regression"}
    repeats : int
        Number of independent splits.
    seed : int
        Root seed.
    groups : numpy.ndarray, optional
        Split by group: a group is never on both sides. The training order is the training
        groups in random order, each group's rows together (shuffled within it), so the subset
        of size ``n`` is whole groups plus, when ``n`` ends inside a group, that group's first
        rows.
    time : numpy.ndarray, optional
        Forecasting split: validation is the last ``val_fraction`` of rows in time; the training
        subset of size ``n`` is the ``n`` most recent rows before it. Repeat ``r`` moves the
        validation window back by ``r * TIME_WINDOW_STEP`` of its length.
    cv : int or scikit-learn splitter, optional
        A number of folds (see :func:`resolve_cv`) or any object with ``split(X, y, groups)``;
        its first ``repeats`` splits are used (with
        ``groups``, each must keep every group on one side). For
        scikit-learn's splitters the subsets of a split are nested in a seeded random order of
        its training rows (per repeat, from ``seed``; group by group with ``groups``, as above,
        stratified like the built-in splits), except ``TimeSeriesSplit``, whose subset of size
        ``n`` is the ``n`` most recent training rows (by ``time`` when given, else row order);
        with ``time`` it splits the rows in time order, so a file out of order is split as
        one in order.
        Any other splitter keeps its own order: the subset is its first ``n`` training indices.
    X : array-like, optional
        Passed to ``cv.split``.
    val_fraction : float
        Share of rows (of groups, with ``groups``) held out for validation.
    stratify : bool, optional
        Stratify by class; default True for classification.
    """
    repeats = check_repeats(repeats)
    if not 0 < val_fraction < 1:
        raise HowMuchDataError(
            f"validation fraction {val_fraction} is not between 0 and 1; use e.g. 0.2"
        )
    if sum(option is not None for option in (groups, time, cv)) > 1 and cv is None:
        raise HowMuchDataError(
            "use --groups or --time (groups= or time=), not both; for grouped time series, "
            "pass a splitter from Python with cv="
        )
    if groups is not None and task == "classification":
        check_classes_across_groups(y, groups)
    if stratify is None:
        stratify = task == "classification"
    elif stratify and task != "classification":
        raise HowMuchDataError(
            "stratify=True needs class labels, and this target is a regression target; "
            "leave stratify unset (a regression split is random)"
        )
    if cv is not None:
        stratified = stratify and task == "classification"
        cv = resolve_cv(cv, y, stratify=stratified, groups=groups, time=time, seed=seed)
        return _splitter_splits(cv, X, y, groups, time, repeats, seed, stratified)
    if time is not None:
        return _time_splits(time, repeats, val_fraction)
    if groups is not None:
        return _group_splits(groups, repeats, seed, val_fraction)
    if stratify:
        return _stratified_splits(y, repeats, seed, val_fraction)
    return _random_splits(len(y), repeats, seed, val_fraction)


def _random_state(seed: int, repeat: int) -> int:
    return int(split_seed(seed, repeat).generate_state(1, dtype=np.uint32)[0] >> 1)


def _random_splits(n_rows: int, repeats: int, seed: int, val_fraction: float) -> list[Split]:
    splits = []
    for r in range(repeats):
        splitter = ShuffleSplit(
            n_splits=1, test_size=val_fraction, random_state=_random_state(seed, r)
        )
        train, val = next(splitter.split(np.zeros(n_rows)))
        rng = np.random.default_rng(split_seed(seed, r))
        splits.append(Split(r, rng.permutation(train), np.sort(val)))
    return splits


def _stratified_splits(y: np.ndarray, repeats: int, seed: int, val_fraction: float) -> list[Split]:
    classes, counts = np.unique(y, return_counts=True)
    if counts.min() < 2:
        rare = classes[counts < 2].tolist()
        raise HowMuchDataError(
            f"class {shown(rare[0])} has {int(counts.min())} row; a stratified split needs at least 2 rows "
            "per class; drop or merge rare classes, or turn stratification off (--no-stratify)"
        )
    splits = []
    for r in range(repeats):
        splitter = StratifiedShuffleSplit(
            n_splits=1, test_size=val_fraction, random_state=_random_state(seed, r)
        )
        try:
            train, val = next(splitter.split(np.zeros(len(y)), y))
        except ValueError as exc:
            # scikit-learn names the side that is smaller than the number of classes
            fraction = "smaller" if "train_size" in str(exc) else "larger"
            raise HowMuchDataError(
                f"cannot stratify {len(y)} rows of {classes.size} classes ({exc}); "
                f"use more rows, a {fraction} validation fraction or --no-stratify"
            ) from None
        rng = np.random.default_rng(split_seed(seed, r))
        splits.append(Split(r, _stratified_order(train, y[train], rng), np.sort(val)))
    return splits


def _stratified_order(
    train: np.ndarray, y_train: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Order rows so that every prefix keeps the class proportions (to within one row).

    Row ``i`` of a class with ``m`` rows (in random order) gets the key ``(i + u) / m`` with
    ``u`` uniform in [0, 1): sorting by the key interleaves the classes evenly. This makes
    nested subsets stratified at every size, which one stratified draw per size cannot.
    """
    keys = np.empty(len(train))
    for label in np.unique(y_train):
        members = np.flatnonzero(y_train == label)
        members = rng.permutation(members)
        keys[members] = (np.arange(members.size) + rng.random(members.size)) / members.size
    return train[np.argsort(keys, kind="stable")]


def _group_splits(groups: np.ndarray, repeats: int, seed: int, val_fraction: float) -> list[Split]:
    splits = []
    for r in range(repeats):
        splitter = GroupShuffleSplit(
            n_splits=1, test_size=val_fraction, random_state=_random_state(seed, r)
        )
        train, val = next(splitter.split(np.zeros(len(groups)), groups=groups))
        rng = np.random.default_rng(split_seed(seed, r))
        splits.append(Split(r, _group_order(train, groups, rng), np.sort(val)))
    return splits


def _group_order(train: np.ndarray, groups: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Whole groups in random order, rows shuffled within a group: data arrive a group at a
    time. Sizes count rows, so a prefix can end inside a group (its first rows only)."""
    train_groups = rng.permutation(np.unique(groups[train]))
    rank = {g: i for i, g in enumerate(train_groups.tolist())}
    shuffled = rng.permutation(train)
    group_rank = np.array([rank[g] for g in groups[shuffled].tolist()])
    return shuffled[np.argsort(group_rank, kind="stable")]


def _time_splits(time: np.ndarray, repeats: int, val_fraction: float) -> list[Split]:
    order = np.argsort(time, kind="stable")
    sorted_time = np.asarray(time)[order]
    n_rows = len(order)
    window = max(1, int(round(val_fraction * n_rows)))
    step = max(1, int(round(TIME_WINDOW_STEP * window)))
    splits: list[Split] = []
    for r in range(repeats):
        nominal = max(n_rows - window - r * step, 0)
        # rows sharing the first validation time stamp all go to validation: strictly after;
        # the window keeps its end, so the most recent rows are not dropped from it
        start = int(np.searchsorted(sorted_time, sorted_time[nominal], side="left"))
        previous = splits[-1].train_order.size if splits else None
        if previous is not None and start >= previous:
            # a step shorter than one time stamp's rows would repeat the previous split (and
            # understate the spread over repeats): start one time stamp earlier instead
            start = int(np.searchsorted(sorted_time, sorted_time[max(previous - 1, 0)], "left"))
            nominal = start
        if start < 2:
            tied = int(np.sum(sorted_time == sorted_time[nominal]))
            why = f" ({tied} rows share its first time stamp)" if tied > 1 else ""
            raise HowMuchDataError(
                f"repeat {r} of the time split leaves {start} training rows before the validation "
                f"window{why}; use fewer repeats, a smaller validation fraction or more rows "
                "(or more distinct time stamps)"
            )
        train_order = order[:start][::-1]  # most recent first
        splits.append(Split(r, train_order.copy(), np.sort(order[start : nominal + window])))
    return splits


def _splitter_splits(
    cv: Any,
    X: Any,
    y: np.ndarray,
    groups: np.ndarray | None,
    time: np.ndarray | None,
    repeats: int,
    seed: int,
    stratify: bool,
) -> list[Split]:
    X_for_split = X if X is not None else np.zeros(len(y))
    try:
        with warnings.catch_warnings():
            # "The groups parameter is ignored by KFold": said in one line below instead
            warnings.filterwarnings("ignore", message="The groups parameter is ignored")
            if time is not None and isinstance(cv, TimeSeriesSplit):
                # TimeSeriesSplit splits by position: on rows not in time order its training
                # rows would be newer than the ones it validates on. Split the time-sorted
                # rows instead.
                by_time = np.argsort(np.asarray(time), kind="stable")
                pairs = [
                    (by_time[train], np.sort(by_time[val]))
                    for train, val in islice(cv.split(np.zeros(len(y))), repeats)
                ]
            else:
                pairs = list(islice(cv.split(X_for_split, y, groups), repeats))
    except ValueError as exc:
        raise HowMuchDataError(_split_failure(cv, exc, groups)) from None
    if not pairs:
        raise HowMuchDataError(f"{cv!r} produced no splits; check its settings")
    splits = []
    for r, (train, val) in enumerate(pairs):
        train, val = np.asarray(train), np.asarray(val)
        if groups is not None:
            _require_groups_apart(cv, r, groups[train], groups[val])
        if is_sklearn_splitter(cv):
            order = _splitter_order(cv, train, y, groups, time, split_seed(seed, r), stratify)
        else:
            order = train  # a splitter of one's own decides the order (e.g. ComparisonSplits)
        splits.append(Split(r, order, val))
    return splits


def resolve_cv(
    cv: Any,
    y: np.ndarray,
    *,
    stratify: bool,
    groups: np.ndarray | None = None,
    time: np.ndarray | None = None,
    seed: int = 0,
) -> Any:
    """The splitter a ``cv=`` argument stands for: a number of folds becomes a k-fold splitter.

    An int ``k`` means ``k`` validation folds, each ``1/k`` of the rows, as in scikit-learn
    (:func:`~sklearn.model_selection.check_cv` picks the kind): ``StratifiedKFold(k)`` when
    ``stratify`` and ``y`` holds class labels, else ``KFold(k)``; both shuffled with a seed
    from ``seed``, as every built-in split is (scikit-learn's own ``cv=5`` is not shuffled,
    and folds in file order would validate on rows sorted by date or by target). With
    ``groups``, ``GroupKFold(k)``: scikit-learn's ``cv=5`` ignores groups, which would put a
    group on both sides. An int with ``time`` is refused (a k-fold split validates on rows
    older than some it trains on). A splitter is returned as it is.

    Parameters
    ----------
    cv : int or object with ``split``
    y : numpy.ndarray
        The validated target (what ``check_cv`` reads to decide on stratification).
    stratify : bool
        Whether the classes are to be kept in proportion.
    groups, time : numpy.ndarray, optional
        The validated groups and time stamps.
    seed : int
        Root seed of the run.

    Returns
    -------
    scikit-learn splitter or the object given

    Raises
    ------
    HowMuchDataError
        For fewer than 2 folds, an int with ``time``, and anything that is neither a whole
        number nor has a ``split`` method (a string such as ``"kfold"`` included).
    """
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        return _folds(int(cv), y, stratify=stratify, groups=groups, time=time, seed=seed)
    if isinstance(cv, str | bytes) or not callable(getattr(cv, "split", None)):
        raise HowMuchDataError(
            f"cv={shown(cv)} is neither a number of folds nor a splitter; pass e.g. cv=5 or a "
            "scikit-learn splitter such as ShuffleSplit(5, test_size=0.2, random_state=0)"
        )
    return cv


def _folds(
    k: int,
    y: np.ndarray,
    *,
    stratify: bool,
    groups: np.ndarray | None,
    time: np.ndarray | None,
    seed: int,
) -> Any:
    if k < 2:
        raise HowMuchDataError(
            f"cv={k} is fewer than 2 folds; pass at least cv=2 (e.g. cv=5), or leave cv unset "
            "for the built-in repeated splits"
        )
    if time is not None:
        raise HowMuchDataError(
            f"cv={k} with time= would validate on rows older than some it trains on; pass "
            f"cv=TimeSeriesSplit({k}), or leave cv unset for the built-in time split"
        )
    units = "groups" if groups is not None else "rows"
    n_units = len(pd.unique(groups)) if groups is not None else len(y)
    if k > n_units:
        raise HowMuchDataError(
            f"cv={k} asks for {k} folds of {units}, and there are {n_units} {units}; pass "
            f"cv={n_units} or fewer"
        )
    if groups is not None:
        return GroupKFold(k)
    kind = type(check_cv(k, y, classifier=stratify))  # StratifiedKFold for class labels
    return kind(k, shuffle=True, random_state=_fold_state(seed))


def _fold_state(seed: int) -> int:
    """The ``random_state`` of the k-fold splitter that ``cv=k`` stands for."""
    sequence = np.random.SeedSequence(seed, spawn_key=(_FOLD_STREAM,))
    return int(sequence.generate_state(1, dtype=np.uint32)[0] >> 1)


def _split_failure(cv: Any, exc: Exception, groups: np.ndarray | None) -> str:
    """One line for a splitter that raised on these rows: a group splitter without
    ``groups=`` says so (scikit-learn's own words for it range from "The 'groups' parameter
    should not be None" to "n_splits=5 greater than the number of groups: 1")."""
    first = (str(exc).strip().splitlines() or [""])[0]
    if groups is None and "group" in type(cv).__name__.lower():
        return (
            f"cv={cv!r} splits by group, and no groups= were given ({first}); pass "
            "groups= (one group label per row), or use a splitter without groups such as "
            "StratifiedKFold"
        )
    return f"cv={cv!r} cannot split these rows ({first}); check its settings against the data"


def _require_groups_apart(cv: Any, repeat: int, train: np.ndarray, val: np.ndarray) -> None:
    """Refuse a splitter that puts one group on both sides: ``groups=`` promises it never is.

    A splitter that does not read groups (``KFold``, ``ShuffleSplit``, ...) would otherwise
    validate on rows of groups it trained on, and the curve would be optimistic.
    """
    val_groups = pd.Series(pd.unique(pd.Series(val)))
    shared = val_groups[val_groups.isin(pd.unique(pd.Series(train)))].to_numpy()
    if shared.size:
        raise HowMuchDataError(
            f"cv={cv!r} puts rows of {shared.size} group(s) (e.g. {shown(shared[0])}) on both "
            f"sides of split {repeat}, as it does not split by groups=; use a group splitter "
            "such as GroupKFold, GroupShuffleSplit or StratifiedGroupKFold, or leave groups out"
        )


def is_sklearn_splitter(cv: Any) -> bool:
    """Whether ``cv`` is one of scikit-learn's splitters.

    Their training indices come sorted (``KFold``, ``StratifiedKFold``, ``GroupKFold``, ...) or
    in an order that means nothing, so the engine orders them itself; any other object with a
    ``split`` method is trusted to return its training indices in the order to add them.
    """
    return type(cv).__module__.startswith("sklearn.")


def _splitter_order(
    cv: Any,
    train: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray | None,
    time: np.ndarray | None,
    sequence: np.random.SeedSequence,
    stratify: bool,
) -> np.ndarray:
    """The order in which one scikit-learn split's training rows are added.

    Time-series splits keep time order, most recent first (as ``time=`` does); otherwise a
    seeded random order of the training rows: group by group with ``groups``, class
    proportions kept at every prefix when stratifying, plain random otherwise.
    """
    train = np.sort(train)  # the order depends only on which rows, not on how cv listed them
    if isinstance(cv, TimeSeriesSplit):
        when = train.astype(float) if time is None else np.asarray(time)[train]
        return train[np.argsort(when, kind="stable")][::-1].copy()
    rng = np.random.default_rng(sequence)
    if groups is not None:
        return _group_order(train, groups, rng)
    if stratify:
        return _stratified_order(train, y[train], rng)
    return rng.permutation(train)
