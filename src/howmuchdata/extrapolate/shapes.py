"""Detecting learning curves whose shape no saturating curve model describes.

Flags (on the goodness scale, higher is better; a significant change is one larger than
``Z`` standard errors of the difference of two means, and than a small share of the curve's
own rise):

- ``flat``: nothing changes beyond noise from the first size to the last (e.g. a model that
  predicts the majority class).
- ``peaking``: the score rises, peaks inside the range and then falls with more data.
- ``dipping``: the score falls first and recovers later (a dip, as in double descent).
- ``not_monotone``: some size scores significantly worse than a smaller one.
- ``saturated``: the score rose but no longer moves over the last part of the range (its
  gain there is within noise and at most half its earlier gain per doubling).
- ``accelerating``: the score gains significantly more per doubling over the last part of
  the range than it did before (a late take-off): where it slows down is not in the data.

``accelerating`` and ``saturated`` describe a rising curve: they are not in
:data:`ILL_BEHAVED` and change no prediction, only what is said with it.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import chi2
from scipy.stats import t as student_t

Z = 2.5
# Saturated: the last part of the curve gains at most this share of its earlier gain per doubling.
SLOWED = 0.5
# Accelerating: the last part of the curve gains more than this multiple of its earlier gain
# per doubling.
SPED_UP = 2.0
# Without repeats, fewer sizes than this cannot tell a flat curve from a bending one.
FEW_SIZES = 5

ILL_BEHAVED = ("not_monotone", "peaking", "dipping", "flat")
"""Flags after which the extrapolation is not trusted as a confident line."""

FLAG_MEANINGS = {
    "flat": "its score does not move beyond noise over the measured sizes",
    "peaking": "its score rose, peaked inside the measured sizes and then fell",
    "dipping": "its score fell first and recovered later",
    "not_monotone": "some size scored clearly worse than a smaller one",
    "saturated": "its last doublings gained within noise, at most half as much as before",
    "accelerating": "its last doublings gained more than twice as much as before (a late take-off)",
}
"""What each flag says about the measured curve, in words for a report."""


def _diff_noise(se: np.ndarray, i: int, j: int) -> float:
    return float(np.sqrt(se[i] ** 2 + se[j] ** 2))


def _has_trend(sizes: np.ndarray, good: np.ndarray, se: np.ndarray) -> bool:
    """Whether the weighted least-squares slope of the means against log2(size) is non-zero
    beyond ``Z`` standard errors."""
    x = np.log2(sizes)
    w = 1.0 / se**2
    xc = x - np.sum(w * x) / np.sum(w)
    sxx = float(np.sum(w * xc**2))
    if sxx <= 0.0:
        return False
    slope = float(np.sum(w * xc * good)) / sxx
    return abs(slope) > Z / np.sqrt(sxx)


def _has_trend_in_means(sizes: np.ndarray, good: np.ndarray) -> bool:
    """Whether the means alone, judged by their own scatter about a line in log2(size),
    rise or fall (two-sided t-test at 1%, three or more sizes: with few sizes the t
    distribution's few degrees of freedom keep the test's size at 1%).

    With two or three repeats the standard errors are themselves noisy, and where each
    repeat has its own validation set they mostly measure how the repeats differ in level,
    not how a mean moves from one size to the next; a steady rise then hides in them.
    """
    m = len(good)
    if m < 3:
        return False
    x = np.log2(sizes)
    xc = x - x.mean()
    sxx = float(np.sum(xc**2))
    slope = float(np.sum(xc * good)) / sxx
    resid = good - good.mean() - slope * xc
    s2 = float(np.sum(resid**2)) / (m - 2)
    if s2 <= 0.0:
        return slope != 0.0
    return abs(slope) / np.sqrt(s2 / sxx) > student_t.ppf(0.995, m - 2)


def _single_run_turn(sizes: np.ndarray, good: np.ndarray) -> str | None:
    """``"peaking"`` or ``"dipping"`` for a curve of one run per size that turns inside its
    range, judged by its scatter about a parabola in log2(size); None otherwise.

    Without repeats the standard errors are the roughness of the means (their second
    differences), and a smooth peak's curvature is all roughness: 0.66, 0.75, 0.80, 0.79,
    0.73, 0.63 would be "flat". Here the noise is the residual about a parabola instead, the
    parabola's curvature must differ from 0 (two-sided t-test at 1%) with its vertex between
    the second and the second-last size, and the measured curve must rise (fall) to its
    extremum and come back by more than ``Z`` times that noise.
    """
    m = len(good)
    if m < FEW_SIZES:
        return None
    x = np.log2(sizes)
    x = x - x.mean()
    design = np.stack([np.ones(m), x, x**2], axis=1)
    coef, *_ = np.linalg.lstsq(design, good, rcond=None)
    resid = good - design @ coef
    s2 = max(float(np.sum(resid**2)) / (m - 3), 1e-24)
    cov = s2 * np.linalg.pinv(design.T @ design)
    if abs(coef[2]) / np.sqrt(cov[2, 2]) <= student_t.ppf(0.995, m - 3):
        return None
    vertex = -coef[1] / (2.0 * coef[2])
    if not x[1] < vertex < x[-2]:
        return None
    noise = Z * np.sqrt(2.0 * s2)
    tol = 0.05 * float(np.ptp(good))
    sign = 1.0 if coef[2] < 0 else -1.0  # peaks: rise then fall; dips: fall then recover
    turned = sign * good
    j = int(np.argmax(turned))
    up, down = turned[j] - turned[0], turned[j] - turned[-1]
    if 0 < j < m - 1 and min(up, down) > max(noise, tol):
        return "peaking" if sign > 0 else "dipping"
    return None


def detect_flags(
    sizes: np.ndarray, good: np.ndarray, se: np.ndarray, *, repeated: bool = True
) -> list[str]:
    """Flags for a curve given per-size means on the goodness scale and their standard errors.

    Parameters
    ----------
    sizes : ndarray
        Distinct sizes, increasing.
    good : ndarray
        Mean score per size, oriented so that higher is better.
    se : ndarray
        Standard error of each mean.
    repeated : bool
        Whether some size was measured more than once. Without repeats the standard errors
        are the curve's own roughness (see :class:`~howmuchdata.extrapolate.fitting.CurveData`),
        and over fewer than :data:`FEW_SIZES` sizes that is mostly the curve's bend: such a
        curve is not called ``flat`` unless it is exactly constant (0.894, 0.917, 0.925 at
        100, 200, 400 would be, and "more data will not help" is not what three single
        points show).
    """
    m = len(good)
    judge_flat = repeated or m >= FEW_SIZES
    flags: list[str] = []
    scale = max(float(np.max(np.abs(good))), 1e-12)
    se = np.maximum(se, 1e-6 * scale)
    span = float(np.ptp(good))
    level = float(np.sum(good / se**2) / np.sum(1.0 / se**2))
    chi2_const = float(np.sum(((good - level) / se) ** 2))
    # flat: a constant explains the means within their noise (99% chi-square test) and no
    # steady trend in log(size) does better; with few repeats the chi-square test alone
    # misses a curve that rises steadily by a little at each size
    trend = _has_trend(sizes, good, se) or _has_trend_in_means(sizes, good)
    if span <= 1e-9 * scale:
        return ["flat"]
    turn = None if repeated else _single_run_turn(sizes, good)
    if turn is not None:
        return _turned(sizes, good, se, turn)
    if judge_flat and chi2_const <= chi2.ppf(0.99, m - 1) and not trend:
        return ["flat"]
    rise = float(good[-1] - good[0])
    first_last_noise = _diff_noise(se, 0, m - 1)
    tol = 0.05 * span  # drops smaller than 5% of the curve's range are noise, not shape

    i_max, i_min = int(np.argmax(good)), int(np.argmin(good))
    peak_drop = float(good[i_max] - good[-1])
    peak_rise = float(good[i_max] - good[0])
    if (
        i_max < m - 1
        and peak_drop > max(Z * _diff_noise(se, i_max, m - 1), tol)
        and peak_rise > max(Z * _diff_noise(se, i_max, 0), tol)
    ):
        flags.append("peaking")
    dip_fall = float(good[0] - good[i_min])
    dip_recover = float(good[-1] - good[i_min])
    if (
        0 < i_min < m - 1
        and dip_fall > max(Z * _diff_noise(se, 0, i_min), tol)
        and dip_recover > max(Z * _diff_noise(se, i_min, m - 1), tol)
    ):
        flags.append("dipping")
    # any size significantly below the best smaller size
    best_before = np.maximum.accumulate(good)
    arg_best = np.array([int(np.argmax(good[: j + 1])) for j in range(m)])
    drops = [
        best_before[j] - good[j] - max(Z * _diff_noise(se, arg_best[j], j), tol)
        for j in range(1, m)
    ]
    if max(drops) > 0:
        flags.append("not_monotone")
    if (
        judge_flat
        and abs(rise) <= Z * first_last_noise
        and not trend
        and "peaking" not in flags
        and "dipping" not in flags
    ):
        return flags if flags else ["flat"]
    if rise > Z * first_last_noise and "peaking" not in flags:
        logn = np.log2(sizes)
        back = max(1.0, (logn[-1] - logn[0]) / 3.0)
        earlier = float(np.interp(logn[-1] - back, logn, good))
        recent = float(good[-1] - earlier)
        recent_noise = float(np.sqrt(se[-1] ** 2 + np.median(se) ** 2))
        # within noise is not enough: with two or three repeats each on its own validation
        # set the noise is the repeats' difference in level, and a curve still gaining as
        # much per doubling as it did before would be called saturated
        before = (logn[-1] - back) - logn[0]
        slowed = before <= 0 or recent / back <= SLOWED * (earlier - good[0]) / before
        if recent <= max(Z * recent_noise * 0.8, 0.05 * rise) and slowed:
            flags.append("saturated")
        elif (
            before > 0
            and recent > Z * recent_noise
            and recent / back > SPED_UP * max(earlier - good[0], 0.0) / before
        ):
            flags.append("accelerating")
    return flags


def _turned(sizes: np.ndarray, good: np.ndarray, se: np.ndarray, turn: str) -> list[str]:
    """The flags of a single-run curve found to peak or dip: that turn, and
    ``not_monotone`` for a peak (the score falls after it); the rest as :func:`detect_flags`
    says them, without ``flat`` or ``saturated`` (a turning curve is neither)."""
    flags = [turn]
    if turn == "peaking":
        flags.append("not_monotone")
    rest = detect_flags(sizes, good, se, repeated=True)
    flags += [f for f in rest if f not in flags and f not in ("flat", "saturated")]
    return flags
