"""Per class: which classes' recall still rises steeply, and how many more examples they need.

For each class, its validation recall is regressed on log2 of its own training count over the
last measured doublings (sizes n/4 to n). A class below the overall target whose recall still
gains ``class_min_gain`` or more per doubling needs more of its own examples. The count that
reaches the target extends that straight line in log2(count); real curves flatten, so the
estimate is optimistic (a lower bound on what is needed). A rise whose interval includes no
gain is said as such, at severity info: label some more and remeasure.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from howmuchdata.diagnose._numbers import count, label, round_up, slope_per_doubling
from howmuchdata.diagnose.context import DiagnosisContext
from howmuchdata.diagnose.finding import Finding

MAX_FINDINGS = 5
# A class less than this far under the target is not "behind".
MARGIN = 0.05


class ClassNeedsDataCheck:
    """Classes whose recall still rises steeply, with the examples needed to reach the target."""

    name = "class_needs_data"
    kinds = ("class_needs_data",)
    requires = ("curve", "classification")

    def run(self, ctx: DiagnosisContext) -> list[Finding]:
        pts = ctx.points
        if "val_recall" not in pts or pts["val_recall"].isna().all():
            return []
        classes = _classes(ctx, pts)
        n = ctx.full_size
        recent = pts[pts["size"] >= n / 4]
        last = pts[pts["size"] == n]
        recall_now = {c: _mean(last["val_recall"], c) for c in classes}
        weights = {c: _mean(last["val_counts"], c) for c in classes}
        target = ctx.options.target
        if target is None:  # the overall score: recalls weighted by validation counts
            w = np.array([weights[c] if np.isfinite(weights[c]) else 0 for c in classes])
            r = np.array([recall_now[c] for c in classes])
            keep = np.isfinite(r) & (w > 0)
            if ctx.scoring == "balanced_accuracy":
                # the run's score is the plain mean of the recalls: "the overall" is that
                w = np.where(keep, 1.0, 0.0)
            target = float(np.average(r[keep], weights=w[keep])) if keep.any() else float("nan")
        if not np.isfinite(target):
            return []
        rows = []
        for c in classes:
            counts = recent["train_counts"].map(lambda d, c=c: _get(d, c)).astype(float)
            recalls = recent["val_recall"].map(lambda d, c=c: _get(d, c)).astype(float)
            ok = np.isfinite(counts) & np.isfinite(recalls) & (counts > 0)
            if ok.sum() < 2:
                continue
            slope, lo, hi = slope_per_doubling(counts[ok], recalls[ok], ctx.options.level)
            have = _mean(last["train_counts"], c)
            rows.append((c, recall_now[c], have, slope, lo, hi))
        table = pd.DataFrame(rows, columns=["cls", "recall", "count", "slope", "lo", "hi"])
        behind = table[
            (table["recall"] < target - MARGIN) & (table["slope"] >= ctx.options.class_min_gain)
        ].copy()
        if behind.empty:
            return []
        behind["needed"] = behind["count"] * 2 ** ((target - behind["recall"]) / behind["slope"])
        behind["more"] = behind["needed"] - behind["count"]
        findings = []
        for r in behind.sort_values("more").head(MAX_FINDINGS).itertuples():
            name = label(r.cls)
            evidence = {
                "class": r.cls,
                "recall": r.recall,
                "target": target,
                "train_count": r.count,
                "recall_gain_per_doubling": r.slope,
                "recall_gain_interval": [r.lo, r.hi],
                "examples_needed": r.needed,
                "more_examples": r.more,
                "estimate": "log-linear extrapolation of recall in the class count (optimistic)",
            }
            # a rise whose interval reaches down to no gain is a lead, not a purchase order
            certain = bool(r.lo > 0)
            evidence["gain_certain"] = certain
            advice = _advice(r, name, target, certain, ctx.options.level)
            severity = "warning" if certain else "info"
            findings.append(Finding("class_needs_data", severity, evidence, advice))
        return findings


def _advice(r: Any, name: str, target: float, certain: bool, level: float) -> str:
    """The finding's action: how many more examples of the class, as firmly as the measured
    rise of its recall allows."""
    have, more, needed = count(r.count), count(round_up(r.more)), count(round_up(r.needed))
    if certain:
        return (
            f"label ~{more} more examples of class {name}: its recall {r.recall:.2f} still "
            f"rises {100 * r.slope:.1f} points per doubling of its {have} training examples "
            f"and reaches the overall {target:.2f} near ~{needed}"
        )
    if math.isfinite(r.lo):
        doubt = (
            f"its {level:.0%} interval, {100 * r.lo:.1f} to {100 * r.hi:.1f} points, "
            "includes no gain"
        )
    else:
        doubt = "too few sizes were measured to tell that rise from noise"
    return (
        f"label some more examples of class {name} and remeasure: its recall {r.recall:.2f} "
        f"rose {100 * r.slope:.1f} points per doubling of its {have} training examples, but "
        f"{doubt}; if the rise holds, it reaches the overall {target:.2f} near ~{needed} "
        f"(~{more} more)"
    )


def _classes(ctx: DiagnosisContext, pts: pd.DataFrame) -> list[Any]:
    classes = getattr(ctx.curve, "classes", None)
    if classes:
        return list(classes)
    seen: dict[str, Any] = {}
    for d in pts["val_recall"].dropna():
        seen.update({str(k): k for k in d})
    return list(seen.values())


def _get(d: Any, c: Any) -> float:
    """``d[c]`` for a class->value dict, also when JSON turned the keys into strings."""
    if not isinstance(d, Mapping):
        return float("nan")
    value = d.get(c, d.get(str(c)))
    return float("nan") if value is None else float(value)


def _mean(column: pd.Series, c: Any) -> float:
    values = np.array([_get(d, c) for d in column], dtype=float)
    values = values[np.isfinite(values)]
    return float(values.mean()) if values.size else float("nan")
