"""Robust fits of the curve families to the repeats of a measured learning curve.

The points are summarised per size (mean, standard error over the repeats), and each family is
fitted to the means by weighted least squares with SciPy, each size weighted by the inverse of
its measured standard error (floored, so one lucky size with identical repeats cannot dominate).
A soft-L1 loss keeps a single bad size from dragging the fit. Failures are caught and reported
as a fit that did not converge, never raised.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from scipy.optimize import leastsq

from howmuchdata.extrapolate.families import COMBINED_FAMILIES, FAMILIES, LAST_VALUE, Family

# Families whose error tends to exactly 0: only meaningful when the metric has a natural bound.
NEEDS_NATURAL_BOUND = frozenset({"pow2", "exp2", "vap3", "logpower3"})


@dataclass(frozen=True)
class CurveData:
    """A learning curve summarised per distinct size, in error form.

    Attributes
    ----------
    sizes : ndarray
        Distinct training sizes, increasing.
    mean, se, sd : ndarray
        Per-size mean error, standard error of the mean and standard deviation over repeats.
    counts : ndarray
        Repeats per size.
    sigma : ndarray
        The per-size uncertainty used as the fit weight (standard error, floored).
    floor : float
        Lowest allowed asymptotic error (0 with a natural bound, -inf without).
    lowest, highest : ndarray or None
        Per-size smallest and largest error over the repeats (None when built from summaries).
    """

    sizes: np.ndarray
    mean: np.ndarray
    se: np.ndarray
    sd: np.ndarray
    counts: np.ndarray
    sigma: np.ndarray
    floor: float
    lowest: np.ndarray | None = None  # per size, the smallest error over repeats
    highest: np.ndarray | None = None  # per size, the largest error over repeats

    @property
    def n_ref(self) -> float:
        return float(self.sizes[-1])

    @property
    def x(self) -> np.ndarray:
        return self.sizes / self.n_ref

    @classmethod
    def from_points(cls, sizes: np.ndarray, errors: np.ndarray, floor: float) -> CurveData:
        """Group repeated points by size. ``sizes`` and ``errors`` are clean 1-D arrays."""
        order = np.argsort(sizes, kind="stable")
        sizes, errors = sizes[order], errors[order]
        uniq, start, counts = np.unique(sizes, return_index=True, return_counts=True)
        sums = np.add.reduceat(errors, start)
        mean = sums / counts
        sq = np.add.reduceat((errors - np.repeat(mean, counts)) ** 2, start)
        with np.errstate(invalid="ignore", divide="ignore"):
            sd = np.where(counts > 1, np.sqrt(sq / np.maximum(counts - 1, 1)), np.nan)
        positive = np.isfinite(sd) & (sd > 0)
        # two repeats that tie (scores on a small validation set are multiples of 1/n_val)
        # say little about the noise: such a size borrows the spread the other sizes show
        sd = np.where((counts == 2) & (sd == 0) & positive.any(), np.nan, sd)
        pooled = np.nanmedian(sd) if np.any(np.isfinite(sd)) else np.nan
        if not np.isfinite(pooled) or pooled <= 0:
            # no repeats (or identical ones): judge noise from the roughness of the means
            rough = np.abs(np.diff(mean, 2)) if len(mean) > 2 else np.abs(np.diff(mean))
            pooled = float(np.median(rough)) if rough.size else 0.0
        sd = np.where(np.isfinite(sd), sd, pooled)
        se = sd / np.sqrt(counts)
        scale = max(float(np.max(np.abs(mean))), float(np.ptp(mean)), 1e-12)
        se_floor = max(0.5 * float(np.median(se)), 1e-4 * scale)
        sigma = np.sqrt(se**2 + se_floor**2)
        lowest = np.minimum.reduceat(errors, start)
        highest = np.maximum.reduceat(errors, start)
        return cls(uniq.astype(float), mean, se, sd, counts, sigma, floor, lowest, highest)

    def head(self, m: int) -> CurveData:
        """The curve restricted to its first ``m`` sizes (for back-testing)."""
        return CurveData(
            self.sizes[:m],
            self.mean[:m],
            self.se[:m],
            self.sd[:m],
            self.counts[:m],
            self.sigma[:m],
            self.floor,
            None if self.lowest is None else self.lowest[:m],
            None if self.highest is None else self.highest[:m],
        )


@dataclass(frozen=True)
class FitResult:
    """One family fitted to one curve.

    ``predict`` and ``predict_se`` take sizes ``n`` (not scaled) and return errors.
    """

    family: str
    theta: np.ndarray
    n_ref: float
    ok: bool
    cost: float  # weighted sum of squared residuals / 2
    cov: np.ndarray | None  # parameter covariance (delta method), None when singular
    last: float = np.nan  # for the last-value model

    def predict(self, n: np.ndarray) -> np.ndarray:
        n = np.asarray(n, dtype=float)
        if self.family == LAST_VALUE:
            return np.full(n.shape, self.last)
        if not self.ok:
            return np.full(n.shape, np.nan)
        return FAMILIES[self.family](n / self.n_ref, self.theta, self.n_ref)

    def predict_se(self, n: np.ndarray) -> np.ndarray:
        """Delta-method standard error of the predicted error at ``n`` (NaN when unknown)."""
        n = np.asarray(n, dtype=float)
        if self.family == LAST_VALUE or not self.ok or self.cov is None:
            return np.full(n.shape, np.nan)
        fam = FAMILIES[self.family]
        x = n / self.n_ref
        base = fam(x, self.theta, self.n_ref)
        grads = []
        for j in range(len(self.theta)):
            h = 1e-6 * max(abs(self.theta[j]), 1e-3)
            t = self.theta.copy()
            t[j] += h
            grads.append((fam(x, t, self.n_ref) - base) / h)
        g = np.stack(grads, axis=-1)
        var = np.einsum("...i,ij,...j->...", g, self.cov, g)
        return np.sqrt(np.clip(var, 0.0, None))


class _BoundTransform:
    """Maps unconstrained values to the bounded parameter box and back.

    MINPACK's Levenberg-Marquardt (``method="lm"``) is several times faster than the bounded
    trust-region solvers on these tiny problems, so bounds are enforced by reparametrising:
    a logistic map for a finite box, a softplus for a one-sided bound.
    """

    def __init__(self, lo: np.ndarray, hi: np.ndarray) -> None:
        self.lo, self.hi = lo, hi
        self.both = np.isfinite(lo) & np.isfinite(hi)
        self.lower = np.isfinite(lo) & ~np.isfinite(hi)
        self.upper = ~np.isfinite(lo) & np.isfinite(hi)
        self.span = np.where(self.both, hi - lo, 1.0)
        self.lo0 = np.where(np.isfinite(lo), lo, 0.0)
        self.hi0 = np.where(np.isfinite(hi), hi, 0.0)
        self.kinds = [
            1 if b else 2 if lw else 3 if up else 0
            for b, lw, up in zip(self.both, self.lower, self.upper, strict=True)
        ]

    def to_params(self, u: np.ndarray) -> np.ndarray:
        # scalar math per parameter: far cheaper than masked array operations for 2-4 values
        out = np.empty(len(u))
        for j, kind in enumerate(self.kinds):
            v = float(u[j])
            if kind == 1:
                out[j] = self.lo0[j] + self.span[j] * (0.5 + 0.5 * math.tanh(0.5 * v))
            elif kind == 2:
                out[j] = self.lo0[j] + (v if v > 30 else math.log1p(math.exp(v)))
            elif kind == 3:
                out[j] = self.hi0[j] - (v if v > 30 else math.log1p(math.exp(v)))
            else:
                out[j] = v
        return out

    def to_free(self, theta: np.ndarray) -> np.ndarray:
        theta = np.nan_to_num(np.asarray(theta, dtype=float), nan=0.0, posinf=1e6, neginf=-1e6)
        p = np.clip((theta - self.lo0) / self.span, 1e-6, 1 - 1e-6)
        d_lo = np.maximum(theta - self.lo0, 1e-9)
        d_hi = np.maximum(self.hi0 - theta, 1e-9)

        def inv_soft(d: np.ndarray) -> np.ndarray:
            return np.where(d > 30, d, np.log(np.expm1(np.minimum(d, 30))))

        return np.where(
            self.both,
            np.log(p / (1 - p)),
            np.where(self.lower, inv_soft(d_lo), np.where(self.upper, inv_soft(d_hi), theta)),
        )


def fit_family(
    family: Family | str, data: CurveData, *, with_cov: bool = False, max_nfev: int = 60
) -> FitResult:
    """Fit one family to a summarised curve; never raises for a numerical failure.

    Parameters
    ----------
    family : Family or str
        The family or its name (``"last"`` gives the last-value model).
    data : CurveData
        The curve, in error form.
    with_cov : bool
        Also compute the delta-method parameter covariance.
    max_nfev : int
        Function evaluations per starting point.
    """
    name = family if isinstance(family, str) else family.name
    if name == LAST_VALUE:
        return FitResult(
            LAST_VALUE, np.array([]), data.n_ref, True, 0.0, None, float(data.mean[-1])
        )
    fam = FAMILIES[name] if isinstance(family, str) else family
    x, e, w = data.x, data.mean, 1.0 / data.sigma
    floor = data.floor if np.isfinite(data.floor) else -np.inf
    lo, hi = fam.bounds(e, floor)

    tr = _BoundTransform(lo, hi)
    func, n_ref = fam.func, data.n_ref
    # Levenberg-Marquardt needs at least as many residuals as parameters: a weak ridge pulls
    # the free parameters towards the start, which also regularises curves with few sizes.
    n_extra = fam.n_params

    best = None
    for start in fam.starts(x, e, data.n_ref, 0.0 if not np.isfinite(floor) else floor):
        u0 = tr.to_free(start)

        def residuals(u: np.ndarray, u0: np.ndarray = u0) -> np.ndarray:
            r = (func(x, tr.to_params(u), n_ref) - e) * w
            r = np.where(np.isfinite(r), r, 1e6)
            return np.concatenate([r, 1e-3 * (u - u0)[:n_extra]])

        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                # MINPACK lmdif directly: least_squares(method="lm") differentiates in Python,
                # which makes these 3-8 point fits several times slower.
                u, *_ = leastsq(
                    residuals, u0, ftol=1e-6, xtol=1e-6, maxfev=max_nfev * (len(u0) + 1)
                )
        except (ValueError, np.linalg.LinAlgError, FloatingPointError, TypeError):
            continue
        if not np.all(np.isfinite(u)):
            continue
        cost = 0.5 * float(np.sum(residuals(u)[: len(x)] ** 2))
        if best is None or cost < best[1]:
            best = (u, cost)
    if best is None:
        return FitResult(name, np.full(fam.n_params, np.nan), data.n_ref, False, np.inf, None)
    theta = tr.to_params(best[0])
    pred = fam(np.array([1.0, 4.0]), theta, data.n_ref)
    # a cost this large means the residuals were non-finite placeholders: no real fit
    ok = bool(np.all(np.isfinite(pred)) and np.all(np.isfinite(theta)) and best[1] < 1e10)
    cov = None
    if with_cov and ok:
        cov = _param_cov(fam, theta, data, best[1])
    return FitResult(name, theta, data.n_ref, ok, best[1], cov)


def _param_cov(fam: Family, theta: np.ndarray, data: CurveData, cost: float) -> np.ndarray | None:
    """Delta-method covariance of the parameters: s^2 (J^T J)^-1 at the optimum."""
    x, w = data.x, 1.0 / data.sigma
    base = fam(x, theta, data.n_ref)
    cols = []
    for j in range(len(theta)):
        h = 1e-6 * max(abs(theta[j]), 1e-3)
        t = theta.copy()
        t[j] += h
        cols.append((fam(x, t, data.n_ref) - base) / h * w)
    jac = np.stack(cols, axis=1)
    if not np.all(np.isfinite(jac)):
        return None
    dof = len(x) - len(theta)
    s2 = max(2.0 * cost / dof, 1.0) if dof > 0 else 1.0
    return np.linalg.pinv(jac.T @ jac) * s2


def usable_families(data: CurveData, names: tuple[str, ...] | list[str] | None = None) -> list[str]:
    """Family names that make sense for this curve (with or without a natural bound)."""
    names = list(COMBINED_FAMILIES) if names is None else [n for n in names if n != LAST_VALUE]
    if not np.isfinite(data.floor):
        names = [n for n in names if n not in NEEDS_NATURAL_BOUND]
    return names
