"""How many labels a curve still needs to reach a target, learned across LCDB curves.

Extrapolating a curve and reading where it crosses the target gives a size whose error grows
fast with the distance (a factor 4 between the 10th and 90th percentile on LCDB from 1/16 of
the data). This module learns the answer directly instead: a gradient-boosting regressor
(scikit-learn, absolute-error loss) predicts ``log2(n_needed / n_seen)`` from the features of
the observed prefix that the extrapolation uses (:mod:`howmuchdata.extrapolate.features`),
where each fitted family and their average reach the target, and how far the target is. The
training rows are every prefix of every public LCDB curve with targets one point below the
truth at later sizes, so it answers for targets in general, not only for one benchmark's.

Like the extrapolation's learned model it ships as a compact table
(``_resources/lcdb_need.npz``, rebuilt by ``scripts/build_need_table.py``) and is fitted on
first use, then cached on disk. The purchase rule that reads it (:class:`NeedPolicy`) buys at a
calibrated margin above the predicted need, per number of rounds left (the shipped margins are
largest in the last round, which has no later round to top up a shortfall).
"""

from __future__ import annotations

import functools
import math
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from howmuchdata.extrapolate.features import (
    BASE_FAMILIES,
    EXTRA_FAMILIES,
    PREFIX_FEATURES,
    Y_LAST,
    Prefix,
    base_prediction,
    family_predictions,
    make_prefix,
)
from howmuchdata.extrapolate.fitting import CurveData
from howmuchdata.planner.shipped import shipped_json

NEED_TABLE = "lcdb_need.npz"
NEED_POLICY = "need_policy.json"
NEED_SPREAD = "need_spread.json"

#: Doublings beyond the largest size at which each family's crossing of the target is looked
#: for; a family that never crosses within them gets ``NEVER``.
REACH_GRID = np.arange(0.0, 12.0 + 1e-9, 0.125)
NEVER = 13.0
_REACHED_BY = (*BASE_FAMILIES, *EXTRA_FAMILIES, "base")

NEED_FEATURES: tuple[str, ...] = (
    *PREFIX_FEATURES,  # the extrapolation's prefix features (levels, slopes, noise, fit quality)
    "gap",  # target - last measured mean
    "gap_scaled",  # gap over the curve's scale (slope per doubling + noise)
    *(f"{f}_reach" for f in _REACHED_BY),  # doublings until the family reaches the target
    *(f"{f}_room" for f in _REACHED_BY),  # family's level at 4096x - target
)

NEED_PARAMS = dict(
    loss="absolute_error",
    learning_rate=0.05,
    max_iter=300,
    max_depth=6,
    min_samples_leaf=60,
    l2_regularization=5.0,
    random_state=0,
)


def _crossing(values: np.ndarray, target: float) -> float:
    """First point of REACH_GRID where ``values`` reach ``target`` (linear between points)."""
    hit = np.nonzero(values >= target)[0]
    if hit.size == 0:
        return NEVER
    i = int(hit[0])
    if i == 0:
        return 0.0
    v0, v1 = values[i - 1], values[i]
    frac = 1.0 if v1 == v0 else (target - v0) / (v1 - v0)
    return float(REACH_GRID[i - 1] + frac * (REACH_GRID[i] - REACH_GRID[i - 1]))


def need_row(prefix: Prefix, target: float) -> np.ndarray:
    """The feature row of a prefix (accuracy-like scale) for a target score."""
    sizes = prefix.data.n_ref * np.exp2(REACH_GRID)
    base, fam = base_prediction(prefix, sizes)
    curves = [*fam, *family_predictions(prefix, EXTRA_FAMILIES, sizes), base]
    reach = [_crossing(c, target) for c in curves]  # a family that did not fit never crosses
    room = [float(c[-1] - target) for c in curves]
    gap = target - float(prefix.summary[Y_LAST])
    return np.array([*prefix.summary, gap, gap / prefix.scale, *reach, *room], dtype=float)


def need_row_from_points(sizes: np.ndarray, scores: np.ndarray, target: float) -> np.ndarray:
    """The feature row from per-repeat points of an accuracy-like curve."""
    data = CurveData.from_points(np.asarray(sizes, float), 1.0 - np.asarray(scores, float), 0.0)
    return need_row(make_prefix(data), target)


def need_rows_from_points(sizes: np.ndarray, scores: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """One feature row per target (as :func:`need_row_from_points`), fitting the curve once.

    Parameters
    ----------
    sizes, scores : ndarray
        Per-repeat points of an accuracy-like curve.
    targets : ndarray
        Target scores.

    Returns
    -------
    ndarray
        ``(len(targets), len(NEED_FEATURES))``.
    """
    data = CurveData.from_points(np.asarray(sizes, float), 1.0 - np.asarray(scores, float), 0.0)
    prefix = make_prefix(data)
    return np.vstack([need_row(prefix, float(t)) for t in np.atleast_1d(targets)])


# --- the model ---------------------------------------------------------------------------------


def make_regressor():
    """A fresh, unfitted need regressor."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    return HistGradientBoostingRegressor(**NEED_PARAMS)


@dataclass(frozen=True)
class NeedPolicy:
    """How far above the predicted need to buy, by rounds left.

    The purchase is ``n_seen * 2 ** max(floor_k, predicted + margin_k)`` (log2 units) with
    ``k`` the number of rounds left minus one, capped at the last entry: the first entry is
    the last round's margin, which has no later round to top up a shortfall.
    """

    margin: tuple[float, ...] = (1.0, 0.5, 0.2)
    floor: tuple[float, ...] = (0.25, 0.25, 0.25)
    note: str = "untuned defaults"

    def log2_growth(self, predicted: float, rounds_left: int) -> float:
        """log2(total to buy / size seen) for a predicted need and the rounds left."""
        k = min(max(rounds_left, 1), len(self.margin)) - 1
        return max(self.floor[k], predicted + self.margin[k])

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> NeedPolicy:
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items()})


def default_need_policy() -> NeedPolicy:
    """The shipped need policy (``_resources/need_policy.json``), or the defaults if absent."""
    d = shipped_json(NEED_POLICY)
    return NeedPolicy() if d is None else NeedPolicy.from_dict(d)


#: Standard errors by which the measured mean at the largest size must exceed the target for
#: the need rule to call it reached and buy nothing more: within its noise, the truth is below
#: the target about as often as above it.
REACHED_Z = 2.0


def clearly_reached(sizes: np.ndarray, scores: np.ndarray, target: float) -> bool:
    """Whether the points at the largest size put its mean above ``target`` beyond noise.

    The noise is the standard error of that mean from its own repeats; a size measured once
    borrows the spread of the curve's other sizes (or, with no repeats anywhere, the roughness
    of its means), so a single lucky run does not stop the collection.
    """
    mean, se = _level_at_largest(sizes, scores)
    return mean - REACHED_Z * se >= target


def _level_at_largest(sizes: np.ndarray, scores: np.ndarray) -> tuple[float, float]:
    """The mean score at the largest measured size and its standard error (a size measured
    once borrows the spread of the other sizes; see :class:`CurveData`)."""
    sizes, scores = np.asarray(sizes, dtype=float), np.asarray(scores, dtype=float)
    data = CurveData.from_points(sizes, scores, 0.0)
    return float(data.mean[-1]), float(data.se[-1])


def prob_reached_now(sizes: np.ndarray, scores: np.ndarray, target: float) -> float:
    """Probability that the expected score at the largest measured size already reaches ``target``.

    Reads the mean at that size and its standard error as :func:`clearly_reached` does (a size
    measured once borrows the spread of the other sizes), as a normal distribution.

    Parameters
    ----------
    sizes, scores : ndarray
        Per-repeat points of an accuracy-like (higher is better) curve.
    target : float
        Score to reach.

    Returns
    -------
    float
        P(expected score at ``sizes.max()`` >= ``target``).
    """
    mean, se = _level_at_largest(sizes, scores)
    return float(stats.norm.sf((target - mean) / max(se, 1e-9)))


def purchase_from_need(
    predicted: float, seen: float, n_max: float, rounds_left: int, policy: NeedPolicy
) -> int:
    """The total size to buy up to, from the predicted log2(n_needed / n_seen)."""
    want = seen * 2.0 ** policy.log2_growth(predicted, rounds_left)
    return int(min(n_max, max(math.ceil(want), seen + 1)))


#: Residual quantile levels kept per bin of the predicted need.
SPREAD_LEVELS = np.round(np.arange(0.01, 0.995, 0.01), 2)
SPREAD_BINS = 5


@dataclass(frozen=True)
class NeedSpread:
    """How far the true need falls from the predicted one, by how large the prediction is.

    Residuals ``log2(n_needed / n_seen) - predicted`` of the need model, summarised as quantiles
    in ``SPREAD_BINS`` bins of the predicted value (far extrapolations miss by more). The
    shipped spread (``_resources/need_spread.json``) is written by ``benchmarks/planning.py
    --calibrate`` with the purchase margins: out-of-fold predictions (grouped by dataset) at
    the states of the planning benchmark's LCDB curves (targets one point below the final
    score) that have at least 3 doublings of curve left beyond the prediction. Every LCDB
    target is reached by the end of its curve, so states near the end cannot show a long miss;
    counting them would make the quoted chance too confident for a user whose pool goes on.
    It turns a purchase into a probability of reaching the target, read off the same model
    that chose it.

    Attributes
    ----------
    edges : tuple of float
        Inner bin edges on the predicted log2 need (``SPREAD_BINS - 1`` values).
    levels : tuple of float
        Quantile levels.
    quantiles : tuple of tuple of float
        Per bin, the residual at each level.
    """

    edges: tuple[float, ...]
    levels: tuple[float, ...]
    quantiles: tuple[tuple[float, ...], ...]
    note: str = ""

    @classmethod
    def fit(cls, predicted: np.ndarray, actual: np.ndarray, note: str = "") -> NeedSpread:
        """Summarise out-of-fold predictions and the true answers."""
        predicted, actual = np.asarray(predicted, float), np.asarray(actual, float)
        edges = np.quantile(predicted, np.linspace(0, 1, SPREAD_BINS + 1)[1:-1])
        which = np.searchsorted(edges, predicted, side="right")
        qs = tuple(
            tuple(np.round(np.quantile((actual - predicted)[which == b], SPREAD_LEVELS), 4))
            for b in range(SPREAD_BINS)
        )
        return cls(tuple(np.round(edges, 4)), tuple(SPREAD_LEVELS), qs, note)

    def prob_reached(self, predicted: float, log2_growth: np.ndarray) -> np.ndarray:
        """P(the true need is at most ``log2_growth``) for a predicted log2 need."""
        b = int(np.searchsorted(self.edges, predicted, side="right"))
        q = np.asarray(self.quantiles[b]) + predicted
        levels = np.asarray(self.levels)
        # Between the kept quantiles linear; beyond them held at the outermost levels' halves,
        # so no size is ever quoted as certain (or hopeless) from 99 residual quantiles.
        p = np.interp(np.asarray(log2_growth, float), q, levels, left=levels[0] / 2)
        return np.where(np.asarray(log2_growth) > q[-1], (1.0 + levels[-1]) / 2, p)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> NeedSpread:
        return cls(
            edges=tuple(d["edges"]),
            levels=tuple(d["levels"]),
            quantiles=tuple(tuple(q) for q in d["quantiles"]),
            note=d.get("note", ""),
        )


@functools.cache
def default_need_spread() -> NeedSpread | None:
    """The shipped residual spread (``_resources/need_spread.json``), None when absent."""
    d = shipped_json(NEED_SPREAD)
    return None if d is None else NeedSpread.from_dict(d)


def need_table_path() -> Path:
    return Path(str(resources.files("howmuchdata").joinpath("_resources", NEED_TABLE)))


@functools.cache
def shipped_need_model():
    """The need regressor fitted from the shipped table (once, cached); None when unavailable."""
    from howmuchdata.extrapolate.learned import cached_fit

    path = need_table_path()
    if not path.exists():
        return None
    with np.load(path, allow_pickle=False) as z:
        if tuple(z["feature_names"].tolist()) != NEED_FEATURES:
            return None  # a table from another version of the features
        X, y = z["X"].astype(float), z["y"].astype(float)
    return cached_fit("need", path, lambda: make_regressor().fit(X, y))


def predict_need(row: np.ndarray, model: Any = None) -> float:
    """Predicted log2(n_needed / n_seen) for one feature row (shipped model by default)."""
    model = model if model is not None else shipped_need_model()
    return float(model.predict(row[None, :])[0])
