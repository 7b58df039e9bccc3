"""Data-limited or saturated: what the next doubling of the data is worth.

The gain per doubling at the current size comes from the extrapolation when one could be
fitted (prediction at 2n minus prediction at n, interval from the extrapolation's interval at
2n), else from the last measured doublings (least-squares slope of the score against
log2(size) over the sizes from n/4 to n, with its t interval). The finding is a warning when
either interval lies wholly on one side of ``min_gain`` (a share of the score's size for
errors in the target's units). The size past which a doubling gains less than ``min_gain``
marks diminishing returns.

The words follow the evidence: "more data may help" only when an interval lies wholly above
0, else "no clear gain from more data yet"; a curve whose shape is flagged ``saturated`` (see
:mod:`howmuchdata.extrapolate.shapes`) is never told to collect more without the flag named,
and a gain that cannot be told from none beside that flag is a ``saturated`` finding.

The gain is counted from the mean measured at the current size and capped by the metric's
range: a doubling cannot take accuracy above 1 or a negated loss above 0, however steeply the
curve (or a straight line through its last doublings) still rises. What the last measured
doublings did gain is quoted as measured.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.optimize import brentq

from howmuchdata.diagnose._numbers import count, round_up, score_delta, slope_per_doubling
from howmuchdata.diagnose.context import DiagnosisContext
from howmuchdata.diagnose.finding import Finding

# The extrapolation's grid is searched up to this multiple of the current size.
SEARCH_FACTOR = 100
# What the curve's shape flag (howmuchdata.extrapolate.shapes) says, in the advice's words.
SHAPE_SATURATED = "the curve's shape is flagged saturated (its last doublings gained within noise)"
MEASURE_MORE = "measure with more repeats to narrow that interval before buying more data"


class DataLimitedCheck:
    """Gain per doubling with its interval; ``data_limited`` above ``min_gain``, else ``saturated``."""

    name = "data_limited"
    kinds = ("data_limited", "saturated")
    requires = ("curve",)

    def run(self, ctx: DiagnosisContext) -> list[Finding]:
        table = ctx.by_size
        if len(table) < 2:
            return []
        n = ctx.full_size
        level = ctx.options.level
        pts = ctx.points
        recent = pts[pts["size"] >= n / 4]
        if recent["size"].nunique() < 2:
            recent = pts[pts["size"] >= table["size"].iloc[-2]]
        measured = slope_per_doubling(recent["size"], ctx.sign * recent["val_score"], level)
        ext = ctx.extrapolation
        if ext is not None:
            gain, lo, hi = _from_extrapolation(ctx, ext, n, level)
            source = "extrapolation"
            knee = diminishing_returns_size(
                ext.predict,
                start=float(table["size"].iloc[0]),
                size=n,
                min_gain=ctx.in_score_units(ctx.options.min_gain),
                sign=ctx.sign,
            )
        else:
            (gain, lo, hi), source, knee = measured, "last measured doublings", None
        if not np.isfinite(gain):
            return []
        # What is left to gain from the measured mean: the extrapolation's step (and a straight
        # line's) can run past the metric's best value, and its own level at n can sit below
        # the measured one.
        least, most = ctx.gain_limits()
        capped = gain > most
        gain, lo, hi = (_within(v, least, most) for v in (gain, lo, hi))
        min_gain = ctx.in_score_units(ctx.options.min_gain)
        bounded = ctx.best_possible_score is not None
        score = float(table["val_mean"].iloc[-1])
        evidence = {
            "size": n,
            "score": score,
            "gain_per_doubling": gain,
            "gain_interval": [lo, hi],
            "max_gain": most,
            "gain_capped": capped,
            "interval_level": level,
            "source": source,
            "measured_gain_per_doubling": measured[0],
            "measured_gain_interval": [measured[1], measured[2]],
            "min_gain": min_gain,
            "min_gain_relative": not ctx.fixed_scale,
            "diminishing_returns_size": knee,
        }
        # Clear when either interval is: the extrapolation's interval at 2n also carries the
        # uncertainty of the score's level, so it can be wide even when the measured
        # doublings leave no doubt about the slope. The advice quotes the deciding interval.
        rising = gain >= min_gain
        # (decided on, shown, where): the measured interval decides capped like the gain, but
        # is shown as measured, beside the measured gain
        measured_lo, measured_hi = (_within(v, least, most) for v in measured[1:])
        candidates = [
            (lo, hi, lo, hi, ""),
            (measured_lo, measured_hi, measured[1], measured[2], ", last measured doublings"),
        ]
        deciding = [
            c
            for c in candidates
            if np.isfinite(c[0]) and ((c[0] >= min_gain) if rising else (c[1] < min_gain))
        ]
        _, _, shown_lo, shown_hi, where = (deciding or candidates)[0]
        best = score + ctx.sign * most  # the metric's best value, when the gain is capped
        left = f", all that is left to the metric's best of {best:g}" if capped else ""
        if not np.isfinite(shown_lo) or (capped and not where and shown_lo == shown_hi):
            interval = ""  # unknown, or wholly past the cap: "up to ..., all that is left" says it
        elif where:
            # the measured interval belongs with the measured gain, not the extrapolation's
            interval = (
                f"; the last measured doublings gained {score_delta(measured[0], bounded)} "
                f"each ({level:.0%} interval {score_delta(shown_lo, bounded)} to "
                f"{score_delta(shown_hi, bounded)})"
            )
        else:
            interval = (
                f" ({level:.0%} interval {score_delta(shown_lo, bounded)} to "
                f"{score_delta(shown_hi, bounded)})"
            )
        peak = _peak(ctx, ext)
        if peak is not None:
            return [_peaked(ctx, evidence, peak, measured[0], bounded)]
        if rising:
            past = (
                f"; past ~{count(round_up(knee))} rows a doubling gains under "
                f"{score_delta(min_gain, bounded)}"
                if knee is not None and np.isfinite(knee)
                else ""
            )
            doubling = (
                f"doubling to ~{count(2 * n)} training rows should gain "
                f"{'up to ' if capped else ''}{score_delta(gain, bounded)}{left}{interval}"
            )
            # a gain is told from none when an interval lies wholly above 0
            above_zero = any(np.isfinite(c[0]) and c[0] > 0 for c in candidates)
            flagged = "saturated" in tuple(getattr(ext, "flags", None) or ())
            evidence["gain_above_zero"] = above_zero
            evidence["shape_saturated"] = flagged
            kind, severity, advice = _rising(doubling, past, bool(deciding), above_zero, flagged)
            return [Finding(kind, severity, evidence, advice)]
        if source == "extrapolation" and measured_lo >= min_gain:
            # The extrapolation flattens, but the measured doublings still clearly rise: say
            # both and name the measurement that settles it, rather than calling it saturated.
            advice = (
                f"the last measured doublings still gained {score_delta(measured[0], bounded)} "
                f"each ({level:.0%} interval {score_delta(measured[1], bounded)} to "
                f"{score_delta(measured[2], bounded)}), but the extrapolation expects "
                f"{_expected_gain(gain, bounded)} from doubling to ~{count(2 * n)} rows; label "
                f"~{count(n // 2)} more rows and remeasure to settle which holds"
            )
            return [Finding("data_limited", "info", evidence, advice)]
        sure = bool(deciding)
        severity = "warning" if sure else "info"
        doubling = (
            f"doubling to ~{count(2 * n)} training rows gains only {score_delta(gain, bounded)}"
            f"{left}{interval}"
        )
        # On a time split a subset is the most recent rows, so a larger one adds older rows:
        # a score that clearly falls with them says the older rows follow another pattern.
        older_rows_hurt = ctx.split == "time" and measured[2] < 0
        evidence["older_rows_hurt"] = bool(older_rows_hurt)
        if older_rows_hurt:
            advice = (
                f"the score falls as older rows are added (the last measured doublings lost "
                f"{score_delta(-measured[0], bounded)} each, {level:.0%} interval "
                f"{score_delta(-measured[2], bounded)} to {score_delta(-measured[1], bounded)}): "
                "the older rows may follow another pattern; see the drift check and try "
                "training on the most recent rows only"
            )
        elif sure:
            advice = (
                f"stop collecting more of the same data: {doubling}; spend on better features, "
                "a different model or cleaner labels instead"
            )
        else:
            advice = f"no clear gain from more data yet: {doubling}; {MEASURE_MORE}"
        return [Finding("saturated", severity, evidence, advice)]


def _peak(ctx: DiagnosisContext, ext: Any) -> tuple[int, float] | None:
    """The measured size and mean where a curve flagged ``peaking`` by its extrapolation (the
    score rose, peaked inside the measured sizes and fell beyond noise) was best, or None."""
    if "peaking" not in tuple(getattr(ext, "flags", None) or ()):
        return None
    table = ctx.by_size
    best = int(np.argmax(ctx.sign * table["val_mean"].to_numpy()))
    if best == len(table) - 1:
        return None
    return int(table["size"].iloc[best]), float(table["val_mean"].iloc[best])


def _peaked(
    ctx: DiagnosisContext,
    evidence: dict[str, Any],
    peak: tuple[int, float],
    recent_gain: float,
    bounded: bool,
) -> Finding:
    """The finding for a curve that peaked: more rows of this kind lowered the score, whatever
    its last doublings (a recovery after the fall, say) gained."""
    size, best = peak
    n, score = int(evidence["size"]), float(evidence["score"])
    lost = ctx.sign * (best - score)
    timed = ctx.split == "time"
    evidence.update(peak_size=size, peak_score=best, older_rows_hurt=timed)
    why = (
        "on this time split the larger subsets add older rows, which may follow another "
        "pattern: see the drift check and try training on the most recent rows only"
        if timed
        else "find out why before buying more (overfitting, label noise, or rows that differ "
        "from the rest)"
    )
    recovering = (
        f"; its last doublings gained {score_delta(recent_gain, bounded)} each, which has not "
        "made up the fall"
        if np.isfinite(recent_gain) and recent_gain > 0
        else ""
    )
    advice = (
        f"more rows of this kind lowered the score: it peaked at {count(size)} rows "
        f"({best:.4g}) and is {score_delta(lost, bounded)} lower at {count(n)} rows "
        f"({score:.4g}){recovering}; {why}"
    )
    return Finding("saturated", "warning", evidence, advice)


def _rising(
    doubling: str, past: str, clear: bool, above_zero: bool, flagged: bool
) -> tuple[str, str, str]:
    """Kind, severity and advice of a gain per doubling of at least ``min_gain``.

    Collect more when an interval lies wholly above ``min_gain`` (``clear``) and the curve's
    shape is not flagged ``saturated``. The flag (:mod:`howmuchdata.extrapolate.shapes`) says
    the last doublings gained within noise and at most half as much as the earlier ones: a
    curve slowing down, whose next doubling gains less than the last ones did, so it turns a
    clear rise into "may help". "May help" is said only of a gain told from none (an interval
    wholly above 0); a gain whose intervals all include 0 is "no clear gain yet", and with the
    flag as well both readings say saturated, and so does the finding's kind.
    """
    if clear and not flagged:
        return "data_limited", "warning", f"collect more data of this kind: {doubling}{past}"
    if above_zero:
        though = f", though {SHAPE_SATURATED}" if flagged else ""
        advice = f"more data may help{though}: {doubling}{past}; {MEASURE_MORE}"
        return "data_limited", "info", advice
    also = f"; {SHAPE_SATURATED} as well" if flagged else ""
    advice = (
        f"no clear gain from more data yet: {doubling}, which cannot be told from no gain"
        f"{also}{past}; {MEASURE_MORE}"
    )
    return ("saturated" if flagged else "data_limited"), "info", advice


def _expected_gain(gain: float, bounded: bool) -> str:
    """A small expected gain in words: "no gain" for none (a flat extrapolation), else "only
    0.3 points" (or, for a score without a fixed scale, "only 0.00263")."""
    shown = round(100 * gain, 1) if bounded else float(f"{gain:.3g}")  # as score_delta rounds
    if not np.isfinite(gain) or shown <= 0:
        return "no gain"
    return f"only {score_delta(gain, bounded)}"


def _within(value: float, least: float, most: float) -> float:
    """``value`` clipped to ``[least, most]`` (NaN stays NaN: an unknown interval)."""
    return float(np.clip(value, least, most)) if np.isfinite(value) else float(value)


def _from_extrapolation(
    ctx: DiagnosisContext, ext: object, n: int, level: float
) -> tuple[float, float, float]:
    here = float(np.asarray(ext.predict(np.array([n], dtype=float)))[0])
    there = float(np.asarray(ext.predict(np.array([2 * n], dtype=float)))[0])
    lo, hi = ext.interval(np.array([2 * n], dtype=float), level=level)
    lo, hi = float(np.asarray(lo)[0]), float(np.asarray(hi)[0])
    if ctx.sign < 0:
        lo, hi = hi, lo
    s = ctx.sign
    return s * (there - here), s * (lo - here), s * (hi - here)


def diminishing_returns_size(
    predict: Callable[[np.ndarray], np.ndarray],
    *,
    start: float,
    size: float,
    min_gain: float,
    sign: float = 1.0,
    reach: float = math.inf,
) -> float:
    """The size past which no doubling of the data gains ``min_gain`` any more.

    The one definition of "diminishing returns": the ``data_limited`` finding's
    ``diminishing_returns_size`` and the report's headline both come from here.

    Parameters
    ----------
    predict : callable
        Expected score at an array of sizes (``Extrapolation.predict``).
    start : float
        The smallest measured size: the search starts there.
    size : float
        The largest measured size: the search runs to ``SEARCH_FACTOR`` times it.
    min_gain : float
        Gain per doubling (in score units) below which more data is not worth it.
    sign : float
        +1 when higher scores are better, -1 for a loss.
    reach : float
        The largest size ``predict`` knows (a stored plotting grid's end): doublings are
        searched up to ``reach / 2`` when that comes before ``SEARCH_FACTOR * size``.

    Returns
    -------
    float
        Where the gain of a doubling falls under ``min_gain`` for the last time (past the
        last searched size that still gains it: the learned curve need not be concave),
        located to 0.1%; ``start`` when no doubling gains that much; ``inf`` when every
        doubling up to ``SEARCH_FACTOR`` times the data still does.
    """

    def gain(n: np.ndarray) -> np.ndarray:
        return sign * (np.asarray(predict(2 * n), float) - np.asarray(predict(n), float))

    grid = np.geomspace(start, max(min(SEARCH_FACTOR * size, reach / 2), start), 200)
    above = np.flatnonzero(gain(grid) >= min_gain)
    if above.size == 0:
        return float(grid[0])
    if above[-1] == grid.size - 1:
        return math.inf
    lo, hi = math.log(grid[above[-1]]), math.log(grid[above[-1] + 1])

    def excess(log_n: float) -> float:  # >= 0 at lo, < 0 at hi
        return float(gain(np.array([math.exp(log_n)]))[0]) - min_gain

    return float(math.exp(brentq(excess, lo, hi, xtol=1e-3)))
