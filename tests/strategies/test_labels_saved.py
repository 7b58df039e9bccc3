"""The labels-saved arithmetic on curves with an exactly known answer."""

from __future__ import annotations

import math

import numpy as np
import pytest

from howmuchdata.strategies.labels_saved import (
    crossovers,
    default_targets,
    describe_row,
    labels_saved_table,
    ratio,
    ratio_words,
)


class PowerLaw:
    """Test double with the Extrapolation interface: score(n) = a - b * (k n)^-c, exactly.

    ``k`` is a label multiplier: the curve reaches any score with ``k`` times fewer labels than
    the same curve with ``k = 1``. The interval is the curves of ``a -/+ width``.
    """

    def __init__(self, a: float, b: float, c: float, k: float = 1.0, width: float = 0.01):
        self.a, self.b, self.c, self.k, self.width = a, b, c, k, width

    def _score(self, n, a):
        return a - self.b * (self.k * np.asarray(n, dtype=float)) ** -self.c

    def predict(self, n):
        return self._score(n, self.a)

    def _size(self, target, a):
        if target >= a:
            return math.inf
        return (self.b / (a - target)) ** (1 / self.c) / self.k

    def size_for(self, target, level=None):
        if level is None:
            return self._size(target, self.a)
        # optimistic curve (higher asymptote) needs fewer labels
        return self._size(target, self.a + self.width), self._size(target, self.a - self.width)

    @property
    def asymptote(self):
        return self.a


def test_exact_multiplier_for_every_target():
    base = PowerLaw(0.95, 2.0, 0.5)
    strategy = PowerLaw(0.95, 2.0, 0.5, k=8.4)
    table = labels_saved_table({"baseline": base, "transfer": strategy}, [0.80, 0.85, 0.90])
    rows = table[table["strategy"] == "transfer"]
    assert np.allclose(rows["ratio"], 8.4)
    # absolute numbers: (b / (a - t))^(1/c) / k
    expected = (2.0 / (0.95 - 0.9)) ** 2 / 8.4
    got = rows[rows["target"] == 0.9]["labels"].item()
    assert got == pytest.approx(expected)
    assert rows[rows["target"] == 0.9]["baseline_labels"].item() == pytest.approx(expected * 8.4)
    lo, hi = rows[rows["target"] == 0.9][["labels_lo", "labels_hi"]].iloc[0]
    assert lo < got < hi
    assert np.allclose(table[table["strategy"] == "baseline"]["ratio"], 1.0)


def test_fewer_labels_than_baseline_gives_ratio_below_one():
    base = PowerLaw(0.95, 2.0, 0.5)
    worse = PowerLaw(0.95, 2.0, 0.5, k=0.25)
    table = labels_saved_table({"baseline": base, "worse": worse}, [0.9])
    assert table.set_index("strategy").loc["worse", "ratio"] == pytest.approx(0.25)


def test_out_of_reach_targets():
    base = PowerLaw(0.90, 2.0, 0.5)  # never reaches 0.92
    better = PowerLaw(0.95, 2.0, 0.5)
    table = labels_saved_table({"baseline": base, "better": better}, [0.92]).set_index("strategy")
    assert math.isinf(table.loc["baseline", "labels"])
    assert math.isinf(table.loc["better", "ratio"])  # only the strategy gets there
    assert math.isnan(table.loc["baseline", "ratio"])  # neither-or-baseline-only: no ratio
    assert ratio(100.0, math.inf) == 0.0
    assert ratio(math.inf, 50.0) == math.inf


def test_crossover_at_the_known_size():
    # score_a(n) = 0.9 - 1/sqrt(n) (better early), score_b(n) = 0.99 - 4/sqrt(n) (better late):
    # equal where 0.09 = 3/sqrt(n), n = (3 / 0.09)^2
    a = PowerLaw(0.90, 1.0, 0.5)
    b = PowerLaw(0.99, 4.0, 0.5)
    found = crossovers({"early": a, "late": b}, min_size=10, max_size=2000)
    assert len(found) == 1
    cross = found[0]
    assert cross["below"] == "early" and cross["above"] == "late"
    assert cross["size"] == pytest.approx((3 / 0.09) ** 2, rel=1e-4)
    assert cross["extrapolated"] is False
    assert crossovers({"early": a, "late": b}, min_size=2000, max_size=5000) == []


def test_default_targets_lie_between_measured_and_extrapolated():
    base = PowerLaw(0.95, 2.0, 0.5)
    sizes = [50, 100, 200, 400, 800]
    targets = default_targets(base, sizes)
    assert len(targets) == 3
    mid, last = float(base.predict(200)), float(base.predict(800))
    assert targets[0] <= mid and mid - targets[0] < 1e-3
    assert targets[1] <= last and last - targets[1] < 1e-3
    assert last < targets[2] < 0.95
    # the baseline reaches the first two within its measured sizes
    assert base.size_for(targets[1]) <= 800


@pytest.mark.parametrize(
    ("r", "words"),
    [
        (8.43, "8.4x fewer"),
        (23.6, "24x fewer"),
        (0.4, "2.5x more"),
        (0.97, "about the same"),
        (1.04, "about the same"),
        (1 / 1.05, "about the same"),
        (1.2, "1.2x fewer"),
        (1 / 3.04, "3.0x more"),
        (9.97, "10x fewer"),
        (1234.0, "1,234x fewer"),
        (0.0, ""),
        (math.inf, ""),
        (math.nan, ""),
    ],
)
def test_ratio_in_words_has_two_significant_digits_and_a_dead_band(r, words):
    assert ratio_words(r) == words


def test_summary_row_says_about_the_same_instead_of_1x():
    row = {
        "strategy": "simpler:knn",
        "target": 0.9,
        "labels": 103.0,
        "labels_lo": 90.0,
        "labels_hi": 120.0,
        "baseline_labels": 100.0,
        "ratio": 100.0 / 103.0,
    }
    assert describe_row(row).endswith("baseline needs 100: about the same")
    worse = {**row, "labels": 250.0, "ratio": 0.4}
    assert describe_row(worse).endswith(": 2.5x more")


class MeasuredFrom(PowerLaw):
    """A PowerLaw whose curve was measured from ``start`` labels on (``observed`` as the
    extrapolation records it)."""

    def __init__(self, *args, start: float, **kwargs):
        super().__init__(*args, **kwargs)
        self.observed = {"sizes": [start, 4 * start]}


def test_a_strategy_is_not_best_below_its_own_smallest_measured_size():
    # "late" predicts more everywhere, but was only measured from 50 labels on (its points
    # below failed): below 50 "early", measured from 10, is the best one can say
    early = MeasuredFrom(0.90, 1.0, 0.5, start=10)
    late = MeasuredFrom(0.95, 1.0, 0.5, start=50)
    found = crossovers({"early": early, "late": late}, min_size=10, max_size=2000)
    assert [(c["below"], c["above"]) for c in found] == [("early", "late")]
    assert found[0]["size"] == pytest.approx(50)
    # measured over the same range, the better curve is best everywhere: no crossover
    same = MeasuredFrom(0.95, 1.0, 0.5, start=10)
    assert crossovers({"early": early, "late": same}, min_size=10, max_size=2000) == []
