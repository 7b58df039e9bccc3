"""Class imbalance: minority classes and what their small share costs in recall.

The recall is that of the model's own out-of-fold predictions (:attr:`DiagnosisContext.oof_labels`),
so it needs no probabilities: a classifier without ``predict_proba`` is judged as it predicts.
"""

from __future__ import annotations

import math

import numpy as np
from sklearn.metrics import recall_score

from howmuchdata.diagnose._numbers import count, label
from howmuchdata.diagnose.context import DiagnosisContext
from howmuchdata.diagnose.finding import Finding

# A minority class whose recall trails the other classes by this much is held back by it.
RECALL_SHORTFALL = 0.05


class ImbalanceCheck:
    """Minority share per class and its per-class effect on out-of-fold recall."""

    name = "imbalance"
    kinds = ("imbalance",)
    requires = ("data", "table", "classification")

    def run(self, ctx: DiagnosisContext) -> list[Finding]:
        counts = np.bincount(ctx.labels, minlength=ctx.classes.size)
        n, k = counts.sum(), counts.size
        floor = ctx.options.imbalance_share / k  # share below which a class is a minority
        minority = np.flatnonzero(counts / n < floor)
        if minority.size == 0:
            return []
        recall = recall_score(
            ctx.labels, ctx.oof_labels, labels=np.arange(k), average=None, zero_division=0
        )
        findings = []
        for c in minority[np.argsort(counts[minority])]:
            others = np.delete(np.arange(k), c)
            rest_recall = float(np.average(recall[others], weights=counts[others]))
            shortfall = rest_recall - float(recall[c])
            needed = examples_to_reach_share(int(counts[c]), int(n), floor)
            name = label(ctx.classes[c])
            evidence = {
                "class": ctx.classes[c],
                "count": int(counts[c]),
                "share": float(counts[c] / n),
                "even_share": 1.0 / k,
                "imbalance_ratio": float(counts.max() / counts[c]),
                "recall": float(recall[c]),
                "recall_other_classes": rest_recall,
                "counts": {str(cls): int(m) for cls, m in zip(ctx.classes, counts, strict=True)},
            }
            held_back = shortfall >= RECALL_SHORTFALL
            effect = (
                f"its recall is {recall[c]:.2f} against {rest_recall:.2f} for the other classes"
                if held_back
                else f"its recall ({recall[c]:.2f}) keeps up with the others ({rest_recall:.2f})"
            )
            action = (
                f"label ~{count(needed)} more examples of class {name} (or train with "
                "class_weight='balanced')"
                if held_back
                else "no action needed while its recall holds; watch it when the data changes"
            )
            advice = (
                f"class {name} is {100 * counts[c] / n:.1f}% of the rows ({count(counts[c])} of "
                f"{count(n)}) and {effect}: {action}"
            )
            findings.append(
                Finding("imbalance", "warning" if held_back else "info", evidence, advice)
            )
        return findings


def examples_to_reach_share(count_now: int, n: int, share: float) -> int:
    """How many more examples of a class bring it to ``share`` of the rows.

    The new examples add to the rows too: ``(c + m) / (n + m) >= share`` gives
    ``m >= (share * n - c) / (1 - share)``. Half an even share of the rows as they are now
    (``share * n - c``) leaves the class a minority once it is labelled.

    Parameters
    ----------
    count_now : int
        Rows of the class now.
    n : int
        All rows now.
    share : float
        The share to reach, under 1.

    Returns
    -------
    int
        0 when the class already has that share.
    """
    # round away float error before the ceiling: 0.25 * 400 - 100 must give 0, not 1
    more = round((share * n - count_now) / (1 - share), 9)
    return max(math.ceil(more), 0)
