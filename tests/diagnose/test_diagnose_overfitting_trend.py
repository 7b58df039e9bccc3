"""How fast the train-validation gap closes: read off the last doublings, never more than the gap.

The curves have a known gap at each size (training score minus validation score), so what the
next doubling does to the gap, and where it falls under the threshold, follow from the curve.
"""

from __future__ import annotations

import json
import re

import pytest
from hmd_diagnose_data import synthetic_curve

from howmuchdata.diagnose import diagnose

SIZES = (50, 100, 200, 400, 800, 1600)
TRAIN = 0.99
THRESHOLD = 0.05  # DiagnoseOptions.gap_threshold


def gap_curve(gaps: dict[int, float]):
    """A curve whose mean train-validation gap at each size is ``gaps[size]``."""
    return synthetic_curve(
        lambda n: TRAIN - gaps[n], train=lambda n: TRAIN, sizes=tuple(sorted(gaps))
    )


def overfitting(curve, **options):
    found = {f.kind: f for f in diagnose(curve, checks=["overfitting"], **options)}
    return found.get("overfitting")


def advised(advice: str) -> tuple[float, float]:
    """The gap and its shrink per doubling the advice quotes, in points."""
    gap = re.search(r"scores ([\d.]+) points better", advice)
    shrink = re.search(r"it shrinks ([\d.]+) points per doubling", advice)
    assert gap and shrink, advice
    return float(gap[1]) / 100, float(shrink[1]) / 100


# Large and fast-falling at the small sizes; halving each doubling from 400 rows on.
HALVING = {50: 0.90, 100: 0.70, 200: 0.50, 400: 0.24, 800: 0.12, 1600: 0.06}


def test_shrink_is_read_off_the_last_doublings_and_stays_under_the_gap():
    finding = overfitting(gap_curve(HALVING))
    evidence = finding.evidence
    gap = HALVING[1600]
    assert evidence["gap"] == pytest.approx(gap, abs=1e-9)
    # the gap halves each doubling at these sizes: the next doubling takes off half of it
    assert -evidence["gap_change_per_doubling"] < gap
    assert evidence["gap_change_per_doubling"] == pytest.approx(-gap / 2, rel=0.01)
    assert evidence["gap_ratio_per_doubling"] == pytest.approx(0.5, rel=0.01)
    lo, hi = evidence["gap_change_interval"]
    assert -gap <= lo <= evidence["gap_change_per_doubling"] <= hi <= 0
    assert evidence["gap_trend_sizes"] == [400, 800, 1600]
    # halving per doubling: gap(n) = 0.06 * 1600 / n, which is 0.05 at n = 1920
    closes = evidence["gap_closes_at_size"]
    assert closes == pytest.approx(gap * 1600 / THRESHOLD, rel=0.01)
    # what the reader sees: a shrink per doubling that is part of the gap, not more
    shown_gap, shown_shrink = advised(finding.advice)
    assert shown_shrink == pytest.approx(gap / 2, abs=0.001)
    assert shown_shrink < shown_gap
    assert "50% of the gap" in finding.advice
    near = re.search(r"closes the gap only near ~([\d,]+) rows", finding.advice)
    assert near and closes <= int(near[1].replace(",", "")) <= 1.1 * closes  # rounded up
    json.dumps(finding.to_dict()["evidence"])  # the new evidence is JSON-ready


def test_the_small_sizes_do_not_change_the_shrink():
    # the same last doublings after a flat start: the same reading of the gap
    flat_start = {**HALVING, 50: 0.24, 100: 0.24, 200: 0.24}
    steep, flat = (overfitting(gap_curve(g)).evidence for g in (HALVING, flat_start))
    for key in ("gap_change_per_doubling", "gap_closes_at_size", "gap_ratio_per_doubling"):
        assert steep[key] == pytest.approx(flat[key], rel=1e-6)


def test_a_big_early_drop_never_reads_as_a_shrink_larger_than_the_gap():
    # a gap that fell 30 points per doubling and then settled at 8 points: every reading
    # of the next doubling stays within the 8 points there are
    gaps = {50: 0.98, 100: 0.68, 200: 0.38, 400: 0.14, 800: 0.09, 1600: 0.08}
    finding = overfitting(gap_curve(gaps))
    change = finding.evidence["gap_change_per_doubling"]
    assert -gaps[1600] < change < 0
    shown_gap, shown_shrink = advised(finding.advice)
    assert shown_shrink < shown_gap


def test_a_line_that_would_pass_zero_is_capped_at_the_gap():
    # a size with no gap (no ratio to read) and a line falling 17 points per doubling past
    # a gap of 6: the next doubling cannot take off more than the 6 points there are
    gaps = {400: 0.40, 800: 0.0, 1600: 0.06}
    finding = overfitting(gap_curve(gaps))
    evidence = finding.evidence
    assert evidence["gap_change_per_doubling"] == pytest.approx(-gaps[1600])
    assert min(evidence["gap_change_interval"]) >= -gaps[1600] - 1e-12
    assert evidence["gap_closes_at_size"] <= 2 * 1600  # closes within the next doubling
    shown_gap, shown_shrink = advised(finding.advice)
    assert shown_shrink <= shown_gap


def test_a_gap_that_widens_lately_is_not_closing():
    gaps = {50: 0.60, 100: 0.30, 200: 0.10, 400: 0.08, 800: 0.10, 1600: 0.13}
    finding = overfitting(gap_curve(gaps))
    assert finding.evidence["gap_change_per_doubling"] > 0
    assert finding.evidence["gap_closes_at_size"] == float("inf")
    assert "not closing" in finding.advice


def test_a_gap_large_only_at_the_small_sizes_is_not_overfitting():
    gaps = {50: 0.60, 100: 0.40, 200: 0.20, 400: 0.04, 800: 0.02, 1600: 0.01}
    assert overfitting(gap_curve(gaps)) is None


def test_on_a_time_split_the_gap_may_be_drift_and_the_advice_says_so():
    curve = gap_curve(HALVING)
    plain = overfitting(curve)
    assert "time split" not in plain.advice and "split" not in plain.evidence
    curve.settings = {**(curve.settings or {}), "split": "time"}
    timed = overfitting(curve)
    assert timed.evidence["split"] == "time"
    assert "change over time" in timed.advice and "--time" in timed.advice
    assert timed.evidence["gap"] == plain.evidence["gap"]  # the numbers are the same


def test_with_the_drift_check_in_the_same_diagnosis_the_caveat_says_what_it_found():
    # "the drift check (diagnose with the data and --time) tells the two apart" was said
    # even when that check had just run: the advice now reads its result
    from howmuchdata.diagnose import Finding
    from howmuchdata.diagnose.overfitting import with_drift_reading

    curve = gap_curve(HALVING)
    curve.settings = {**(curve.settings or {}), "split": "time"}
    timed = overfitting(curve)
    drift = Finding("drift", "warning", {"adversarial_auc": 0.9}, "old and new rows differ")
    (found, kept) = with_drift_reading([timed, drift])
    assert "drift check of this diagnosis found such change" in found.advice
    assert "--time) tells" not in found.advice and kept is drift
    (calm,) = with_drift_reading([timed])
    assert "flagged no change over time" in calm.advice and "likelier" in calm.advice
    assert calm.evidence == timed.evidence  # words only
    plain = overfitting(gap_curve(HALVING))
    assert with_drift_reading([plain]) == [plain]  # a random split keeps its advice
