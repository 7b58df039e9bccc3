"""The labels-saved arithmetic on curves with an exactly known answer."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from howmuchdata.extrapolate import Extrapolation
from howmuchdata.strategies.labels_saved import (
    CROSSOVER_REACH,
    best_strategy_at,
    crossovers,
    default_targets,
    describe_row,
    interval_cell,
    interval_words,
    labels_cells,
    labels_needed,
    labels_saved_table,
    measured_size_for,
    ratio,
    ratio_words,
    versus_baseline,
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

    def interval(self, n, level=0.8):
        return self._score(n, self.a - self.width), self._score(n, self.a + self.width)

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
    ("a", "b", "step"),
    [
        (-729.3, 2000.0, 1.0),  # neg_mean_absolute_error of prices in dollars
        (-3.1e-8, 2.5e-7, 1e-10),  # neg_mean_squared_error of a target in small units
    ],
)
def test_default_targets_of_an_error_are_rounded_in_its_units(a, b, step):
    # an error's targets were rounded to 3 decimals whatever its size: -746.197 dollars, and
    # -0.0 for an error of 3e-8 (a target nothing reaches); the third target was added for a
    # gap of 0.002 units (0.1 dollar below the second)
    base = PowerLaw(a, b, 0.5)
    sizes = [100, 200, 400, 800, 1100]
    targets = default_targets(base, sizes)
    mid, last = float(base.predict(400)), float(base.predict(1100))
    assert len(targets) == 3
    for target, level in zip(targets, (mid, last), strict=False):
        assert target <= level < target + step * 1.0001  # rounded down, by one step at most
        assert target == pytest.approx(round(target / step) * step, abs=step * 1e-6)
    assert last < targets[2] < a
    assert targets[1] - targets[0] > 10 * step


def test_default_targets_skip_a_third_level_that_is_the_second_one_again():
    # halfway to the asymptote is 0.7 dollars better: no target of its own
    base = PowerLaw(-729.3, 5e4, 1.5)
    targets = default_targets(base, [100, 200, 400, 800, 1100])
    assert targets == [math.floor(float(base.predict(400))), math.floor(float(base.predict(1100)))]


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


# --- crossovers are reported only where the two curves differ beyond their intervals -------


class Curve:
    """Test double for crossovers: score ``f(n)``, interval ``f(n) -/+ width``, measured at
    ``sizes`` (``observed`` holds ``f`` there as the measured means, unless ``means`` says
    otherwise)."""

    def __init__(self, f, width, sizes, means=None):
        self.f, self.width = f, width
        sizes = np.asarray(sizes, dtype=float)
        measured = self.f(sizes) if means is None else np.asarray(means, dtype=float)
        self.observed = {"sizes": sizes, "mean": measured}

    def predict(self, n):
        return self.f(np.asarray(n, dtype=float))

    def interval(self, n, level=0.8):
        return self.predict(n) - self.width, self.predict(n) + self.width


SIZES = [10, 20, 40, 80, 160, 320, 640, 1000]  # measured sizes; the search runs to 10,000


def candidate_changes(extrapolations, min_size=10, max_size=1000):
    """Every change of the best predicted strategy on the search grid, real or not: what
    crossovers() reported before it asked whether a change is more than noise."""
    grid = np.geomspace(min_size, max_size * CROSSOVER_REACH, 400)
    best, _ = best_strategy_at(extrapolations, grid)
    return [(best[i - 1], best[i]) for i in range(1, len(grid)) if best[i] != best[i - 1]]


def test_curves_equal_within_noise_give_no_crossover():
    # b swaps above and below a by 0.003, four times, inside a band of +-0.01 each
    a = Curve(lambda n: 0.95 - 1.0 / np.sqrt(n), 0.01, SIZES)
    b = Curve(lambda n: 0.95 - 1.0 / np.sqrt(n) + 0.003 * np.sin(2 * np.log(n)), 0.01, SIZES)
    assert len(candidate_changes({"a": a, "b": b})) >= 4
    assert crossovers({"a": a, "b": b}, min_size=10, max_size=1000) == []


def test_a_clear_crossing_is_reported_at_the_size_where_the_curves_meet():
    # a = 0.9 - 1/sqrt(n) leads early, b = 0.99 - 4/sqrt(n) overtakes it by far more than the
    # bands: they meet where 0.09 = 3/sqrt(n)
    sizes = [*SIZES, 2000]
    a = Curve(lambda n: 0.90 - 1.0 / np.sqrt(n), 0.01, sizes)
    b = Curve(lambda n: 0.99 - 4.0 / np.sqrt(n), 0.01, sizes)
    found = crossovers({"early": a, "late": b}, min_size=10, max_size=2000)
    assert [(c["below"], c["above"]) for c in found] == [("early", "late")]
    assert found[0]["size"] == pytest.approx((3 / 0.09) ** 2, rel=1e-4)
    assert found[0]["extrapolated"] is False


def test_the_rule_holds_for_a_loss_too():
    a = Curve(lambda n: 0.10 + 1.0 / np.sqrt(n), 0.01, SIZES)  # 1 - the curves above
    b = Curve(lambda n: 0.01 + 4.0 / np.sqrt(n), 0.01, SIZES)
    found = crossovers({"early": a, "late": b}, min_size=10, max_size=1000, greater_is_better=False)
    assert [(c["below"], c["above"]) for c in found] == [("early", "late")]
    assert found[0]["size"] == pytest.approx((3 / 0.09) ** 2, rel=1e-4)
    same = Curve(lambda n: 0.10 + 1.0 / np.sqrt(n) + 0.003 * np.sin(2 * np.log(n)), 0.01, SIZES)
    assert (
        crossovers({"a": a, "b": same}, min_size=10, max_size=1000, greater_is_better=False) == []
    )


# flat a = 0.9 against b = 0.9 + 0.01 ln(n / 100): they meet at 100 labels. Over the search
# (10 to 10,000 labels) a leads by at most 0.01 ln 10 (at 10), b by at most 0.01 ln 100 (at
# 10,000); they differ clearly where the lead exceeds the two half-widths together.
BELOW_LEAD, ABOVE_LEAD = 0.01 * math.log(10), 0.01 * math.log(100)


def rising_pair(width, means_b=None):
    a = Curve(lambda n: np.full(np.shape(n), 0.9), width, SIZES)
    b = Curve(lambda n: 0.9 + 0.01 * np.log(np.asarray(n) / 100), width, SIZES, means_b)
    return {"flat": a, "rising": b}


@pytest.mark.parametrize(
    ("half_widths", "reported"),
    [
        (0.99 * BELOW_LEAD, True),  # clear on both sides
        (1.01 * BELOW_LEAD, True),  # clear above only (measured means agree below)
        (0.99 * ABOVE_LEAD, True),  # clear only at the very end of the search
        (1.01 * ABOVE_LEAD, False),  # clear nowhere: the bands overlap at every size
    ],
)
def test_near_the_threshold_a_crossover_needs_one_clear_side(half_widths, reported):
    found = crossovers(rising_pair(half_widths / 2), min_size=10, max_size=1000)
    if reported:
        assert [(c["below"], c["above"]) for c in found] == [("flat", "rising")]
        assert found[0]["size"] == pytest.approx(100, rel=1e-4)
    else:
        assert found == []


def test_the_side_that_is_not_clear_must_agree_with_the_measured_points():
    # clear above only (as the second case above), but the measured points say nothing below
    # 100 labels: b measured the same as a there
    width = 1.01 * BELOW_LEAD / 2
    same_below = [0.9 if n < 100 else 0.9 + 0.01 * math.log(n / 100) for n in SIZES]
    assert crossovers(rising_pair(width, same_below), min_size=10, max_size=1000) == []
    # one measured size below where b is ahead contradicts "a best below ~100 labels"
    one_off = [0.9 + 0.01 * math.log(n / 100) for n in SIZES]
    one_off[SIZES.index(20)] = 0.9 + 0.001
    assert crossovers(rising_pair(width, one_off), min_size=10, max_size=1000) == []


def test_a_swap_that_swaps_back_within_noise_is_no_crossover():
    # a leads clearly up to ~36 labels; then b's prediction pokes above a's around 390 labels,
    # by 0.001, inside the bands, and falls back below
    def fa(n):
        return 0.95 - 0.5 / np.sqrt(n)

    def fb(n):
        return fa(n) - 0.06 / np.sqrt(n) + 0.004 * np.exp(-(np.log(np.asarray(n) / 390) ** 2) * 20)

    a, b = Curve(fa, 0.005, SIZES), Curve(fb, 0.005, SIZES)
    assert candidate_changes({"a": a, "b": b}) == [("a", "b"), ("b", "a")]
    assert crossovers({"a": a, "b": b}, min_size=10, max_size=1000) == []


def test_of_several_changes_between_the_same_clear_sides_only_the_last_is_reported():
    # b - a = 0.001 x (x^2 - 0.2^2), x = ln(n / 112): their predictions meet at 112 e^-0.2,
    # 112 and 112 e^0.2 labels, all between the measured 80 and 160; a leads clearly at 10
    # labels, b clearly at 10,000
    def fb(n):
        x = np.log(np.asarray(n) / 112)
        return 0.9 + 0.001 * x * (x**2 - 0.04)

    pair = {
        "flat": Curve(lambda n: np.full(np.shape(n), 0.9), 0.005, SIZES),
        "wavy": Curve(fb, 0.005, SIZES),
    }
    assert candidate_changes(pair) == [("flat", "wavy"), ("wavy", "flat"), ("flat", "wavy")]
    found = crossovers(pair, min_size=10, max_size=1000)
    assert [(c["below"], c["above"]) for c in found] == [("flat", "wavy")]
    assert found[0]["size"] == pytest.approx(112 * math.exp(0.2), rel=1e-4)


def test_a_crossover_beyond_the_data_needs_a_clear_difference_there():
    # they meet at 3,000 labels, beyond the largest measured size (1,000): a clear lead of b
    # beyond it is a crossover (extrapolated), one within the bands is not
    def pair(slope):
        a = Curve(lambda n: np.full(np.shape(n), 0.9), 0.005, SIZES)
        b = Curve(lambda n: 0.9 + slope * np.log(np.asarray(n) / 3000), 0.005, SIZES)
        return {"flat": a, "rising": b}

    found = crossovers(pair(0.02), min_size=10, max_size=1000)
    assert [(c["below"], c["above"], c["extrapolated"]) for c in found] == [
        ("flat", "rising", True)
    ]
    assert found[0]["size"] == pytest.approx(3000, rel=1e-4)
    # b leads by at most 0.002 ln(10 / 3) = 0.0024 beyond, within the two bands (0.01)
    assert candidate_changes(pair(0.002)) == [("flat", "rising")]
    assert crossovers(pair(0.002), min_size=10, max_size=1000) == []


DIGITS = Path(__file__).parent / "data" / "digits_extrapolations.json"


@pytest.fixture(scope="module")
def digits_extrapolations():
    """Extrapolations of five curves of the digits benchmark (``benchmarks/strategies.py
    digits``: 8x8 images, 3 repeats, sizes 50 to 1,437), quantile grid cut to 16x the data."""
    stored = json.loads(DIGITS.read_text())
    return {name: Extrapolation.from_dict(d) for name, d in stored.items()}


def test_digits_keeps_the_real_crossover_and_drops_the_noise(digits_extrapolations):
    ext = digits_extrapolations
    # label spreading leads clearly at small sizes; k-NN measured better from ~1,100 on
    found = crossovers(ext, min_size=50, max_size=1437)
    assert [(c["below"], c["above"]) for c in found] == [("semi:label_spreading", "simpler:knn")]
    assert found[0]["size"] == pytest.approx(1115, rel=0.01)
    # ... where margin sampling's prediction swapped with label spreading's for a moment
    pair = {k: ext[k] for k in ("semi:label_spreading", "active:margin")}
    assert candidate_changes(pair, 50, 1437) == [
        ("semi:label_spreading", "active:margin"),
        ("active:margin", "semi:label_spreading"),
    ]
    assert crossovers(pair, min_size=50, max_size=1437) == []


@pytest.mark.parametrize("strategy", ["semi:self_training", "active:margin"])
def test_digits_a_strategy_measured_as_the_baseline_at_large_sizes_has_no_crossover(
    digits_extrapolations, strategy
):
    # both lead clearly at small sizes; at the largest sizes self-training has no unlabeled rows
    # left and margin sampling has the whole pool, so both are measured as the baseline itself
    # (equal means at 1,437), and only the extrapolations of the two sets of points differ
    ext = digits_extrapolations
    pair = {"baseline": ext["baseline"], strategy: ext[strategy]}
    last = {k: float(e.observed["mean"][-1]) for k, e in pair.items()}
    assert last["baseline"] == last[strategy]
    assert candidate_changes(pair, 50, 1437) == [(strategy, "baseline")]
    assert crossovers(pair, min_size=50, max_size=1437) == []
    # k-NN does overtake the baseline, as measured
    knn = {"baseline": ext["baseline"], "simpler:knn": ext["simpler:knn"]}
    assert [c["above"] for c in crossovers(knn, min_size=50, max_size=1437)] == ["simpler:knn"]


@pytest.mark.parametrize(
    ("labels", "baseline_labels", "ratio_", "expected"),
    [
        (100.0, 400.0, 4.0, "4.0x fewer"),
        ("inf", 400.0, 0.0, "baseline reaches it, this does not"),
        (100.0, "inf", "inf", "baseline does not reach it"),
        ("inf", "inf", "nan", "neither reaches it"),
    ],
)
def test_the_vs_baseline_cell_says_which_of_the_two_reaches_the_target(
    labels, baseline_labels, ratio_, expected
):
    row = {"strategy": "simpler:knn", "labels": labels, "baseline_labels": baseline_labels}
    assert versus_baseline({**row, "ratio": ratio_}) == expected
    assert versus_baseline({**row, "strategy": "baseline", "ratio": ratio_}) == "-"


class StartsAt(PowerLaw):
    """A PowerLaw measured from ``start`` labels on: like a real extrapolation, it cannot say
    that fewer labels than its smallest measured size would reach a target."""

    def __init__(self, start: float, **kwargs):
        super().__init__(**kwargs)
        self.observed = {"sizes": [start, 2 * start, 4 * start]}

    def _size(self, target, a):
        return max(super()._size(target, a), self.observed["sizes"][0])


def test_a_target_reached_at_the_smallest_size_is_an_upper_limit_and_the_ratio_a_bound():
    # the strategy reaches 0.85 with 10 labels in truth (10x fewer than the baseline's 100),
    # but its curve starts at 50: 50 is an upper limit and "2x fewer" only a lower bound
    base = StartsAt(50, a=0.95, b=1.0, c=0.5)
    fast = StartsAt(50, a=0.95, b=1.0, c=0.5, k=10.0)
    table = labels_saved_table({"baseline": base, "fast": fast}, [0.85]).set_index("strategy")
    row = table.loc["fast"]
    assert row["labels"] == pytest.approx(50) and row["baseline_labels"] == pytest.approx(100)
    assert row["labels_at_start"] and not row["baseline_at_start"]
    record = {"strategy": "fast", **row.to_dict()}
    assert versus_baseline(record) == f"at least {ratio_words(2.0)}"
    sentence = describe_row(record)
    assert "≤50 labels (its smallest measured size)" in sentence
    assert sentence.endswith(f"at least {ratio_words(2.0)}")
    # the baseline's own count, reached only later, is exact
    assert not table.loc["baseline", "labels_at_start"]


def test_counts_above_the_smallest_size_read_as_exact():
    base = StartsAt(50, a=0.95, b=1.0, c=0.5)
    better = StartsAt(50, a=0.95, b=1.0, c=0.5, k=1.5)
    row = labels_saved_table({"baseline": base, "better": better}, [0.85]).set_index("strategy")
    record = {"strategy": "better", **row.loc["better"].to_dict()}
    assert not record["labels_at_start"]
    assert versus_baseline(record) == ratio_words(1.5)
    assert "≤" not in describe_row(record)


def test_an_interval_met_at_the_smallest_size_reads_as_one_bound_not_16_16():
    # both bounds of the strategy reach the target at its first measured size, 50
    base = StartsAt(50, a=0.95, b=1.0, c=0.5)
    fast = StartsAt(50, a=0.95, b=1.0, c=0.5, k=10.0)
    table = labels_saved_table({"baseline": base, "fast": fast}, [0.85]).set_index("strategy")
    record = {"strategy": "fast", **table.loc["fast"].to_dict()}
    assert record["labels_lo"] == record["labels_hi"] == pytest.approx(50)
    assert record["labels_lo_at_start"]
    (cells,) = [c for c in labels_cells([record]) if c["strategy"] == "fast"]
    assert cells["labels"] == "≤50" and cells["interval"] == "≤50"
    assert "[≤50]" in describe_row(record)


@pytest.mark.parametrize(
    "lo, hi, at_start, words",
    [
        (16, 16, True, "≤16"),
        (16, 31.2, True, "≤16-31"),
        (16, 31.2, False, "16-31"),
        (40.2, 39.8, False, "40"),
        (16, "inf", True, "16 or more"),
        (1200, 3400, False, "1,200-3,400"),
    ],
)
def test_interval_words_mark_a_bound_at_the_smallest_size(lo, hi, at_start, words):
    assert interval_words(lo, hi, at_start) == words


def test_rows_written_before_labels_lo_at_start_read_it_from_labels_at_start():
    old = {"labels_lo": 16.0, "labels_hi": 16.0, "labels_at_start": True}
    assert interval_cell(old) == "≤16"
    assert interval_cell({**old, "labels_lo_at_start": False, "labels_at_start": False}) == "16"


def test_active_random_does_not_compete_beside_the_arms_it_is_the_reference_of():
    from howmuchdata.strategies.compare import _competing

    arms = {"baseline": 1, "active:random": 2, "active:entropy": 3, "simpler:knn": 4}
    assert set(_competing(arms)) == {"baseline", "active:entropy", "simpler:knn"}
    # alone, it is a strategy the user asked for
    assert set(_competing({"baseline": 1, "active:random": 2})) == {"baseline", "active:random"}


class Flat:
    """Test double of a flat extrapolation at ``level`` (``± width`` its interval), measured at
    ``sizes`` with mean scores ``means``: like a real one it reaches a target at its first
    size or never."""

    def __init__(self, level, sizes, means, width=0.01, direction="increase"):
        self.level, self.width, self.direction = level, width, direction
        self.observed = {"sizes": list(sizes), "mean": list(means)}
        self.flags = ["flat"]

    @property
    def asymptote(self):
        return self.level

    def predict(self, n):
        return np.full(np.shape(n), self.level, dtype=float)

    def interval(self, n, level=0.8):
        return self.predict(n) - self.width, self.predict(n) + self.width

    def _size(self, target, at):
        met = at >= target if self.direction == "increase" else at <= target
        return float(self.observed["sizes"][0]) if met else math.inf

    def size_for(self, target, level=None):
        if level is None:
            return self._size(target, self.level)
        sign = 1.0 if self.direction == "increase" else -1.0
        return (
            self._size(target, self.level + sign * self.width),
            self._size(target, self.level - sign * self.width),
        )


# fewshot:centroid of the QA run on movie titles: a flat extrapolation at 0.2306 through
# measured means above 0.232 at 50-800 and below it at 1,600
QA_SIZES = [50, 100, 200, 400, 800, 1600]
QA_CENTROID = [0.2334, 0.2417, 0.2452, 0.2488, 0.2560, 0.2202]


def test_a_target_the_measured_curve_meets_is_never_out_of_reach():
    centroid = Flat(0.2306, QA_SIZES, QA_CENTROID, width=0.001)
    assert math.isinf(centroid.size_for(0.232))  # what the extrapolation alone says
    assert measured_size_for(centroid, 0.232) == 50
    assert labels_needed(centroid, 0.232) == (50.0, 50.0, math.inf, True)
    base = StartsAt(50, a=0.26, b=0.3, c=0.5)  # reaches 0.232 with 115 labels
    table = labels_saved_table({"baseline": base, "centroid": centroid}, [0.232, 0.24, 0.25, 0.26])
    rows = table.set_index(["strategy", "target"])
    # met at the smallest measured size: an upper limit there, and the ratio a bound
    first = rows.loc[("centroid", 0.232)]
    assert first["labels"] == 50 and first["labels_at_start"] and first["labels_measured"]
    record = {"strategy": "centroid", "target": 0.232, **first.to_dict()}
    assert versus_baseline(record).startswith("at least") and "fewer" in versus_baseline(record)
    (cells,) = [c for c in labels_cells([record])]
    assert cells["labels"] == "≤50" and cells["interval"] == "50 or more"
    # met from 100 on (0.2417, 0.2452, 0.2488): that size, not an upper limit of the smallest
    later = rows.loc[("centroid", 0.24)]
    assert later["labels"] == 100 and later["labels_measured"] and not later["labels_at_start"]
    assert later["labels_lo"] == 100 and math.isinf(later["labels_hi"])
    # met at 800 only (0.256), and missed again at 1,600 (0.2202): no measured count
    assert not rows.loc[("centroid", 0.25), "labels_measured"]
    # the negative case: never measured at 0.26, so out of reach it stays
    assert math.isinf(rows.loc[("centroid", 0.26), "labels"])
    assert not rows.loc[("centroid", 0.26), "labels_measured"]
    assert not rows.loc[("baseline", 0.232), "labels_measured"]


def test_the_extrapolation_keeps_its_count_where_it_reaches_the_target_first():
    # the curve reaches 0.85 at 100 labels; its measured means meet it only from 400 on
    curve = PowerLaw(0.95, 1.0, 0.5)
    curve.observed = {"sizes": [50, 100, 200, 400], "mean": [0.70, 0.84, 0.849, 0.86]}
    n, lo, hi, measured = labels_needed(curve, 0.85)
    assert n == pytest.approx(100) and not measured
    assert (lo, hi) == pytest.approx(curve.size_for(0.85, level=0.8))
    # the extrapolation reaches 0.87 at 156 labels, the measured means at 100 already
    curve.observed["mean"] = [0.70, 0.871, 0.875, 0.88]
    assert curve.size_for(0.87) == pytest.approx(156.25)
    n, lo, hi, measured = labels_needed(curve, 0.87)
    assert (n, measured) == (100, True)
    ext_lo, ext_hi = curve.size_for(0.87, level=0.8)
    assert lo == pytest.approx(min(ext_lo, 100)) and hi == pytest.approx(ext_hi)
    # none measured at 0.9: the extrapolation alone
    assert labels_needed(curve, 0.9) == labels_needed(PowerLaw(0.95, 1.0, 0.5), 0.9)
    # a curve that says nothing of what it measured is the extrapolation alone
    bare = PowerLaw(0.95, 1.0, 0.5)
    assert measured_size_for(bare, 0.85) == math.inf and not labels_needed(bare, 0.85)[3]


def test_a_loss_is_met_where_its_measured_mean_is_at_most_the_target():
    loss = Flat(0.5, [20, 40, 80], [0.62, 0.45, 0.455], direction="decrease")
    assert math.isinf(loss.size_for(0.46))
    assert measured_size_for(loss, 0.46) == 40  # losses of 0.45 and 0.455 are below 0.46
    assert labels_needed(loss, 0.46)[0] == 40
    assert math.isinf(measured_size_for(loss, 0.44))  # none measured that low


def test_one_mean_above_the_target_among_means_below_it_does_not_count():
    # the QA's semi:self_training: 0.237 at 50 and 100, then 0.225 and 0.214, then back up
    semi = Flat(0.23, QA_SIZES, [0.2369, 0.2369, 0.2250, 0.2143, 0.2417, 0.2619])
    assert measured_size_for(semi, 0.232) == 800  # met at 800 and 1,600, the last two
    # a lone mean at the target with a miss within two doublings is no evidence either
    lone = Flat(0.23, [50, 100, 200], [0.24, 0.22, 0.21])
    assert math.isinf(measured_size_for(lone, 0.232))


def test_the_cell_for_a_strategy_that_misses_claims_nothing_about_the_others():
    # at 0.92 the baseline and "better" reach it, "worse" does not
    base = PowerLaw(0.95, 2.0, 0.5)
    arms = {"baseline": base, "better": PowerLaw(0.96, 2.0, 0.5), "worse": PowerLaw(0.9, 2, 0.5)}
    table = labels_saved_table(arms, [0.92])
    cells = {c["strategy"]: c["vs baseline"] for c in labels_cells(table.to_dict("records"))}
    assert cells["worse"] == "baseline reaches it, this does not"
    assert not any("only" in words for words in cells.values())


FLAT_SIZES = [50, 200, 800]


def test_a_flat_baseline_takes_targets_from_the_best_strategy_measured():
    # the QA run of transfer against a flat TF-IDF baseline on movie titles
    base = Flat(0.2298, FLAT_SIZES, [0.2238, 0.2226, 0.2369])
    transfer = PowerLaw(0.5, 1.0, 0.3)
    transfer.observed = {"sizes": FLAT_SIZES, "mean": [0.2595, 0.2988, 0.3405]}
    # peaks above the transfer curve at 200, but ends lower: not the best at its largest size
    centroid = Flat(0.25, FLAT_SIZES, [0.2333, 0.3452, 0.2560])
    assert default_targets(base, FLAT_SIZES) == [0.229]
    others = {"fewshot:centroid": centroid, "transfer": transfer}
    assert default_targets(base, FLAT_SIZES, others=others) == [0.229, 0.298, 0.34]
    # the baseline then needs them out of reach, while transfer meets them as measured
    table = labels_saved_table({"baseline": base, **others}, [0.298, 0.34])
    rows = table.set_index(["strategy", "target"])
    assert math.isinf(rows.loc[("baseline", 0.34), "labels"])
    assert rows.loc[("transfer", 0.298), "labels"] <= 200
    assert rows.loc[("transfer", 0.34), "labels"] <= 800


def test_a_strategy_target_within_two_steps_of_the_baseline_is_not_added():
    base = Flat(0.2298, FLAT_SIZES, [0.2238, 0.2226, 0.2369])
    close = Flat(0.231, FLAT_SIZES, [0.230, 0.2305, 0.2315])  # 0.231: two steps above 0.229
    assert default_targets(base, FLAT_SIZES, others={"close": close}) == [0.229]


def test_a_baseline_that_rises_keeps_its_own_targets_whatever_the_others():
    base = PowerLaw(0.95, 2.0, 0.5)
    sizes = [50, 100, 200, 400, 800]
    far = Flat(0.99, sizes, [0.99] * 5)
    assert default_targets(base, sizes, others={"far": far}) == default_targets(base, sizes)


def test_a_flat_loss_baseline_takes_the_lowest_measured_error_rounded_up():
    base = Flat(12.34, FLAT_SIZES, [12.3, 12.4, 12.32], direction="decrease")
    better = Flat(8.0, FLAT_SIZES, [10.55, 9.123, 8.0071], direction="decrease")
    worse = Flat(20.0, FLAT_SIZES, [20.0, 19.0, 21.0], direction="decrease")
    targets = default_targets(
        base, FLAT_SIZES, greater_is_better=False, others={"worse": worse, "better": better}
    )
    # 0.1 steps (3 significant digits of 12.34), towards the easier side: up for a loss
    assert targets == pytest.approx([12.4, 9.2, 8.1])
