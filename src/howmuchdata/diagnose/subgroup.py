"""Per subgroup (site, device, demographic): score and count, and who is left behind.

Each subgroup's out-of-fold score is compared with the rest of the rows: for classification
the accuracy with a one-sided Fisher exact test, for regression the absolute errors with a
one-sided Mann-Whitney U test. Bonferroni over the subgroups keeps the false-alarm rate at
``subgroup_alpha`` for the whole table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from howmuchdata._format import sig
from howmuchdata.diagnose._numbers import count, label, score_delta
from howmuchdata.diagnose.context import DiagnosisContext
from howmuchdata.diagnose.finding import Finding

CRITICAL_DROP = 0.20


class SubgroupCheck:
    """Underperforming subgroups, with their size; small ones get "collect more" advice."""

    name = "subgroup_underperforms"
    kinds = ("subgroup_underperforms",)
    requires = ("data", "table", "subgroup")

    def run(self, ctx: DiagnosisContext) -> list[Finding]:
        classification = ctx.task == "classification"
        if classification:
            quality = (ctx.oof_prediction == ctx.y).astype(float)  # 1 = right
        else:
            quality = -np.abs(ctx.oof_prediction - ctx.y)  # higher is better
        frame = pd.DataFrame({"subgroup": ctx.subgroup, "q": quality})
        table = frame.groupby("subgroup", sort=True)["q"].agg(["size", "mean"])
        n, n_groups = len(frame), len(table)
        alpha = ctx.options.subgroup_alpha / max(n_groups, 1)
        rows = []
        for name, row in table.iterrows():
            inside = frame["q"][frame["subgroup"] == name].to_numpy()
            outside = frame["q"][frame["subgroup"] != name].to_numpy()
            if classification:
                score, rest = inside.mean(), outside.mean()
                drop = rest - score
                _, p = stats.fisher_exact(
                    [
                        [inside.sum(), inside.size - inside.sum()],
                        [outside.sum(), outside.size - outside.sum()],
                    ],
                    alternative="less",
                )
            else:
                score, rest = -inside.mean(), -outside.mean()  # mean absolute error
                drop = (score - rest) / rest if rest > 0 else 0.0  # relative error increase
                p = stats.mannwhitneyu(inside, outside, alternative="less").pvalue
            rows.append((name, int(row["size"]), float(score), float(rest), float(drop), float(p)))
        results = pd.DataFrame(rows, columns=["subgroup", "n", "score", "rest", "drop", "p"])
        metric = "accuracy" if classification else "mean absolute error"
        table_evidence = {
            str(r.subgroup): {"n": r.n, "share": r.n / n, metric.replace(" ", "_"): r.score}
            for r in results.itertuples()
        }
        flagged = results[
            (results["p"] < alpha) & (results["drop"] >= ctx.options.subgroup_min_drop)
        ]
        findings = []
        for r in flagged.sort_values("drop", ascending=False).itertuples():
            share = r.n / n
            # short of data: under half the rows an even split would give it (at 1/n_groups
            # itself, groups of nearly equal size fell on either side by chance)
            small = share < 0.5 / n_groups
            name = label(r.subgroup)
            diff = (
                score_delta(r.drop, True)
                if classification
                else f"{100 * r.drop:.0f}% larger errors"
            )
            where = (
                f"{metric} {sig(r.score, 3)} against {sig(r.rest, 3)} for the other rows ({diff})"
            )
            if small:
                advice = (
                    f"collect more from subgroup {name}: it has {count(r.n)} rows "
                    f"({100 * share:.1f}%) and {where}; doubling it to ~{count(2 * r.n)} rows is "
                    "the first step"
                )
            else:
                advice = (
                    f"review labels and features of subgroup {name}: it has {count(r.n)} rows "
                    f"({100 * share:.1f}%), so its {where} is not for lack of data"
                )
            evidence = {
                "subgroup": r.subgroup,
                "n": r.n,
                "share": share,
                "metric": metric,
                "score": r.score,
                "score_rest": r.rest,
                "shortfall": r.drop,
                "short_of_data": bool(small),
                "p_value": r.p,
                "p_threshold": alpha,
                "subgroups": table_evidence,
            }
            severity = "critical" if r.drop >= CRITICAL_DROP and classification else "warning"
            findings.append(Finding("subgroup_underperforms", severity, evidence, advice))
        return findings
