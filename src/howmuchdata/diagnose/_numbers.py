"""Small numeric and wording helpers shared by the checks."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats

from howmuchdata._format import sig


def slope_per_doubling(
    sizes: np.ndarray, values: np.ndarray, level: float = 0.8
) -> tuple[float, float, float]:
    """Least-squares slope of ``values`` against ``log2(sizes)``, with its ``level`` interval.

    The slope is the change per doubling of the size. The interval comes from the slope's
    standard error and the t distribution (``scipy.stats.linregress``); with only two distinct
    sizes and no repeats it is ``(nan, nan)``.

    Returns
    -------
    slope, lo, hi : float
    """
    x = np.log2(np.asarray(sizes, dtype=float))
    v = np.asarray(values, dtype=float)
    keep = np.isfinite(x) & np.isfinite(v)
    x, v = x[keep], v[keep]
    if np.unique(x).size < 2:
        return math.nan, math.nan, math.nan
    fit = stats.linregress(x, v)
    dof = x.size - 2
    if dof < 1 or not np.isfinite(fit.stderr):
        return float(fit.slope), math.nan, math.nan
    half = stats.t.ppf(0.5 + level / 2, dof) * fit.stderr
    return float(fit.slope), float(fit.slope - half), float(fit.slope + half)


def score_delta(value: float, bounded: bool) -> str:
    """A score difference in words: percentage points for scores in [0, 1], else raw units."""
    if not np.isfinite(value):
        return "n/a"
    # + 0.0 turns a rounded -0.0 into 0.0: "-0.0 points" reads as a loss
    if bounded:
        return f"{round(100 * value, 1) + 0.0:.1f} points"
    return sig(float(f"{value:.3g}") + 0.0, 3)  # 7,330 rather than 7.33e+03


def count(n: float) -> str:
    """An integer count with thousands separators (``12,345``); ``inf`` stays readable."""
    if not np.isfinite(n):
        return "unbounded"
    return f"{int(round(n)):,}"


def round_up(n: float) -> int:
    """Round a needed count up to two significant figures (an estimate, not a promise)."""
    if n <= 0:
        return 0
    digits = max(int(math.floor(math.log10(n))) - 1, 0)
    step = 10**digits
    return int(math.ceil(n / step) * step)


def label(value: Any) -> str:
    """A class or subgroup label as written in advice: ``'melanoma'`` or ``3``."""
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value) if isinstance(value, str) else str(value)
