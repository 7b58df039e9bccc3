"""Capacity-limited: training score low and flat, validation close under it.

When the model cannot even fit its own training rows well, and new rows score about the same,
more rows of the same data cannot lift it: a richer model or better features will. Only
judged for scorers whose best value is known (1 for accuracy, R^2, AUC, F1, ...). Wrong labels
also keep the training accuracy down, so when the data is at hand the best reachable accuracy
is lowered by the estimated share of wrong labels before the model is blamed.
"""

from __future__ import annotations

import numpy as np
from cleanlab.count import num_label_issues

from howmuchdata.diagnose._numbers import count, score_delta
from howmuchdata.diagnose.context import DiagnosisContext
from howmuchdata.diagnose.finding import Finding
from howmuchdata.models import richer_model_hint


class CapacityLimitedCheck:
    """Low, flat training score with a small gap: the model, not the data, is the limit."""

    name = "capacity_limited"
    kinds = ("capacity_limited",)
    requires = ("curve",)

    def run(self, ctx: DiagnosisContext) -> list[Finding]:
        best = ctx.best_possible_score
        table = ctx.by_size
        if best is None or len(table) < 2 or table["train_mean"].isna().all():
            return []
        opts = ctx.options
        last = table.iloc[-1]
        n = ctx.full_size
        # the training score one doubling back (or the closest size measured before it)
        earlier = table[table["size"] <= n / 2]
        before = earlier.iloc[-1] if len(earlier) else table.iloc[-2]
        train, val, gap = (
            float(last["train_mean"]),
            float(last["val_mean"]),
            float(last["gap_mean"]),
        )
        noise = _label_noise(ctx)
        if noise is not None:
            best -= noise
        shortfall = best - train
        train_rise = train - float(before["train_mean"])
        val_rise = val - float(before["val_mean"])
        low = shortfall >= opts.capacity_train_shortfall
        flat = train_rise < opts.min_gain
        close = np.isfinite(gap) and gap < opts.gap_threshold
        if not (low and flat and close):
            return []
        evidence = {
            "size": n,
            "train_score": train,
            "val_score": val,
            "gap": gap,
            "train_shortfall": shortfall,
            "train_change_last_doubling": train_rise,
            "val_change_last_doubling": val_rise,
            "best_possible_score": best,
            "label_noise_share": noise,
            "label_noise_probabilities": ctx.proba_source if noise is not None else None,
        }
        advice = (
            f"a richer model or better features will help more than more data: at {count(n)} "
            f"rows the model scores only {train:.3f} on its own training rows and validation "
            f"stays within {score_delta(abs(gap), True)} of it "
            f"({richer_model_hint(getattr(ctx.curve, 'model', None))})"
        )
        # A regression target can be noisy beyond any model (R^2 well under 1 with a perfect
        # model) and there is no label-noise estimate to forgive it: only a hint there.
        severity = "warning" if ctx.task == "classification" else "info"
        return [Finding("capacity_limited", severity, evidence, advice)]


def _label_noise(ctx: DiagnosisContext) -> float | None:
    """The share of wrong labels to forgive the training accuracy (accuracy on data at hand).

    cleanlab's calibrated count is used: it errs high, so label noise is not mistaken for a
    lack of capacity.
    """
    if not (ctx.has_table and ctx.task == "classification" and ctx.scoring in (None, "accuracy")):
        return None
    n_wrong = num_label_issues(
        ctx.labels, ctx.oof_proba, estimation_method="off_diagonal_calibrated"
    )
    return float(n_wrong) / ctx.labels.size
