"""Label quality: the estimated share of wrong labels and the rows to review first.

Confident learning (cleanlab) on the out-of-fold predicted probabilities: rows whose given
label the cross-validated model confidently contradicts are suspects. The estimated share of
wrong labels also bounds the measurable accuracy: validation labels are wrong just as often,
so even a perfect model scores about ``1 - share`` against them.

A classifier without ``predict_proba`` is read through its calibrated ``decision_function``;
one with neither gets its probabilities from the ``model`` preset, and the advice says so
(evidence ``probabilities``: :attr:`DiagnosisContext.proba_source`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from cleanlab.filter import find_label_issues
from cleanlab.rank import get_label_quality_scores

from howmuchdata.diagnose._numbers import count
from howmuchdata.diagnose.context import DiagnosisContext
from howmuchdata.diagnose.finding import Finding

FILE_NAME = "label_issues.csv"
# Rows named in the evidence itself (the file holds all of them).
ROWS_IN_EVIDENCE = 50


class LabelNoiseCheck:
    """Estimated share of wrong labels (cleanlab confident learning) and the suspected rows."""

    name = "label_noise"
    kinds = ("label_noise",)
    requires = ("data", "table", "classification")

    def run(self, ctx: DiagnosisContext) -> list[Finding]:
        labels, proba = ctx.labels, ctx.oof_proba
        n = labels.size
        # Off-diagonal count of the confident joint: cleanlab's estimate of how many labels
        # are wrong (closer to the truth than the size of the suspect list, which prunes).
        n_wrong = int(round(ctx.label_noise_share * n))
        suspects = find_label_issues(
            labels, proba, return_indices_ranked_by="self_confidence", n_jobs=1
        )
        share = ctx.label_noise_share
        quality = get_label_quality_scores(labels, proba, method="self_confidence")
        ids = ctx.row_ids()[suspects]
        table = pd.DataFrame(
            {
                "row": ids,
                "given_label": ctx.classes[labels[suspects]],
                "suggested_label": ctx.classes[np.argmax(proba[suspects], axis=1)],
                "label_quality": np.round(quality[suspects], 4),
            }
        )
        path = ctx.output_path(FILE_NAME)
        if path is not None:
            table.to_csv(path, index=False)  # also when empty: no stale list from an older run
        if suspects.size == 0 and n_wrong == 0:
            return []
        by_class = table["given_label"].value_counts()
        opts = ctx.options
        if share >= opts.label_noise_critical:
            severity = "critical"
        elif share >= opts.label_noise_warning:
            severity = "warning"
        else:
            severity = "info"
        rows = "row" if suspects.size == 1 else "rows"
        where = (
            f"the {count(suspects.size)} {rows} in {FILE_NAME}"
            if path
            else f"the {count(suspects.size)} suspected {rows} (evidence 'rows'; out_dir writes all)"
        )
        preset = ctx.proba_preset
        judged = (
            f" (judged by the {preset!r} preset: the model has no predict_proba or "
            "decision_function)"
            if preset is not None
            else ""
        )
        wrong = f"{_percent(share)} of labels look wrong ({count(n_wrong)} of {count(n)}){judged}"
        if severity == "info":
            # under the warning threshold: not what holds the model back, and not a reason to
            # hold off collecting data (confident learning flags a few rows of any clean table)
            advice = (
                f"labels look mostly right: about {wrong}, under the "
                f"{_percent(opts.label_noise_warning)} that would hold the model back; "
                f"{where} can be checked when convenient"
            )
        else:
            advice = f"about {wrong}: review {where}, worst first, before collecting more data"
        evidence = {
            "estimated_share": share,
            "estimated_wrong": n_wrong,
            "n_rows": n,
            "n_suspects": int(suspects.size),
            "accuracy_ceiling": 1.0 - share,
            "suspects_by_given_label": {str(k): int(v) for k, v in by_class.items()},
            "rows": ids[:ROWS_IN_EVIDENCE].tolist(),
            "file": str(path) if path else None,
            "method": "cleanlab confident learning on out-of-fold probabilities",
            "probabilities": ctx.proba_source,
        }
        return [Finding("label_noise", severity, evidence, advice)]


def _percent(share: float) -> str:
    """A share in percent as the advice writes it: whole percents from 5% up (``17%``), one
    decimal below (``2.6%``, ``0.2%``), so a share under a threshold never reads as the
    threshold itself (2.6% rounded is "3%", the warning level)."""
    value = 100 * share
    whole = value >= 5 or round(value, 1) == round(value)
    return f"{value:.0f}%" if whole else f"{value:.1f}%"
