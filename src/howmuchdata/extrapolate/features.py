"""Features of an observed learning-curve prefix, for the model learned across LCDB curves.

Everything here works on the *goodness* scale (accuracy-like: higher is better, in [0, 1]).
The same function builds the training table from LCDB and the query rows at prediction time,
so training and use can never drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from howmuchdata.extrapolate.families import LAST_VALUE
from howmuchdata.extrapolate.fitting import CurveData, FitResult, fit_family

# The families whose predictions feed the learned model (fast and individually strong on LCDB).
BASE_FAMILIES: tuple[str, ...] = ("pow3", "ilog2", "vap3", "pow2")
# Families that only add features (their extrapolations differ most from the base families');
# they are not part of the base the learned model corrects.
EXTRA_FAMILIES: tuple[str, ...] = ("logpower3", "mmf4")
# Doublings back from the largest size at which the level is read for the ``rise`` features.
RISE_BACK: tuple[float, ...] = (4.0, 5.0, 6.0)

# Features of the prefix alone (``Prefix.summary``), in order.
PREFIX_FEATURES: tuple[str, ...] = (
    "log2_n_last",
    "log2_span",  # log2(largest / smallest observed size)
    "n_sizes",
    "y_last",
    "slope1",  # change over the last doubling
    "slope2",  # change over the doubling before
    "slope3",
    "slope_fit",  # least-squares slope per doubling over the last three sizes
    "curvature",
    "rise",  # y_last - y_first
    "drop_from_max",  # max mean - y_last
    "sd_last",
    "sd_median",
    "log2_n_first",
    *(f"rise{int(b)}" for b in RISE_BACK),  # y_last - level b doublings back (NaN: none)
    *(f"{f}_rms" for f in BASE_FAMILIES),  # weighted RMS residual of the fit to the prefix
    *(f"{f}_bt" for f in BASE_FAMILIES),  # back-test: fit without the last size, error there
    "best_rep_last",  # best repeat at the largest size - y_last
    "worst_rep_last",  # y_last - worst repeat at the largest size
    "best_rep_ever",  # best repeat at any size - y_last
)

#: Position of the last measured mean in ``Prefix.summary``.
Y_LAST = PREFIX_FEATURES.index("y_last")

FEATURE_NAMES: tuple[str, ...] = (
    "d",  # log2(query size / largest observed size)
    *PREFIX_FEATURES,
    *(f"{f}_delta" for f in BASE_FAMILIES),  # family prediction at the query - y_last
    *(f"{f}_far" for f in BASE_FAMILIES),  # family prediction at 1024x - y_last
    "base_delta",
    *(f"{f}_delta" for f in EXTRA_FAMILIES),
    *(f"{f}_far" for f in EXTRA_FAMILIES),
    "repeats",  # median number of repeats per size (LCDB: 5 or 25; trained also on 3 and 1)
)

# Features of the training scores (goodness scale), read by the second learned model when the
# training-set score of each point is known (``extrapolate(..., train_scores=...)``). The gap
# between the training and the validation score brackets where the curve can still go.
TRAIN_FEATURES: tuple[str, ...] = (
    "train_last",  # mean training score at the largest size
    "gap_last",  # train_last - y_last
    "gap_slope1",  # change of the gap over the last doubling
    "train_slope1",  # change of the training score over the last doubling
    "gap_slope2",  # change of the gap over the doubling before
    "gap_max",  # largest gap at any size
)


@dataclass(frozen=True)
class Prefix:
    """A curve prefix on the goodness scale with its base-family fits."""

    data: CurveData  # error form (1 - goodness) with floor 0
    fits: dict[str, FitResult]
    summary: np.ndarray  # the prefix-only features, PREFIX_FEATURES
    scale: float  # the curve's own scale for residuals (slope + noise)


def fit_base(data: CurveData) -> dict[str, FitResult]:
    """Fit the base and extra families (and the last-value model) to a prefix."""
    fits = {name: fit_family(name, data) for name in (*BASE_FAMILIES, *EXTRA_FAMILIES)}
    fits[LAST_VALUE] = fit_family(LAST_VALUE, data)
    return fits


def _fit_quality(data: CurveData, fits: dict[str, FitResult]) -> list[float]:
    """Per base family: weighted RMS residual on the prefix, then the back-test error.

    The back-test refits each family without the largest size and reads its (goodness-scale)
    error there: how a family extrapolated one step on this very curve says how far to trust
    it for the next steps.
    """
    m = len(data.sizes)
    rms = [
        float(np.sqrt(2.0 * fits[name].cost / m)) if fits[name].ok else np.nan
        for name in BASE_FAMILIES
    ]
    head = data.head(m - 1)
    bt = []
    for name in BASE_FAMILIES:
        past = fit_family(name, head)
        pred = past.predict(data.sizes[-1:])[0] if past.ok else np.nan
        bt.append(float(data.mean[-1] - pred) if np.isfinite(pred) else np.nan)
    return rms + bt


def _repeat_spread(data: CurveData, y_last: float) -> list[float]:
    """How far the best and worst repeats lie from the last mean (goodness scale)."""
    if data.lowest is None or data.highest is None:
        return [np.nan, np.nan, np.nan]
    best = 1.0 - data.lowest
    return [
        float(best[-1] - y_last),
        float(y_last - (1.0 - data.highest[-1])),
        float(np.max(best) - y_last),
    ]


def curve_scale(data: CurveData) -> float:
    """Per-curve scale of extrapolation errors: recent slope per doubling plus noise.

    Errors of an extrapolation grow with how fast the curve still moves and how noisy it is;
    dividing residuals by this scale makes their distribution comparable across curves.
    """
    y = -data.mean
    logn = np.log2(data.sizes)
    slope = abs(_slope_fit(logn, y))
    se_last = float(data.se[-1])
    span = float(np.ptp(y))
    return slope + se_last + 0.02 * span + 1e-4 * (abs(float(y[-1])) + 1e-3)


def _slope_fit(logn: np.ndarray, y: np.ndarray, k: int = 3) -> float:
    if len(y) < 2:
        return 0.0
    xs, ys = logn[-k:], y[-k:]
    xc = xs - xs.mean()
    den = float(np.sum(xc**2))
    return float(np.sum(xc * (ys - ys.mean())) / den) if den > 0 else 0.0


def make_prefix(data: CurveData) -> Prefix:
    """Fit the base families and compute the query-independent features of a prefix."""
    fits = fit_base(data)
    y = 1.0 - data.mean
    logn = np.log2(data.sizes)
    last = logn[-1]

    def level(back: float) -> float:
        at = last - back
        return float(np.interp(at, logn, y)) if at >= logn[0] - 1e-9 else np.nan

    lv = [float(y[-1]), level(1.0), level(2.0), level(3.0)]
    s1, s2, s3 = lv[0] - lv[1], lv[1] - lv[2], lv[2] - lv[3]
    sd = 1.0 * data.sd
    summary = np.array(
        [
            last,
            last - logn[0],
            len(y),
            y[-1],
            s1,
            s2,
            s3,
            _slope_fit(logn, y),
            s1 - s2,
            y[-1] - y[0],
            float(np.max(y) - y[-1]),
            float(sd[-1]),
            float(np.median(sd)),
            logn[0],
            *(lv[0] - level(b) for b in RISE_BACK),
            *_fit_quality(data, fits),
            *_repeat_spread(data, float(y[-1])),
        ]
    )
    return Prefix(data, fits, summary, curve_scale(data))


def per_size_means(sizes: np.ndarray, values: np.ndarray, distinct: np.ndarray) -> np.ndarray:
    """Mean of the finite ``values`` at each of the ``distinct`` sizes (NaN: none there)."""
    # bincount rather than a pandas groupby: this runs once per prefix while the LCDB training
    # table is built (~150,000 times), where a groupby's overhead would add about a minute
    out = np.full(len(distinct), np.nan)
    ok = np.isfinite(values)
    idx = np.searchsorted(distinct, sizes[ok])
    sums = np.bincount(idx, weights=values[ok], minlength=len(distinct))
    counts = np.bincount(idx, minlength=len(distinct))
    has = counts > 0
    out[has] = sums[has] / counts[has]
    return out


def train_summary(data: CurveData, train_means: np.ndarray) -> np.ndarray:
    """TRAIN_FEATURES of a prefix from its mean training score (goodness) at each size."""
    logn = np.log2(data.sizes)
    valid = 1.0 - data.mean
    gap = train_means - valid
    back1, back2 = logn[-1] - 1.0, logn[-1] - 2.0
    gap1 = float(np.interp(back1, logn, gap))
    return np.array(
        [
            train_means[-1],
            gap[-1],
            gap[-1] - gap1,
            train_means[-1] - float(np.interp(back1, logn, train_means)),
            gap1 - float(np.interp(back2, logn, gap)),
            float(np.max(gap)),
        ]
    )


def family_predictions(prefix: Prefix, names: tuple[str, ...], sizes: np.ndarray) -> np.ndarray:
    """Goodness-scale predictions of ``names`` at ``sizes`` (a row per family; NaN: no fit)."""
    preds = []
    for name in names:
        p = 1.0 - prefix.fits[name].predict(sizes)
        preds.append(
            np.clip(p, 0.0, 1.0) if np.all(np.isfinite(p)) else np.full(sizes.shape, np.nan)
        )
    return np.array(preds)


def base_prediction(prefix: Prefix, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The simple base at ``sizes`` (goodness scale) and each base family's prediction.

    The base is the mean of the base families that fitted and of the last value, clipped to
    [0, 1]; it is what the learned model corrects.
    """
    fam = family_predictions(prefix, BASE_FAMILIES, sizes)
    last = np.full(sizes.shape, 1.0 - prefix.fits[LAST_VALUE].last)
    stack = np.vstack([fam, last[None, :]])
    base = np.nanmean(stack, axis=0)
    return np.clip(base, 0.0, 1.0), fam


def query_features(prefix: Prefix, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Feature rows for predicting at ``sizes``, and the base prediction there."""
    sizes = np.asarray(sizes, dtype=float)
    n_last = prefix.data.n_ref
    d = np.log2(sizes / n_last)
    base, fam = base_prediction(prefix, sizes)
    far_sizes = np.array([n_last * 1024.0])
    _, fam_far = base_prediction(prefix, far_sizes)
    y_last = prefix.summary[Y_LAST]
    rows = np.empty((len(sizes), len(FEATURE_NAMES)))
    rows[:, 0] = d
    rows[:, 1 : 1 + len(prefix.summary)] = prefix.summary
    k = 1 + len(prefix.summary)
    nf = len(BASE_FAMILIES)
    rows[:, k : k + nf] = (fam - y_last).T
    rows[:, k + nf : k + 2 * nf] = (fam_far[:, 0] - y_last)[None, :]
    rows[:, k + 2 * nf] = base - y_last
    k += 2 * nf + 1
    ne = len(EXTRA_FAMILIES)
    extra = family_predictions(prefix, EXTRA_FAMILIES, np.append(sizes, far_sizes))
    rows[:, k : k + ne] = (extra[:, :-1] - y_last).T
    rows[:, k + ne : k + 2 * ne] = (extra[:, -1] - y_last)[None, :]
    rows[:, k + 2 * ne] = float(np.median(prefix.data.counts))
    assert k + 2 * ne + 1 == len(FEATURE_NAMES)
    return rows, base
