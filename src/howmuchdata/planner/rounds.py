"""Collecting in rounds: the next purchase from the points seen so far, and a simulator.

The next-round decision (:func:`next_purchase`) has two rules:

- for accuracy-like curves, the LCDB-learned need model (:mod:`howmuchdata.planner.need`)
  predicts how many doublings the curve still needs to reach the target, and the purchase goes
  past that by a margin that depends on how many rounds are left: a :class:`NeedPolicy`;
- otherwise, the extrapolation's crossing of the target and a linear rule on how far and how
  sure it is (a :class:`PurchasePolicy`).

Both sets of margins were calibrated on the public LCDB curves by ``benchmarks/planning.py
--calibrate``, which scores them on datasets they were not calibrated on. The calibration
weighs over-collection against reaching the target; it does not make a purchase shrink with
the rounds left. With the shipped margins the need rule buys most in the last round (a margin
of 1.4 doublings, against 1.05 with two rounds left and 1.15 with three), while the
extrapolation rule buys more in the first of three rounds (offset 0.8 in log size) than in a
last round (-0.1).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from howmuchdata.errors import HowMuchDataError, shown
from howmuchdata.metrics import check_target_score
from howmuchdata.planner.need import NeedPolicy, clearly_reached
from howmuchdata.planner.shipped import shipped_json

POLICY_FILE = "purchase_policy.json"

Fitter = Callable[[np.ndarray, np.ndarray], Any]


#: Largest log size ratio a feature takes ("never" and "far" look alike beyond 64x).
FAR = math.log(64.0)
#: The features the purchase rule reads, in order (see :meth:`State.features`).
FEATURES = (
    "d_mid", "unreached", "d_opt50", "d_pess50", "d_opt80", "d_slope",
    "z2", "z4", "z8", "z16", "noise", "const",
)  # fmt: skip
#: Multiples of the size seen at which the margin over the target is read (``z2`` ... ``z16``).
MULTIPLES = (2, 4, 8, 16)


def whole_rounds(value: Any, name: str, fix: str) -> int:
    """``value`` as a whole number of rounds (1 or more), else a one-line error.

    Parameters
    ----------
    value : int-like
        The rounds as given: an int, a NumPy integer or a float with no fraction (``2.0``).
    name : str
        The keyword, as the error names it (``"rounds"``, ``"rounds_left"``).
    fix : str
        What to pass instead, ending the error message.

    Returns
    -------
    int
    """
    number = value
    if isinstance(value, float | np.floating) and math.isfinite(value) and value == int(value):
        number = int(value)  # 2.0 reads as 2
    try:
        number = operator.index(number)
    except TypeError:
        # a fraction would index the per-round margins with a float (a TypeError deep inside)
        raise HowMuchDataError(
            f"{name}={value!r} is not a whole number of rounds; pass {fix}"
        ) from None
    if number < 1:
        raise HowMuchDataError(f"{name}={number} is below 1; pass {fix}")
    return number


def _distance(n: float, seen: float) -> float:
    """log(n / seen) clipped to [-1, FAR]; NaN or inf (never) count as FAR."""
    if not math.isfinite(n) or n <= 0:
        return FAR
    return min(max(math.log(n / seen), -1.0), FAR)


@dataclass(frozen=True)
class State:
    """What the planner knows after fitting the points seen so far.

    Sizes are where the extrapolation reaches the target: ``mid`` (mean), ``opt50`` /
    ``pess50`` (optimistic / pessimistic bound of the 50% interval), ``opt80`` / ``pess80``
    (80% interval); inf when never. ``asym_hi`` maps a level to the optimistic bound of the
    ceiling. ``slope_doublings`` is how many doublings a straight line through the last
    measured sizes (score against log size) needs to reach the target. ``z2`` ... ``z16``:
    the expected margin over the target at 2x ... 16x the size seen, in half-widths of the 80%
    interval there (clipped to +-4). ``noise``: the spread of the repeats at the size seen over
    the gap still to close.
    """

    seen: float
    mid: float
    opt50: float
    pess50: float
    opt80: float
    pess80: float
    asym_hi80: float
    asym_hi98: float
    slope_doublings: float
    z2: float = 0.0
    z4: float = 0.0
    z8: float = 0.0
    z16: float = 0.0
    noise: float = 0.0

    def features(self) -> np.ndarray:
        unreached = 0.0 if math.isfinite(self.mid) else 1.0
        return np.array(
            [
                _distance(self.mid, self.seen),
                unreached,
                _distance(self.opt50, self.seen),
                _distance(self.pess50, self.seen),
                _distance(self.opt80, self.seen),
                min(max(self.slope_doublings * math.log(2.0), 0.0), FAR),
                self.z2,
                self.z4,
                self.z8,
                self.z16,
                self.noise,
                1.0,
            ]
        )

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def _sizes_for(ext: Any, target: float, level: float) -> tuple[float, float]:
    try:
        lo, hi = ext.size_for(target, level=level)
        return float(lo), float(hi)
    except (ValueError, ArithmeticError, TypeError):
        return math.inf, math.inf


def _optimistic_ceiling(ext: Any, level: float, greater_is_better: bool) -> float:
    try:
        lo, hi = ext.asymptote_interval(level)
    except (AttributeError, ValueError, ArithmeticError):
        return math.inf if greater_is_better else -math.inf
    return float(hi if greater_is_better else lo)


def observe(
    grid: np.ndarray,
    means: np.ndarray,
    target: float,
    ext: Any,
    greater_is_better: bool = True,
    sd_last: float = 0.0,
) -> State:
    """The :class:`State` of a curve from its per-size mean scores and its extrapolation.

    ``sd_last`` is the standard deviation of the repeats at the largest size (0 if unknown).
    """
    sign = 1.0 if greater_is_better else -1.0
    grid, means = np.asarray(grid, dtype=float), np.asarray(means, dtype=float)
    tail = slice(max(grid.size - 3, 0), grid.size)
    x, y = np.log2(grid[tail]), sign * means[tail]
    slope = float(np.polyfit(x, y, 1)[0]) if x.size >= 2 else 0.0
    gap = sign * target - y[-1]
    doublings = gap / slope if slope > 1e-9 else math.inf
    opt50, pess50 = _sizes_for(ext, target, 0.5)
    opt80, pess80 = _sizes_for(ext, target, 0.8)
    return State(
        seen=float(grid[-1]),
        mid=predicted_size(ext, target),
        opt50=opt50,
        pess50=pess50,
        opt80=opt80,
        pess80=pess80,
        asym_hi80=_optimistic_ceiling(ext, 0.8, greater_is_better),
        asym_hi98=_optimistic_ceiling(ext, 0.98, greater_is_better),
        slope_doublings=max(doublings, 0.0),
        noise=min(sd_last / max(abs(gap), 1e-4), 5.0),
        **_margins(ext, float(grid[-1]), target, sign),
    )


def _margins(ext: Any, seen: float, target: float, sign: float) -> dict[str, float]:
    """Expected margin over the target at multiples of the size seen, in interval half-widths."""
    n = seen * np.array(MULTIPLES, dtype=float)
    try:
        mean = np.asarray(ext.predict(n), dtype=float)
        lo, hi = (np.asarray(v, dtype=float) for v in ext.interval(n, level=0.8))
    except (ValueError, ArithmeticError, TypeError):
        return {}
    z = sign * (mean - target) / np.maximum((hi - lo) / 2, 1e-4)
    return {f"z{m}": float(np.clip(v, -4.0, 4.0)) for m, v in zip(MULTIPLES, z, strict=True)}


@dataclass(frozen=True)
class PurchasePolicy:
    """How far past the size seen to buy: a linear model of log(n_needed / n_seen), plus margins.

    The purchase is ``n_seen * exp(max(floor_k, coef . features + offset_k))`` with the
    features of :class:`State` (see ``FEATURES``) and ``k`` = rounds left - 1 (capped at the
    last entry): ``coef`` predicts the typical log size ratio still needed, and ``offset_k``
    moves the purchase off it by a margin calibrated for that many rounds left (not ordered:
    the shipped offsets buy more in the first of three rounds than in a last round; see the
    module notes). In the last round the planner answers "unreachable" when the ceiling's
    optimistic bound at ``give_up_level`` is below the target.
    """

    coef: tuple[float, ...] = (1.0,) + (0.0,) * (len(FEATURES) - 1)
    offset: tuple[float, ...] = (0.4, 0.2, 0.1)
    floor: tuple[float, ...] = (0.5, 0.5, 0.5)
    give_up_level: float = 0.98
    note: str = "untuned defaults"

    def log_growth(self, state: State, rounds_left: int) -> float:
        """log(total to buy / size seen) for a state and the rounds left."""
        k = min(max(rounds_left, 1), len(self.offset)) - 1
        features = state.features()
        if len(self.coef) != features.size:
            raise HowMuchDataError(
                f"purchase policy has {len(self.coef)} coefficients for {features.size} features; "
                "rebuild it with benchmarks/planning.py --calibrate"
            )
        typical = float(np.dot(self.coef, features))
        return max(self.floor[k], typical + self.offset[k])

    def gives_up(
        self, state: State, target: float, rounds_left: int = 1, greater_is_better: bool = True
    ) -> bool:
        """Whether to answer "unreachable": only in the last round (earlier, buying more also
        tells more, and a wrong early give-up is the costliest mistake), when the ceiling's
        optimistic bound at ``give_up_level`` is below the target."""
        if self.give_up_level > 1 or rounds_left > 1:
            return False
        ceiling = state.asym_hi98 if self.give_up_level >= 0.9 else state.asym_hi80
        if not math.isfinite(ceiling):
            return False
        return ceiling < target if greater_is_better else ceiling > target

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "features": list(FEATURES)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PurchasePolicy:
        d = {k: v for k, v in d.items() if k != "features"}
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items()})


def default_policy() -> PurchasePolicy:
    """The shipped policy (``_resources/purchase_policy.json``), or the defaults if absent."""
    d = shipped_json(POLICY_FILE)
    return PurchasePolicy() if d is None else PurchasePolicy.from_dict(d)


def _default_fitter(sizes: np.ndarray, scores: np.ndarray) -> Any:
    from howmuchdata.extrapolate import extrapolate

    # The shipped purchase policy was calibrated on the family combination; the LCDB-learned
    # corrector would need the policy recalibrated with it retrained per fold (see
    # benchmarks/planning.py), which has not been done yet.
    return extrapolate(sizes, scores, method="families")


def _clean(sizes: Sequence[float], scores: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    sizes = np.asarray(sizes, dtype=float).ravel()
    scores = np.asarray(scores, dtype=float).ravel()
    if sizes.shape != scores.shape:
        raise HowMuchDataError(
            f"sizes ({sizes.size}) and scores ({scores.size}) differ in length; pass one score per size"
        )
    ok = np.isfinite(sizes) & np.isfinite(scores)
    sizes, scores = sizes[ok], scores[ok]
    if np.unique(sizes).size < 3:
        raise HowMuchDataError(
            "fewer than 3 distinct sizes with a score; measure the curve at more sizes first"
        )
    return sizes, scores


def predicted_size(ext: Any, target: float) -> float:
    """Where the extrapolation's mean reaches ``target`` (inf when it never does)."""
    try:
        value = float(ext.size_for(target))
    except (ValueError, ArithmeticError):
        return math.inf
    return value if value > 0 else math.inf


def next_purchase(
    sizes: Sequence[float],
    scores: Sequence[float],
    target: float,
    n_max: float,
    rounds_left: int,
    *,
    greater_is_better: bool = True,
    policy: PurchasePolicy | None = None,
    fitter: Fitter | None = None,
) -> int | None:
    """Total training size to have after the next purchase, or None when out of reach.

    Parameters
    ----------
    sizes, scores : array-like
        Points seen so far (a size may repeat, once per repeat).
    target : float
        Score to reach.
    n_max : float
        Largest total size that can be bought (pool or budget limit).
    rounds_left : int
        Purchases left including this one (>= 1).
    greater_is_better : bool, default True
        Direction of the metric (False for errors / losses).
    policy : NeedPolicy or PurchasePolicy, optional
        The purchase rule. By default, for accuracy-like curves (scores in [0, 1] that rise,
        measured at 4+ sizes), the LCDB-learned need model (:mod:`howmuchdata.planner.need`)
        with its shipped margins; for other metrics, or with a ``PurchasePolicy`` or a
        ``fitter``, the rule on the extrapolation's crossing of the target.
    fitter : callable, optional
        ``fitter(sizes, scores) -> Extrapolation`` for the extrapolation rule; default
        :func:`howmuchdata.extrapolate` with ``method="families"`` (what the shipped
        ``PurchasePolicy`` was calibrated on).

    Returns
    -------
    int or None
        The total size to buy up to (at most ``n_max``, more than the largest size seen); the
        largest size seen itself when the target is already reached there (buy nothing: for the
        need model, the mean there above the target by two standard errors; otherwise the mean
        at or past it); or None when the target is out of reach: everything up to ``n_max`` is
        already bought, or (in the last round) the ceiling's optimistic 98% bound is below it.
    """
    sizes, scores = _clean(sizes, scores)
    check_target_score(float(target), greater_is_better, None, float(np.max(scores)))
    rounds_left = whole_rounds(rounds_left, "rounds_left", "the purchases left including this one")
    if not (n_max > 0):
        raise HowMuchDataError(
            f"n_max={n_max!r} is not positive; pass the largest size you could buy"
        )
    seen = float(sizes.max())
    sign = 1.0 if greater_is_better else -1.0
    learned_rule = fitter is None and (policy is None or isinstance(policy, NeedPolicy))
    if learned_rule and _need_model_applies(sizes, scores, target, greater_is_better):
        if clearly_reached(sizes, scores, target):
            return int(seen)  # above the target beyond noise: buy nothing more
        if seen >= n_max:
            return None
        return _learned_purchase(sizes, scores, target, n_max, rounds_left, policy)
    if sign * float(np.mean(scores[sizes == seen])) >= sign * target:
        return int(seen)  # already there: buy nothing more
    if seen >= n_max:
        return None
    if isinstance(policy, NeedPolicy):
        raise HowMuchDataError(
            "a NeedPolicy needs an accuracy-like curve (scores in [0, 1] that rise, 4+ sizes) "
            "and the default fitter; pass a PurchasePolicy instead"
        )
    ext = (fitter or _default_fitter)(sizes, scores)
    grid = np.unique(sizes)
    means = np.array([scores[sizes == g].mean() for g in grid])
    last = scores[sizes == grid[-1]]
    sd_last = float(last.std(ddof=1)) if last.size > 1 else 0.0
    state = observe(grid, means, target, ext, greater_is_better, sd_last)
    want = purchase_from_state(
        state, target, n_max, rounds_left, policy or default_policy(), greater_is_better
    )
    return last_round_floor(want, state, n_max, rounds_left)


def _need_model_applies(
    sizes: np.ndarray, scores: np.ndarray, target: float, greater_is_better: bool
) -> bool:
    """The need model was learned on accuracy curves: rising scores in [0, 1], 4+ sizes."""
    from howmuchdata.planner.need import shipped_need_model

    return (
        greater_is_better
        and float(scores.min()) >= 0.0
        and float(scores.max()) <= 1.0
        and target <= 1.0
        and np.unique(sizes).size >= 4
        and shipped_need_model() is not None
    )


def _learned_purchase(
    sizes: np.ndarray,
    scores: np.ndarray,
    target: float,
    n_max: float,
    rounds_left: int,
    policy: NeedPolicy | None,
) -> int | None:
    """The purchase from the LCDB-learned need model; "unreachable" only in the last round."""
    from howmuchdata.extrapolate import extrapolate
    from howmuchdata.planner.need import (
        default_need_policy,
        need_row_from_points,
        predict_need,
        purchase_from_need,
    )

    if rounds_left == 1:
        # the last purchase: give up when even the ceiling's optimistic 98% bound is short
        # (the family combination's ceiling, as for the extrapolation rule)
        ext = extrapolate(sizes, scores, direction="increase", method="families")
        if _optimistic_ceiling(ext, 0.98, True) < target:
            return None
    predicted = predict_need(need_row_from_points(sizes, scores, target))
    policy = policy if policy is not None else default_need_policy()
    return purchase_from_need(predicted, float(sizes.max()), n_max, rounds_left, policy)


def _need_inputs(
    sizes: Sequence[float], scores: Sequence[float], target: float, greater_is_better: bool
) -> tuple[np.ndarray, np.ndarray, Any] | None:
    """The clean points and the shipped need spread, or None where the need model does not
    apply (or its spread is not installed)."""
    from howmuchdata.planner.need import default_need_spread

    sizes_a, scores_a = _clean(sizes, scores)
    spread = default_need_spread()
    if spread is None or not _need_model_applies(sizes_a, scores_a, target, greater_is_better):
        return None
    return sizes_a, scores_a, spread


def need_reach(
    sizes: Sequence[float],
    scores: Sequence[float],
    target: float,
    greater_is_better: bool = True,
) -> Callable[[np.ndarray], np.ndarray] | None:
    """P(reaching ``target``) by total size, from the need model that :func:`next_purchase`
    buys with; None where that model does not apply (then the extrapolation's is used).

    The probability is the share of the need model's out-of-fold LCDB residuals (grouped by
    dataset, in bins of the predicted need) that the size would have covered. Those residuals
    come from states whose truth was still below the target, and the curves all reached it
    later: the probability is conditional on the target being neither reached yet at the
    largest size seen nor out of reach (:func:`howmuchdata.planner.plan` supplies both chances).
    """
    from howmuchdata.planner.need import need_row_from_points, predict_need

    inputs = _need_inputs(sizes, scores, target, greater_is_better)
    if inputs is None:
        return None
    sizes_a, scores_a, spread = inputs
    predicted = predict_need(need_row_from_points(sizes_a, scores_a, target))
    seen = float(sizes_a.max())

    def reach(n: np.ndarray) -> np.ndarray:
        growth = np.log2(np.maximum(np.asarray(n, dtype=float), 1.0) / seen)
        return spread.prob_reached(predicted, growth)

    return reach


def need_reach_by_target(
    sizes: Sequence[float],
    scores: Sequence[float],
    target: float,
    targets: np.ndarray,
    at: np.ndarray,
    greater_is_better: bool = True,
) -> np.ndarray | None:
    """:func:`need_reach` for several targets at once, fitting the curve once.

    Parameters
    ----------
    sizes, scores : array-like
        Points seen so far (a size may repeat, once per repeat).
    target : float
        The target the plan is for: whether the need model applies is judged on it.
    targets : ndarray
        Targets to read the need model at.
    at : ndarray
        Total sizes.
    greater_is_better : bool, default True

    Returns
    -------
    ndarray or None
        ``(len(targets), len(at))`` probabilities, conditional on each target being neither
        reached yet nor out of reach (see :func:`need_reach`); None where the need model does
        not apply.
    """
    from howmuchdata.planner.need import need_rows_from_points, shipped_need_model

    inputs = _need_inputs(sizes, scores, target, greater_is_better)
    if inputs is None:
        return None
    sizes_a, scores_a, spread = inputs
    predicted = shipped_need_model().predict(need_rows_from_points(sizes_a, scores_a, targets))
    growth = np.log2(np.maximum(np.asarray(at, dtype=float), 1.0) / float(sizes_a.max()))
    return np.vstack([spread.prob_reached(float(p), growth) for p in predicted])


def purchase_from_state(
    state: State,
    target: float,
    n_max: float,
    rounds_left: int,
    policy: PurchasePolicy,
    greater_is_better: bool = True,
) -> int | None:
    """The purchase rule of :func:`next_purchase` once the curve is observed."""
    if policy.gives_up(state, target, rounds_left, greater_is_better):
        return None
    want = state.seen * math.exp(policy.log_growth(state, rounds_left))
    return int(min(n_max, max(math.ceil(want), state.seen + 1)))


def last_round_floor(want: int | None, state: State, n_max: float, rounds_left: int) -> int | None:
    """A last purchase of the extrapolation rule, lifted to where the extrapolation's mean
    reaches the target.

    The linear rule was fitted across LCDB curves, and on a curve far from them (a tight RMSE
    curve whose target is confidently in reach) it can stop short of even the optimistic
    crossing, a final purchase that its own extrapolation gives no chance. With rounds still to
    come a short purchase is topped up later; the last one is not, so it never stops below the
    mean crossing (``state.mid``, at most ``n_max``). :func:`purchase_from_state` itself, which
    the planning benchmark scores as the extrapolation rule, is left as calibrated.

    Parameters
    ----------
    want : int or None
        The rule's purchase (a total size), or None for "unreachable".
    state : State
        The observed curve the rule read.
    n_max : float
        Largest total size that can be bought.
    rounds_left : int
        Purchases left including this one.

    Returns
    -------
    int or None
        ``want``, or the mean crossing where that is larger in the last round.
    """
    if want is None or rounds_left > 1 or not math.isfinite(state.mid) or want >= state.mid:
        return want
    return int(min(n_max, max(math.ceil(state.mid - 1e-9), want)))


@dataclass
class CollectionRound:
    """One simulated round."""

    round: int
    asked: int | None
    bought: int
    truth: float
    reached: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Collection:
    """Result of :func:`simulate_collection`.

    Attributes
    ----------
    rounds : list[CollectionRound]
        What the planner asked for and got, round by round.
    reached : bool
        Whether the true score at the final size reached the target.
    bought : int
        Final total size.
    n_star : float
        Smallest size where the true curve reaches the target (log-linear between sizes).
    over_collection : float
        ``bought / n_star``; NaN when the known curve never reaches the target (``n_star`` inf).
    """

    target: float
    n_start: int
    n_star: float
    n_max: int
    rounds: list[CollectionRound] = field(default_factory=list)

    @property
    def bought(self) -> int:
        return self.rounds[-1].bought if self.rounds else self.n_start

    @property
    def reached(self) -> bool:
        return bool(self.rounds) and self.rounds[-1].reached

    @property
    def over_collection(self) -> float:
        return self.bought / self.n_star if 0 < self.n_star < math.inf else math.nan

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "n_start": self.n_start,
            "n_star": self.n_star,
            "n_max": self.n_max,
            "bought": self.bought,
            "reached": self.reached,
            "over_collection": self.over_collection,
            "rounds": [r.to_dict() for r in self.rounds],
        }


def reach_size(
    sizes: np.ndarray, truth: np.ndarray, target: float, greater_is_better: bool = True
) -> float:
    """Smallest size where ``truth`` reaches ``target``, log-linear between sizes (inf if never)."""
    sign = 1.0 if greater_is_better else -1.0
    t = sign * np.asarray(truth, dtype=float)
    goal = sign * target
    above = np.nonzero(t >= goal)[0]
    if above.size == 0:
        return math.inf
    i = int(above[0])
    if i == 0:
        return float(sizes[0])
    x0, x1 = math.log(sizes[i - 1]), math.log(sizes[i])
    frac = (goal - t[i - 1]) / (t[i] - t[i - 1])
    return float(math.exp(x0 + frac * (x1 - x0)))


def simulate_collection(
    sizes: Sequence[float],
    scores: Sequence[float],
    target: float,
    *,
    truth: Sequence[float] | None = None,
    start_size: float | None = None,
    rounds: int = 3,
    max_size: float | None = None,
    greater_is_better: bool = True,
    planner: Callable[..., int | None] | None = None,
) -> Collection:
    """Run a planner round by round against a curve whose future is known.

    Parameters
    ----------
    sizes, scores : array-like
        The whole known curve (a size may repeat, once per repeat): the planner sees only the
        points up to what it has bought.
    target : float
        Score to reach.
    truth : array-like, optional
        True score at each distinct size (sorted); default the mean of ``scores`` there.
    start_size : float, optional
        The planner starts with every size up to this (default: the largest size / 16, and at
        least 4 sizes); it must leave at least 3 sizes.
    rounds : int, default 3
        Purchases allowed (1 or more).
    max_size : float, optional
        Most labels that may be held in all (a budget), at least the start; default the
        largest known size. Purchases are rounded up to the next known size, but never past
        this.
    greater_is_better : bool, default True
    planner : callable, optional
        ``planner(sizes, scores, target, n_max, rounds_left) -> total or None``; default
        :func:`next_purchase` with this ``greater_is_better`` (a planner of your own is not told
        the direction).

    Returns
    -------
    Collection
    """
    sizes, scores = _clean(sizes, scores)
    target = float(target)  # a plain number, so that to_dict() stays plain JSON
    check_target_score(target, greater_is_better, None, float(np.max(scores)))
    grid = np.unique(sizes)
    if truth is None:
        truth_arr = np.array([scores[sizes == s].mean() for s in grid])
    else:
        truth_arr = np.asarray(truth, dtype=float)
        if truth_arr.shape != grid.shape:
            raise HowMuchDataError(
                f"truth has {truth_arr.size} values for {grid.size} distinct sizes; pass one per size"
            )
    rounds = whole_rounds(rounds, "rounds", "the purchases allowed (1 or more)")
    cap = float(grid[-1]) if max_size is None else float(max_size)
    if cap < grid[0]:
        raise HowMuchDataError(
            f"max_size={max_size} is below the smallest size {grid[0]:g}; pass a larger budget"
        )
    if start_size is None:
        start_size = max(grid[-1] / 16, grid[min(3, grid.size - 1)])
    # the planner needs 3 sizes to fit a curve (next_purchase refuses fewer)
    if not (start_size >= grid[min(2, grid.size - 1)]):
        raise HowMuchDataError(
            f"start_size={shown(start_size)} leaves fewer than 3 measured sizes to the planner; "
            f"pass start_size={grid[min(2, grid.size - 1)]:g} or more"
        )
    seen = float(grid[grid <= start_size].max())
    if cap < seen:
        raise HowMuchDataError(
            f"max_size={max_size} is below the {seen:g} labels the planner starts with; "
            f"pass max_size={seen:g} or more, or a smaller start_size"
        )

    def default_planner(
        sizes: np.ndarray, scores: np.ndarray, target: float, n_max: float, rounds_left: int
    ) -> int | None:
        # the default planner must know the direction: a falling loss is not "reached"
        return next_purchase(
            sizes, scores, target, n_max, rounds_left, greater_is_better=greater_is_better
        )

    planner = planner or default_planner
    sign = 1.0 if greater_is_better else -1.0
    result = Collection(
        target=target,
        n_start=int(seen),
        n_star=reach_size(grid, truth_arr, target, greater_is_better),
        n_max=int(grid[-1]),
    )

    def truth_at(n: float) -> float:
        return float(truth_arr[np.searchsorted(grid, n)])

    if sign * truth_at(seen) >= sign * target:
        result.rounds.append(CollectionRound(0, None, int(seen), truth_at(seen), True))
        return result
    for r in range(1, rounds + 1):
        mask = sizes <= seen
        affordable = grid[grid <= cap]
        asked = planner(sizes[mask], scores[mask], target, float(affordable[-1]), rounds - r + 1)
        if asked is None:
            result.rounds.append(CollectionRound(r, None, int(seen), truth_at(seen), False))
            break
        # round up to the next known size, but never past the budget
        i = min(int(np.searchsorted(affordable, asked)), affordable.size - 1)
        seen = max(seen, float(affordable[i]))
        reached = bool(sign * truth_at(seen) >= sign * target)
        result.rounds.append(CollectionRound(r, int(asked), int(seen), truth_at(seen), reached))
        if reached:
            break
    return result
