"""Numbers as the commands print them: scores keep their decimals, errors in the thousands
are written out rather than with long decimals or exponents."""

from __future__ import annotations

import re

import numpy as np
import pytest

from howmuchdata._format import fixed, sig, span
from howmuchdata.planner import plan


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (0.97191, 4, "0.9719"),
        (0.9, 4, "0.9000"),
        (-715.3985, 4, "-715.40"),
        (-11689.4629, 4, "-11,689"),
        (2489.566, 3, "2,489.6"),
        (float("nan"), 4, "nan"),
    ],
)
def test_fixed_keeps_score_decimals_and_shortens_large_values(value, decimals, text):
    assert fixed(value, decimals) == text


def test_sig_writes_large_values_out_and_span_avoids_minus_dash_minus():
    assert sig(-11140.4) == "-11,140" and sig(0.98254) == "0.9825"
    assert span(0.91, 0.95) == "0.91 – 0.95"
    assert span(-612.0, -354.0) == "-612 to -354"


def test_both_bounds_of_a_span_show_the_same_decimals():
    assert span(0.556, 0.82934) == "0.5560 – 0.8293"  # not 0.556 – 0.8293
    assert span(0.0, 0.25) == "0.00 – 0.25"
    assert span(-612.4, -35.25) == "-612.40 to -35.25"
    assert span(-11140.4, -9466.0) == "-11,140 to -9,466"  # thousands keep no decimals


def test_a_plan_of_an_error_in_the_thousands_reads_without_long_decimals():
    rng = np.random.default_rng(0)
    sizes = np.repeat([100, 200, 400, 800, 1600], 3).astype(float)
    scores = -(11_000 + 200_000 / sizes**0.5) + rng.normal(0, 50, sizes.size)
    text = plan((sizes, scores), target=-15_000).summary()
    assert not re.search(r"\d{4,}\.\d{3,}", text), text  # no "-11689.4629"
    assert re.search(r"-1\d,\d{3}", text), text  # "-15,234"


def test_size_span_says_an_open_end_in_words():
    from howmuchdata._format import size_span

    assert size_span(1200, 4800) == "1,200 – 4,800"
    assert size_span(26, float("inf")) == "26 or more"  # was "26 – out of reach"
    assert size_span(float("inf"), float("inf")) == "out of reach"
