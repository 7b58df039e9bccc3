"""Planning benchmark: how many labels does each planner buy to reach a target on LCDB curves?

Protocol (issue 8), on the public LCDB slice (/work/shared/data/lcdb_public_accuracy.parquet):

- one curve per (dataset, learner): outer seed 0, per-repeat ``score_valid`` (inner seeds) as
  the measured points; truth at a size = mean ``score_test`` over all seeds;
- keep curves with >= 8 sizes; target = truth(n_max) - 0.01; n_star = smallest size where the
  truth reaches the target (log-linear between sizes); the planner starts with every size
  <= n_max/16 (at least 4 sizes); only curves with n_star above that start count;
- up to 3 rounds: the planner names a total size, rounded up to the next measured size (capped at
  n_max); it then sees the points up to it; done when the truth at the bought size reaches the
  target; "unreachable" (None) is a miss;
- after rounds 1, 2, 3: share reached; over-collection bought / n_star among those (median, 90th
  percentile); mean cost = bought / n_star + 5 per miss.

Planners compared in the same run: howmuchdata (``next_purchase``'s rule on
``howmuchdata.extrapolate(..., method="families")``, its purchase policy calibrated on the training folds of a 5-fold
cross-validation grouped by dataset and scored on the held-out datasets), a perfect planner that
knows n_star, "quadruple the data each round", and a power law refitted each round that buys
where its fit reaches the target (everything when never).

Usage::

    .venv/bin/python benchmarks/planning.py --limit 300      # quick run on 300 curves
    .venv/bin/python benchmarks/planning.py                  # the full slice
    .venv/bin/python benchmarks/planning.py --calibrate      # also write the shipped policy
    .venv/bin/python benchmarks/planning.py --need-only --repeats 1   # one run per size

With ``--repeats K`` the planners see only the first K runs at each size (a user with fewer
repeats than LCDB's 5); the learned need planner's margins are then calibrated, in its nested
cross-validation, on such states too.

Fits are cached in benchmarks/out/planning_cache/ (delete it after changing the extrapolation).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
import warnings
import zlib
from dataclasses import dataclass, replace
from itertools import product
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.linear_model import HuberRegressor

from howmuchdata.extrapolate.lcdb import fewer_repeats
from howmuchdata.planner.need import (
    NeedPolicy,
    NeedSpread,
    clearly_reached,
    make_regressor,
    need_row_from_points,
    purchase_from_need,
)
from howmuchdata.planner.need_lcdb import load_or_build_table, shipping_subset
from howmuchdata.planner.rounds import (
    PurchasePolicy,
    State,
    observe,
    purchase_from_state,
    reach_size,
)
from howmuchdata.result import from_json_number, to_jsonable

DATA = Path(os.environ.get("HMD_LCDB", "/work/shared/data/lcdb_public_accuracy.parquet"))
CACHE = Path(
    os.environ.get("HMD_PLAN_CACHE", Path(__file__).resolve().parent / "out" / "planning_cache")
)
POLICY_OUT = (
    Path(__file__).resolve().parents[1]
    / "src"
    / "howmuchdata"
    / "_resources"
    / "purchase_policy.json"
)
NEED_POLICY_OUT = POLICY_OUT.with_name("need_policy.json")
NEED_SPREAD_OUT = POLICY_OUT.with_name("need_spread.json")
ROUNDS = 3
#: Suffix of the per-curve caches for runs with fewer repeats (``--repeats``); set by main.
REPEATS_TAG = ""
MISS_PENALTY = 5.0
FOLDS = 5


@dataclass
class Curve:
    openmlid: int
    learner: str
    grid: np.ndarray  # distinct measured sizes
    sizes: np.ndarray  # per-repeat sizes
    scores: np.ndarray  # per-repeat score_valid
    truth: np.ndarray  # per grid size
    target: float
    n_star: float
    j0: int  # index of the largest starting size

    @property
    def key(self) -> str:
        return f"{self.openmlid}|{self.learner}"


def load_curves(limit: int | None, seed: int = 0, repeats: int | None = None) -> list[Curve]:
    """The protocol's curves; with ``repeats``, the planners see only the first ``repeats``
    runs at each size (the truth is unchanged)."""
    df = pd.read_parquet(DATA)
    df["learner"] = df["learner"].astype(str)
    truth_all = df.groupby(["openmlid", "learner", "size_train"])["score_test"].mean()
    one = df[df.outer_seed == 0]
    curves = []
    for (dataset, learner), g in one.groupby(["openmlid", "learner"], sort=True):
        grid = np.unique(g.size_train.to_numpy(float))
        if grid.size < 8:
            continue
        truth = truth_all.loc[(dataset, learner)].reindex(grid).to_numpy(float)
        target = truth[-1] - 0.01
        n_star = reach_size(grid, truth, target)
        start_cut = max(grid[-1] / 16, grid[3])
        j0 = int(np.searchsorted(grid, start_cut, side="right") - 1)
        if not n_star > grid[j0]:
            continue
        sizes, scores = fewer_repeats(
            g.size_train.to_numpy(float), g.score_valid.to_numpy(float), repeats
        )
        curves.append(
            Curve(
                int(dataset),
                learner,
                grid,
                sizes,
                scores,
                truth,
                float(target),
                float(n_star),
                j0,
            )
        )
    if limit is not None and limit < len(curves):
        rng = np.random.default_rng(seed)
        keep = np.sort(rng.choice(len(curves), size=limit, replace=False))
        curves = [curves[i] for i in keep]
    return curves


# ---------------------------------------------------------------- fitters (one per prefix)


#: Exponents searched by the power-law baseline (for each, a and c follow by linear least squares).
POWER_B = np.geomspace(0.02, 3.0, 80)


def power_law_size(sizes: np.ndarray, scores: np.ndarray, target: float) -> float:
    """Baseline: fit score = c - a n^-b to the per-size means, size where it reaches target.

    Profile least squares: for each exponent b on a grid, (c, a) is a linear least-squares
    problem; the b with the smallest residual (and a > 0) wins. Robust and fast, unlike a
    general nonlinear solver started from one guess.
    """
    grid = np.unique(sizes)
    means = np.array([scores[sizes == s].mean() for s in grid])
    x = grid / grid[-1]
    best = (np.inf, 0.0, 0.0, 0.0)
    for b in POWER_B:
        design = np.column_stack([np.ones_like(x), -(x ** (-b))])
        coef, *_ = np.linalg.lstsq(design, means, rcond=None)
        c, a = coef
        if a <= 0:
            continue
        sse = float(np.sum((design @ coef - means) ** 2))
        if sse < best[0]:
            best = (sse, a, b, c)
    _, a, b, c = best
    if not np.isfinite(best[0]) or c <= target:
        return math.inf
    return float(grid[-1] * ((c - target) / a) ** (-1.0 / b))


def fit_prefixes(curve: Curve) -> dict:
    """Observe every state a planner can plan from: howmuchdata's State and the power law.

    The extrapolation is the family combination (``method="families"``), as in
    ``next_purchase``: nothing in it was learned from LCDB, so only the purchase policy needs
    the cross-validation below.
    """
    from howmuchdata.extrapolate import extrapolate

    out: dict = {"key": curve.key, "states": [], "pow_mid": [], "seconds": 0.0, "fits": 0}
    t0 = time.perf_counter()
    for j in range(curve.j0, curve.grid.size):
        if curve.truth[j] >= curve.target or j == curve.grid.size - 1:
            # never planned from: a curve at the target is done, one at n_max has all there is
            out["states"].append(None)
            out["pow_mid"].append(None)
            continue
        mask = curve.sizes <= curve.grid[j]
        s, y = curve.sizes[mask], curve.scores[mask]
        grid = np.unique(s)
        means = np.array([y[s == g].mean() for g in grid])
        last = y[s == grid[-1]]
        sd_last = float(last.std(ddof=1)) if last.size > 1 else 0.0
        state = None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ext = extrapolate(s, y, method="families")
                state = observe(grid, means, curve.target, ext, True, sd_last).to_dict()
        except Exception as exc:  # noqa: BLE001 - a failed fit is data for the benchmark
            out.setdefault("errors", []).append(repr(exc)[:200])
        out["states"].append(state)
        out["pow_mid"].append(power_law_size(s, y, curve.target))
        out["fits"] += 1
    out["seconds"] = time.perf_counter() - t0
    return out


def _num(v: object) -> float:
    return from_json_number(v)


def fold_of(openmlid: int, folds: int) -> int:
    """Cross-validation fold of a dataset: grouped by dataset, and the same whatever --limit
    picks (unlike GroupKFold, which balances the folds of the curves at hand), so quick and
    full runs split the same way."""
    return zlib.crc32(str(openmlid).encode()) % folds


def cached_per_curve(curves: list[Curve], name: str, compute, n_jobs: int) -> dict[str, dict]:
    """``compute(curve)`` (a JSON-able dict with the curve's ``key``) for every curve, kept in
    CACHE/name.json: computed in chunks, saved as they finish, so an interrupted run keeps
    what it had."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{name}.json"
    cache = json.loads(path.read_text()) if path.exists() else {}
    todo = [c for c in curves if c.key not in cache]
    if todo:
        print(f"computing {name} for {len(todo)} curves on {n_jobs} jobs ...", flush=True)
        for start in range(0, len(todo), 100):
            chunk = todo[start : start + 100]
            for r in Parallel(n_jobs=n_jobs)(delayed(compute)(c) for c in chunk):
                cache[r["key"]] = to_jsonable(r)
            path.write_text(json.dumps(cache))
            print(f"  {min(start + 100, len(todo))}/{len(todo)}", flush=True)
    return cache


def load_fits(curves: list[Curve], n_jobs: int) -> dict[str, dict]:
    """States of every curve, from the cache or fitted now (the cache is keyed by curve)."""
    cache = cached_per_curve(curves, f"fits-states2-families{REPEATS_TAG}", fit_prefixes, n_jobs)
    fits = {}
    for c in curves:
        d = cache[c.key]
        fits[c.key] = {
            "states": [
                None if st is None else State(**{k: _num(v) for k, v in st.items()})
                for st in d["states"]
            ],
            "pow_mid": np.array([math.nan if v is None else _num(v) for v in d["pow_mid"]]),
            "seconds": d["seconds"],
            "fits": d["fits"],
            "errors": d.get("errors", []),
        }
    return fits


# ---------------------------------------------------------------- the learned need model


def need_states(curve: Curve) -> dict:
    """The need model's feature row at every state a planner can plan from (None elsewhere)."""
    rows = []
    t0 = time.perf_counter()
    for j in range(curve.j0, curve.grid.size):
        if curve.truth[j] >= curve.target or j == curve.grid.size - 1:
            rows.append(None)
            continue
        mask = curve.sizes <= curve.grid[j]
        s, y = curve.sizes[mask], curve.scores[mask]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rows.append(need_row_from_points(s, y, curve.target).tolist())
    return {"key": curve.key, "rows": rows, "seconds": time.perf_counter() - t0}


def stops_measured(curve: Curve) -> list[bool]:
    """At each state: is the measured mean above the target beyond noise? ``next_purchase``
    then buys nothing more (and the benchmark counts the miss if the truth is below)."""
    return [
        clearly_reached(
            curve.sizes[curve.sizes <= curve.grid[j]],
            curve.scores[curve.sizes <= curve.grid[j]],
            curve.target,
        )
        for j in range(curve.j0, curve.grid.size)
    ]


def load_need_states(curves: list[Curve], n_jobs: int) -> dict[str, dict]:
    cache = cached_per_curve(curves, f"need-states-v1{REPEATS_TAG}", need_states, n_jobs)
    return {c.key: {**cache[c.key], "done": stops_measured(c)} for c in curves}


def need_table(n_jobs: int) -> dict[str, np.ndarray]:
    """The need model's training table (LCDB curves), built by the package's code."""
    # exactly the rows the package ships (a subset), so the score is the shipped model's
    return shipping_subset(load_or_build_table(DATA, CACHE / "need_table_full.npz", n_jobs))


def need_predictions(
    curves: list[Curve], states: dict, table: dict, exclude: set[int]
) -> dict[str, np.ndarray]:
    """Predicted log2(n_needed / n_seen) at every state of ``curves``, from a model trained on
    the table rows of datasets whose fold is not in ``exclude``."""
    folds = np.array([fold_of(int(g), FOLDS) for g in table["groups"]])
    keep = ~np.isin(folds, list(exclude))
    model = make_regressor().fit(table["X"][keep], table["y"][keep])
    out = {}
    for c in curves:
        rows = states[c.key]["rows"]
        pred = np.full(len(rows), np.nan)
        idx = [i for i, r in enumerate(rows) if r is not None]
        if idx:
            X = np.array([[_num(v) for v in rows[i]] for i in idx], dtype=float)
            pred[idx] = model.predict(X)
        out[c.key] = pred
    return out


def simulate_need(
    curve: Curve,
    pred: np.ndarray,
    done: list[bool],
    policy: NeedPolicy,
    spread: NeedSpread | None = None,
    quotes: list | None = None,
    rounds: int = ROUNDS,
) -> list[tuple[float, bool]]:
    """(bought, reached) after each of ``rounds`` rounds for the need planner
    (``next_purchase``'s rule).

    With ``spread`` and ``quotes``, appends (round, quoted P(reach) of the bought size, reached,
    bought everything) for every purchase the model made."""
    grid, j = curve.grid, curve.j0
    n_max = grid[-1]
    history = []
    reached = False
    for r in range(1, rounds + 1):
        if not reached:
            k = j - curve.j0
            if done[k]:
                want = grid[j]  # the measured score says the target is met: buy nothing
            else:
                want = purchase_from_need(pred[k], grid[j], n_max, rounds - r + 1, policy)
            seen = grid[j]
            j = max(j, min(int(np.searchsorted(grid, want - 1e-9)), grid.size - 1))
            reached = curve.truth[j] >= curve.target
            if quotes is not None and spread is not None and not done[k]:
                p = float(spread.prob_reached(pred[k], np.log2(grid[j] / seen)))
                quotes.append((r, p, reached, bool(grid[j] >= n_max)))
        history.append((grid[j], reached))
    return history


NEED_SEARCH = {
    "margin": np.round(np.arange(-1.0, 3.01, 0.05), 2),
    "floor": (0.0, 0.125, 0.25, 0.5, 0.75, 1.0),
}


def calibrate_need(curves: list[Curve], preds: dict, states: dict, sweeps: int = 3) -> NeedPolicy:
    """Search the per-round margins and floors minimising the benchmark's mean cost.

    The objective adds to the 3-round protocol's cost the cost of a single purchase from the
    first state: in 3 rounds the last-round margin only acts on the few curves still short
    after two purchases, which would leave it unidentified for someone with one round."""

    def obj(policy: NeedPolicy) -> float:
        hist = [simulate_need(c, preds[c.key], states[c.key]["done"], policy) for c in curves]
        t = score(curves, hist)
        once = [
            simulate_need(c, preds[c.key], states[c.key]["done"], policy, rounds=1) for c in curves
        ]
        one = float(score(curves, once).mean_cost.iloc[0])
        return float(t.mean_cost.iloc[0] + t.mean_cost.iloc[1] + 0.5 * t.mean_cost.iloc[2] + one)

    return coordinate_search(NeedPolicy(), NEED_SEARCH, obj, sweeps, len(curves))


def coordinate_search(policy, search: dict, objective, sweeps: int, n_curves: int):
    """Per-round values of a policy's fields, tried one at a time on the ``search`` grids
    and kept when they lower ``objective``, for ``sweeps`` passes."""
    best = objective(policy)
    for _ in range(sweeps):
        for name, k in product(tuple(search), range(ROUNDS)):
            for v in search[name]:
                vals = list(getattr(policy, name))
                vals[k] = float(v)
                trial = replace(policy, **{name: tuple(vals)})
                value = objective(trial)
                if value < best - 1e-9:
                    best, policy = value, trial
    return replace(policy, note=f"calibrated on {n_curves} LCDB curves by benchmarks/planning.py")


def run_need(curves: list[Curve], n_jobs: int, write_policy: bool) -> list:
    """The need planner, scored with nested grouped cross-validation by dataset.

    For each outer fold: the margins are calibrated on the other folds' curves with predictions
    from models that never saw those curves' datasets (nor the outer fold's), and the outer
    fold's curves are predicted by a model trained without their datasets.
    """
    states = load_need_states(curves, n_jobs)
    table = need_table(n_jobs)
    fold = {c.key: fold_of(c.openmlid, FOLDS) for c in curves}
    hist: dict[str, list] = {}
    once: dict[str, list] = {}
    quotes: list = []
    once_quotes: list = []
    for k in range(FOLDS):
        train = [c for c in curves if fold[c.key] != k]
        inner: dict[str, np.ndarray] = {}
        for m in range(FOLDS):
            if m != k:
                part = [c for c in train if fold[c.key] == m]
                inner.update(need_predictions(part, states, table, {k, m}))
        policy = calibrate_need(train, inner, states)
        # the P(reach) quoted with each purchase, from the same inner out-of-fold predictions
        spread = spread_of_states(train, inner)
        test = [c for c in curves if fold[c.key] == k]
        outer = need_predictions(test, states, table, {k})
        print(f"need fold {k} ({len(test)} test curves): {policy}", flush=True)
        for c in test:
            done = states[c.key]["done"]
            hist[c.key] = simulate_need(c, outer[c.key], done, policy, spread, quotes)
            once[c.key] = simulate_need(c, outer[c.key], done, policy, spread, once_quotes, 1)
    print_reliability(quotes)
    print("\nhowmuchdata: learned need, a single round from the first state (nested grouped CV)")
    table_once = score(curves, [once[c.key] for c in curves])
    print(table_once.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print_reliability(once_quotes)
    if write_policy:
        oof: dict[str, np.ndarray] = {}
        for m in range(FOLDS):
            oof.update(
                need_predictions([c for c in curves if fold[c.key] == m], states, table, {m})
            )
        policy = calibrate_need(curves, oof, states)
        NEED_POLICY_OUT.write_text(json.dumps(policy.to_dict(), indent=1) + "\n")
        print(f"wrote {NEED_POLICY_OUT}: {policy}")
        spread = spread_of_states(curves, oof)
        NEED_SPREAD_OUT.write_text(json.dumps(spread.to_dict()) + "\n")
        print(f"wrote {NEED_SPREAD_OUT}: {spread.note}")
    n_states = sum(r is not None for c in curves for r in states[c.key]["rows"])
    secs = sum(states[c.key]["seconds"] for c in curves)
    print(f"need features: {1000 * secs / max(n_states, 1):.0f} ms per state ({n_states} states)")
    return [hist[c.key] for c in curves]


#: Doublings of curve left beyond the predicted need for a state to count in the residual
#: spread. Every target of this protocol is reached by n_max, so a state with little curve
#: left cannot show a long miss; a user's pool has no such end.
SPREAD_ROOM = 3.0


def spread_of_states(curves: list[Curve], preds: dict) -> NeedSpread:
    """The residual spread of out-of-fold need predictions at the states of ``curves`` with
    ``SPREAD_ROOM`` doublings of curve left beyond the prediction."""
    predicted, actual = [], []
    for c in curves:
        for i, p in enumerate(preds[c.key]):
            seen = c.grid[c.j0 + i]
            if np.isfinite(p) and math.log2(c.grid[-1] / seen) - p >= SPREAD_ROOM:
                predicted.append(p)
                actual.append(math.log2(c.n_star / seen))
    note = (
        f"out-of-fold residuals at {len(actual)} states of {len(curves)} LCDB curves with "
        f"{SPREAD_ROOM:g}+ doublings left beyond the prediction (targets one point below the "
        "final score), by benchmarks/planning.py"
    )
    return NeedSpread.fit(np.array(predicted), np.array(actual), note)


def print_reliability(quotes: list) -> None:
    """Quoted P(reach) of each purchase against how often it reached the target.

    Purchases of everything up to n_max are shown apart: this protocol's target is one point
    below the truth at n_max, so they reach it by construction whatever was quoted."""
    q = pd.DataFrame(quotes, columns=["round", "quoted", "reached", "everything"])
    q["band"] = pd.cut(q.quoted, [0, 0.5, 0.7, 0.85, 0.95, 1.0], include_lowest=True)
    agg = dict(
        purchases=("quoted", "size"), mean_quoted=("quoted", "mean"), reached=("reached", "mean")
    )
    print("\nneed model: quoted P(reach) of each purchase vs reached (outer folds)")
    for title, part in (("bought everything", q[q.everything]), ("the rest", q[~q.everything])):
        print(f"{title}:")
        print(part.groupby("round").agg(**agg).to_string(float_format=lambda v: f"{v:.3f}"))
        if title == "the rest":
            by_band = part.groupby("band", observed=True).agg(**agg)
            print(by_band.to_string(float_format=lambda v: f"{v:.3f}"))


# ---------------------------------------------------------------- simulation by lookup


def simulate(
    curve: Curve, fit: dict | None, planner: str, policy: PurchasePolicy | None = None
) -> list[tuple[float, bool]]:
    """(bought, reached) after each of the rounds."""
    grid, j = curve.grid, curve.j0
    n_max = grid[-1]
    history = []
    done = missed = False
    for r in range(1, ROUNDS + 1):
        if not (done or missed):
            seen = grid[j]
            k = j - curve.j0
            if planner == "perfect":
                want = curve.n_star
            elif planner == "quadruple":
                want = 4 * seen
            elif planner == "power_law":
                mid = fit["pow_mid"][k]
                want = mid if math.isfinite(mid) else n_max
            else:
                state = fit["states"][k]
                if state is None:  # the extrapolation failed: buy as the default would
                    want = 4 * seen
                else:
                    want = purchase_from_state(state, curve.target, n_max, ROUNDS - r + 1, policy)
            if want is None:
                missed = True
            else:
                j = max(j, min(int(np.searchsorted(grid, want - 1e-9)), grid.size - 1))
                done = curve.truth[j] >= curve.target
        history.append((grid[j], done))
    return history


def score(curves: list[Curve], histories: list[list[tuple[float, bool]]]) -> pd.DataFrame:
    rows = []
    for r in range(len(histories[0])):
        ratio = np.array([h[r][0] / c.n_star for c, h in zip(curves, histories, strict=True)])
        ok = np.array([h[r][1] for h in histories])
        cost = ratio + MISS_PENALTY * (~ok)
        rows.append(
            {
                "round": r + 1,
                "reached": ok.mean(),
                "over_median": float(np.median(ratio[ok])) if ok.any() else math.nan,
                "over_p90": float(np.quantile(ratio[ok], 0.9)) if ok.any() else math.nan,
                "mean_cost": cost.mean(),
            }
        )
    return pd.DataFrame(rows)


def objective(curves, fits, policy) -> float:
    hist = [simulate(c, fits[c.key], "hmd", policy) for c in curves]
    table = score(curves, hist)
    # the targets concern rounds 1 and 2; round 3 keeps the last round honest
    return float(table.mean_cost.iloc[0] + table.mean_cost.iloc[1] + 0.5 * table.mean_cost.iloc[2])


SEARCH = {
    "offset": np.round(np.arange(-1.0, 2.01, 0.1), 2),
    "floor": (0.2, 0.35, 0.5, 0.7, 0.9, 1.1),
}


def typical_coef(curves: list[Curve], fits: dict) -> tuple[float, ...]:
    """Robust linear fit (Huber) of log(n_star / seen) on the state features of every state."""
    X, y = [], []
    for c in curves:
        for k, st in enumerate(fits[c.key]["states"]):
            if st is not None:
                X.append(st.features())
                y.append(math.log(c.n_star / c.grid[c.j0 + k]))
    model = HuberRegressor(fit_intercept=False, alpha=1e-3, max_iter=2000).fit(
        np.array(X), np.array(y)
    )
    return tuple(float(v) for v in model.coef_)


def calibrate(curves: list[Curve], fits: dict, sweeps: int = 2) -> PurchasePolicy:
    """Fit the typical need, then search the per-round margins minimising the mean cost.

    The give-up rule is not calibrated here: every target of this protocol is reachable by
    construction, so the benchmark would always say "never give up"."""
    start = PurchasePolicy(coef=typical_coef(curves, fits), offset=(0.0, 0.0, 0.0))
    return coordinate_search(
        start, SEARCH, lambda p: objective(curves, fits, p), sweeps, len(curves)
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int, default=None, help="use this many curves (random, seeded)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument(
        "--calibrate", action="store_true", help="write the policy calibrated on all curves"
    )
    ap.add_argument(
        "--repeats",
        type=int,
        default=None,
        help="the planners see only the first K runs at each size (the truth is unchanged)",
    )
    ap.add_argument(
        "--need-only", action="store_true", help="only the learned need planner (no baselines)"
    )
    args = ap.parse_args()
    if args.calibrate and args.repeats is not None:
        ap.error("--calibrate writes the shipped policy: run it with every repeat")
    global REPEATS_TAG
    REPEATS_TAG = "" if args.repeats is None else f"-r{args.repeats}"
    t0 = time.perf_counter()
    curves = load_curves(args.limit, repeats=args.repeats)
    if args.need_only:
        print(f"{len(curves)} curves; repeats per size: {args.repeats or 'all'}")
        t = score(curves, run_need(curves, args.jobs, False))
        print("\nhowmuchdata: learned need (nested grouped CV)")
        print(t.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        print(f"\ntotal {time.perf_counter() - t0:.0f} s")
        return
    fits = load_fits(curves, args.jobs)
    fit_s = sum(fits[c.key]["seconds"] for c in curves)
    n_prefix = sum(fits[c.key]["fits"] for c in curves)
    print(
        f"{len(curves)} curves from {len({c.openmlid for c in curves})} datasets; {n_prefix} prefix fits, "
        f"{fit_s / max(n_prefix, 1) * 1000:.0f} ms per fit (both fitters)"
    )
    fold = np.array([fold_of(c.openmlid, args.folds) for c in curves])
    hmd_hist: list = [None] * len(curves)
    for k in range(args.folds):
        train, test = np.nonzero(fold != k)[0], np.nonzero(fold == k)[0]
        policy = calibrate([curves[i] for i in train], fits)
        print(f"fold {k} ({test.size} test curves): {policy}", flush=True)
        for i in test:
            hmd_hist[i] = simulate(curves[i], fits[curves[i].key], "hmd", policy)
    tables = {
        "howmuchdata: learned need (nested grouped CV)": score(
            curves, run_need(curves, args.jobs, args.calibrate)
        ),
        "howmuchdata: family extrapolation + linear rule (grouped CV)": score(curves, hmd_hist),
    }
    for name in ("perfect", "quadruple", "power_law"):
        tables[name] = score(curves, [simulate(c, fits[c.key], name) for c in curves])
    pd.set_option("display.width", 140)
    for name, t in tables.items():
        print(f"\n{name}")
        print(t.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    if args.calibrate:
        policy = calibrate(curves, fits)
        POLICY_OUT.write_text(json.dumps(policy.to_dict(), indent=1) + "\n")
        print(f"\nwrote {POLICY_OUT}: {policy}")
    print(f"\ntotal {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
