"""Benchmark: learning-curve extrapolation on the public LCDB slice (issue 4 protocol).

    .venv/bin/python benchmarks/extrapolation.py [--limit 300] [--n-jobs 2]

A curve is one (openmlid, learner) at one deterministically chosen outer seed; its points are
the repeats' ``score_valid`` at each ``size_train``. For each cut-off k in 16, 8, 4 the models
see the points at sizes <= n_max / k (at least 4 distinct sizes, else the curve is skipped) and
predict every larger size; the truth at a size is the mean ``score_test`` over all outer and
inner seeds. howmuchdata's learned model is retrained per fold of a 5-fold cross-validation
grouped by dataset (through the package's own training code), so every curve is predicted by
a model that never saw its dataset; the single families need no training.

Beside the protocol, ``howmuchdata+train`` is the same package given each point's training
score too (LCDB's ``score_train``, which ``curve.extrapolate()`` passes on from a measured
curve): a second learned model, retrained per fold the same way, reads the gap between training
and validation scores. It is reported apart from the headline (``--no-train-scores`` leaves it
out).

Reported per cut-off and model: MAE at n_max, MAE over all larger sizes, share of errors
> 0.05 at n_max, coverage and mean width of the 80% interval at n_max (delta-method bands for
the families), the median |log2(predicted / true size)| to reach one point below the final
truth, and the median milliseconds per curve (one core).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core per curve: times are per core

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from howmuchdata.extrapolate import ALL_MODELS, extrapolate
from howmuchdata.extrapolate.fitting import CurveData, fit_family
from howmuchdata.extrapolate.lcdb import (
    LcdbCurve,
    build_table,
    cached_table,
    fewer_repeats,
    select_curves,
    shipping_subset,
)
from howmuchdata.extrapolate.learned import train_learned

CUTOFFS = (16, 8, 4)
LEVEL = 0.8
Z80 = 1.2815515655446004
HMD = "howmuchdata"
# howmuchdata given the training scores too (LCDB's score_train): outside the protocol,
# whose points are the validation scores only, so reported beside it, never as the headline
HMD_TRAIN = "howmuchdata+train"


def true_size_for(curve: LcdbCurve, target: float) -> float:
    """Smallest size at which the truth curve reaches ``target`` (log-linear between sizes)."""
    s, t = curve.truth_sizes, curve.truth
    hit = np.nonzero(t >= target)[0]
    if len(hit) == 0:
        return np.inf
    j = int(hit[0])
    if j == 0:
        return float(s[0])
    frac = (target - t[j - 1]) / (t[j] - t[j - 1])
    return float(np.exp(np.log(s[j - 1]) + frac * (np.log(s[j]) - np.log(s[j - 1]))))


def model_size_for(predict, n_min: float, target: float) -> float:
    """Size at which a predicted curve (callable on sizes) first reaches ``target``."""
    grid = np.exp2(np.linspace(np.log2(n_min), np.log2(n_min) + 24, 24 * 8 + 1))
    pred = predict(grid)
    hit = np.nonzero(pred >= target)[0]
    if len(hit) == 0:
        return np.inf
    j = int(hit[0])
    if j == 0:
        return float(grid[0])
    p0, p1 = pred[j - 1], pred[j]
    frac = 1.0 if p1 == p0 else (target - p0) / (p1 - p0)
    return float(np.exp(np.log(grid[j - 1]) + frac * (np.log(grid[j]) - np.log(grid[j - 1]))))


def _record(curve, k, name, pred_fn, lo_hi, ms, later, truth_later, n_min, target, true_n) -> dict:
    """One model's figures on one curve at one cut-off."""
    pred = np.clip(pred_fn(later), 0.0, 1.0)
    err = np.abs(pred - truth_later)
    lo, hi = lo_hi
    n_for = model_size_for(pred_fn, n_min, target)
    return {
        "openmlid": curve.openmlid, "learner": curve.learner, "cutoff": k, "model": name,
        "err_max": float(err[-1]), "err_all": float(err.mean()),
        "signed_max": float(pred[-1] - truth_later[-1]),
        "covered": float(lo <= truth_later[-1] <= hi) if np.isfinite(lo) else np.nan,
        "width": float(hi - lo), "halfwidth": float((hi - lo) / 2),
        "size_err": abs(np.log2(n_for / true_n)) if np.isfinite(true_n) else np.nan,
        "ms": ms,
    }  # fmt: skip


def evaluate_curve(
    curve: LcdbCurve,
    model,
    families: bool = True,
    repeats: int | None = None,
    train_model=None,
) -> list[dict]:
    """All models on one curve at all cut-offs: one record per (cut-off, model)."""
    rows = []
    n_max = curve.n_max
    truth_max = float(curve.truth_at(np.array([n_max]))[0])
    target = truth_max - 0.01
    true_n = true_size_for(curve, target)
    for k in CUTOFFS:
        keep = curve.sizes <= n_max / k
        if len(np.unique(curve.sizes[keep])) < 4:
            continue
        sizes, scores = fewer_repeats(curve.sizes[keep], curve.scores[keep], repeats)
        later = np.unique(curve.sizes[curve.sizes > sizes.max()])
        truth_later = curve.truth_at(later)
        n_min = float(sizes.min())
        context = (later, truth_later, n_min, target, true_n)

        def record(name, pred_fn, lo_hi, ms, k=k, context=context):
            rows.append(_record(curve, k, name, pred_fn, lo_hi, ms, *context))

        def record_hmd(name, learned_model, train=None, record=record, sizes=sizes, scores=scores):
            t0 = time.perf_counter()
            ext = extrapolate(
                sizes, scores, direction="increase", learned_model=learned_model,
                train_scores=train,
            )  # fmt: skip
            ms = 1000 * (time.perf_counter() - t0)
            lo, hi = ext.interval(np.array([n_max]), LEVEL)
            record(name, ext.predict, (float(lo[0]), float(hi[0])), ms)
            return ext

        ext = record_hmd(HMD, model)
        rows[-1]["method"] = ext.method
        rows[-1]["flags"] = ",".join(ext.flags)
        if train_model is not None and curve.train_scores is not None:
            _, train = fewer_repeats(curve.sizes[keep], curve.train_scores[keep], repeats)
            record_hmd(HMD_TRAIN, train_model, train)
        if not families:
            continue
        data = CurveData.from_points(sizes, 1.0 - scores, 0.0)
        for name in ALL_MODELS:
            t0 = time.perf_counter()
            fit = fit_family(name, data, with_cov=True)
            ms = 1000 * (time.perf_counter() - t0)
            failed = not fit.ok
            if failed:  # a failed fit answers with the last value, so every model answers
                fit = fit_family("last", data)
            p = float(np.clip(1.0 - fit.predict(np.array([n_max]))[0], 0.0, 1.0))
            se = float(fit.predict_se(np.array([n_max]))[0])
            if name == "last":  # no parameters: the band is the repeats' standard error
                se = float(data.se[-1])
            band = (p - Z80 * se, p + Z80 * se) if np.isfinite(se) else (np.nan, np.nan)
            record(name, lambda g, fit=fit: 1.0 - fit.predict(g), band, ms)
            rows[-1]["failed"] = failed
    return rows


def summarise(res: pd.DataFrame) -> pd.DataFrame:
    """Per cut-off and model: the reported figures."""
    out = []
    for (k, name), g in res.groupby(["cutoff", "model"]):
        fail = g["failed"].fillna(False).astype(bool) if "failed" in g else g["err_max"].isna()
        out.append(
            {
                "cutoff": k, "model": name, "curves": len(g), "failed": int(fail.sum()),
                "mae_nmax": g["err_max"].mean(), "mae_all": g["err_all"].mean(),
                "share_gt_0.05": (g["err_max"] > 0.05).mean(),
                "cov80": g["covered"].mean(), "width80": g["width"].mean(),
                "size_for_log2": g["size_err"].median(), "ms_median": g["ms"].median(),
            }
        )  # fmt: skip
    return pd.DataFrame(out)


def needed_width(res: pd.DataFrame, k: int, family: str, coverage: float) -> float:
    """Mean width the family's delta-method band needs, scaled, to reach ``coverage``."""
    g = res[(res.cutoff == k) & (res.model == family)].dropna(subset=["halfwidth", "err_max"])
    g = g[g["halfwidth"] > 0]
    if g.empty:
        return np.nan
    ratio = g["err_max"] / g["halfwidth"]
    c = float(np.quantile(ratio, coverage))
    return float(np.mean(2 * c * g["halfwidth"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lcdb", default="../shared/data/lcdb_public_accuracy.parquet")
    parser.add_argument("--limit", type=int, default=None, help="every n-th curve to get ~N curves")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument(
        "--inner-folds", type=int, default=5, help="grouped folds for the interval quantiles"
    )
    parser.add_argument("--table-cache", default=None, help="reuse/keep the training table here")
    parser.add_argument("--save", default=None, help="write per-curve records (parquet)")
    parser.add_argument("--no-families", action="store_true", help="only howmuchdata")
    parser.add_argument(
        "--no-train-scores",
        action="store_true",
        help=f"leave out {HMD_TRAIN}, the model that also reads the training scores",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=None,
        help="give the models only the first K repeats at each size (the truth is unchanged)",
    )
    args = parser.parse_args()
    from joblib import Parallel, delayed
    from sklearn.model_selection import GroupKFold

    t0 = time.time()
    curves = select_curves(pd.read_parquet(args.lcdb))
    cache = Path(args.table_cache) if args.table_cache else None
    table = cached_table(cache, lambda: build_table(curves, n_jobs=args.n_jobs))
    table = shipping_subset(table)  # exactly the rows the package ships
    print(f"{len(curves)} curves, training table {len(table['X'])} rows ({time.time() - t0:.0f} s)")
    if args.limit:
        step = max(1, len(curves) // args.limit)
        curves = curves[::step][: args.limit]
    ids = np.array([c.openmlid for c in curves])
    records: list[dict] = []
    for fold, (_, test) in enumerate(GroupKFold(n_splits=args.folds).split(ids, groups=ids)):
        test_ids = set(ids[test].tolist())
        train_rows = ~np.isin(table["groups"], list(test_ids))
        fold_table = {k: v[train_rows] for k, v in table.items()}
        model = train_learned(fold_table, n_splits=args.inner_folds)
        train_model = None
        if not args.no_train_scores:
            train_model = train_learned(fold_table, n_splits=args.inner_folds, with_train=True)
        parts = Parallel(n_jobs=args.n_jobs, batch_size=4)(
            delayed(evaluate_curve)(
                curves[i], model, not args.no_families, args.repeats, train_model
            )
            for i in test
        )
        records.extend(r for p in parts for r in p)
        print(f"fold {fold + 1}/{args.folds}: {len(test)} curves ({time.time() - t0:.0f} s)")
    res = pd.DataFrame(records)
    if args.save:
        res.to_parquet(args.save)
    summary = summarise(res)
    pd.set_option("display.width", 200)
    for k in CUTOFFS:
        s = summary[summary.cutoff == k].sort_values("mae_nmax")
        print(f"\n== cut-off n_max/{k} ==")
        print(s.drop(columns="cutoff").to_string(index=False, float_format=lambda v: f"{v:.4f}"))
        singles = s[~s.model.isin([HMD, HMD_TRAIN])]
        if singles.empty:
            continue
        best = singles.iloc[0]
        mine = s[s.model == HMD].iloc[0]
        gain = 1 - mine.mae_nmax / best.mae_nmax
        need = needed_width(res, k, best.model, mine.cov80)
        print(
            f"best single family: {best.model} MAE {best.mae_nmax:.4f}; howmuchdata "
            f"{mine.mae_nmax:.4f} ({gain:+.1%} lower; target >= 25%); coverage {mine.cov80:.3f} "
            f"(target 0.75-0.85); width {mine.width80:.4f} vs {need:.4f} that {best.model}'s band "
            f"needs for the same coverage (ratio {mine.width80 / need:.2f}, target <= 2)"
        )
        if (s.model == HMD_TRAIN).any():
            with_train = s[s.model == HMD_TRAIN].iloc[0]
            print(
                f"{HMD_TRAIN} (outside the protocol: also reads score_train): MAE "
                f"{with_train.mae_nmax:.4f} ({1 - with_train.mae_nmax / best.mae_nmax:+.1%} "
                f"lower than {best.model}), coverage {with_train.cov80:.3f}, width "
                f"{with_train.width80:.4f}"
            )
    print(f"\ntotal {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
