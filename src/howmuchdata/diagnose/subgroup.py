"""Per subgroup (site, device, demographic): score and count, and who is left behind.

Each subgroup's out-of-fold score is compared with that of the rest of the rows, in the run's
scorer (the curve's ``scoring``) where it is computed from out-of-fold outputs
(:data:`howmuchdata.metrics.WEIGHTED_SCORERS`: accuracy, balanced accuracy, F1 / precision /
recall / Jaccard and their averages, Matthews correlation, log loss, Brier score, ROC AUC, R²
and the mean errors); otherwise, and without a curve, in accuracy (classification) or mean
absolute error (regression), and the evidence says why (``metric_reason``).

The test is a one-sided permutation test, valid for any of these scores: the subgroup's
shortfall against the shortfall of random sets of as many rows, or, when ``groups`` are given
and each group lies within one subgroup (patients within sites), of as many groups, so that
rows of one patient, which resemble each other, move together. Bonferroni over the subgroups
keeps the false-alarm rate at ``subgroup_alpha`` for the whole table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from howmuchdata._format import sig
from howmuchdata.diagnose._numbers import count, label, score_delta
from howmuchdata.diagnose.context import DiagnosisContext
from howmuchdata.diagnose.finding import Finding
from howmuchdata.metrics import (
    WEIGHTED_SCORERS,
    Outputs,
    WeightedScorer,
    scorer_bounds,
    weighted_scorer,
    weighted_scores,
)

CRITICAL_DROP = 0.20
MIN_PERMUTATIONS = 999
# Enough draws that the smallest p-value a test can reach, 1 / (draws + 1), is a tenth of the
# Bonferroni threshold.
RESOLUTION = 10
# Stop drawing once this many draws fall as low as the subgroup (Besag & Clifford's sequential
# p-value): such a subgroup is nowhere near significant, and most are not.
STOP_AFTER = 10
# Cells of one block of draws x rows held in memory at once.
BLOCK_CELLS = 2_000_000
_BINARY_ONLY = ("roc_auc", "precision", "recall", "f1", "jaccard")


@dataclass(frozen=True)
class SubgroupMetric:
    """The score the subgroups are compared in.

    Attributes
    ----------
    scorer : WeightedScorer
        Its values, greater is better (a ``neg_*`` scorer is minus the error).
    key : str
        Its name in the evidence's per-subgroup table (``accuracy``, ``log_loss``, ...).
    text : str
        Its name in words (``accuracy``, ``log loss``, ``R²``).
    error : bool
        An error (shown as a positive number; its shortfall is a share of the rest's error).
    fixed_scale : bool
        At most 1 (accuracy-like, R², Matthews correlation): shortfalls in points.
    reason : str or None
        Why it is not the run's scorer (None when it is, or when there is no run's scorer).
    note : str or None
        How it is computed per subgroup, where that differs from the plain scorer.
    """

    scorer: WeightedScorer
    key: str
    text: str
    error: bool
    fixed_scale: bool
    reason: str | None = None
    note: str | None = None

    def shown(self, goodness: float) -> float:
        """The score as written: the error itself (positive) for errors."""
        return -goodness if self.error else goodness


def _metric(
    scorer: WeightedScorer, reason: str | None = None, note: str | None = None
) -> SubgroupMetric:
    name = scorer.name
    key = name.removeprefix("neg_")
    text = {"r2": "R²", "roc_auc": "ROC AUC"}.get(key, key.replace("_", " "))
    bounds = scorer_bounds(name)
    fixed = bounds is not None and bounds[1] == 1.0
    return SubgroupMetric(scorer, key, text, name.startswith("neg_"), fixed, reason, note)


def subgroup_metric(ctx: DiagnosisContext) -> SubgroupMetric:
    """The metric the subgroups are scored in: the run's scorer where it can be computed per
    subgroup from the out-of-fold outputs, else accuracy or mean absolute error, saying why."""
    classification = ctx.task == "classification"
    default = WEIGHTED_SCORERS["accuracy" if classification else "neg_mean_absolute_error"]
    scoring = ctx.scoring
    if scoring is None or scoring == default.name:
        return _metric(default)
    chosen = weighted_scorer(scoring, ctx.task)
    fallback = f"subgroups are scored in {default.name.removeprefix('neg_').replace('_', ' ')}"
    if chosen is None:
        covered = ", ".join(n for n, s in WEIGHTED_SCORERS.items() if s.task == ctx.task)
        why = (
            f"the run's scorer {scoring!r} is not computed per subgroup from out-of-fold "
            f"outputs (these are: {covered})"
        )
        return _metric(default, f"{fallback}: {why}")
    if classification:
        classes = ctx.classes
        if scoring in _BINARY_ONLY and (classes.size != 2 or not np.any(classes == 1)):
            why = f"{scoring!r} needs two classes, one of them 1, and this target has {classes}"
            return _metric(default, f"{fallback}: {why}")
        if chosen.needs == "proba" and ctx.proba_preset is not None:
            why = (
                f"the run's scorer {scoring!r} reads probabilities and the model has neither "
                "predict_proba nor decision_function"
            )
            return _metric(default, f"{fallback}: {why}")
    if scoring == "r2":
        # Within a subgroup, R² divides by that subgroup's own target variance: a site whose
        # patients span a narrower range would score lower for the same errors.
        var = float(np.var(np.asarray(ctx.y, dtype=float)))
        mse = WEIGHTED_SCORERS["neg_mean_squared_error"]
        pooled = WeightedScorer(
            "r2", "regression", "values", lambda w, o: 1 + mse.score(w, o) / max(var, 1e-300)
        )
        note = (
            "R² of each subgroup's errors against the variance of the whole target "
            "(1 - its mean squared error / that variance), so that a subgroup whose target "
            "spans a narrower range is not marked down for it"
        )
        return _metric(pooled, note=note)
    return _metric(chosen)


def _outputs(ctx: DiagnosisContext, metric: SubgroupMetric) -> Outputs:
    if ctx.task == "classification":
        proba = ctx.oof_proba if metric.scorer.needs == "proba" else None
        return Outputs(ctx.labels, ctx.oof_labels, proba, ctx.classes)
    return Outputs(np.asarray(ctx.y, dtype=float), np.asarray(ctx.oof_prediction, dtype=float))


def _units(ctx: DiagnosisContext) -> tuple[np.ndarray, str]:
    """The unit each row is permuted with: its group when every group lies within one
    subgroup, else the row itself."""
    rows = np.arange(len(ctx.subgroup))
    if ctx.groups is None:
        return rows, "rows"
    frame = pd.DataFrame({"g": pd.factorize(np.asarray(ctx.groups))[0], "s": ctx.subgroup})
    if frame.groupby("g")["s"].nunique().max() > 1:
        return rows, "rows (some groups span several subgroups)"
    return frame["g"].to_numpy(), "groups"


class SubgroupCheck:
    """Underperforming subgroups, with their size; small ones get "collect more" advice."""

    name = "subgroup_underperforms"
    kinds = ("subgroup_underperforms",)
    requires = ("data", "table", "subgroup")

    def run(self, ctx: DiagnosisContext) -> list[Finding]:
        metric = subgroup_metric(ctx)
        outputs = _outputs(ctx, metric)
        subgroup = np.asarray(ctx.subgroup)
        names, codes = np.unique(subgroup, return_inverse=True)
        unit, unit_kind = _units(ctx)
        n, n_groups = subgroup.size, names.size
        alpha = ctx.options.subgroup_alpha / max(n_groups, 1)
        inside = (codes[np.newaxis, :] == np.arange(n_groups)[:, np.newaxis]).astype(float)
        good_in = weighted_scores(metric.scorer, inside, outputs)
        good_out = weighted_scores(metric.scorer, 1.0 - inside, outputs)
        drops = _shortfall(metric, good_in, good_out)
        rng = np.random.default_rng(ctx.options.random_state)
        max_draws = max(MIN_PERMUTATIONS, math.ceil(RESOLUTION / alpha) - 1)
        rows, table_evidence = [], {}
        for g, name in enumerate(names):
            members = codes == g
            table_evidence[str(name)] = {
                "n": int(members.sum()),
                "share": float(members.mean()),
                metric.key: _finite(metric.shown(good_in[g])),
            }
            if not (np.isfinite(drops[g]) and drops[g] >= ctx.options.subgroup_min_drop):
                continue  # too small a shortfall to report, whatever its p-value
            p, draws = _permutation_p(
                metric, outputs, unit, np.unique(unit[members]).size, drops[g], max_draws, rng
            )
            rows.append((name, int(members.sum()), good_in[g], good_out[g], drops[g], p, draws))
        findings = []
        flagged = [r for r in rows if r[5] < alpha]
        for name_, size, g_in, g_out, drop, p, draws in sorted(flagged, key=lambda r: -r[4]):
            share = size / n
            # short of data: under half the rows an even split would give it (at 1/n_groups
            # itself, groups of nearly equal size fell on either side by chance)
            small = share < 0.5 / n_groups
            name = label(name_)
            score, rest = metric.shown(g_in), metric.shown(g_out)
            diff = (
                f"{100 * drop:.0f}% larger errors"
                if metric.error
                else score_delta(drop, metric.fixed_scale)
            )
            where = (
                f"{metric.text} {sig(score, 3)} against {sig(rest, 3)} for the other rows ({diff})"
            )
            if small:
                advice = (
                    f"collect more from subgroup {name}: it has {count(size)} rows "
                    f"({100 * share:.1f}%) and {where}; doubling it to ~{count(2 * size)} rows "
                    "is the first step"
                )
            else:
                advice = (
                    f"review labels and features of subgroup {name}: it has {count(size)} rows "
                    f"({100 * share:.1f}%), so its {where} is not for lack of data"
                )
            if metric.reason is not None:
                advice += f" ({metric.reason})"
            units = "groups" if unit_kind == "groups" else "rows"
            evidence = {
                "subgroup": name_,
                "n": size,
                "share": share,
                "metric": metric.text,
                "scoring": metric.scorer.name,
                "score": score,
                "score_rest": rest,
                "shortfall": drop,
                "shortfall_relative": metric.error,
                "short_of_data": bool(small),
                "p_value": p,
                "p_threshold": alpha,
                "test": (
                    f"one-sided permutation test of the shortfall in {metric.text}: {draws:,} "
                    f"random sets of as many {units} as the subgroup has; Bonferroni over "
                    f"{n_groups} subgroups"
                ),
                "test_unit": unit_kind,
                "permutations": draws,
                "subgroups": table_evidence,
            }
            if metric.scorer.needs == "proba":
                evidence["probabilities"] = ctx.proba_source
            if metric.reason is not None:
                evidence["metric_reason"] = metric.reason
            if metric.note is not None:
                evidence["metric_note"] = metric.note
            critical = metric.fixed_scale and drop >= CRITICAL_DROP
            severity = "critical" if critical else "warning"
            findings.append(Finding("subgroup_underperforms", severity, evidence, advice))
        return findings


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def _shortfall(metric: SubgroupMetric, good_in: np.ndarray, good_out: np.ndarray) -> np.ndarray:
    """How much worse the subgroup scores than the rest: points for scores at most 1, the
    share by which its error exceeds the rest's for errors."""
    good_in, good_out = np.asarray(good_in, dtype=float), np.asarray(good_out, dtype=float)
    if not metric.error:
        return good_out - good_in
    rest = -good_out
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(rest > 0, (good_out - good_in) / np.where(rest > 0, rest, 1.0), 0.0)


def _permutation_p(
    metric: SubgroupMetric,
    outputs: Outputs,
    unit: np.ndarray,
    m: int,
    observed: float,
    max_draws: int,
    rng: np.random.Generator,
) -> tuple[float, int]:
    """One-sided permutation p-value of a shortfall: the share of random sets of ``m`` units
    (with the rest of the rows as their rest) that fall at least as short.

    Returns the p-value and the number of draws it is based on; draws whose score is
    undefined (e.g. an AUC of one class) are left out.
    """
    n_units = int(unit.max()) + 1
    block = int(np.clip(BLOCK_CELLS // max(unit.size, 1), 16, 1000))
    as_low = valid = 0
    tolerance = 1e-12 * max(abs(observed), 1.0)
    while valid < max_draws:
        keys = rng.random((block, n_units))
        chosen = np.zeros((block, n_units))
        np.put_along_axis(chosen, np.argpartition(keys, m - 1, axis=1)[:, :m], 1.0, axis=1)
        weights = chosen[:, unit]
        drops = _shortfall(
            metric,
            weighted_scores(metric.scorer, weights, outputs),
            weighted_scores(metric.scorer, 1.0 - weights, outputs),
        )
        drops = drops[np.isfinite(drops)][: max_draws - valid]
        valid += drops.size
        as_low += int((drops >= observed - tolerance).sum())
        if as_low >= STOP_AFTER:
            return as_low / valid, valid
        if drops.size == 0:  # no draw of this size has a defined score
            break
    return (as_low + 1) / (valid + 1), valid
