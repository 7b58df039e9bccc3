"""``plan``: what to buy next from a measured curve, and the before-data plan."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from howmuchdata._format import fixed
from howmuchdata.errors import HowMuchDataError
from howmuchdata.extrapolate.extrapolation import measured_means
from howmuchdata.extrapolate.shapes import ILL_BEHAVED
from howmuchdata.metrics import check_target_score, scorer_bounds
from howmuchdata.planner.criteria import SampleSize, minimum_sample_size
from howmuchdata.planner.decision import (
    DEFAULT_POINT,
    LEVEL,
    Economics,
    ExtrapolationLike,
    ReachProbability,
    candidate_sizes,
    cost_value_table,
    optimal_size,
    prob_at_least,
    target_purchase,
)
from howmuchdata.planner.need import prob_reached_now
from howmuchdata.planner.rounds import (
    default_policy,
    last_round_floor,
    need_reach_by_target,
    next_purchase,
    observe,
    predicted_size,
    purchase_from_state,
    whole_rounds,
)
from howmuchdata.planner.rules_of_thumb import (
    RuleOfThumb,
    SimilarProblems,
    rules_of_thumb,
    similar_problems,
)
from howmuchdata.result import from_json_number

#: How each source of P(reach) is named in the summary.
_SOURCES = {
    "need_model": "LCDB need model, with P(reached already) and P(ceiling reaches it)",
    "extrapolation": "extrapolation's interval",
}
#: How far past the largest measured size the table looks when nothing else caps it.
REACH = 100.0


@dataclass
class Plan:
    """A labelling plan from a measured curve. Every number carries its interval or probability.

    Attributes
    ----------
    status : str
        ``"reachable"``, ``"out_of_reach"`` (the asymptote's optimistic bound is below the
        target: more of the same data will not get there) or ``"reached"`` (already there), or
        ``"no_target"``.
    table : pandas.DataFrame
        Candidate total sizes: expected score and 80% interval, probability of reaching the
        target, cost, expected value and net benefit with intervals, gain per 1,000 labels.
    next_round : dict
        The recommendation for this round: total size, labels to buy, cost, probability of
        reaching the target, expected score with interval (``size`` None when out of reach or
        without a target; the current size, buying nothing, when already reached).
    optimum : dict
        The size with the largest expected net benefit (past it a label costs more than it
        returns), with its net benefit interval and probability.
    """

    target: float | None
    greater_is_better: bool
    current_size: int
    current_score: dict[str, float]
    asymptote: dict[str, float]
    size_for_target: dict[str, float]
    status: str
    table: pd.DataFrame
    next_round: dict[str, Any]
    optimum: dict[str, Any]
    economics: Economics
    rounds: int
    cap: int
    priorities: list[dict[str, Any]] = field(default_factory=list)
    advice: list[str] = field(default_factory=list)

    def _repr_html_(self) -> str:
        """Jupyter display: the plan's summary, escaped."""
        return f"<pre>{html.escape(self.summary())}</pre>"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form for ``result.json``'s ``plan`` key."""
        return {
            "kind": "from_curve",
            "target": self.target,
            "greater_is_better": self.greater_is_better,
            "status": self.status,
            "current_size": self.current_size,
            "current_score": self.current_score,
            "asymptote": self.asymptote,
            "size_for_target": self.size_for_target,
            "next_round": self.next_round,
            "optimum": self.optimum,
            "economics": self.economics.to_dict(),
            "rounds": self.rounds,
            "cap": self.cap,
            "level": LEVEL,
            "table": self.table.to_dict(orient="records"),
            "priorities": self.priorities,
            "advice": self.advice,
        }

    def summary(self) -> str:
        """A few lines for people."""
        purchase = next_round_words(self.next_round)
        return "\n".join([*self.advice, *([purchase] if purchase else [])])


def next_round_words(next_round: Any) -> str | None:
    """The purchase of this round in one sentence ("Next round: buy ..."), as ``plan`` prints
    it and the report repeats it.

    Parameters
    ----------
    next_round : mapping
        :attr:`Plan.next_round`, or the ``next_round`` of result.json's ``plan`` (numbers may
        be null or ``"inf"`` there).

    Returns
    -------
    str or None
        None when there is no purchase to state (out of reach, no target, or no such entry).
    """
    if not isinstance(next_round, Mapping):
        return None

    def number(key: str) -> float:
        try:
            return from_json_number(next_round.get(key))
        except (TypeError, ValueError):  # a hand-edited file: leave the figure out
            return math.nan

    size, labels, cost = number("size"), number("labels"), number("cost")
    if not (math.isfinite(size) and math.isfinite(labels)):
        return None
    text = f"Next round: buy {labels:,.0f} labels (total {size:,.0f})"
    if math.isfinite(cost):
        text += f", cost {cost:,.2f}"
    p_reach = number("p_reach")
    if math.isfinite(p_reach):
        source = _SOURCES.get(str(next_round.get("p_reach_from")))
        text += f", P(reach target) {p_reach:.0%}" + (f" ({source})" if source else "")
    score, lo, hi = number("score"), number("score_lo"), number("score_hi")
    if math.isfinite(score):
        text += f", expected score {fixed(score)}"
        if math.isfinite(lo) and math.isfinite(hi):
            text += f" [{fixed(lo)}, {fixed(hi)}]"
    return text


Points = tuple[np.ndarray, np.ndarray] | None


@dataclass(frozen=True)
class _Peak:
    """Where a measured curve flagged ``peaking`` is best, and where it ends."""

    size: float
    score: float
    last: float


def _measured_peak(ext: Any, greater_is_better: bool) -> _Peak | None:
    """The best measured size of a curve whose extrapolation flags it ``peaking`` (the score
    rises, peaks inside the measured range and falls beyond noise), else None."""
    if "peaking" not in (getattr(ext, "flags", None) or ()):
        return None
    sizes, means = measured_means(ext)
    if sizes.size < 3:
        return None
    best = int(np.argmax(means) if greater_is_better else np.argmin(means))
    if best == sizes.size - 1:
        return None
    return _Peak(float(sizes[best]), float(means[best]), float(means[-1]))


def _peak_words(peak: _Peak, current: int, target: float | None, greater_is_better: bool) -> str:
    """The plan's advice for a peaking curve: more labels of this kind lowered the score."""
    met = ""
    if target is not None:
        reached = peak.score >= target if greater_is_better else peak.score <= target
        if reached:
            met = f" The target {target:g} was met at {peak.size:,.0f} labels."
    return (
        f"More labels of this kind lowered the score: the measured curve peaks at "
        f"{peak.size:,.0f} labels ({fixed(peak.score)}) and falls to {fixed(peak.last)} at "
        f"{current:,}, so buying more of the same is not expected to help and this round buys "
        f"nothing.{met} Find out why first with `howmuchdata diagnose`: on a time split, older "
        "rows that lower the score are its drift finding (train on the newest rows); otherwise "
        "look at overfitting and label noise."
    )


def _as_extrapolation(
    source: Any,
) -> tuple[ExtrapolationLike, int | None, bool | None, str | None, Points]:
    """(extrapolation, largest size, greater_is_better, scorer, measured points) from the input."""
    if hasattr(source, "points") and hasattr(source, "extrapolate"):  # a LearningCurve
        pts = source.points
        ok = pts[pts["status"] == "ok"] if "status" in pts else pts
        ok = ok[np.isfinite(ok["val_score"].to_numpy(float))]
        if ok.empty:
            raise HowMuchDataError(
                "the curve has no successful points; rerun `howmuchdata curve` and check its errors"
            )
        points = (ok["size"].to_numpy(float), ok["val_score"].to_numpy(float))
        return (
            source.extrapolate(),
            int(ok["size"].max()),
            source.greater_is_better,
            source.scoring,
            points,
        )
    if isinstance(source, tuple) and len(source) == 2:
        from howmuchdata.extrapolate import extrapolate

        sizes = np.asarray(source[0], dtype=float)
        scores = np.asarray(source[1], dtype=float)
        ext = extrapolate(sizes, scores)
        # the direction the extrapolation inferred (a falling loss is lower-is-better)
        return ext, int(np.nanmax(sizes)), _direction(ext), None, (sizes, scores)
    if hasattr(source, "predict") and hasattr(source, "interval"):
        largest = None
        for name in ("n_max", "largest_size", "n_observed"):
            if getattr(source, name, None) is not None:
                largest = int(getattr(source, name))
                break
        observed = getattr(source, "observed", None) or {}
        if largest is None and len(observed.get("sizes", [])):
            largest = int(np.max(observed["sizes"]))
        return source, largest, _direction(source), None, None
    raise HowMuchDataError(
        f"cannot plan from a {type(source).__name__}; pass a LearningCurve, an Extrapolation or (sizes, scores)"
    )


def _direction(ext: Any) -> bool | None:
    """greater_is_better from an extrapolation's ``direction`` (None when it has none)."""
    direction = getattr(ext, "direction", None)
    return None if direction is None else direction in ("increase", "maximize", "higher")


def _ceiling(ext: ExtrapolationLike, current: float) -> tuple[float, float, float]:
    """The ceiling (mean, lo, hi); if the extrapolation's is not finite, its last finite value
    on sizes up to 1024x the current size."""
    mean = float(ext.asymptote)
    lo, hi = (float(v) for v in ext.asymptote_interval(LEVEL))
    if np.isfinite([mean, lo, hi]).all():
        return mean, lo, hi
    grid = current * np.geomspace(1.0, 1024.0, 61)
    m = np.asarray(ext.predict(grid), dtype=float)
    qlo, qhi = (np.asarray(v, dtype=float) for v in ext.interval(grid, level=LEVEL))
    ok = np.isfinite(m) & np.isfinite(qlo) & np.isfinite(qhi)
    if not ok.any():
        return math.nan, math.nan, math.nan
    i = int(np.nonzero(ok)[0][-1])
    return float(m[i]), float(qlo[i]), float(qhi[i])


def _split_normal_prob(mean: float, lo: float, hi: float, target: float, greater: bool) -> float:
    z = stats.norm.ppf(0.5 + LEVEL / 2)
    sd = (mean - lo) / z if target <= mean else (hi - mean) / z
    p = float(stats.norm.sf((target - mean) / max(sd, 1e-12)))
    return p if greater else 1.0 - p


#: The grid on which P(reach) is built: sizes per doubling, and doublings past the current size.
_STEPS_PER_DOUBLING = 32
_GRID_DOUBLINGS = 10
#: The largest size of that grid, as a multiple of the current size.
REACH_GRID_END = 2.0**_GRID_DOUBLINGS
#: Spacing of the targets at which the need model is read to keep P(reach) monotone in the target.
_TARGET_STEP = 0.001


class _ReachBySize:
    """P(reaching the target) by total size: the extrapolation's and, where it applies, the LCDB
    need model's, the larger of the two.

    The need model's probability is conditional: its LCDB states all had the truth still below
    the target and all reached it later. Unconditionally P(reach at n) = P(reached now) +
    P(not yet) * P(the ceiling reaches it) * need(n), with P(reached now) from the measured mean
    at the largest size. The extrapolation's own probability (its interval read as a split
    normal) is a floor, so a row whose interval lies above the target is never quoted as
    unlikely.

    Reaching a score implies reaching every lower one, and more labels can always be subsampled
    to fewer, so P(reach) is made non-increasing in the target and non-decreasing in size: the
    extrapolation's as a running maximum over sizes, the need model's (a regressor, not monotone
    by construction) as a running minimum over targets on a fixed ladder from the measured
    level upwards, interpolated at the target. Everything is tabulated on one grid of sizes and
    read off it log-linearly.
    """

    def __init__(
        self,
        ext: ExtrapolationLike,
        current: float,
        target: float,
        greater_is_better: bool,
        measured: Points,
        ceiling: tuple[float, float, float],
    ) -> None:
        steps = np.arange(_STEPS_PER_DOUBLING * _GRID_DOUBLINGS + 1) / _STEPS_PER_DOUBLING
        grid = float(current) * np.exp2(steps)
        self._log_grid = np.log(grid)
        self._ext = np.fmax.accumulate(prob_at_least(ext, grid, target, greater_is_better))
        self._need = (
            None
            if measured is None
            else _need_by_size(measured, target, greater_is_better, grid, ceiling)
        )

    def _read(self, table: np.ndarray, n: np.ndarray) -> np.ndarray:
        return np.interp(np.log(np.asarray(n, dtype=float)), self._log_grid, table)

    def __call__(self, n: np.ndarray) -> np.ndarray:
        table = self._ext if self._need is None else np.fmax(self._ext, self._need)
        return self._read(table, n)

    def source(self, n: float) -> str:
        """Which of the two sets P(reach) at size ``n`` (a key of ``_SOURCES``)."""
        size = np.array([float(n)])
        if self._need is None or self._read(self._need, size)[0] < self._read(self._ext, size)[0]:
            return "extrapolation"
        return "need_model"


def _need_by_size(
    measured: tuple[np.ndarray, np.ndarray],
    target: float,
    greater_is_better: bool,
    grid: np.ndarray,
    ceiling: tuple[float, float, float],
) -> np.ndarray | None:
    """The need model's unconditional P(reach) at the sizes of ``grid`` (see
    :class:`_ReachBySize`), or None where the model does not apply."""
    sizes, scores = (np.asarray(v, dtype=float) for v in measured)
    ok = np.isfinite(sizes) & np.isfinite(scores)
    if not ok.any():
        return None
    sizes, scores = sizes[ok], scores[ok]
    level = float(np.mean(scores[sizes == np.max(sizes)]))
    if not (0.0 <= level <= 1.0 and target <= 1.0):
        return None  # not accuracy-like: the need model does not apply (and the ladder is short)
    # The ladder depends on the data only, so that any two targets read the same running minimum.
    first = math.floor(level / _TARGET_STEP) * _TARGET_STEP
    rungs = max(math.ceil((target - first) / _TARGET_STEP - 1e-9), 0) + 1
    ladder = first + _TARGET_STEP * np.arange(rungs)
    need = need_reach_by_target(sizes, scores, target, ladder, grid, greater_is_better)
    if need is None:
        return None
    need = np.minimum.accumulate(need, axis=0)
    if rungs > 1:
        k = min(int((target - first) // _TARGET_STEP), rungs - 2)
        w = min(max((target - ladder[k]) / _TARGET_STEP, 0.0), 1.0)
        conditional = (1.0 - w) * need[k] + w * need[k + 1]
    else:  # the target is at or below the measured level
        conditional = need[0]
    now = prob_reached_now(sizes, scores, target)
    reachable = _split_normal_prob(*ceiling, target, greater_is_better)
    return now + (1.0 - now) * reachable * conditional


def _rule_on_points(
    measured: tuple[np.ndarray, np.ndarray],
    target: float,
    cap: float,
    rounds: int,
    greater_is_better: bool,
) -> int | None:
    """:func:`next_purchase` on the measured points (a total size, or None: unreachable)."""
    return next_purchase(
        measured[0], measured[1], target, cap, rounds, greater_is_better=greater_is_better
    )


def _p_reached_now(
    measured: tuple[np.ndarray, np.ndarray], target: float, greater_is_better: bool
) -> float:
    """P(the expected score at the largest measured size already reaches ``target``)."""
    sizes, scores = (np.asarray(v, dtype=float) for v in measured)
    sign = 1.0 if greater_is_better else -1.0
    return prob_reached_now(sizes, sign * scores, sign * float(target))


def _long_shot_words(p_round: float, p_ceiling: float) -> str:
    """The warning for a last round whose purchase is more likely to miss the target than not."""
    return (
        f"This last round reaches the target with only {p_round:.0%} probability, and no number "
        f"of labels of this kind does better than {p_ceiling:.0%} (the ceiling's chance): price "
        "a miss (--penalty) to weigh the labels against it, aim lower, or run `howmuchdata "
        "diagnose` to see what holds the model back."
    )


def _expected_at(mid: float, lo: float, hi: float) -> str:
    """Where the target is expected, with the 80% interval of that size: "at 3,782 labels
    (80% interval 1,092-9,310)". A bound the extrapolation never crosses is said, not dropped
    (dropping it left the size without its interval exactly where it is least certain)."""
    never = "beyond the extrapolation's reach (1024x the current size)"
    if not math.isfinite(mid):
        if math.isfinite(lo):
            return f"{never}, though its optimistic bound gets there at {lo:,.0f} labels"
        return never
    if not math.isfinite(lo):  # size_for failed: no interval to give
        return f"at {mid:,.0f} labels"
    if math.isfinite(hi):
        return f"at {mid:,.0f} labels (80% interval {lo:,.0f}-{hi:,.0f})"
    return (
        f"at {mid:,.0f} labels (80% interval {lo:,.0f} to never: the pessimistic bound does "
        "not get there)"
    )


def _refuse_unused(
    target: float | None, rounds: int, penalty: float, value_of_target: float,
    cost_per_label: float, budget: float | None,
) -> None:  # fmt: skip
    """Refuse inputs that would change nothing: prices of a miss or rounds without a target, a
    budget on free labels. Accepted silently, they read as if the plan had weighed them."""
    aimed = {"penalty": penalty, "value_of_target": value_of_target}
    unused = [f"{name}={value!r}" for name, value in aimed.items() if value > 0]
    if rounds != 1:
        unused.append(f"rounds={rounds}")
    if target is None and unused:
        one = len(unused) == 1
        raise HowMuchDataError(
            f"{', '.join(unused)} {'applies' if one else 'apply'} only to a purchase toward a "
            f"target, and no target is given; pass target=... (the score to reach) or drop "
            f"{'it' if one else 'them'}"
        )
    if budget is not None and math.isfinite(budget) and cost_per_label == 0:
        raise HowMuchDataError(
            f"budget={budget!r} limits the money spent on labels, but cost_per_label is 0 (free "
            "labels: no budget binds); pass cost_per_label=... (the price of one label) as well, "
            "or drop the budget"
        )


def _cap_words(econ: Economics, current: float, max_size: int | None, cap: float) -> str:
    """What sets the most labels a plan considers: the pool, the budget, or how far it looks.

    Without a budget or a pool the cap is :data:`REACH` times the labels held; calling that
    "the budget or pool" told a user who gave neither that one of them stopped the purchase.
    """
    if max_size is not None and cap >= max_size:
        return f"the pool, max_size {max_size:,}"
    if econ.cost_per_label > 0 and math.isfinite(econ.budget) and cap < current * REACH:
        return "what the budget buys"
    return f"{REACH:g}x the {int(current):,} labels held, as far as the plan looks"


def _why_capped(econ: Economics, current: float, max_size: int | None) -> str:
    """Why a plan can buy no label: the budget buys none, or the pool holds no more."""
    if max_size is not None and max_size <= current:
        return f"the pool (max_size {max_size:,}) holds no more labels"
    return (
        f"the budget {econ.budget:,.2f} buys no label at {econ.cost_per_label:,.2f} each "
        "(pass a larger --budget)"
    )


def _point_for(point: float | None, scorer: str | None, ext: Any, value_per_point: float) -> float:
    """The metric units in one point: as given, else 0.01 for a metric at most 1 (accuracy,
    R²) and 1 for one without a scale of its own, where a price per point needs it given."""
    if point is not None:
        return float(point)
    bounds = scorer_bounds(scorer) if scorer else None
    top = bounds[1] if bounds is not None else float(ext.score_range[1])
    if top == 1.0:
        return DEFAULT_POINT
    if value_per_point > 0:
        name = scorer or "this metric"
        raise HowMuchDataError(
            f"value_per_point prices a point of the metric, and {name} has no scale of its own "
            "(an error in the target's units, say); pass point=1 to price one unit of the "
            "metric, or the units one point is"
        )
    return 1.0


def _priorities(findings: Sequence[Any] | None) -> list[dict[str, Any]]:
    """Classes or subgroups the diagnosis found short: buy their labels first.

    A finding names one through ``evidence["class"]`` or ``evidence["subgroup"]`` (the
    diagnosis' class and subgroup checks); its numbers on how many more it needs come along.
    A subgroup the diagnosis found large enough (``evidence["short_of_data"]`` false: its
    shortfall "is not for lack of data") is not a reason to buy labels and is left out.
    """
    out = []
    for f in findings or []:
        d = f.to_dict() if hasattr(f, "to_dict") else dict(f)
        evidence = d.get("evidence") or {}
        who = {k: evidence[k] for k in ("class", "subgroup") if k in evidence}
        if evidence.get("short_of_data") is False:
            continue
        if who and d.get("severity") in ("warning", "critical"):
            extra = {
                k: evidence[k]
                for k in ("more_examples", "examples_needed", "n", "shortfall")
                if k in evidence
            }
            out.append({"kind": d.get("kind"), **who, **extra, "advice": d.get("advice")})
    return out


def _check_held_and_direction(
    current_size: float | None,
    largest: float | None,
    greater_is_better: bool | None,
    known: bool | None,
) -> None:
    """Refuse a ``current_size`` below the largest size the curve trained on (those labels
    are held already) and a ``greater_is_better`` that contradicts the curve's own scorer
    (``known``; None when the direction is not the scorer's).

    Raises
    ------
    HowMuchDataError
        Naming the value to pass instead.
    """
    if current_size is not None and largest is not None and current_size < largest:
        raise HowMuchDataError(
            f"current_size={current_size:,} is below the {largest:,.0f} labels the curve was "
            f"measured with, which are held already; pass current_size={largest:.0f} or more, "
            "or leave it out"
        )
    if greater_is_better is not None and known is not None and bool(greater_is_better) != known:
        way = "higher" if known else "lower"
        raise HowMuchDataError(
            f"greater_is_better={greater_is_better} contradicts the curve, whose scorer is better "
            f"{way}; leave greater_is_better out (it is read from the curve)"
        )


def plan(
    curve_or_ext: Any,
    *,
    target: float | None = None,
    cost_per_label: float = 0.0,
    value_per_point: float = 0.0,
    value_of_target: float = 0.0,
    penalty: float = 0.0,
    budget: float | None = None,
    rounds: int = 1,
    current_size: int | None = None,
    max_size: int | None = None,
    greater_is_better: bool | None = None,
    point: float | None = None,
    findings: Sequence[Any] | None = None,
    points: tuple[Any, Any] | None = None,
) -> Plan:
    """Plan the next labelling round from a measured curve.

    Parameters
    ----------
    curve_or_ext : LearningCurve, Extrapolation or (sizes, scores)
        The measured curve, or its extrapolation (then pass ``current_size`` unless the
        extrapolation knows its largest size).
    target : float, optional
        Score to reach.
    cost_per_label : float
        Currency per extra label (>= 0).
    value_per_point : float
        Currency per point of the metric (a point is ``point`` units: 0.01 = one percentage
        point of accuracy).
    value_of_target : float
        Lump value of reaching the target. Like ``penalty`` it prices a miss: with either, the
        next round minimises expected label cost plus ``penalty + value_of_target`` times the
        chance of missing (see :func:`~howmuchdata.planner.decision.target_purchase`).
    penalty : float
        Cost of ending below the target; with it, the next round minimises expected label cost
        plus penalty over the remaining rounds.
    budget : float, optional
        Most currency to spend on labels.
    rounds : int, default 1
        Purchases left including this one.
    current_size, max_size : int, optional
        Labels you have now; most labels that exist or can be bought.
    greater_is_better : bool, optional
        Direction of the metric (taken from the curve when it knows).
    point : float, optional
        Metric units in one point, for ``value_per_point`` and the table's gain per 1,000
        labels. By default 0.01 (a percentage point) for a metric with a scale of its own
        (accuracy-like scores and R², at most 1), and 1 for one without (an RMSE in the
        target's units, a log loss); pricing points of such a metric (``value_per_point``
        above 0) needs ``point`` given, since no default unit fits every target.
    findings : list of Finding, optional
        The diagnosis; classes or subgroups found short become ``priorities``.
    points : (sizes, scores), optional
        The measured points behind an Extrapolation, so the next round is decided by
        :func:`next_purchase` exactly (a LearningCurve or (sizes, scores) brings its own).

    Returns
    -------
    Plan

    Notes
    -----
    P(reach) at a size is the extrapolation's (its interval read as a split normal), or, for an
    accuracy-like curve with measured points, the larger of that and the LCDB need model's:
    P(reached already) + P(not yet) x P(the ceiling reaches it) x the need model's chance, which
    is conditional on the target being still ahead. It never falls with the size nor rises with
    the target. ``max_size`` below ``current_size`` is an error; a ``budget`` caps the sizes at
    the whole labels it pays for. Inputs that would change nothing are errors rather than
    ignored: a ``budget`` with ``cost_per_label`` 0, and ``penalty``, ``value_of_target`` or
    ``rounds`` above 1 without a ``target``.

    The next round: without a price on missing (``penalty`` and ``value_of_target`` 0), the
    LCDB-calibrated rule of :func:`next_purchase`, and nothing when the target is already
    expected at the current size (status ``"reached"``); with a price, the size that minimises
    the expected label cost plus the expected loss of a miss, in either status. Out of reach or
    without a target, ``next_round["size"]`` is None.
    """
    rounds = whole_rounds(rounds, "rounds", "rounds=1 or more")
    money = {
        "cost_per_label": cost_per_label,
        "value_per_point": value_per_point,
        "value_of_target": value_of_target,
        "penalty": penalty,
        "budget": math.inf if budget is None else budget,
    }
    Economics(**money, point=DEFAULT_POINT if point is None else point)  # bad input first
    _refuse_unused(target, rounds, penalty, value_of_target, cost_per_label, budget)
    ext, largest, gib, scorer, measured = _as_extrapolation(curve_or_ext)
    econ = Economics(**money, point=_point_for(point, scorer, ext, value_per_point))
    if points is not None:
        measured = (np.asarray(points[0], dtype=float), np.asarray(points[1], dtype=float))
    current = current_size if current_size is not None else largest
    if current is None or current <= 0:
        raise HowMuchDataError(
            "the current number of labels is unknown; pass current_size=... (the largest size measured)"
        )
    # only a LearningCurve knows its direction from its scorer; an extrapolation's may be
    # inferred from the points, which a user's greater_is_better rightly overrides
    from_scorer = gib if hasattr(curve_or_ext, "extrapolate") else None
    _check_held_and_direction(current_size, largest, greater_is_better, from_scorer)
    if greater_is_better is None:
        greater_is_better = True if gib is None else bool(gib)
    now = float(np.asarray(ext.predict(np.array([float(current)])))[0])
    now_lo, now_hi = (
        float(np.asarray(v)[0]) for v in ext.interval(np.array([float(current)]), level=LEVEL)
    )
    if target is not None:
        check_target_score(float(target), greater_is_better, scorer, max(now_hi, now))
    if max_size is not None and not max_size >= current:
        raise HowMuchDataError(
            f"max_size={max_size} is below the {current:,} labels already held; "
            f"pass max_size={current} or more (the most labels there can be in all)"
        )
    cap = float(current) * REACH
    if max_size is not None:
        cap = min(cap, float(max_size))
    if econ.cost_per_label > 0 and math.isfinite(econ.budget):
        # whole labels only, so that no size in the table costs more than the budget
        # (capped first: a huge budget over a tiny price is no integer a float can floor)
        affordable = min(econ.budget / econ.cost_per_label, cap - float(current))
        cap = min(cap, float(current + math.floor(affordable + 1e-9)))
    cap = max(cap, float(current))
    asym, a_lo, a_hi = _ceiling(ext, float(current))
    reach = None
    if target is not None:
        reach = _ReachBySize(
            ext, float(current), float(target), greater_is_better, measured, (asym, a_lo, a_hi)
        )
    sizes = candidate_sizes(float(current), cap)
    table = cost_value_table(ext, float(current), sizes, econ, target, greater_is_better, reach)
    opt = optimal_size(ext, float(current), cap, econ, target, greater_is_better, reach)
    optimum = {
        **_at_size(ext, current, opt, econ, target, greater_is_better, reach),
        "size": opt,
        "meaning": "largest expected net benefit; past this size a label costs more than it returns",
    }
    advice: list[str] = []
    size_for: dict[str, float] = {"mean": math.nan, "lo": math.nan, "hi": math.nan}
    p_asym = math.nan
    status = "no_target"
    next_round: dict[str, Any] = {"size": None}
    if target is not None:
        target = float(target)
        mid = predicted_size(ext, target)
        try:
            lo, hi = (float(v) for v in ext.size_for(target, level=LEVEL))
        except (ValueError, ArithmeticError, TypeError):
            lo, hi = math.nan, math.nan
        size_for = {"mean": mid, "lo": lo, "hi": hi, "level": LEVEL}
        p_asym = _split_normal_prob(asym, a_lo, a_hi, target, greater_is_better)
        if reach is not None:
            # the ceiling is where the curve ends: no size reaches the target more often
            p_asym = max(p_asym, float(reach(np.array([float(current) * REACH_GRID_END]))[0]))
        optimistic = a_hi if greater_is_better else a_lo
        reached_now = (now >= target) if greater_is_better else (now <= target)
        priced = econ.penalty > 0 or econ.value_of_target > 0
        if reached_now:
            status = "reached"
            advice.append(
                f"The target {target:g} is already expected at {current:,} labels ({fixed(now)} [{fixed(now_lo)}, {fixed(now_hi)}]); "
                + (
                    "the next round weighs the chance of a miss against the labels' cost."
                    if priced
                    else "buy only if the value table says so."
                )
            )
        elif (optimistic < target) if greater_is_better else (optimistic > target):
            status = "out_of_reach"
            advice.append(
                f"Out of reach with this kind of data: the curve levels off at {fixed(asym)} [{fixed(a_lo)}, {fixed(a_hi)}], "
                f"{'below' if greater_is_better else 'above'} the target {target:g} (P(ceiling reaches it) {p_asym:.0%}). More labels of the same kind will not get there; "
                "run `howmuchdata diagnose` to see what holds the model back."
            )
        else:
            status = "reachable"
        peak = _measured_peak(ext, greater_is_better) if status != "reached" else None
        if peak is not None:
            if status == "out_of_reach":
                advice.pop()  # "levels off at ...": the measured curve falls instead
            status = "peaked"
            advice.append(_peak_words(peak, int(current), target, greater_is_better))
            next_round = {
                **_at_size(ext, current, current, econ, target, greater_is_better, reach),
                "size": int(current),
                "rule": "the measured curve peaks and falls: buy nothing until the diagnosis "
                "says why",
                "p_reach_from": "extrapolation",
            }
        if status in ("reachable", "reached"):
            if priced:
                # what a miss costs is priced: the same decision whether it is stated as a
                # penalty for missing or as the value of reaching the target
                size, _ = target_purchase(
                    ext, float(current), cap, target, econ, rounds, greater_is_better, reach
                )
                how = (
                    "minimises expected label cost plus the penalty and lost value of missing "
                    "the target, over the remaining rounds"
                )
            elif status == "reached":
                size = int(current)
                how = "the target is already expected: buy nothing (pass --penalty to price a miss)"
                if measured is not None:
                    # the expected score meets the target; next_purchase buys nothing only when
                    # the measured mean is above it beyond noise, and buys as calibrated when
                    # it is a coin flip
                    bought = _rule_on_points(measured, target, cap, rounds, greater_is_better)
                    if bought is not None and bought > current:
                        size = int(bought)
                        how = (
                            "the measured score is at the target only within noise: the "
                            f"LCDB-calibrated purchase rule for {rounds} round(s) left"
                        )
                        # replaces "buy only if the value table says so"
                        advice[-1] = advice[-1].rsplit("; ", 1)[0] + (
                            "; but the measured score is not there beyond noise (P(reached "
                            f"already) {_p_reached_now(measured, target, greater_is_better):.0%}),"
                            f" so this round buys up to {size:,} labels, as the purchase rule does."
                        )
            else:
                if measured is not None:
                    bought = _rule_on_points(measured, target, cap, rounds, greater_is_better)
                else:  # only the extrapolation at hand: read the rule's state off it
                    observed = getattr(ext, "observed", None) or {}
                    if len(observed.get("sizes", [])) >= 2:
                        grid, means = observed["sizes"], observed["mean"]
                    else:
                        grid, means = [float(current)], [now]
                    state = observe(grid, means, target, ext, greater_is_better)
                    bought = last_round_floor(
                        purchase_from_state(
                            state, target, cap, rounds, default_policy(), greater_is_better
                        ),
                        state,
                        cap,
                        rounds,
                    )
                size = int(cap) if bought is None else max(int(bought), int(current))
                how = f"the LCDB-calibrated purchase rule for {rounds} round(s) left"
            next_round = {
                **_at_size(ext, current, size, econ, target, greater_is_better, reach),
                "size": int(size),
                "rule": how,
                "p_reach_from": reach.source(size) if reach is not None else "extrapolation",
            }
        if status == "reachable":
            advice.append(
                f"The target {target:g} is expected {_expected_at(mid, lo, hi)}; P(the ceiling {fixed(asym)} [{fixed(a_lo)}, {fixed(a_hi)}] reaches it) {p_asym:.0%}."
            )
            if cap <= current:
                advice.append(
                    f"Nothing left to buy: {_why_capped(econ, current, max_size)}. The {int(current):,} "
                    f"labels held reach the target with {next_round['p_reach']:.0%} probability."
                )
            elif not priced and size <= current and measured is not None:
                # the extrapolation's level sits below the target, the measured mean above it
                # beyond noise: next_purchase's stopping rule reads the measurement
                advice.append(
                    f"The measured score at {int(current):,} labels is already above the target "
                    "beyond noise (P(reached already) "
                    f"{_p_reached_now(measured, target, greater_is_better):.0%}): this round "
                    "buys nothing."
                )
            elif priced and size <= current:
                advice.append(
                    f"The labels that would make reaching the target likely cost more than the "
                    f"{econ.penalty + econ.value_of_target:,.0f} a miss loses (penalty and value of "
                    "the target): this round buys nothing."
                )
            elif size >= cap and next_round["p_reach"] < 0.5:
                advice.append(
                    f"Even {int(cap):,} labels ({_cap_words(econ, current, max_size, cap)}) "
                    f"reach the target with only {next_round['p_reach']:.0%} probability."
                )
            elif rounds == 1 and round(next_round["p_reach"], 2) < 0.5 and size > current:
                # the purchase rule buys in the last round whatever its chance: say it is a long
                # shot, or "buy 16,665 labels" reads as advice to spend on a likely miss
                advice.append(_long_shot_words(next_round["p_reach"], p_asym))
    flags = [f for f in getattr(ext, "flags", None) or [] if f in ILL_BEHAVED]
    if flags:
        advice.append(
            f"The curve is flagged {', '.join(flags)}: its extrapolation is not a confident line "
            "(see its summary), so treat these sizes and chances as rough."
        )
    if target is None:
        peak = _measured_peak(ext, greater_is_better)
        if peak is not None:
            advice.append(_peak_words(peak, int(current), None, greater_is_better))
        advice.append(
            f"No target given: the table shows the expected score by size ({fixed(now)} "
            f"[{fixed(now_lo)}, {fixed(now_hi)}] at {current:,} labels). Pass a target (--target) for "
            "the chance of reaching it and how many labels to buy this round."
        )
    valued = econ.value_per_point > 0 or (target is not None and econ.value_of_target > 0)
    if econ.cost_per_label > 0 and valued and opt <= current:
        advice.append(
            f"Already past the break-even size: at {current:,} labels an extra label costs more than "
            "the score it adds is worth"
            + (" (buy only to reach the target)." if status == "reachable" else ".")
        )
    elif econ.cost_per_label > 0 and valued:
        advice.append(
            f"Past {opt:,} labels a label costs more than the score it adds is worth "
            f"(net benefit there {optimum['net_benefit']:,.0f} [{optimum['net_lo']:,.0f}, {optimum['net_hi']:,.0f}])."
        )
    if (
        econ.cost_per_label > 0
        and valued
        and econ.penalty > 0
        and (next_round.get("size") or 0) > opt
    ):
        advice.append(
            f"The next round buys past the break-even size {opt:,} because missing the target "
            f"costs the penalty {econ.penalty:,.0f}."
        )
    elif (
        econ.cost_per_label > 0
        and econ.value_per_point > 0
        and not (econ.penalty > 0 or econ.value_of_target > 0)
        and (next_round.get("size") or 0) > max(opt, int(current))
    ):
        # the purchase rule aims at the target and does not read the prices: say so, or
        # "a label costs more than it is worth" and "buy 2,662 labels" read as a contradiction
        net = next_round.get("net_benefit", math.nan)
        net_lo, net_hi = next_round.get("net_lo", math.nan), next_round.get("net_hi", math.nan)
        advice.append(
            f"The next round buys past the break-even size {opt:,} to reach the target "
            f"{target:g}, which the value per point does not pay for (net benefit of the round "
            f"{net:,.0f} [{net_lo:,.0f}, {net_hi:,.0f}]); price what reaching the target is "
            "worth (--value-of-target, --penalty) to weigh it against the labels' cost."
        )
    return Plan(
        target=target,
        greater_is_better=greater_is_better,
        current_size=int(current),
        current_score={"mean": now, "lo": now_lo, "hi": now_hi},
        asymptote={
            "mean": asym,
            "lo": a_lo,
            "hi": a_hi,
            "p_reach": None if target is None else p_asym,
        },
        size_for_target=size_for,
        status=status,
        table=table,
        next_round=next_round,
        optimum=optimum,
        economics=econ,
        rounds=rounds,
        cap=int(cap),
        priorities=_priorities(findings),
        advice=advice,
    )


@dataclass
class BeforeDataPlan:
    """Before any data: the binding minimum, rules of thumb, and similar public problems."""

    minimum: SampleSize
    rules: list[RuleOfThumb]
    similar: SimilarProblems

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "before_data",
            "minimum_sample_size": self.minimum.to_dict(),
            "rules_of_thumb": [r.to_dict() for r in self.rules],
            "similar_problems": self.similar.to_dict(),
        }

    def summary(self) -> str:
        """A few lines for people: the minimum, the rules of thumb, the similar problems."""
        lines = [self.minimum.summary(), "Rules of thumb (not measurements):"]
        lines += [f"  {r.rule}: {r.n:,}" for r in self.rules]
        lines.append(self.similar.sentence())
        if self.minimum.outcome != "binary":
            lines.append(
                f"  (LCDB curves are classification accuracy; for a {self.minimum.outcome} "
                "outcome they are a loose reference only.)"
            )
        return "\n".join(lines)


def plan_before_data(
    outcome: str,
    *,
    model: str | None = None,
    pool: float | None = None,
    n_classes: int | None = None,
    **inputs: Any,
) -> BeforeDataPlan:
    """Before any data: Riley et al.'s minimum, the rules of thumb, and similar LCDB problems.

    Parameters
    ----------
    outcome : {"binary", "continuous", "survival"}
        Kind of outcome the model predicts.
    model : str, optional
        A preset or class name: picks the learner of the similar public problems.
    pool : float, optional
        Rows you could label at most: picks their dataset-size band.
    n_classes : int, optional
        Classes of the outcome: 2 for a binary outcome (the default there); the other outcomes
        have none, and any other value is an error.
    **inputs
        The keywords of :func:`minimum_sample_size` (``parameters``, ``prevalence``,
        ``r2_cs``, ...).

    Returns
    -------
    BeforeDataPlan
    """
    minimum = minimum_sample_size(outcome, **inputs)  # type: ignore[arg-type]
    if n_classes is not None and (outcome != "binary" or n_classes != 2):
        raise HowMuchDataError(
            f"n_classes={n_classes!r} does not fit a {outcome} outcome (a binary outcome has 2 "
            "classes, the others none); drop n_classes"
        )
    prevalence = minimum.inputs.get("prevalence") if outcome == "binary" else None
    classes = 2 if outcome == "binary" else None
    # the validated whole number of parameters (24.0 reads as 24)
    parameters = int(minimum.inputs["parameters"])
    rules = rules_of_thumb(parameters, prevalence=prevalence, n_classes=classes)
    return BeforeDataPlan(minimum, rules, similar_problems(model, pool))


def _at_size(
    ext: ExtrapolationLike,
    current: float,
    size: float,
    econ: Economics,
    target: float | None,
    greater_is_better: bool,
    reach: ReachProbability | None = None,
) -> dict[str, Any]:
    """The cost/value table's row at one total ``size``, as plain numbers."""
    row = cost_value_table(
        ext, float(current), np.array([float(size)]), econ, target, greater_is_better, reach
    ).iloc[0]
    numbers = ("cost", "net_benefit", "net_lo", "net_hi", "score", "score_lo", "score_hi")
    return {
        "labels": int(size) - int(current),
        **{name: float(row[name]) for name in numbers},
        "p_reach": None if target is None else float(row["p_reach"]),
    }
