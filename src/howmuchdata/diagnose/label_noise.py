"""Label quality: the estimated share of wrong labels and the rows to review first.

Confident learning (cleanlab) on the out-of-fold predicted probabilities: rows whose given
label the cross-validated model confidently contradicts are suspects. The estimated share of
wrong labels also bounds the measurable accuracy: validation labels are wrong just as often,
so even a perfect model scores about ``1 - share`` against them.

Confident learning cannot tell a wrong label from an ambiguous example: rows with identical
features and different labels (a coarse table: sex, class, age band) are flagged as well,
although no model of these columns could separate them. When most suspects are such rows, the
finding says they are irreducible error given the features, not necessarily wrong labels,
judges its severity by the other suspects only, and points to more informative features.

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
# Suspects are read as ambiguous examples, not wrong labels, when at least this share of them
# share every feature value with a row of another label.
AMBIGUOUS_MAJORITY = 0.5


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
        ambiguous = ambiguous_rows(ctx.X, labels, keys=ctx.feature_row_keys)
        table = pd.DataFrame(
            {
                "row": ids,
                "given_label": ctx.classes[labels[suspects]],
                "suggested_label": ctx.classes[np.argmax(proba[suspects], axis=1)],
                "label_quality": np.round(quality[suspects], 4),
                "ambiguous": ambiguous[suspects],
            }
        )
        path = ctx.output_path(FILE_NAME)
        if path is not None:
            table.to_csv(path, index=False)  # also when empty: no stale list from an older run
        if suspects.size == 0 and n_wrong == 0:
            return []
        by_class = table["given_label"].value_counts()
        opts = ctx.options
        n_ambiguous = int(ambiguous[suspects].sum())
        is_ambiguous = suspects.size > 0 and n_ambiguous >= AMBIGUOUS_MAJORITY * suspects.size
        # ambiguous suspects are no evidence of wrong labels: only the others count
        judged = share * (1 - n_ambiguous / suspects.size) if is_ambiguous else share
        severity = _severity(judged, opts.label_noise_warning, opts.label_noise_critical)
        rows = "row" if suspects.size == 1 else "rows"
        where = (
            f"the {count(suspects.size)} {rows} in {FILE_NAME}"
            if path
            else f"the {count(suspects.size)} suspected {rows} (evidence 'rows'; out_dir writes all)"
        )
        preset = ctx.proba_preset
        by_preset = (
            f" (judged by the {preset!r} preset: the model has no predict_proba or "
            "decision_function)"
            if preset is not None
            else ""
        )
        wrong = (
            f"{_percent(share)} of labels look wrong ({count(n_wrong)} of {count(n)}){by_preset}"
        )
        irreducible = irreducible_errors(ctx.X, labels, keys=ctx.feature_row_keys)
        if is_ambiguous:
            counts = {
                "ambiguous": n_ambiguous,
                "suspects": int(suspects.size),
                "wrong": n_wrong,
                "rows": n,
                "irreducible": irreducible,
            }
            file = FILE_NAME if path else None
            advice = _ambiguous_advice(counts, _percent(share), by_preset, severity, file)
        elif severity == "info":
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
            "n_suspects_ambiguous": n_ambiguous,
            "ambiguous": bool(is_ambiguous),
            "n_rows_ambiguous": int(ambiguous.sum()),
            "irreducible_errors": irreducible,
            "suspects_by_given_label": {str(k): int(v) for k, v in by_class.items()},
            "rows": ids[:ROWS_IN_EVIDENCE].tolist(),
            "rows_not_ambiguous": ids[~ambiguous[suspects]][:ROWS_IN_EVIDENCE].tolist(),
            "file": str(path) if path else None,
            "method": "cleanlab confident learning on out-of-fold probabilities",
            "probabilities": ctx.proba_source,
        }
        return [Finding("label_noise", severity, evidence, advice)]


def ambiguous_rows(
    X: pd.DataFrame, labels: np.ndarray, *, keys: np.ndarray | None = None
) -> np.ndarray:
    """Which rows share every feature value with a row of another label.

    No model of these columns can tell such rows apart, so whatever it predicts for them, some
    of their labels disagree: the disagreement is irreducible given the features.

    Parameters
    ----------
    X : pandas.DataFrame
        The feature table as given (a missing value is a value).
    labels : numpy.ndarray
        Class of each row.
    keys : numpy.ndarray, optional
        One hash per row of ``X`` when the caller has them (the context's
        ``feature_row_keys``), so the table is hashed once.

    Returns
    -------
    numpy.ndarray of bool, one per row
    """
    key = _row_keys(X) if keys is None else keys
    n_labels = pd.Series(labels).groupby(key).transform("nunique").to_numpy()
    return n_labels > 1


def irreducible_errors(
    X: pd.DataFrame, labels: np.ndarray, *, keys: np.ndarray | None = None
) -> int:
    """The fewest rows any model of these columns gets wrong on this table: in each set of
    identical feature rows, all but those of its most common label.

    Parameters
    ----------
    X : pandas.DataFrame
        The feature table as given.
    labels : numpy.ndarray
        Class of each row.
    keys : numpy.ndarray, optional
        One hash per row of ``X`` when the caller has them (the context's
        ``feature_row_keys``), so the table is hashed once.

    Returns
    -------
    int
    """
    key = _row_keys(X) if keys is None else keys
    counts = pd.DataFrame({"key": key, "label": labels}).value_counts()
    per_set = counts.groupby(level="key")
    return int((per_set.sum() - per_set.max()).sum())


def _row_keys(X: pd.DataFrame) -> np.ndarray:
    """One hash per row of ``X`` (as :attr:`DiagnosisContext.feature_row_keys`)."""
    return pd.util.hash_pandas_object(X, index=False).to_numpy()


def _severity(share: float, warning: float, critical: float) -> str:
    """The finding's severity for an estimated share of wrong labels."""
    if share >= critical:
        return "critical"
    if share >= warning:
        return "warning"
    return "info"


def _ambiguous_advice(
    counts: dict[str, int], share: str, by_preset: str, severity: str, file: str | None
) -> str:
    """The advice when most suspects are rows the features cannot tell apart.

    ``counts`` holds ``ambiguous`` and ``suspects`` (suspected rows), ``wrong`` (the estimated
    count), ``rows`` and ``irreducible`` (see :func:`irreducible_errors`).
    """
    others = counts["suspects"] - counts["ambiguous"]
    which = (
        f"all {count(counts['suspects'])}"
        if others == 0
        else f"{count(counts['ambiguous'])} of the {count(counts['suspects'])}"
    )
    advice = (
        f"{which} suspected rows share every feature value with rows of another label: the "
        f"{share} of labels confident learning counts as wrong ({count(counts['wrong'])} of "
        f"{count(counts['rows'])}){by_preset} are {'mostly ' if others else ''}examples "
        "ambiguous given the features "
        "(irreducible error, not necessarily wrong labels; any model of these columns gets at "
        f"least {count(counts['irreducible'])} rows wrong), so relabelling will not fix them: "
        "add more informative features instead"
    )
    if others == 0:
        return advice
    listed = (
        f"ambiguous = False in {file}"
        if file
        else "evidence 'rows_not_ambiguous'; out_dir writes all"
    )
    act = "review" if severity != "info" else "can be checked when convenient"
    rows = "row" if others == 1 else "rows"
    if severity != "info":
        return f"{advice}; {act} the other {count(others)} suspected {rows} ({listed})"
    return f"{advice}; the other {count(others)} suspected {rows} {act} ({listed})"


def _percent(share: float) -> str:
    """A share in percent as the advice writes it: whole percents from 5% up (``17%``), one
    decimal below (``2.6%``, ``0.2%``), so a share under a threshold never reads as the
    threshold itself (2.6% rounded is "3%", the warning level)."""
    value = 100 * share
    whole = value >= 5 or round(value, 1) == round(value)
    return f"{value:.0f}%" if whole else f"{value:.1f}%"
