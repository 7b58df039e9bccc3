"""The :class:`Extrapolation` value: a predicted curve with quantile bands on a size grid.

Everything an Extrapolation answers (predictions, intervals, sizes for a target, the ceiling)
is read off a grid of sizes, log-spaced from the smallest observed size to 1024 times the
largest, holding the mean and a set of quantiles of the score at each size. That grid is what
``to_dict`` stores, so ``from_dict`` answers the same questions without refitting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from howmuchdata._format import bounds, sig
from howmuchdata.errors import HowMuchDataError
from howmuchdata.metrics import above_range_message
from howmuchdata.result import from_json_number, to_jsonable

PLOT_LEVEL = 0.8
PLOT_REACH = 100.0  # the plotting grid in to_dict runs to this multiple of the largest size


def _check_level(level: float, probs: np.ndarray | None = None) -> float:
    """``level`` as a float, refused outside (0, 1) or beyond the widest stored interval.

    Parameters
    ----------
    level : float
    probs : ndarray, optional
        The stored quantile probabilities: a level wider than ``probs[-1] - probs[0]`` would
        silently give the widest stored interval instead.
    """
    try:
        level = float(level)
    except (TypeError, ValueError):
        raise HowMuchDataError(f"level={level!r} is not a number; pass e.g. level=0.8") from None
    if not 0.0 < level < 1.0:
        raise HowMuchDataError(f"level must be between 0 and 1, got {level}; pass e.g. level=0.8")
    if probs is not None and len(probs):
        widest = float(probs[-1] - probs[0])
        if level > widest + 1e-9:
            raise HowMuchDataError(
                f"level {level:g} is wider than the widest interval stored ({widest:g}); "
                f"pass a level up to {widest:g}"
            )
    return level


@dataclass
class Extrapolation:
    """A learning curve extrapolated beyond the largest measured size.

    Built by :func:`howmuchdata.extrapolate`; rebuilt from result.json by :meth:`from_dict`.

    Attributes
    ----------
    sizes : ndarray
        The size grid (increasing).
    mean : ndarray
        Expected score at each grid size (a monotone curve in the good direction).
    probs : ndarray
        Probabilities of the stored quantiles.
    quantiles : ndarray
        ``(len(sizes), len(probs))`` score quantiles, increasing along ``probs``.
    direction : str
        ``"increase"`` (higher is better) or ``"decrease"`` (a loss).
    flags : list of str
        Detected ill-behaviour (see :mod:`howmuchdata.extrapolate.shapes`).
    method : str
        ``"learned"`` (LCDB-trained corrector) or ``"families"`` (weighted family combination).
    components : dict
        Weight of each curve model in the prediction.
    observed : dict
        The observed curve: distinct ``sizes``, ``mean`` score and ``n_points``.
    notes : list of str
        Fallbacks and caveats, said in :meth:`summary`.
    score_range : (float, float)
        The range a score can take (the metric's bounds; ``inf`` where open). Predictions
        lie in it, and :meth:`size_for` refuses a target outside it.
    """

    sizes: np.ndarray
    mean: np.ndarray
    probs: np.ndarray
    quantiles: np.ndarray
    direction: str
    flags: list[str] = field(default_factory=list)
    method: str = "families"
    components: dict[str, float] = field(default_factory=dict)
    observed: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    score_range: tuple[float, float] = (-np.inf, np.inf)

    # --- reading the grid ----------------------------------------------------------------

    @property
    def _logn(self) -> np.ndarray:
        return np.log(self.sizes)

    def _sizes_in(self, n: Any) -> np.ndarray:
        arr = np.asarray(n, dtype=float)
        if np.any(~np.isfinite(arr)) or np.any(arr <= 0):
            raise HowMuchDataError(
                "sizes must be positive and finite; pass training-set sizes like 1000"
            )
        return arr

    def predict(self, n: Any) -> np.ndarray:
        """Expected score at training-set size(s) ``n``.

        Parameters
        ----------
        n : float or array-like
            Training-set sizes. Beyond the grid (1024x the largest observed size) the
            prediction stays at the asymptote; below the smallest observed size it stays at
            that size's prediction (the curve is not extrapolated towards zero rows).

        Returns
        -------
        ndarray
            Same shape as ``n``.
        """
        arr = self._sizes_in(n)
        return np.interp(np.log(arr), self._logn, self.mean)

    def _quantile(self, n: np.ndarray, p: float) -> np.ndarray:
        col = np.array([np.interp(p, self.probs, row) for row in self.quantiles])
        return np.interp(np.log(n), self._logn, col)

    def interval(self, n: Any, level: float = 0.8) -> tuple[np.ndarray, np.ndarray]:
        """Central interval that holds the true score at ``n`` with probability ``level``.

        Returns
        -------
        (lo, hi) : tuple of ndarray
            Lower and upper bounds, each the shape of ``n``.
        """
        level = _check_level(level, self.probs)
        arr = self._sizes_in(n)
        return self._quantile(arr, (1 - level) / 2), self._quantile(arr, (1 + level) / 2)

    def _crossing(self, curve: np.ndarray, target: float) -> float:
        """Smallest grid size where ``curve`` reaches ``target`` (log-linear), inf if never."""
        good = curve if self.direction == "increase" else -curve
        t = target if self.direction == "increase" else -target
        reached = np.nonzero(good >= t)[0]
        if len(reached) == 0:
            return float("inf")
        j = int(reached[0])
        if j == 0:
            return float(self.sizes[0])
        g0, g1 = good[j - 1], good[j]
        frac = 1.0 if g1 == g0 else (t - g0) / (g1 - g0)
        return float(np.exp(self._logn[j - 1] + frac * (self._logn[j] - self._logn[j - 1])))

    def size_for(self, target: float, level: float | None = None) -> float | tuple[float, float]:
        """Training-set size at which the expected score reaches ``target``.

        Parameters
        ----------
        target : float
            The score to reach (for a loss: to get down to).
        level : float, optional
            When given, return the ``(lo, hi)`` sizes of the ``level`` interval instead: the
            size at which the optimistic and the pessimistic bound reach the target.

        Returns
        -------
        float or (float, float)
            ``np.inf`` where the target is out of reach (beyond 1024x the largest size); the
            smallest observed size where the curve already reaches the target there.

        Raises
        ------
        HowMuchDataError
            For a target that is not finite or outside :attr:`score_range`, or a bad ``level``.
        """
        target = float(target)
        if not np.isfinite(target):
            raise HowMuchDataError(f"target must be a finite score, got {target}; pass e.g. 0.9")
        lo, hi = self.score_range
        if target > hi:
            raise HowMuchDataError(above_range_message(target, hi))
        if target < lo:
            raise HowMuchDataError(
                f"target {target:g} is below the metric's range (at least {lo:g}); "
                f"pass a target >= {lo:g}"
            )
        if level is None:
            return self._crossing(self.mean, target)
        level = _check_level(level, self.probs)
        lo_p, hi_p = (1 - level) / 2, (1 + level) / 2
        optimistic_p, pessimistic_p = (hi_p, lo_p) if self.direction == "increase" else (lo_p, hi_p)
        optimistic = np.array([np.interp(optimistic_p, self.probs, r) for r in self.quantiles])
        pessimistic = np.array([np.interp(pessimistic_p, self.probs, r) for r in self.quantiles])
        return self._crossing(optimistic, target), self._crossing(pessimistic, target)

    @property
    def asymptote(self) -> float:
        """Best expected score reachable with more data of this kind (at 1024x the largest size)."""
        return float(self.mean[-1])

    def asymptote_interval(self, level: float = 0.8) -> tuple[float, float]:
        """Interval of the asymptote at ``level``."""
        level = _check_level(level, self.probs)
        row = self.quantiles[-1]
        return (
            float(np.interp((1 - level) / 2, self.probs, row)),
            float(np.interp((1 + level) / 2, self.probs, row)),
        )

    @property
    def ill_behaved(self) -> bool:
        from howmuchdata.extrapolate.shapes import ILL_BEHAVED

        return any(f in ILL_BEHAVED for f in self.flags)

    # --- words ---------------------------------------------------------------------------

    def __repr__(self) -> str:
        """One line: what was measured, the method, the ceiling and the flags (not the grid)."""
        observed = np.asarray(self.observed.get("sizes", []), dtype=float)
        measured = (
            f"{observed.size} sizes {observed[0]:,.0f} to {observed[-1]:,.0f}"
            if observed.size
            else "no observed sizes"
        )
        lo, hi = self.asymptote_interval(PLOT_LEVEL)
        return (
            f"Extrapolation(method={self.method!r}, direction={self.direction!r}, {measured}, "
            f"asymptote={self.asymptote:.4g} [{PLOT_LEVEL:.0%}: {lo:.4g} to {hi:.4g}], "
            f"flags={list(self.flags)})"
        )

    def summary(self) -> str:
        """Which curve models carry the prediction, why, and what to be careful about."""
        n_last = float(self.observed.get("sizes", [self.sizes[0]])[-1])
        lines = []
        if self.method == "learned":
            lines.append(
                "Prediction: a model learned across 3,048 public LCDB learning curves corrects "
                "the average of the fitted families "
                + ", ".join(k for k in self.components if k not in ("learned correction", "last"))
                + " and the last value; intervals are its residual quantiles on unseen "
                "datasets at each extrapolation distance, scaled to how hard curves like this "
                "one were to extrapolate."
            )
        elif self.method == "flat":
            lines.append("Prediction: the curve's own level, since it does not move beyond noise.")
        else:
            ranked = sorted(self.components.items(), key=lambda kv: -kv[1])
            shown = [f"{k} {v:.0%}" for k, v in ranked[:4]]
            if len(ranked) > 4:  # the weights shown then add up to less than 100%
                rest = sum(v for _, v in ranked[4:])
                shown.append(f"{len(ranked) - 4} more {rest:.0%}")
            lines.append(
                "Prediction: families weighted by their error on the curve's own largest sizes "
                "(fitted on the smaller ones): " + ", ".join(shown) + "."
            )
        lo10, hi10 = self.interval(10 * n_last)
        lines.append(
            f"At 10x the data ({10 * n_last:,.0f}): {sig(self.predict(10 * n_last))} "
            f"(80% interval {' to '.join(bounds(lo10, hi10))}); asymptote {sig(self.asymptote)}."
        )
        if self.flags:
            lines.append("Shape: " + ", ".join(self.flags) + ".")
        if self.ill_behaved:
            lines.append(
                "The measured curve is not a smooth saturating curve, so the extrapolation is "
                "uncertain: the intervals are widened and the line should not be trusted."
            )
        lines.extend(self.notes)
        return "\n".join(lines)

    # --- result.json ---------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form: a plotting grid (mean, lo, hi at 80%) plus the full quantile grid."""
        n_last = float(self.observed.get("sizes", [self.sizes[-1] / 1024])[-1])
        keep = self.sizes <= PLOT_REACH * n_last * 1.0001
        lo, hi = self.interval(self.sizes[keep], PLOT_LEVEL)
        return to_jsonable(
            {
                "method": self.method,
                "direction": self.direction,
                "flags": list(self.flags),
                "asymptote": self.asymptote,
                "asymptote_interval": list(self.asymptote_interval(PLOT_LEVEL)),
                "components": dict(self.components),
                "notes": list(self.notes),
                "score_range": list(self.score_range),
                "observed": self.observed,
                "grid": {
                    "level": PLOT_LEVEL,
                    "size": self.sizes[keep],
                    "mean": self.mean[keep],
                    "lo": lo,
                    "hi": hi,
                },
                "quantile_grid": {
                    "size": self.sizes,
                    "mean": self.mean,
                    "probs": self.probs,
                    "quantiles": np.round(self.quantiles, 6),
                },
                "summary": self.summary(),
            }
        )

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Extrapolation:
        """Rebuild from :meth:`to_dict` output, without refitting."""
        try:
            q = d["quantile_grid"]

            def arr(v: Any) -> np.ndarray:
                return np.array([from_json_number(x) for x in v], dtype=float)

            return cls(
                sizes=arr(q["size"]),
                mean=arr(q["mean"]),
                probs=arr(q["probs"]),
                quantiles=np.array([arr(row) for row in q["quantiles"]]),
                direction=d["direction"],
                flags=list(d.get("flags", [])),
                method=d.get("method", "families"),
                components={k: float(v) for k, v in d.get("components", {}).items()},
                observed=d.get("observed", {}),
                notes=list(d.get("notes", [])),
                score_range=tuple(
                    from_json_number(v) for v in d.get("score_range", [-np.inf, np.inf])
                ),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise HowMuchDataError(
                f"the extrapolation in result.json is incomplete ({exc}); rerun howmuchdata extrapolate"
            ) from None


def measured_means(ext: Any) -> tuple[np.ndarray, np.ndarray]:
    """The distinct measured sizes of an extrapolated curve and their mean scores, by size.

    Parameters
    ----------
    ext : Extrapolation or any object with its ``observed`` mapping

    Returns
    -------
    (sizes, means) : (ndarray, ndarray)
        Empty when ``ext`` does not say what it measured, or says it inconsistently.
    """
    observed = getattr(ext, "observed", None) or {}
    sizes = np.asarray(observed.get("sizes", []), dtype=float).ravel()
    means = np.asarray(observed.get("mean", []), dtype=float).ravel()
    if sizes.shape != means.shape:
        return np.array([]), np.array([])
    keep = np.isfinite(sizes) & np.isfinite(means) & (sizes > 0)
    order = np.argsort(sizes[keep], kind="stable")
    return sizes[keep][order], means[keep][order]
