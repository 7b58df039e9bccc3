"""``extrapolate(sizes, scores)``: validation, orientation, and the two ways to predict.

- ``"learned"`` (default for accuracy-like scores in [0, 1] that rise): the average of a few
  fitted families and the last value, corrected by a model learned across LCDB curves
  (:mod:`.learned`), made monotone, with normalised conformal intervals: out-of-fold residual
  quantiles per extrapolation distance, scaled by the curve's slope and noise and by a learned
  spread (wider for curves that, like this one, were hard to extrapolate on LCDB).
- ``"families"`` (any metric, and the fallback): every usable family fitted to the whole curve,
  weighted by its error on the curve's own largest sizes when fitted on the smaller ones; the
  interval combines the repeats' noise, the parameters' uncertainty (delta method), the
  disagreement between families, and the back-test error growing with distance.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from scipy.stats import norm
from sklearn.isotonic import IsotonicRegression

from howmuchdata.errors import HowMuchDataError
from howmuchdata.extrapolate.extrapolation import Extrapolation
from howmuchdata.extrapolate.families import ALL_MODELS, LAST_VALUE
from howmuchdata.extrapolate.fitting import CurveData, FitResult, fit_family, usable_families
from howmuchdata.extrapolate.shapes import ILL_BEHAVED, detect_flags

GRID_PER_DOUBLING = 4
#: The fewest distinct training sizes a curve can be extrapolated from.
MIN_DISTINCT_SIZES = 3
GRID_REACH = 1024.0  # the grid runs to this multiple of the largest observed size
LEARNED_REACH = 7.0  # doublings beyond the largest size the learned model was trained on
# The family combination's variance terms overlap (families that disagree also have uncertain
# parameters), so its raw band is too wide; this factor made 80% bands cover 80% of the truth on
# synthetic curves of known families with repeat noise (checked on other curves in
# tests/extrapolate/test_coverage.py).
FAMILY_BAND_SCALE = 0.7
STORED_PROBS = np.array(
    [0.005, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5,
     0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.975, 0.995]
)  # fmt: skip


# --- input checks -----------------------------------------------------------------------------


def _as_1d(values: Any, name: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise HowMuchDataError(f"{name} must be numbers; pass a 1-D array of {name}") from None
    if arr.ndim != 1:
        raise HowMuchDataError(
            f"{name} must be 1-D, got shape {arr.shape}; pass one value per point"
        )
    return arr


def _validate(
    sizes: Any, scores: Any, bounds: tuple[float, float] | None
) -> tuple[np.ndarray, np.ndarray]:
    s, y = _as_1d(sizes, "sizes"), _as_1d(scores, "scores")
    if len(s) != len(y):
        raise HowMuchDataError(
            f"sizes has {len(s)} values but scores has {len(y)}; pass one size per score"
        )
    if not np.all(np.isfinite(s)):
        raise HowMuchDataError("sizes contain NaN or inf; drop those points before extrapolating")
    if not np.all(np.isfinite(y)):
        raise HowMuchDataError(
            "scores contain NaN or inf (failed fits?); drop those points, e.g. keep status == 'ok'"
        )
    if np.any(s <= 0):
        raise HowMuchDataError("sizes must be positive training-set sizes; drop sizes <= 0")
    n_distinct = len(np.unique(s))
    if n_distinct < MIN_DISTINCT_SIZES:
        raise HowMuchDataError(
            f"only {n_distinct} distinct size(s); measure the curve at {MIN_DISTINCT_SIZES} or "
            "more sizes "
            "(5+ spread over a factor of 8 or more gives useful extrapolations)"
        )
    if bounds is not None:
        lo, hi = bounds
        if np.any(y < lo) or np.any(y > hi):
            raise HowMuchDataError(
                f"scores outside the metric's range [{lo}, {hi}] (from {y.min():.4g} to "
                f"{y.max():.4g}); check the metric, or pass the right bounds"
            )
    return s, y


def _validate_train(
    train_scores: Any, sizes: np.ndarray, bounds: tuple[float, float] | None
) -> np.ndarray | None:
    """The training scores aligned with ``sizes`` (NaN: unknown), or None when not given."""
    if train_scores is None:
        return None
    t = _as_1d(train_scores, "train_scores")
    if len(t) != len(sizes):
        raise HowMuchDataError(
            f"train_scores has {len(t)} values but sizes has {len(sizes)}; pass one training "
            "score per point (NaN where unknown)"
        )
    if np.any(np.isinf(t)):
        raise HowMuchDataError("train_scores contain inf; pass NaN where a score is unknown")
    if bounds is not None and np.any((t < bounds[0]) | (t > bounds[1])):
        raise HowMuchDataError(
            f"train_scores outside the metric's range [{bounds[0]}, {bounds[1]}]; check that "
            "they are the same metric as the scores"
        )
    return t


def _train_means(
    train: np.ndarray | None,
    sizes: np.ndarray,
    data: CurveData,
    orient: _Orientation,
    notes: list[str],
) -> np.ndarray | None:
    """Mean training score (goodness scale) at each distinct size; None when unusable."""
    if train is None:
        return None
    from howmuchdata.extrapolate.features import per_size_means

    means = per_size_means(sizes, train, data.sizes)
    if not np.all(np.isfinite(means)):
        notes.append(
            "Training scores are missing at some sizes; the learned model used the "
            "validation scores alone."
        )
        return None
    if np.any((means < 0.0) | (means > 1.0)):
        notes.append(
            "Training scores outside [0, 1]; the learned model used the validation scores alone."
        )
        return None
    return 1.0 - orient.to_error(means)


def _check_families(families: Any) -> list[str] | None:
    """The ``families=`` option as a list of known names (one name alone is a list of one).

    Parameters
    ----------
    families : str, iterable of str, or None

    Returns
    -------
    list of str or None
        None when not given.

    Raises
    ------
    HowMuchDataError
        For a name that is not a curve model, or a list with no family in it.
    """
    if families is None:
        return None
    names = [families] if isinstance(families, str) else list(families)
    unknown = [str(n) for n in names if n not in ALL_MODELS]
    if unknown:
        raise HowMuchDataError(
            f"unknown curve famil{'y' if len(unknown) == 1 else 'ies'} {', '.join(unknown)}; "
            f"pass names from {', '.join(ALL_MODELS)}"
        )
    if not names:
        raise HowMuchDataError(
            f"families=[] leaves no curve model; pass names from {', '.join(ALL_MODELS)}, or None"
        )
    return [str(n) for n in names]


#: Other spellings of ``direction`` that :func:`extrapolate` (and its CLI) accept.
DIRECTION_ALIASES = {
    "increasing": "increase",
    "decreasing": "decrease",
    "higher": "increase",
    "lower": "decrease",
    "max": "increase",
    "min": "decrease",
}


def _infer_direction(sizes: np.ndarray, scores: np.ndarray) -> str:
    """Rising or falling: the sign of the change from the smallest to the largest size, or,
    where the curve ends about where it started, the sign of its first steps; a curve that
    moves beyond neither's noise is taken as a score, which is what most are.

    A curve that peaks (or dips) and comes back ends near its start; its first sizes still
    show which way learning goes, as models improve first and degrade, if at all, later. A
    slope over the whole curve would read such a peak as a fall.
    """
    data = CurveData.from_points(sizes, scores, 0.0)
    overall = _change_beyond_noise(data, len(data.mean) - 1)
    if abs(overall) > 0.25 * float(np.ptp(data.mean)):
        return "decrease" if overall < 0 else "increase"
    return "decrease" if _change_beyond_noise(data, min(len(data.mean), 3) - 1) < 0 else "increase"


def _change_beyond_noise(data: CurveData, j: int) -> float:
    """The change of the mean from the first size to size ``j``, or 0 within twice their
    standard errors combined."""
    mean, se = data.mean, data.se
    tiny = 1e-9 * max(1.0, float(np.max(np.abs(mean))))
    step = float(mean[j] - mean[0])
    noise = max(2.0 * float(np.hypot(se[0], se[j])), tiny)
    return step if abs(step) > noise else 0.0


def _against_direction(sizes: np.ndarray, scores: np.ndarray, direction: str) -> str | None:
    """A note when the curve moves the other way than the ``direction`` given, from its first
    to its last size by more than twice their standard errors combined and by most of its
    range (a forced ``direction="decrease"`` on a rising accuracy curve); None otherwise."""
    data = CurveData.from_points(sizes, scores, 0.0)
    step = _change_beyond_noise(data, len(data.mean) - 1)
    if not abs(step) > 0.5 * float(np.ptp(data.mean)):
        return None
    moved = "increase" if step > 0 else "decrease"
    if moved == direction:
        return None
    better = "higher" if direction == "increase" else "lower"
    usual = (
        "a score such as accuracy rises with more data: direction='increase'"
        if moved == "increase"
        else "a loss or error falls with more data: direction='decrease'"
    )
    return (
        f"The scores {moved} from the smallest to the largest size, beyond noise, while "
        f"direction={direction!r} says {better} is better: check the direction ({usual}); "
        "read this way, the curve gets worse with more data."
    )


# --- shared helpers -------------------------------------------------------------------------------


def _grid(n_min: float, n_last: float) -> np.ndarray:
    lo, hi = np.log2(n_min), np.log2(n_last * GRID_REACH)
    n = max(int(np.ceil((hi - lo) * GRID_PER_DOUBLING)) + 1, 8)
    grid = np.exp2(np.linspace(lo, hi, n))
    return np.unique(np.append(grid, n_last))


def _monotone(values: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The closest non-decreasing curve (isotonic regression); ``x`` must be increasing."""
    out = IsotonicRegression(increasing=True).fit_transform(x, values)
    if not np.all(np.isfinite(out)):  # never hand back NaN: fall back to a running maximum
        out = np.maximum.accumulate(values)
    return out


class _Orientation:
    """Maps scores to an error-like quantity that falls with more data, and back."""

    def __init__(self, scores: np.ndarray, direction: str, bounds: tuple[float, float] | None):
        self.direction = direction
        self.sign = 1.0 if direction == "increase" else -1.0
        if bounds is not None:
            natural = bounds[1] if direction == "increase" else bounds[0]
        elif direction == "increase":
            # at most 0: a negated loss (scikit-learn's neg_*); at most 1: accuracy-like
            top = float(scores.max())
            natural = 0.0 if top <= 0.0 else (1.0 if top <= 1.0 else None)
        else:
            natural = 0.0 if scores.min() >= 0.0 else None
        self.natural = natural
        if natural is not None:
            self.ref, self.floor = float(natural), 0.0
        else:
            # no natural bound: any reference above the best score; families keep a free floor
            good = self.sign * scores
            self.ref = self.sign * float(good.max() + np.ptp(good) + 1e-9)
            self.floor = -np.inf
        self.bounds = bounds

    def to_error(self, scores: np.ndarray) -> np.ndarray:
        return self.sign * (self.ref - scores)

    def to_score(self, error: np.ndarray) -> np.ndarray:
        return self.ref - self.sign * error

    def limits(self) -> tuple[float, float]:
        """The range a score can take: the bounds, and the natural end of the good side."""
        lo, hi = (-np.inf, np.inf) if self.bounds is None else self.bounds
        if self.natural is not None:
            if self.direction == "increase":
                hi = min(hi, self.natural)
            else:
                lo = max(lo, self.natural)
        return float(lo), float(hi)

    def clip(self, scores: np.ndarray) -> np.ndarray:
        return np.clip(scores, *self.limits())


def _assemble(
    grid: np.ndarray,
    good_mean: np.ndarray,
    good_q: np.ndarray,
    orient: _Orientation,
    data: CurveData,
    flags: list[str],
    method: str,
    components: dict[str, float],
    notes: list[str],
) -> Extrapolation:
    """Turn goodness-scale mean/quantiles into an Extrapolation in the user's score units."""
    sign = orient.sign
    # goodness g relates to error e by g = -e; scores = ref - sign * e = ref + sign * g
    mean = orient.clip(orient.ref + sign * good_mean)
    q = orient.ref + sign * good_q
    q = np.sort(orient.clip(q), axis=1)
    mean = np.clip(mean, q[:, 0], q[:, -1])
    observed = {
        "sizes": data.sizes,
        "mean": orient.to_score(data.mean),
        "n_points": int(np.sum(data.counts)),
    }
    return Extrapolation(
        sizes=grid, mean=mean, probs=STORED_PROBS.copy(), quantiles=q, direction=orient.direction,
        flags=flags, method=method, components=components, observed=observed, notes=notes,
        score_range=orient.limits(),
    )  # fmt: skip


def _widen_for_shape(good_q: np.ndarray, grid: np.ndarray, data: CurveData, flags: list[str]):
    """Ill-behaved curves: widen beyond the data by the largest swing seen in the curve."""
    if not any(f in ILL_BEHAVED for f in flags):
        return good_q
    good = -data.mean
    swing = float(np.max(np.maximum.accumulate(good) - good))
    swing = max(swing, float(np.ptp(good[len(good) // 2 :])))
    beyond = (grid > data.n_ref)[:, None]
    mid = good_q.shape[1] // 2
    out = good_q.copy()
    out[:, :mid] -= np.where(beyond, swing, 0.0)
    out[:, mid + 1 :] += np.where(beyond, swing, 0.0)
    return out


def _bound_bad_side(good_q: np.ndarray, data: CurveData) -> np.ndarray:
    """Keep the pessimistic side of a band within twice the curve's range below its worst
    mean: a delta-method band of a few points can otherwise run off to any value (an
    accuracy interval down to -66), which says nothing a user can act on."""
    good = -data.mean
    worst = float(np.min(good)) - 2.0 * max(float(np.ptp(good)), float(np.median(data.se)))
    return np.maximum(good_q, worst)


# --- the flat curve ------------------------------------------------------------------------------


def _flat(grid: np.ndarray, data: CurveData, learned_flat=None) -> tuple[np.ndarray, np.ndarray]:
    """A curve that does not move: its level at the larger half of its sizes, with the spread
    of all its means as uncertainty.

    ``learned_flat`` (a quantile table of how exactly constant LCDB curves moved later, in
    score units, by distance) replaces the band beyond the data where given.
    """
    good = -data.mean
    w = data.counts / data.counts.sum()
    overall = float(np.sum(w * good))
    sd = float(np.sqrt(np.sum(w * (good - overall) ** 2) + np.median(data.se) ** 2))
    # the level where the curve now is: its larger half of sizes (a rise within noise
    # would otherwise pull the prediction below what the largest sizes measured)
    recent = slice(len(good) - max(2, (len(good) + 1) // 2), None) if len(good) > 2 else slice(None)
    level = float(np.average(good[recent], weights=data.counts[recent]))
    z = norm.ppf(STORED_PROBS)
    mean = np.full(len(grid), level)
    band = mean[:, None] + 2.0 * sd * z[None, :]
    if learned_flat is not None:
        d = np.clip(np.log2(grid / data.n_ref), 0.0, None)
        qn = learned_flat.at(d)
        moved = np.array([np.interp(STORED_PROBS, learned_flat.probs, row) for row in qn])
        # the wider of the two on each side: the level's own noise, and what LCDB saw
        band = np.sort(
            np.where(
                STORED_PROBS[None, :] < 0.5,
                np.minimum(band, mean[:, None] + moved),
                np.maximum(band, mean[:, None] + moved),
            ),
            axis=1,
        )
    return mean, band


# --- families ---------------------------------------------------------------------------------


def _failed_fit(full: FitResult, past: FitResult, data: CurveData) -> bool:
    """Whether the fit to the whole curve missed its optimum: the fit to the curve without
    its largest sizes describes the whole curve better (a lower weighted cost).

    Parameters
    ----------
    full : FitResult
        The family fitted to every size of ``data``.
    past : FitResult
        The same family fitted to the smaller sizes (the back test).
    data : CurveData
        The whole curve.

    Returns
    -------
    bool
        True where the optimiser stopped in a poor local optimum (e.g. pow4 at its exponent's
        bound, missing a negated-MSE curve by 20% at its largest size while the back test,
        from the head of the curve, was the best of all families).
    """
    if full.family == LAST_VALUE or not past.ok:
        return False
    resid = (past.predict(data.sizes) - data.mean) / data.sigma
    past_cost = 0.5 * float(np.sum(resid**2))
    return bool(np.isfinite(past_cost) and full.cost > past_cost * (1.0 + 1e-6) + 1e-12)


def _families(grid: np.ndarray, data: CurveData, names: list[str] | None):
    """Back-test-weighted family combination with a variance-based quantile band."""
    fam_names = usable_families(data, names)
    m = len(data.sizes)
    hold = max(1, m // 4) if m >= 5 else 1
    head = data.head(m - hold)
    held_sizes, held_mean = data.sizes[m - hold :], data.mean[m - hold :]
    d_bt = float(np.log2(data.sizes[-1] / head.sizes[-1]))

    fits, bt_err = {}, {}
    for name in [*fam_names, LAST_VALUE]:
        full = fit_family(name, data, with_cov=True)
        if not full.ok:
            continue
        past = fit_family(name, head)
        pred = past.predict(held_sizes)
        if not np.all(np.isfinite(pred)) or _failed_fit(full, past, data):
            continue
        fits[name] = full
        bt_err[name] = float(np.sqrt(np.mean((pred - held_mean) ** 2)))
    noise = float(np.median(data.se))
    ranked = sorted(bt_err, key=bt_err.get)[:5]
    raw = np.array([1.0 / (bt_err[k] ** 2 + noise**2 + 1e-12) for k in ranked])
    weights = dict(zip(ranked, raw / raw.sum(), strict=True))

    preds = np.array([fits[k].predict(grid) for k in ranked])  # error scale
    w = np.array([weights[k] for k in ranked])[:, None]
    mean_e = np.sum(w * preds, axis=0)
    between = np.sum(w * (preds - mean_e) ** 2, axis=0)
    par = np.array([np.nan_to_num(fits[k].predict_se(grid), nan=0.0) for k in ranked])
    param_var = np.sum(w * par**2, axis=0)
    bt = float(np.sum(w[:, 0] * np.array([bt_err[k] for k in ranked])))
    d = np.log2(grid / data.n_ref)
    growth = np.clip(d, 0.0, None) / max(d_bt, 0.5)
    bt_var = (bt * growth) ** 2
    var = between + param_var + bt_var + data.se[-1] ** 2
    sd = FAMILY_BAND_SCALE * np.sqrt(var)
    good_mean = _monotone(-mean_e, np.log(grid))
    z = norm.ppf(STORED_PROBS)
    good_q = good_mean[:, None] + sd[:, None] * z[None, :]
    return good_mean, good_q, weights


# --- learned ----------------------------------------------------------------------------------------


def _learned(grid: np.ndarray, data: CurveData, model, train_means: np.ndarray | None = None):
    from howmuchdata.extrapolate.features import (
        BASE_FAMILIES,
        base_prediction,
        make_prefix,
        query_features,
        train_summary,
    )

    prefix = make_prefix(data)
    beyond = grid >= data.n_ref
    d = np.log2(grid[beyond] / data.n_ref)
    # The model was trained on extrapolations up to LEARNED_REACH doublings; further out the
    # curve is held at that level rather than trusting a model outside its training range.
    reach, back = np.unique(np.minimum(d, LEARNED_REACH), return_inverse=True)
    rows, base = query_features(prefix, data.n_ref * np.exp2(reach))
    if model.extra:
        rows = np.hstack([rows, np.tile(train_summary(data, train_means), (len(rows), 1))])
    corrected = np.clip(base + model.predict_residual(rows), 0.0, 1.0)
    # monotone beyond the data first, so the far tail cannot drag the near predictions
    corrected = _monotone(corrected, reach)[back]
    base = base[back]
    _, fam_in = base_prediction(prefix, grid[~beyond])
    inside = np.nanmean(fam_in, axis=0) if np.any(np.isfinite(fam_in)) else None
    if inside is None or not np.all(np.isfinite(inside)):
        inside = np.interp(np.log(grid[~beyond]), np.log(data.sizes), 1.0 - data.mean)
    inside = np.minimum(_monotone(inside, np.log(grid[~beyond])), corrected[0])
    good_mean = np.concatenate([inside, corrected])
    # the spread never shrinks with distance: further out is never more certain
    spread = np.maximum.accumulate(model.predict_spread(rows))[back]
    spread = np.concatenate([np.full(int(np.sum(~beyond)), spread[0]), spread])
    qn = model.quantiles.at(np.clip(np.log2(grid / data.n_ref), 0.0, None))
    qn = np.array([np.interp(STORED_PROBS, model.quantiles.probs, row) for row in qn])
    good_q = good_mean[:, None] + (prefix.scale * spread)[:, None] * qn
    at10 = min(int(np.searchsorted(grid[beyond], data.n_ref * 10.0)), len(base) - 1)
    correction = float(corrected[at10] - base[at10])
    weights = {name: 1.0 / (len(BASE_FAMILIES) + 1) for name in [*BASE_FAMILIES, LAST_VALUE]}
    weights["learned correction"] = correction
    # accuracy a = 1 - e; the goodness scale used by _assemble is -e = a - 1
    return good_mean - 1.0, good_q - 1.0, weights


# --- the public function ----------------------------------------------------------------------------


def extrapolate(
    sizes: Any,
    scores: Any,
    *,
    direction: Literal["increase", "decrease"] | None = None,
    bounds: tuple[float, float] | None = None,
    method: Literal["auto", "learned", "families"] = "auto",
    families: list[str] | None = None,
    learned_model: Any = None,
    train_scores: Any = None,
) -> Extrapolation:
    """Extrapolate a measured learning curve beyond its largest size, with intervals.

    Parameters
    ----------
    sizes : array-like of shape (n_points,)
        Training-set size of each point; a size appears once per repeat.
    scores : array-like of shape (n_points,)
        Validation score of each point.
    direction : {"increase", "decrease"}, optional
        Whether the score rises with more data (accuracy, R², AUC) or falls (a loss such as
        log loss or RMSE); "increasing"/"decreasing" are accepted too. Inferred from the
        data when not given.
    bounds : (float, float), optional
        The metric's range, e.g. ``(0, 1)`` for accuracy. Scores outside it are an error;
        predictions are clipped to it. Without bounds, a rising score that never exceeds 1
        is taken to be bounded by 1 and a falling non-negative loss by 0.
    method : {"auto", "learned", "families"}
        ``"auto"`` uses the LCDB-learned model for rising scores in [0, 1] (it was trained
        on accuracy curves) and the family combination otherwise.
    families : list of str, optional
        Restrict the family combination to these families (see ``FAMILIES``; one name
        alone is read as a list of one). An unknown name is an error; the option is only
        read by the family combination (``method="families"``, and metrics other than
        accuracy), which the summary notes otherwise.
    learned_model : LearnedModel, optional
        Use this learned model instead of the shipped one (the benchmark retrains it per
        cross-validation fold, so no curve is predicted by a model that saw its dataset).
        With ``train_scores``, a model trained ``with_train`` is expected.
    train_scores : array-like of shape (n_points,), optional
        Training-set score of each point (NaN where unknown), in the same metric. The
        learned model then also reads the gap between training and validation scores, which
        on LCDB cut its error at the largest size by 5-8% (see benchmarks/RESULTS.md).
        Ignored, with a note, when the prediction is not the learned model's.

    Returns
    -------
    Extrapolation

    Raises
    ------
    HowMuchDataError
        Fewer than 3 distinct sizes, NaN or inf, non-positive sizes, scores outside
        ``bounds``, or an unknown option.
    """
    if bounds is not None:
        try:
            bounds = (float(bounds[0]), float(bounds[1]))
        except (TypeError, ValueError, IndexError):
            raise HowMuchDataError(
                "bounds must be two numbers (low, high); e.g. bounds=(0, 1)"
            ) from None
        if not bounds[0] < bounds[1]:
            raise HowMuchDataError(f"bounds {bounds} are empty; pass (low, high) with low < high")
    s, y = _validate(sizes, scores, bounds)
    train = _validate_train(train_scores, s, bounds)
    families = _check_families(families)
    notes: list[str] = []
    given = direction is not None
    if direction is None:
        direction = _infer_direction(s, y)
        notes.append(f"Direction inferred from the data: scores {direction} with more data.")
    direction = DIRECTION_ALIASES.get(direction, direction)
    if direction not in ("increase", "decrease"):
        raise HowMuchDataError(f"direction must be 'increase' or 'decrease', got {direction!r}")
    if given and (against := _against_direction(s, y, direction)) is not None:
        notes.append(against)
    if method not in ("auto", "learned", "families"):
        raise HowMuchDataError(f"method must be 'auto', 'learned' or 'families', got {method!r}")

    orient = _Orientation(y, direction, bounds)
    if bounds is None and direction == "increase" and orient.natural == 0.0:
        notes.append(
            "Scores are all <= 0: read as a negated loss, which is at most 0; pass bounds=... "
            "for another range."
        )
    data = CurveData.from_points(s, orient.to_error(y), orient.floor)
    flags = detect_flags(data.sizes, -data.mean, data.se, repeated=bool(np.any(data.counts > 1)))
    if "accelerating" in flags:
        notes.append(
            "The curve gains more per doubling over its largest sizes than it did before (a "
            "late take-off): where it slows down is not in the data, so forecasts beyond the "
            "measured sizes are uncertain; measure larger sizes before relying on them."
        )
    grid = _grid(float(data.sizes[0]), data.n_ref)

    accuracy_like = direction == "increase" and orient.natural == 1.0 and y.min() >= 0.0
    model = None
    train_means = None
    if method in ("auto", "learned") and accuracy_like and len(data.sizes) >= 4:
        from howmuchdata.extrapolate.learned import shipped_model

        train_means = _train_means(train, s, data, orient, notes)
        model = learned_model
        if model is None and train_means is not None:
            model = shipped_model(with_train=True)
            if model is None:
                notes.append(
                    "The learned model with training scores is not in this installation's "
                    "data file; used the one of validation scores alone."
                )
        model = model or shipped_model()
        if model is None:
            notes.append("The learned model's data file is missing; used the family combination.")
        elif not getattr(model, "extra", ()):
            if train_means is not None and learned_model is not None:
                notes.append(
                    "The given learned model does not read training scores; they were not used."
                )
            train_means = None
    elif method == "learned":
        notes.append(
            "The learned model needs a rising score in [0, 1] measured at 4+ sizes; "
            "used the family combination instead."
        )
    elif method == "auto" and not accuracy_like:
        notes.append(
            "The learned model was trained on accuracy curves; for this metric the prediction "
            "is the family combination."
        )
    elif method == "auto":
        notes.append(
            "Only 3 sizes measured: the learned model needs 4 or more, so the prediction is the "
            "family combination; measure more sizes for a better one."
        )

    constant = float(np.ptp(data.mean)) == 0.0
    if "flat" in flags and (model is None or constant):
        good_mean, good_q = _flat(grid, data, getattr(model, "flat", None))
        good_q = _widen_for_shape(good_q, grid, data, flags)
        used, components = "flat", {"mean level": 1.0}
        # the notes above say why the family combination stands in for the learned model;
        # a flat curve is predicted at its level instead, by neither
        notes[:] = [n for n in notes if "family combination" not in n]
        notes.append(
            "The curve is flat: the prediction is its level; more data of this kind is not "
            "expected to help."
        )
    elif model is not None:
        if "flat" in flags:
            # on LCDB, curves flat over their first sizes often start rising later; the
            # learned model has seen such prefixes, a level would not
            notes.append(
                "The curve is flat so far: the prediction is what curves that started flat "
                "did later in the LCDB data, with wide intervals."
            )
        # no widening for the shape here: the spread model has learned how much less
        # predictable such curves are, and widening again would over-cover
        if getattr(model, "extra", ()) and train_means is None:
            raise HowMuchDataError(
                "this learned model reads training scores; pass train_scores=..., or a model "
                "trained without them"
            )
        good_mean, good_q, components = _learned(grid, data, model, train_means)
        used = "learned"
        if train_means is not None:
            notes.append(
                "Training scores read: the learned model also used the gap between the "
                "training and the validation score."
            )
    else:
        good_mean, good_q, components = _families(grid, data, families)
        good_q = _bound_bad_side(_widen_for_shape(good_q, grid, data, flags), data)
        used = "families"
    if train is not None and used != "learned":
        notes.append("Training scores are read only by the learned model; not used here.")
    if families is not None and used != "families":
        notes.append(
            f"families= is read only by the family combination; the prediction is the "
            f"{'learned model' if used == 'learned' else 'curve level'}'s (pass "
            "method='families' to use them)."
        )
    ext = _assemble(grid, good_mean, good_q, orient, data, flags, used, components, notes)
    if used == "learned" and train_means is not None:
        ext.observed["train_mean"] = orient.to_score(1.0 - train_means)
    return ext
