"""Labels needed on curves flagged flat: measured means count, noise is not a saving."""

from __future__ import annotations

import math

import numpy as np
import pytest

from howmuchdata.extrapolate import extrapolate
from howmuchdata.strategies.labels_saved import (
    WITHIN_NOISE_WORDS,
    describe_row,
    flat_labels_needed,
    labels_cells,
    labels_needed,
    labels_saved_table,
    versus_baseline,
    within_noise,
)

# The QA run on lme4::sleepstudy (Reaction, --groups Subject, 3 repeats): ridge and hgb rise
# from R² -0.4 / -0.7 at 16 rows to about 0.2 at 128, within their noise, so both are flagged
# flat; their flat level (0.157) was "reached with ≤16 labels", and hgb "at least 8.0x more".
SIZES = [16, 23, 32, 45, 64, 91, 128, 140]
RIDGE = (
    [-0.40, 0.11, 0.05, 0.06, 0.08, 0.13, 0.23, 0.19],
    [0.65, 0.23, 0.25, 0.14, 0.1, 0.07, 0.1, 0.1],
)
HGB = (
    [-0.70, -0.02, 0.01, 0.05, 0.05, 0.09, 0.20, 0.16],
    [0.89, 0.23, 0.23, 0.12, 0.11, 0.09, 0.13, 0.14],
)
# a strategy clearly better at every size
CLEAR = ([0.55, 0.62, 0.68, 0.72, 0.75, 0.78, 0.80, 0.81], [0.03] * 8)


def _curve(means: list[float], sds: list[float]):
    """A real extrapolation of three repeats per size with exactly these means and sample
    standard deviations."""
    spread = np.array([-1.0, 0.0, 1.0])
    sizes = np.repeat(SIZES, 3)
    scores = np.concatenate([m + sd * spread for m, sd in zip(means, sds, strict=True)])
    return extrapolate(sizes, scores, direction="increase", bounds=(-np.inf, 1.0))


@pytest.fixture(scope="module")
def sleepstudy_like():
    return {"baseline": _curve(*RIDGE), "simpler:hgb": _curve(*HGB), "clear": _curve(*CLEAR)}


def _rows(extrapolations, targets):
    table = labels_saved_table(extrapolations, targets)
    return {(r["strategy"], r["target"]): r for r in table.to_dict("records")}


def test_a_flat_noisy_baseline_needs_the_size_its_means_meet_the_target(sleepstudy_like):
    base, hgb = sleepstudy_like["baseline"], sleepstudy_like["simpler:hgb"]
    assert "flat" in base.flags and "flat" in hgb.flags  # the property the case needs
    assert base.size_for(0.157) == 16  # the flat level at every size, whatever was measured
    rows = _rows({"baseline": base, "simpler:hgb": hgb}, [0.157])
    own = rows[("baseline", 0.157)]
    # measured means 0.23 at 128 and 0.19 at 140 meet 0.157; -0.40 at 16 does not
    assert (own["labels"], own["labels_measured"], own["labels_at_start"]) == (128, True, False)
    assert own["labels_lo"] == 128 and "≤16" not in describe_row(own)
    other = rows[("simpler:hgb", 0.157)]
    assert other["labels"] == 128 and other["baseline_labels"] == 128
    assert versus_baseline(other) == "about the same"
    assert describe_row(other).endswith("baseline needs 128: about the same")


def test_a_clear_saving_over_a_flat_baseline_is_still_reported(sleepstudy_like):
    base, clear = sleepstudy_like["baseline"], sleepstudy_like["clear"]
    assert "flat" not in clear.flags
    rows = _rows({"baseline": base, "clear": clear}, [0.157, 0.75])
    low = rows[("clear", 0.157)]
    assert not low["within_noise"]
    # reached at its smallest size (0.55 at 16), the flat baseline from 128 on
    assert low["labels"] == 16 and low["baseline_labels"] == 128
    assert versus_baseline(low) == "at least 8.0x fewer"
    high = rows[("clear", 0.75)]
    assert math.isfinite(high["labels"]) and math.isinf(high["baseline_labels"])
    assert versus_baseline(high) == "baseline does not reach it"


class Flat:
    """A flat extrapolation at ``level`` with interval ``level -/+ width``, measured at
    ``sizes`` with means ``means``; ``size_for`` reaches a target at ``reach`` (default: the
    first size where the level meets it, else never)."""

    def __init__(self, level, means, width, sizes=(50, 100, 200, 400), reach=None):
        self.level, self.width, self.reach = level, width, reach
        self.observed = {"sizes": list(sizes), "mean": list(means)}
        self.flags = ["flat"]
        self.direction = "increase"

    def predict(self, n):
        return np.full(np.shape(n), self.level, dtype=float)

    def interval(self, n, level=0.8):
        return self.predict(n) - self.width, self.predict(n) + self.width

    def _size(self, target, at):
        if self.reach is not None:
            return self.reach
        return float(self.observed["sizes"][0]) if at >= target else math.inf

    def size_for(self, target, level=None):
        if level is None:
            return self._size(target, self.level)
        return self._size(target, self.level + self.width), self._size(
            target, self.level - self.width
        )


def test_flat_curves_apart_beyond_their_intervals_keep_their_ratio():
    base = Flat(0.60, [0.55, 0.58, 0.61, 0.62], width=0.02)
    apart = Flat(0.80, [0.79, 0.80, 0.80, 0.81], width=0.02)
    close = Flat(0.61, [0.60, 0.62, 0.60, 0.61], width=0.02)
    assert not within_noise(apart, base) and within_noise(close, base)
    rows = _rows({"baseline": base, "apart": apart, "close": close}, [0.6])
    assert rows[("baseline", 0.6)]["labels"] == 200  # 0.61, 0.62 from 200 on
    assert versus_baseline(rows[("apart", 0.6)]) == "at least 4.0x fewer"
    # their means cross (ahead at 50 and 100, behind at 200 and 400) within the intervals;
    # measured from 50 on, the baseline from 200: "at least 4.0x fewer" were it not noise
    close_row = rows[("close", 0.6)]
    assert (close_row["labels"], close_row["baseline_labels"]) == (50, 200)
    assert versus_baseline(close_row) == WITHIN_NOISE_WORDS
    assert describe_row(close_row).endswith(f"baseline needs 200: {WITHIN_NOISE_WORDS}")
    # at the smallest size both, or neither: said as it is
    both = rows[("close", 0.6)] | {"baseline_labels": 50.0, "baseline_at_start": True, "ratio": 1}
    assert versus_baseline(both) == "both reach it at their smallest measured size"
    neither = {**both, "labels": math.inf, "baseline_labels": math.inf, "ratio": math.nan}
    assert versus_baseline(neither) == "neither reaches it"
    assert describe_row(neither).endswith("within reach of its curve")
    # rows written before the column existed (None, or NaN in a frame) read as not marked
    for absent in (None, math.nan):
        row = {**rows[("apart", 0.6)], "within_noise": absent}
        assert versus_baseline(row) == "at least 4.0x fewer"
    cells = labels_cells(list(rows.values()))
    assert {c["strategy"]: c["vs baseline"] for c in cells}["close"] == WITHIN_NOISE_WORDS


def test_a_flat_extrapolation_counts_only_beyond_the_measured_sizes():
    # predicted to reach 0.7 at 800 labels, beyond the largest measured size: that counts
    later = Flat(0.6, [0.58, 0.6, 0.61, 0.6], width=0.02, reach=800.0)
    assert flat_labels_needed(later, 0.7) == (800.0, 800.0, 800.0, False)
    # "reached" at 50 by the level, where no measured mean meets it: out of reach, with the
    # optimistic bound just at the data's end
    inside = Flat(0.6, [0.58, 0.6, 0.61, 0.6], width=0.02, reach=50.0)
    n, lo, hi, measured = labels_needed(inside, 0.65)
    assert math.isinf(n) and math.isinf(hi) and not measured
    assert lo == 400
    # a single mean meeting it is the optimistic bound; the count needs it to stay met
    n, lo, hi, measured = labels_needed(inside, 0.605)
    assert (n, lo, measured) == (math.inf, 200, False)
    n, lo, hi, measured = labels_needed(inside, 0.6)
    assert (n, lo, hi, measured) == (100, 100, 100, True)


def test_a_flat_curve_behind_at_every_size_is_not_within_noise():
    # the QA run of k-NN against logreg on breast cancer (neg_log_loss, 2 repeats): both
    # flat, k-NN's interval wide enough to hold the baseline's, but worse at every size
    base = Flat(-0.105, [-0.2056, -0.1098, -0.1006], width=0.16, sizes=(20, 40, 80))
    knn = Flat(-0.678, [-0.6978, -0.7861, -0.5703], width=0.95, sizes=(20, 40, 80))
    assert not within_noise(knn, base)
    rows = _rows({"baseline": base, "knn": knn}, [-0.106])
    assert rows[("baseline", -0.106)]["labels"] == 80  # the one mean at -0.106 or better
    assert versus_baseline(rows[("knn", -0.106)]) == "baseline reaches it, this does not"
    # one size in common says nothing of crossing: not within noise either
    alone = Flat(-0.11, [-0.109], width=0.5, sizes=(80,))
    assert not within_noise(alone, base)
