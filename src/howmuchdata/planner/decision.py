"""Cost against value over candidate total sizes, written against the Extrapolation interface.

Only ``predict(n)``, ``interval(n, level)``, ``size_for(target[, level])``, ``asymptote`` and
``asymptote_interval(level)`` are used, so any object with those methods can be planned on.

Units: costs in currency per label; value in currency per *point* of the metric (a point is
``point`` metric units, 0.01 by default, i.e. one percentage point of accuracy), and optionally a
lump value for reaching the target. The probability of reaching a score at a size comes from the
extrapolation's predictive interval, read as a split normal (its lower and upper halves may
differ), unless the caller passes its own ``reach`` function (the plan passes one that is never
below that reading, non-decreasing in size, and, where the LCDB need model chooses the purchase,
priced by the same model).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd
from scipy import optimize, stats

from howmuchdata.errors import HowMuchDataError

#: Level of the intervals shown in tables.
LEVEL = 0.8
#: One point of a metric with a scale of its own (accuracy, R²): a percentage point.
DEFAULT_POINT = 0.01
# The table's marginal gain is the curve's slope between size / RATE_SPAN and size * RATE_SPAN.
RATE_SPAN = 1.1
_Z = float(stats.norm.ppf(0.5 + LEVEL / 2))

#: ``reach(sizes) -> probabilities`` of reaching the target at each total size.
ReachProbability = Callable[[np.ndarray], np.ndarray]


class ExtrapolationLike(Protocol):
    """What the planner needs from :class:`howmuchdata.extrapolate.Extrapolation`."""

    asymptote: float

    def predict(self, n: Any) -> np.ndarray: ...

    def interval(self, n: Any, level: float = 0.8) -> tuple[np.ndarray, np.ndarray]: ...

    def size_for(self, target: float, level: float | None = None) -> Any: ...

    def asymptote_interval(self, level: float = 0.8) -> tuple[float, float]: ...


@dataclass(frozen=True)
class Economics:
    """The money side of a plan, in plain units.

    Attributes
    ----------
    cost_per_label : float
        Currency per extra label (>= 0).
    value_per_point : float
        Currency per point of the metric gained (>= 0).
    value_of_target : float
        Lump value of reaching the target (>= 0).
    penalty : float
        Cost of ending the collection below the target (>= 0).
    budget : float
        Most currency that may be spent on labels (inf = no limit).
    point : float
        Metric units in one point (0.01: a percentage point of accuracy).
    """

    cost_per_label: float = 0.0
    value_per_point: float = 0.0
    value_of_target: float = 0.0
    penalty: float = 0.0
    budget: float = math.inf
    point: float = DEFAULT_POINT

    def __post_init__(self) -> None:
        for name in ("cost_per_label", "value_per_point", "value_of_target", "penalty"):
            value = getattr(self, name)
            # an infinite price makes every total infinite or NaN: no size can be compared
            if value is None or not (0 <= value < math.inf):
                raise HowMuchDataError(
                    f"{name}={value!r} is not a finite amount of 0 or more; pass {name}=0 or more"
                )
        if self.budget is None or not (self.budget >= 0):
            raise HowMuchDataError(
                f"budget={self.budget!r} is negative or missing; pass budget=0 or more "
                "(none for no limit)"
            )
        if not (np.isfinite(self.point) and self.point > 0):
            raise HowMuchDataError(
                f"point={self.point!r} is not positive; pass the metric units in one point, e.g. 0.01"
            )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def split_normal_sd(
    ext: ExtrapolationLike, n: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and the lower / upper standard deviations implied by the 80% interval at ``n``."""
    n = np.asarray(n, dtype=float)
    mean = np.asarray(ext.predict(n), dtype=float)
    lo, hi = (np.asarray(a, dtype=float) for a in ext.interval(n, level=LEVEL))
    sd_lo = np.maximum((mean - lo) / _Z, 1e-12)
    sd_hi = np.maximum((hi - mean) / _Z, 1e-12)
    return mean, sd_lo, sd_hi


def prob_at_least(
    ext: ExtrapolationLike, n: np.ndarray, target: float, greater_is_better: bool = True
) -> np.ndarray:
    """Probability that the score at size ``n`` reaches ``target`` (split-normal reading)."""
    mean, sd_lo, sd_hi = split_normal_sd(ext, n)
    if not greater_is_better:
        # lower is better: reaching means being at or below the target
        return 1.0 - prob_at_least_generic(mean, sd_lo, sd_hi, target)
    return prob_at_least_generic(mean, sd_lo, sd_hi, target)


def reach_probability(
    ext: ExtrapolationLike,
    n: np.ndarray,
    target: float,
    greater_is_better: bool = True,
    reach: ReachProbability | None = None,
) -> np.ndarray:
    """P(reaching ``target``) at sizes ``n``: ``reach`` when given, else the extrapolation's."""
    if reach is not None:
        return np.asarray(reach(np.asarray(n, dtype=float)), dtype=float)
    return prob_at_least(ext, n, target, greater_is_better)


def prob_at_least_generic(
    mean: np.ndarray, sd_lo: np.ndarray, sd_hi: np.ndarray, target: float
) -> np.ndarray:
    # Below the mean the lower half governs, above it the upper half.
    sd = np.where(target <= mean, sd_lo, sd_hi)
    return stats.norm.sf((target - mean) / sd)


def candidate_sizes(current: float, cap: float, count: int = 12) -> np.ndarray:
    """Log-spaced whole sizes from just above ``current`` to ``cap`` (both included)."""
    if cap <= current:
        return np.array([float(current)])
    grid = np.geomspace(current, cap, count + 1)[1:]
    return np.unique(np.concatenate([[current], np.ceil(grid)]))


def gain_points(
    ext: ExtrapolationLike, n: np.ndarray, current: float, econ: Economics, sign: float
) -> np.ndarray:
    """Expected points gained going from ``current`` to ``n`` (positive = better)."""
    now = float(np.asarray(ext.predict(np.array([current])))[0])
    return sign * (np.asarray(ext.predict(np.asarray(n, dtype=float))) - now) / econ.point


def net_benefit(
    ext: ExtrapolationLike,
    n: np.ndarray,
    current: float,
    econ: Economics,
    target: float | None = None,
    greater_is_better: bool = True,
    reach: ReachProbability | None = None,
) -> np.ndarray:
    """Expected value minus label cost of growing from ``current`` to ``n`` labels."""
    n = np.asarray(n, dtype=float)
    sign = 1.0 if greater_is_better else -1.0
    value = econ.value_per_point * gain_points(ext, n, current, econ, sign)
    if target is not None and econ.value_of_target:
        p = reach_probability(ext, n, target, greater_is_better, reach)
        value = value + econ.value_of_target * p
    return value - econ.cost_per_label * (n - current)


def optimal_size(
    ext: ExtrapolationLike,
    current: float,
    cap: float,
    econ: Economics,
    target: float | None = None,
    greater_is_better: bool = True,
    reach: ReachProbability | None = None,
) -> int:
    """Whole total size in ``[current, cap]`` with the largest expected net benefit.

    Past this size (for a concave curve) a label costs more than it returns: the break-even size.
    Searched on log size with a bounded scalar minimiser, then polished over whole numbers.
    """
    current, cap = float(current), float(cap)
    if cap <= current:
        return int(round(current))

    def loss(log_n: float) -> float:
        n = np.array([math.exp(log_n)])
        return -float(net_benefit(ext, n, current, econ, target, greater_is_better, reach)[0])

    # A coarse grid first, so that a curve with a value jump (target value) is not missed.
    grid = np.geomspace(current, cap, 64)
    start = grid[int(np.argmin([loss(math.log(g)) for g in grid]))]
    lo_b = math.log(max(current, start / 1.5))
    hi_b = math.log(min(cap, start * 1.5))
    best = start
    if hi_b > lo_b:
        res = optimize.minimize_scalar(
            loss, bounds=(lo_b, hi_b), method="bounded", options={"xatol": 1e-10}
        )
        best = math.exp(res.x) if res.fun <= loss(math.log(start)) else start
    whole = np.unique(np.clip([math.floor(best), math.ceil(best), current, cap], current, cap))
    values = net_benefit(ext, whole, current, econ, target, greater_is_better, reach)
    return int(round(whole[int(np.argmax(values))]))


def cost_value_table(
    ext: ExtrapolationLike,
    current: float,
    sizes: np.ndarray,
    econ: Economics,
    target: float | None = None,
    greater_is_better: bool = True,
    reach: ReachProbability | None = None,
) -> pd.DataFrame:
    """The plan's table: one row per candidate total size.

    Columns: ``size``, ``extra_labels``, ``score`` (expected) with ``score_lo`` / ``score_hi``
    (80% interval), ``p_reach`` (probability of reaching the target), ``cost``, ``value``
    (expected) with ``value_lo`` / ``value_hi``, ``net_benefit`` with ``net_lo`` / ``net_hi``,
    and ``gain_per_1000`` (expected points per extra 1,000 labels at the rate of that size).
    """
    sizes = np.asarray(sizes, dtype=float)
    sign = 1.0 if greater_is_better else -1.0
    mean = np.asarray(ext.predict(sizes), dtype=float)
    lo, hi = (np.asarray(a, dtype=float) for a in ext.interval(sizes, level=LEVEL))
    here = np.array([float(current)])
    now = float(np.asarray(ext.predict(here))[0])
    now_lo, now_hi = (float(np.asarray(v)[0]) for v in ext.interval(here, level=LEVEL))
    gain = sign * (mean - now) / econ.point
    # Gain along the pessimistic and the optimistic bound of the curve: the uncertainty of the
    # gain, not of today's score level (so it is 0 at the current size).
    along_lo = sign * (lo - now_lo) / econ.point
    along_hi = sign * (hi - now_hi) / econ.point
    # Where a bound is clipped at the metric's range (an accuracy band ending at 1) the gain
    # along it can fall below the expected gain: the interval still holds the expectation.
    worst = np.minimum(np.minimum(along_lo, along_hi), gain)
    best = np.maximum(np.maximum(along_lo, along_hi), gain)
    p = (
        reach_probability(ext, sizes, target, greater_is_better, reach)
        if target is not None
        else np.full(sizes.shape, np.nan)
    )
    lump = econ.value_of_target * np.nan_to_num(p) if target is not None else 0.0
    cost = econ.cost_per_label * (sizes - current)
    value = econ.value_per_point * gain + lump
    value_lo = econ.value_per_point * worst + lump
    value_hi = econ.value_per_point * best + lump
    # The marginal rate at each size, as a slope across +-10% of it: the same rate the
    # break-even size weighs, and wide enough not to jump between the grid segments of a
    # learned curve (a 1% step did); a fixed 1,000-label step would span several times the
    # data on a small curve.
    wider, narrower = sizes * RATE_SPAN, sizes / RATE_SPAN
    rise = np.asarray(ext.predict(wider), dtype=float) - np.asarray(
        ext.predict(narrower), dtype=float
    )
    slope = sign * rise / (wider - narrower)
    return pd.DataFrame(
        {
            "size": sizes.astype(int),
            "extra_labels": (sizes - current).astype(int),
            "score": mean,
            "score_lo": lo,
            "score_hi": hi,
            "p_reach": p,
            "cost": cost,
            "value": value,
            "value_lo": value_lo,
            "value_hi": value_hi,
            "net_benefit": value - cost,
            "net_lo": value_lo - cost,
            "net_hi": value_hi - cost,
            "gain_per_1000": slope * 1000.0 / econ.point,
        }
    )


#: Candidate sizes per doubling of the current size in :func:`target_purchase`.
DECISION_STEPS = 64


def decision_grid(current: float, cap: float) -> np.ndarray:
    """Whole total sizes from ``current`` to ``cap``: ``DECISION_STEPS`` per doubling, and ``cap``.

    The grid depends on ``current`` only (``cap`` cuts it and is added), so a larger cap keeps
    every candidate of a smaller one.
    """
    current, cap = float(current), float(cap)
    if cap <= current:
        return np.array([current])
    steps = np.arange(math.floor(DECISION_STEPS * math.log2(cap / current)) + 1)
    grid = np.ceil(current * np.exp2(steps / DECISION_STEPS) - 1e-9)
    return np.unique(np.concatenate([[current], grid[grid < cap], [math.floor(cap)]]))


def target_purchase(
    ext: ExtrapolationLike,
    current: float,
    cap: float,
    target: float,
    econ: Economics,
    rounds_left: int = 1,
    greater_is_better: bool = True,
    reach: ReachProbability | None = None,
) -> tuple[int, float]:
    """Total size for this round that minimises the expected label cost plus the loss of a miss.

    Ending below the target loses its value and costs the penalty: the *stake*
    ``penalty + value_of_target``. In the last round a miss is final: the expected loss of size
    ``s`` is its label cost, less the value it adds, plus ``(1 - p(s))`` times the stake. With
    more rounds to come the next round can top up to a size ``t`` in ``[s, cap]``: it buys the
    labels from ``s`` to ``t`` unless this round showed the target reached, and the miss left
    costs ``(1 - p(t))`` times the stake; the best ``t`` (``t = s``: no top-up) is taken. A
    round learns only what its labels add, so the chance that it shows the target reached is
    ``p(s) - p(current)``: buying nothing now and everything next round is no cheaper than
    buying it now. Candidates lie on :func:`decision_grid`, so a larger ``cap`` (budget) only
    adds sizes and top-ups: the expected loss never rises with the budget.

    Parameters
    ----------
    ext : ExtrapolationLike
        The curve's extrapolation.
    current, cap : float
        Labels held; the most labels there can be (budget or pool).
    target : float
        Score to reach.
    econ : Economics
        Cost per label, value per point, value of the target, penalty.
    rounds_left : int, default 1
        Purchases left including this one; above 1 a miss can be topped up once.
    greater_is_better : bool, default True
    reach : callable, optional
        P(reaching the target) by total size (default: the extrapolation's).

    Returns
    -------
    (int, float)
        The size, and its expected loss: label cost minus value gained, minus the value of the
        target, plus the expected loss of a miss (top-ups included). In a last round that is
        cost - value - value_of_target * p(s) + penalty * (1 - p(s)).
    """
    sizes = decision_grid(current, cap)
    p = np.clip(reach_probability(ext, sizes, target, greater_is_better, reach), 0.0, 1.0)
    cost = econ.cost_per_label * (sizes - current)
    value = net_benefit(ext, sizes, current, econ, None, greater_is_better) + cost  # value only
    stake = econ.penalty + econ.value_of_target
    miss = (1.0 - p) * stake  # expected loss of a final miss
    if rounds_left > 1:
        # top-up from s (rows) to t >= s (columns), bought unless this round showed the target
        # reached: (1 - (p(s) - p(current))) c (t - s) + (1 - p(t)) stake
        unshown = 1.0 - (p - p[0])
        top_up = unshown[:, None] * (cost[None, :] - cost[:, None]) + (1.0 - p[None, :]) * stake
        top_up = np.where(np.triu(np.ones((sizes.size, sizes.size), dtype=bool)), top_up, np.inf)
        miss = np.minimum(miss, top_up.min(axis=1))
    loss = cost - value - econ.value_of_target + miss
    i = int(np.argmin(loss))
    return int(sizes[i]), float(loss[i])
