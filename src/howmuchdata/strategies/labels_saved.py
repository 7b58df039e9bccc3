"""The labels-saved table and the crossover sizes, from fitted extrapolations.

Everything here works on objects with the :class:`~howmuchdata.extrapolate.Extrapolation`
interface (``predict``, ``interval(n, level=...)``, ``size_for``, ``size_for(target, level=...)``)
and, where they have them, its ``observed`` measured means, ``direction`` and ``flags``; never on
raw points, so the arithmetic can be checked on curves with an exactly known answer.

For a target score ``t`` and a strategy ``s`` the table holds the labeled samples ``s`` needs to
reach ``t`` (with its interval), the samples the baseline needs, and
``ratio = baseline_labels / labels``: 8.4 means the strategy needs 8.4x fewer labels. A target
the measured curve already meets is never out of reach (:func:`labels_needed`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from howmuchdata.extrapolate.extrapolation import measured_means
from howmuchdata.result import from_json_number

# A measured mean meets a target for labels_needed when the means up to this many times its
# size (two doublings) meet it too.
STAYS_MET = 4.0

LABELS_SAVED_COLUMNS = [
    "strategy",
    "target",
    "labels",
    "labels_lo",
    "labels_hi",
    "baseline_labels",
    "baseline_lo",
    "baseline_hi",
    "ratio",
    "labels_at_start",
    "baseline_at_start",
    "labels_lo_at_start",
    "labels_measured",
    "baseline_measured",
    "within_noise",
]

# Crossovers are searched from the smallest measured size up to this multiple of the largest.
CROSSOVER_REACH = 10.0
# Coverage of the bands that say whether two curves differ beyond their uncertainty (the level
# of the labels intervals and of the plotted bands).
CROSSOVER_LEVEL = 0.8
# Ratios within this factor of 1 (either way) read "about the same".
SAME_WITHIN = 1.05
# The "vs baseline" cell of two flat curves that cannot be told apart (within_noise), in
# place of any difference; the cells that claim none stay as they are.
WITHIN_NOISE_WORDS = "cannot tell: both flat, within noise"
NO_DIFFERENCE_WORDS = (
    "-",
    "about the same",
    "the same or fewer",
    "the same or more",
    "both reach it at their smallest measured size",
    "neither reaches it",
)


class ExtrapolationLike(Protocol):
    """What the table needs from an extrapolation (``howmuchdata.extrapolate.Extrapolation``)."""

    def predict(self, n: Any) -> np.ndarray: ...

    def interval(self, n: Any, level: float = 0.8) -> tuple[np.ndarray, np.ndarray]: ...

    def size_for(self, target: float, level: float | None = None) -> Any: ...


def ratio(baseline_labels: float, labels: float) -> float:
    """``baseline_labels / labels`` with the out-of-reach cases spelled out.

    Both out of reach (or unknown) -> NaN; only the strategy reaches it -> inf; only the
    baseline reaches it -> 0.
    """
    if math.isnan(labels) or math.isnan(baseline_labels):
        return math.nan
    if np.isinf(labels) and np.isinf(baseline_labels):
        return math.nan
    if np.isinf(labels):
        return 0.0
    if labels <= 0:
        return math.nan
    return float(baseline_labels) / float(labels)


def _size_interval(ext: ExtrapolationLike, target: float, level: float) -> tuple[float, float]:
    lo, hi = ext.size_for(target, level=level)
    lo, hi = float(lo), float(hi)
    # the optimistic bound of the score gives the smaller size; keep lo <= hi whatever the order
    return (min(lo, hi), max(lo, hi)) if not (math.isnan(lo) or math.isnan(hi)) else (lo, hi)


def _greater_is_better(ext: ExtrapolationLike) -> bool:
    """The direction of ``ext``'s score (``direction == "decrease"``: a loss); higher is better
    where it does not say."""
    return getattr(ext, "direction", "increase") != "decrease"


def measured_size_for(ext: ExtrapolationLike, target: float) -> float:
    """The smallest measured size whose mean meets ``target`` and keeps meeting it at every
    measured size up to :data:`STAYS_MET` times larger (``inf`` when none does).

    One mean above the target among means below it (a noisy point, a curve that dips after
    it) does not count: with two or three repeats a single mean moves by as much as the
    differences between strategies. A size whose larger neighbours were not measured counts
    on its own mean.

    Read from ``ext.observed`` (``sizes`` and their ``mean`` score), in the direction of
    ``ext.direction``: at least ``target`` for a score, at most for a loss.

    Parameters
    ----------
    ext : Extrapolation
        Any object with the :class:`~howmuchdata.extrapolate.Extrapolation` attributes
        ``observed`` and ``direction`` (higher is better where it has none).
    target : float
        The score to reach.

    Returns
    -------
    float
        A measured size, or ``inf``.
    """
    sizes, means = measured_means(ext)
    met = means >= target if _greater_is_better(ext) else means <= target
    for i in np.flatnonzero(met):
        window = (sizes >= sizes[i]) & (sizes <= STAYS_MET * sizes[i])
        if met[window].all():
            return float(sizes[i])
    return math.inf


def is_flat(ext: ExtrapolationLike) -> bool:
    """Whether ``ext`` is a flat extrapolation: its measured curve is flagged ``"flat"`` (it
    does not move beyond noise) and it predicts one level over its measured sizes.

    A curve flagged flat whose prediction still follows its means (the LCDB-learned model
    of a curve "flat so far") is not: there the extrapolation says where the curve stands.
    """
    if "flat" not in (getattr(ext, "flags", None) or []):
        return False
    sizes, _ = measured_means(ext)
    if not sizes.size:
        return False
    ends = np.asarray(ext.predict(np.array([sizes[0], sizes[-1]])), dtype=float)
    return bool(np.isclose(ends[0], ends[1], rtol=1e-9, atol=1e-12))


def labels_needed(
    ext: ExtrapolationLike, target: float, level: float = 0.8
) -> tuple[float, float, float, bool]:
    """Labels ``ext``'s strategy needs to reach ``target``, with the ``level`` interval.

    The count is where the extrapolated curve reaches the target (``size_for``), unless the
    measured curve meets it at a smaller size: then it is that measured size
    (:func:`measured_size_for`: its mean and those up to two doublings on meet the target).
    A measured mean at the target is the evidence the extrapolation is fitted to, so a target
    the curve was measured to meet is never out of reach, whatever the extrapolation (a flat
    one through points on both sides of the target, say) predicts. The interval's optimistic
    bound is then at most that size; its pessimistic bound stays the extrapolation's, since a
    measured mean has its own noise.

    A flat extrapolation (:func:`is_flat`) is counted on its measured means alone within its
    measured sizes (:func:`flat_labels_needed`): it puts one level at every size, so it
    would "reach" that level at the smallest size whatever was measured there.

    Parameters
    ----------
    ext : Extrapolation
        The strategy's extrapolation (its ``observed`` measured means are read where it has
        them, and its ``flags``).
    target : float
        The score to reach.
    level : float
        Coverage of the interval.

    Returns
    -------
    (labels, labels_lo, labels_hi, measured) : (float, float, float, bool)
        ``inf`` where out of reach; ``measured`` says the count is the measured size.
    """
    if is_flat(ext):
        return flat_labels_needed(ext, target, level)
    n = float(ext.size_for(target))
    lo, hi = _size_interval(ext, target, level)
    seen = measured_size_for(ext, target)
    measured = bool(np.isfinite(seen) and not n <= seen)  # NaN or inf counts lose too
    if measured:
        n = seen
        lo = n if math.isnan(lo) else min(lo, n)
        hi = n if math.isnan(hi) else max(hi, n)
    return n, lo, hi, measured


def flat_labels_needed(
    ext: ExtrapolationLike, target: float, level: float = 0.8
) -> tuple[float, float, float, bool]:
    """:func:`labels_needed` for a flat extrapolation (:func:`is_flat`): within the measured
    sizes, only measured means count.

    A flat extrapolation is the curve's level at every size, so ``size_for`` of a target at or
    under that level is the smallest measured size even where the mean measured there is far
    below it (R² -0.4 at 16 rows of a curve whose level is 0.16). Here:

    - the count is :func:`measured_size_for` (the means meet the target from that size on);
      where none does, the extrapolation's count only where it lies beyond the largest
      measured size (a curve flat so far may be predicted to rise later), else ``inf``;
    - the optimistic bound is the smallest measured size whose mean meets the target, or,
      where none does, the extrapolation's optimistic bound moved up to the largest measured
      size at least (it may be reached just beyond the data, not within it);
    - the pessimistic bound is the extrapolation's, and never below the count.

    Parameters
    ----------
    ext : Extrapolation
        A flat extrapolation with ``observed`` measured means (at least one).
    target : float
        The score to reach.
    level : float
        Coverage of the interval.

    Returns
    -------
    (labels, labels_lo, labels_hi, measured) : (float, float, float, bool)
        As :func:`labels_needed`.
    """
    sizes, means = measured_means(ext)
    last = float(sizes[-1])

    def beyond_data(n: float) -> float:
        return n if n > last * (1 + 1e-9) else math.inf  # NaN compares False: inf

    seen = measured_size_for(ext, target)
    measured = bool(np.isfinite(seen))
    n = seen if measured else beyond_data(float(ext.size_for(target)))
    ext_lo, ext_hi = _size_interval(ext, target, level)
    met = means >= target if _greater_is_better(ext) else means <= target
    if met.any():
        lo = float(sizes[np.argmax(met)])
    else:
        lo = max(ext_lo, last) if np.isfinite(ext_lo) else math.inf
    hi = n if math.isnan(ext_hi) else max(ext_hi, n)
    return n, min(lo, n), hi, measured


def labels_saved_table(
    extrapolations: Mapping[str, ExtrapolationLike],
    targets: Sequence[float],
    *,
    baseline: str = "baseline",
    level: float = 0.8,
) -> pd.DataFrame:
    """Labels each strategy needs for each target, against the baseline.

    Parameters
    ----------
    extrapolations : mapping of str to Extrapolation
        One fitted extrapolation per strategy name; must include ``baseline``.
    targets : sequence of float
        Target validation scores.
    baseline : str
        Name of the reference strategy.
    level : float
        Coverage of the ``labels_lo`` / ``labels_hi`` interval.

    Returns
    -------
    pandas.DataFrame
        One row per (strategy, target) with the columns of :data:`LABELS_SAVED_COLUMNS`. The
        baseline has its own rows (ratio 1). Sizes are ``inf`` when out of reach. Counts are
        those of :func:`labels_needed`: the measured size where the measured curve meets the
        target before the extrapolation does (``labels_measured`` / ``baseline_measured``),
        and on measured means alone for a flat curve. ``within_noise`` marks a strategy
        that cannot be told from the baseline (:func:`within_noise`): its ratio is noise.
    """
    if baseline not in extrapolations:
        raise KeyError(f"no extrapolation for the baseline {baseline!r}")
    base = extrapolations[baseline]
    rows: list[dict[str, Any]] = []
    # whether a strategy is the baseline within noise does not depend on the target
    noise = {
        name: name != baseline and within_noise(ext, base, level)
        for name, ext in extrapolations.items()
    }
    for target in targets:
        base_n, base_lo, base_hi, base_measured = labels_needed(base, target, level)
        for name, ext in extrapolations.items():
            n, lo, hi, measured = labels_needed(ext, target, level)
            rows.append(
                {
                    "strategy": name,
                    "target": float(target),
                    "labels": n,
                    "labels_lo": lo,
                    "labels_hi": hi,
                    "baseline_labels": base_n,
                    "baseline_lo": base_lo,
                    "baseline_hi": base_hi,
                    "ratio": ratio(base_n, n),
                    # reached already at the smallest measured size: the count is an upper
                    # limit (size_for cannot look below the measured curve)
                    "labels_at_start": _at_start(ext, n),
                    "baseline_at_start": _at_start(base, base_n),
                    # the optimistic bound likewise (shown "≤16-31", not "16-31")
                    "labels_lo_at_start": _at_start(ext, lo),
                    "labels_measured": measured,
                    "baseline_measured": base_measured,
                    "within_noise": noise[name],
                }
            )
    return pd.DataFrame(rows, columns=LABELS_SAVED_COLUMNS)


def within_noise(a: ExtrapolationLike, b: ExtrapolationLike, level: float = 0.8) -> bool:
    """Whether two flat extrapolations (:func:`is_flat`) cannot be told apart: their measured
    means cross (neither is ahead at every size measured for both) and at every such size
    their ``level`` intervals overlap.

    Neither curve moves beyond its noise and their levels lie within it, so which of the two
    first meets a target (and the ratio of their counts) is decided by noise. A curve behind
    at every common size is not within noise however wide its interval: on the same splits
    that order is evidence (a k-NN log loss of 0.6-0.8 against 0.1-0.2).

    Parameters
    ----------
    a, b : Extrapolation
        The two curves (``flags``, ``observed``, ``predict``, ``interval`` and ``direction``
        are read).
    level : float
        Coverage of the intervals.

    Returns
    -------
    bool
        False unless both are flat and measured at two common sizes or more.
    """
    if not (is_flat(a) and is_flat(b)):
        return False
    sizes_a, means_a = measured_means(a)
    sizes_b, means_b = measured_means(b)
    common, lead = [], []
    for n, mean in zip(sizes_a, means_a, strict=True):
        same = np.isclose(sizes_b, n, rtol=1e-9)
        if same.any():
            common.append(n)
            lead.append(mean - float(means_b[same][0]))
    if not (np.any(np.array(lead) > 0) and np.any(np.array(lead) < 0)):
        return False
    lo_a, hi_a = (np.asarray(v, dtype=float) for v in a.interval(np.array(common), level=level))
    lo_b, hi_b = (np.asarray(v, dtype=float) for v in b.interval(np.array(common), level=level))
    apart = (np.fmin(lo_a, hi_a) > np.fmax(lo_b, hi_b)) | (
        np.fmin(lo_b, hi_b) > np.fmax(lo_a, hi_a)
    )
    return not bool(apart.any())


def _at_start(ext: ExtrapolationLike, n: float) -> bool:
    """Whether ``n`` labels is the smallest size ``ext`` was measured at (or below it)."""
    start = first_measured_size(ext)
    return bool(start > 0 and np.isfinite(n) and n <= start * (1 + 1e-9))


def default_targets(
    ext: ExtrapolationLike,
    sizes: Sequence[float],
    *,
    greater_is_better: bool = True,
    others: Mapping[str, ExtrapolationLike] | None = None,
) -> list[float]:
    """A few target levels between the baseline's measured and extrapolated scores.

    The baseline's expected score (its extrapolation) at the middle and at the largest measured
    size, and the level halfway from the latter to the extrapolated asymptote when that is
    better. Each is rounded towards the easier side, so the baseline reaches the first two
    within its measured sizes: to 3 decimals for scores such as accuracy, R^2 and log loss,
    to 3 significant digits of the scores' size for errors in the target's units (a
    ``neg_mean_absolute_error`` in dollars: -747, not -746.197; one of 3.2e-8: -3.21e-08, not
    -0.0); the third level is added only when it differs from the second by more than two
    such steps.

    A flat baseline (its extrapolation is flagged ``"flat"``, or its levels round to a single
    target) gives targets all at its own level, which every strategy reaching that level
    meets at its smallest size: the table would hide a strategy that is clearly better. Then
    the strategy of ``others`` with the best measured mean score at its largest measured size
    adds its measured mean at its middle and at its largest measured size (rounded the same
    way, so it meets them as measured), each only when it is better than every target so far
    by more than two steps. The table then says how many labels the baseline would need to
    match that strategy, or that it does not reach it.

    Parameters
    ----------
    ext : Extrapolation
        The baseline's extrapolation.
    sizes : sequence of float
        The baseline's measured sizes.
    greater_is_better : bool
        Direction of the score.
    others : mapping of str to Extrapolation, optional
        The other strategies' extrapolations (their ``observed`` measured means are read).

    Returns
    -------
    list of float
        Distinct targets, from the easiest to the hardest.
    """
    distinct = np.unique(np.asarray(sizes, dtype=float))
    distinct = distinct[np.isfinite(distinct)]
    if distinct.size == 0:
        return []
    mid = float(distinct[len(distinct) // 2])
    last = float(distinct[-1])
    levels = [float(np.asarray(ext.predict(np.array([n])))[0]) for n in (mid, last)]
    asymptote = float(getattr(ext, "asymptote", math.nan))
    sign = 1.0 if greater_is_better else -1.0
    step = _target_step(levels)
    if np.isfinite(asymptote) and sign * (asymptote - levels[-1]) > 2 * step:
        levels.append(levels[-1] + 0.5 * (asymptote - levels[-1]))
    rounder = math.floor if greater_is_better else math.ceil

    def rounded(v: float) -> float:
        if step < 1:  # divide by the whole number 1 / step: 0.001 steps give 3 clean decimals
            per_unit = round(1 / step)
            return rounder(v * per_unit) / per_unit
        return float(rounder(v / step) * step)

    targets = sorted({rounded(v) for v in levels if np.isfinite(v)}, key=lambda v: sign * v)
    flat = "flat" in (getattr(ext, "flags", None) or []) or len(targets) < 2
    if flat and targets and others:
        for level in _best_measured_levels(others, sign):
            target = rounded(level)
            if round(sign * (target - targets[-1]) / step) > 2:  # whole steps, rounded
                targets.append(target)
    return targets


def _best_measured_levels(
    extrapolations: Mapping[str, ExtrapolationLike], sign: float
) -> list[float]:
    """The measured mean scores, at its middle and at its largest measured size, of the curve
    with the best measured mean at its largest size (``sign`` -1: the lowest, for a loss);
    empty when none says what it measured."""
    best: tuple[float, list[float]] | None = None
    for ext in extrapolations.values():
        sizes, means = measured_means(ext)
        if not sizes.size:
            continue
        last = float(means[-1])
        if best is None or sign * last > sign * best[0]:
            best = (last, [float(means[len(sizes) // 2]), last])
    return best[1] if best is not None else []


def _target_step(levels: Sequence[float]) -> float:
    """The rounding step of default targets: a power of ten giving 3 significant digits of the
    largest score's size (1 for -746.2, 0.01 for -5.31, 1e-10 for an error of 3.2e-8), and
    0.001 at the coarsest for scores within [-1, 1] (accuracy, R^2, log loss)."""
    finite = [abs(v) for v in levels if np.isfinite(v) and v != 0]
    if not finite:
        return 1e-3
    step = 10.0 ** (math.floor(math.log10(max(finite))) - 2)
    return min(step, 1e-3) if max(finite) <= 1.0 else step


def first_measured_size(ext: ExtrapolationLike) -> float:
    """The smallest size an extrapolation's curve was measured at (0 when it does not say)."""
    sizes = (getattr(ext, "observed", None) or {}).get("sizes")
    return float(np.min(sizes)) if sizes is not None and len(sizes) else 0.0


def best_strategy_at(
    extrapolations: Mapping[str, ExtrapolationLike],
    n: np.ndarray,
    *,
    greater_is_better: bool = True,
) -> tuple[list[str], np.ndarray]:
    """The strategy with the best predicted score at each size ``n`` (and that score).

    A strategy competes only from its own smallest measured size on: below it its curve is an
    extrapolation backwards, which says nothing (where none was measured, all compete).
    """
    names = list(extrapolations)
    n = np.asarray(n, dtype=float)
    preds = np.vstack([np.asarray(extrapolations[k].predict(n), dtype=float) for k in names])
    work = preds if greater_is_better else -preds
    work = np.where(np.isfinite(work), work, -np.inf)
    starts = np.array([first_measured_size(extrapolations[k]) for k in names])
    measured = n[None, :] >= starts[:, None] * (1.0 - 1e-9)
    work = np.where(measured | ~measured.any(axis=0), work, -np.inf)
    idx = np.argmax(work, axis=0)
    return [names[i] for i in idx], preds[idx, np.arange(preds.shape[1])]


def crossovers(
    extrapolations: Mapping[str, ExtrapolationLike],
    *,
    min_size: float,
    max_size: float,
    greater_is_better: bool = True,
    reach: float = CROSSOVER_REACH,
    grid_points: int = 400,
    level: float = CROSSOVER_LEVEL,
) -> list[dict[str, Any]]:
    """Sizes where the best strategy changes, where that change is more than noise.

    The best strategy at a size is the one with the best predicted score there
    (:func:`best_strategy_at`). Each change of it, from ``below`` just under a size to
    ``above`` just over it, is reported only when it is real:

    1. Two curves *differ clearly* at a size where their ``level`` intervals do not overlap
       (the worse bound of one is better than the better bound of the other), counting only
       sizes from which both curves were measured.
    2. Below the change, take the nearest size where the two differ clearly, and above it
       likewise. At least one side must have one, with the right curve ahead: ``below``
       clearly better somewhere under the size, or ``above`` clearly better somewhere over it.
       Where the nearest clear difference has the other curve ahead, there is no crossover.
    3. A side without a clear difference must agree with the claim where it was measured:
       at every size measured for both curves between the change and that side's nearest
       clear difference (or the end of the search), the curve said to be best there has the
       strictly better measured mean score (identical points do not agree), and there is at
       least one such size; or, below the change, ``above`` was not measured at all (it starts
       to compete at the change).
    4. Of several changes from ``below`` to ``above`` between the same two clear differences,
       only the last is reported.

    So curves equal within noise give no crossover however often their predictions swap,
    nor do curves whose measured points are the same from some size on, and a change beyond
    the measured sizes is reported only where the extrapolations differ clearly. When one side
    differs clearly and the other only agrees, "``a`` is best below ~1,063 labels, ``b``
    above" means ``a`` is clearly better at small sizes and ``b`` measured better above, by
    less than the intervals.

    Parameters
    ----------
    extrapolations : mapping of str to Extrapolation
        One fitted extrapolation per strategy. ``predict`` and ``interval`` are read, and
        ``observed`` (the measured ``sizes`` and their ``mean`` score) where it has one.
    min_size, max_size : float
        The smallest and largest measured training sizes; the search runs from ``min_size`` to
        ``reach * max_size``.
    greater_is_better : bool
        Direction of the score.
    reach : float
        How far beyond ``max_size`` to search, as a multiple of it.
    grid_points : int
        Log-spaced sizes searched; a change between two of them is located to 1e-6 in log size.
    level : float
        Coverage of the intervals that decide whether two curves differ clearly.

    Returns
    -------
    list of dict
        ``{"size", "below", "above", "score", "extrapolated"}`` per change, in increasing size:
        ``below`` is best just under ``size``, ``above`` just over it, ``score`` their common
        predicted score there, ``extrapolated`` whether ``size`` lies beyond the measured sizes.
    """
    if len(extrapolations) < 2 or not (0 < min_size <= max_size):
        return []
    grid = np.geomspace(min_size, max_size * reach, grid_points)
    best, _ = best_strategy_at(extrapolations, grid, greater_is_better=greater_is_better)
    sign = 1.0 if greater_is_better else -1.0
    curves: dict[str, _Curve] = {}

    def curve(name: str) -> _Curve:
        if name not in curves:
            curves[name] = _Curve.on(extrapolations[name], grid, sign, level)
        return curves[name]

    kept: dict[tuple[str, str, int, int], dict[str, Any]] = {}
    for i in range(1, len(grid)):
        if best[i] == best[i - 1]:
            continue
        below, above = best[i - 1], best[i]
        found = _locate(extrapolations, below, above, grid, i, max_size)
        stretch = _real_change(curve(below), curve(above), grid, i, found["size"])
        if stretch is not None:
            kept[(below, above, *stretch)] = found  # a later change in the stretch replaces it
    return sorted(kept.values(), key=lambda c: c["size"])


@dataclass
class _Curve:
    """One curve on the crossover grid, in "higher is better" units: the prediction and the
    two bounds of its interval, its smallest measured size, and its measured mean scores."""

    pred: np.ndarray
    worst: np.ndarray
    best: np.ndarray
    start: float
    sizes: np.ndarray
    means: np.ndarray

    @classmethod
    def on(cls, ext: ExtrapolationLike, grid: np.ndarray, sign: float, level: float) -> _Curve:
        pred = sign * np.asarray(ext.predict(grid), dtype=float)
        lo, hi = (sign * np.asarray(b, dtype=float) for b in ext.interval(grid, level=level))
        observed = getattr(ext, "observed", None) or {}
        sizes = np.asarray(observed.get("sizes", []), dtype=float).ravel()
        means = sign * np.asarray(observed.get("mean", []), dtype=float).ravel()
        if sizes.shape != means.shape:
            sizes = means = np.array([])
        start = first_measured_size(ext)
        return cls(pred, np.fmin(lo, hi), np.fmax(lo, hi), start, sizes, means)


def _measured_lead(a: _Curve, b: _Curve, lo: float, hi: float) -> np.ndarray:
    """``a``'s measured mean minus ``b``'s at each size measured for both strictly between
    ``lo`` and ``hi``."""
    leads = []
    for n, mean in zip(a.sizes, a.means, strict=True):
        same = np.isclose(b.sizes, n, rtol=1e-9)
        if lo < n < hi and same.any():
            leads.append(mean - float(b.means[same][0]))
    return np.array(leads)


def _real_change(
    a: _Curve, b: _Curve, grid: np.ndarray, i: int, size: float
) -> tuple[int, int] | None:
    """Whether the best strategy's change from ``a`` to ``b`` at ``size`` (between
    ``grid[i - 1]`` and ``grid[i]``) is real, by the rule in :func:`crossovers`.

    Returns the grid indices of the nearest clear differences below and above it (-1 and
    ``len(grid)`` where there is none), which bound the stretch it lies in; None when the
    change is not real.
    """
    a_in, b_in = (grid >= s * (1.0 - 1e-9) for s in (a.start, b.start))
    both = a_in & b_in
    # +1 where a's interval lies wholly above b's, -1 the other way, 0 where they overlap;
    # NaN bounds compare False, so an unknown interval never counts as clear
    clear = np.where(a.worst > b.best, 1, np.where(b.worst > a.best, -1, 0)) * both
    left = next((j for j in range(i - 1, -1, -1) if clear[j] or not both[j]), -1)
    right = next((j for j in range(i, len(grid)) if clear[j]), len(grid))
    below_order = int(clear[left]) if left >= 0 else 0
    above_order = int(clear[right]) if right < len(grid) else 0
    if below_order == -1 or above_order == 1 or (below_order, above_order) == (0, 0):
        return None
    if below_order == 0:
        lead = _measured_lead(a, b, grid[left] if left >= 0 else -math.inf, size)
        # below the sizes where both were measured, only a was: nothing there contradicts it
        only_a = left >= 0 and bool(a_in[left]) and not bool(b_in[left])
        if not (lead.size or only_a) or np.any(lead <= 0):
            return None
    if above_order == 0:
        lead = _measured_lead(b, a, size, grid[right] if right < len(grid) else math.inf)
        if not lead.size or np.any(lead <= 0):
            return None
    return (left if below_order else -1, right)


def _locate(
    extrapolations: Mapping[str, ExtrapolationLike],
    below: str,
    above: str,
    grid: np.ndarray,
    i: int,
    max_size: float,
) -> dict[str, Any]:
    """The crossover record of a change from ``below`` to ``above`` between ``grid[i - 1]``
    and ``grid[i]``: where their predictions meet, or where ``above`` starts to compete."""
    ext_a, ext_b = extrapolations[below], extrapolations[above]

    def gap(logn: float) -> float:
        n = np.array([math.exp(logn)])
        return float(np.asarray(ext_a.predict(n))[0] - np.asarray(ext_b.predict(n))[0])

    try:
        size = math.exp(brentq(gap, math.log(grid[i - 1]), math.log(grid[i]), xtol=1e-6))
    except ValueError:
        # no sign change: the curve above starts to compete here (its smallest measured
        # size), or a third curve won between the two grid points
        start = first_measured_size(ext_b)
        inside = grid[i - 1] < start <= grid[i]
        size = start if inside else math.sqrt(grid[i - 1] * grid[i])
    return {
        "size": size,
        "below": below,
        "above": above,
        "score": float(np.asarray(ext_a.predict(np.array([size])))[0]),
        "extrapolated": bool(size > max_size),
    }


def describe_row(row: Mapping[str, Any], baseline: str = "baseline") -> str:
    """One sentence for a labels-saved row, e.g. for the command line."""
    name, target = row["strategy"], _number(row["target"])
    n = _number(row["labels"])
    if not np.isfinite(n):
        text = f"{name} does not reach {target:g} within reach of its curve"
        reached = np.isfinite(_number(row.get("baseline_labels")))
        if name != baseline and reached and _flag(row, "within_noise"):
            return text + f"; {baseline} needs {_baseline_cell(row)}: {WITHIN_NOISE_WORDS}"
        return text
    at_most = " (its smallest measured size)" if row.get("labels_at_start") else ""
    text = (
        f"{name} reaches {target:g} with {labels_cell(n, row.get('labels_at_start'))} labels"
        f"{at_most} [{interval_cell(row)}]"
    )
    if name == baseline:
        return text
    base = _number(row["baseline_labels"])
    if not np.isfinite(base):
        noise = f" ({WITHIN_NOISE_WORDS})" if _flag(row, "within_noise") else ""
        return text + f"; {baseline} does not reach it{noise}"
    text += f"; {baseline} needs {_baseline_cell(row)}"
    words = versus_baseline(row, baseline)
    return text + f": {words}" if words not in ("", "-") else text


def _baseline_cell(row: Mapping[str, Any]) -> str:
    return labels_cell(row.get("baseline_labels"), row.get("baseline_at_start"))


def labels_cell(n: Any, at_start: Any = False) -> str:
    """:func:`labels_words`, with ``"≤"`` before a count that is the smallest measured size:
    the target is reached there already, and perhaps with fewer labels."""
    words = labels_words(n)
    return f"≤{words}" if at_start and np.isfinite(_number(n)) else words


def _bounded_ratio_words(words: str, strategy_at_start: bool, baseline_at_start: bool) -> str:
    """:func:`ratio_words` as a bound when one of the two counts is only an upper limit.

    The strategy's count at its smallest size can be smaller still, so the true ratio
    (baseline / strategy) is at least the one shown; the baseline's the other way round.
    """
    if strategy_at_start and baseline_at_start:
        return "both reach it at their smallest measured size"
    if not (strategy_at_start or baseline_at_start):
        return words
    higher = strategy_at_start  # the true ratio is at least the shown one
    if words == "about the same":
        return "the same or fewer" if higher else "the same or more"
    fewer = words.endswith("fewer")
    return f"{'at least' if higher == fewer else 'at most'} {words}"


def ratio_words(r: float) -> str:
    """A labels ratio in words: ``"8.4x fewer"``, ``"2.5x more"`` or ``"about the same"``.

    Two significant digits (no digits after the point from 10x on); within
    :data:`SAME_WITHIN` of 1 either way it is ``"about the same"``, since a "1.0x" says nothing
    the intervals do not. Empty for a ratio that is not a positive finite number (one of the
    two does not reach the target).

    >>> ratio_words(8.43), ratio_words(0.4), ratio_words(0.97), ratio_words(23.6)
    ('8.4x fewer', '2.5x more', 'about the same', '24x fewer')
    """
    if not (np.isfinite(r) and r > 0):
        return ""
    if abs(math.log(r)) <= math.log(SAME_WITHIN) + 1e-12:  # 1 / 1.05 rounds either way
        return "about the same"
    times = r if r > 1 else 1 / r
    # two significant digits, keeping a trailing zero ("3.0x"); whole numbers from 10x on
    shown = f"{times:.1f}" if times < 9.95 else f"{times:,.0f}"
    return f"{shown}x {'fewer' if r > 1 else 'more'}"


# --- the one way the labels-saved table is written: terminal, report.html and summary.md ---

#: Column headings of :func:`labels_cells`, in order (``interval`` gets its level).
LABELS_CELL_COLUMNS = ("target", "strategy", "labels", "interval", "baseline", "vs baseline")


def _number(value: Any) -> float:
    """A stored number (:func:`~howmuchdata.result.from_json_number`), junk -> NaN."""
    try:
        return from_json_number(value)
    except (TypeError, ValueError):
        return math.nan


def _flag(row: Mapping[str, Any], key: str) -> bool:
    """A row's boolean column; absent (rows written before it existed: None, NaN) is False."""
    value = row.get(key)
    return isinstance(value, bool | np.bool_) and bool(value)


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def labels_words(n: Any) -> str:
    """A label count as every output shows it: exact with thousands separators.

    >>> labels_words(1906.6), labels_words(float("inf")), labels_words(None)
    ('1,907', 'out of reach', '-')
    """
    value = _number(n)
    if math.isnan(value):
        return "-"
    if math.isinf(value):
        return "out of reach"
    return f"{round(value):,}"


def interval_words(lo: Any, hi: Any, lo_at_start: Any = False) -> str:
    """An interval of label counts: ``"1,200-3,400"``, ``"1,200 or more"`` when the
    pessimistic bound never reaches the target, ``"out of reach"`` when neither does.

    A bound that is the smallest measured size (``lo_at_start``) is an upper limit, as in
    :func:`labels_cell`: ``"≤16-31"``. Bounds that round to the same count are one value
    (``"≤16"`` for a target met at the smallest size on both bounds, never ``"16-16"``).
    With an open upper end the lower bound keeps no ``"≤"``: ``"16 or more"`` already
    spans everything the curve can say.

    >>> interval_words(1200, 3400), interval_words(1200, "inf"), interval_words("inf", "inf")
    ('1,200-3,400', '1,200 or more', 'out of reach')
    >>> interval_words(16, 16, True), interval_words(16, 31, True), interval_words(40.2, 39.8)
    ('≤16', '≤16-31', '40')
    """
    a, b = _number(lo), _number(hi)
    if math.isnan(a) or math.isnan(b):
        return "-"
    if math.isinf(a):
        return "out of reach"
    if math.isinf(b):
        return f"{labels_words(a)} or more"
    low = labels_cell(a, lo_at_start)
    high = labels_words(b)
    return low if high == labels_words(a) else f"{low}-{high}"


def interval_cell(row: Mapping[str, Any]) -> str:
    """:func:`interval_words` of a labels-saved row (``labels_lo`` / ``labels_hi``).

    Rows written before ``labels_lo_at_start`` existed read it from ``labels_at_start``: a
    count at the smallest measured size has its optimistic bound there too.
    """
    lo_at_start = row.get("labels_lo_at_start")
    if not isinstance(lo_at_start, bool | np.bool_):  # absent (None, or NaN in a frame)
        lo_at_start = row.get("labels_at_start")
    flag = isinstance(lo_at_start, bool | np.bool_) and bool(lo_at_start)
    return interval_words(row.get("labels_lo"), row.get("labels_hi"), flag)


def versus_baseline(row: Mapping[str, Any], baseline: str = "baseline") -> str:
    """The "vs baseline" cell: :func:`ratio_words`, ``"-"`` for the baseline itself, and which
    of the two reaches the target where one does not (``"baseline reaches it, this does
    not"``: it says nothing of the other strategies, which may reach it too).

    A row marked ``within_noise`` (:func:`within_noise`) says :data:`WITHIN_NOISE_WORDS`
    instead of any difference (a ratio, or that only one of the two reaches the target): that
    difference is noise. Words that claim none ("about the same") stay.
    """
    words = _versus_baseline_words(row, baseline)
    if _flag(row, "within_noise") and words not in NO_DIFFERENCE_WORDS:
        return WITHIN_NOISE_WORDS
    return words


def _versus_baseline_words(row: Mapping[str, Any], baseline: str) -> str:
    if str(row.get("strategy")) == baseline:
        return "-"
    words = ratio_words(_number(row.get("ratio")))
    if words:
        return _bounded_ratio_words(
            words, bool(row.get("labels_at_start")), bool(row.get("baseline_at_start"))
        )
    strategy_reaches = np.isfinite(_number(row.get("labels")))
    baseline_reaches = np.isfinite(_number(row.get("baseline_labels")))
    if baseline_reaches and not strategy_reaches:
        return f"{baseline} reaches it, this does not"
    if strategy_reaches and not baseline_reaches:
        return f"{baseline} does not reach it"
    return "neither reaches it" if not strategy_reaches else "-"


def labels_cells(
    rows: Sequence[Mapping[str, Any]],
    *,
    baseline: str = "baseline",
    targets: Sequence[float] | None = None,
) -> list[dict[str, str]]:
    """The labels-saved table as text cells, in the order every output shows it.

    Parameters
    ----------
    rows : sequence of mapping
        Rows of :func:`labels_saved_table` (as records, or as read back from result.json,
        where out of reach is ``"inf"``).
    baseline : str
        Name of the reference strategy.
    targets : sequence of float, optional
        Order of the targets (default: as they first appear); within a target the strategy
        needing the fewest labels comes first.

    Returns
    -------
    list of dict
        One dict per row, keyed by :data:`LABELS_CELL_COLUMNS`.
    """
    order = list(dict.fromkeys([*(targets or []), *(_number(r.get("target")) for r in rows)]))
    out = []
    for target in order:
        chosen = [r for r in rows if _same(_number(r.get("target")), target)]
        chosen.sort(key=lambda r: (math.isnan(_number(r.get("labels"))), _number(r.get("labels"))))
        for row in chosen:
            out.append(
                {
                    "target": f"{target:g}",
                    "strategy": str(row.get("strategy", "")),
                    "labels": labels_cell(row.get("labels"), row.get("labels_at_start")),
                    "interval": interval_cell(row),
                    "baseline": labels_cell(
                        row.get("baseline_labels"), row.get("baseline_at_start")
                    ),
                    "vs baseline": versus_baseline(row, baseline),
                }
            )
    return out


def crossover_words(cross: Mapping[str, Any]) -> str:
    """``"a is best below ~1,063 labels, b above"`` (``" (extrapolated)"`` beyond the data)."""
    where = " (extrapolated)" if cross.get("extrapolated") else ""
    return (
        f"{cross.get('below', '?')} is best below ~{labels_words(cross.get('size'))} labels, "
        f"{cross.get('above', '?')} above{where}"
    )
