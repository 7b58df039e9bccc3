"""data_limited / saturated: the words agree with the gain's interval and the curve's shape flag.

respiratory (geepack), logreg: the shape flag said ``saturated`` while the finding said "more
data may help", both beside intervals that include no gain.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hmd_diagnose_data import synthetic_curve

from howmuchdata.diagnose import diagnose

SIZES = (25, 50, 100, 200, 400, 800, 1600)


class _Gains:
    """An extrapolation that expects ``gain`` per doubling from ``level`` at 1,600 rows, with
    the interval ``[gain_lo, gain_hi]`` at 3,200 and the shape ``flags`` given."""

    def __init__(self, level, gain, gain_lo, gain_hi, flags=()):
        self.level, self.gain, self.lo, self.hi = level, gain, gain_lo, gain_hi
        self.flags = list(flags)

    def predict(self, n):
        return self.level + self.gain * np.log2(np.asarray(n, dtype=float) / 1600)

    def interval(self, n, level=0.8):
        at = self.predict(n) - self.gain
        return at + self.lo, at + self.hi


def noisy_flat_curve():
    """0.3 points per doubling, repeats 3 points apart: the measured interval includes 0."""
    return synthetic_curve(lambda n: 0.70 + 0.003 * math.log2(n / 100), spread=0.03)


def only(findings):
    (finding,) = findings
    return finding


def level_at_full_size(curve) -> float:
    return float(curve.points.loc[curve.points["size"] == 1600, "val_score"].mean())


@pytest.mark.parametrize("flags", [("saturated",), ()])
def test_a_gain_whose_intervals_include_zero_is_no_clear_gain(flags):
    curve = noisy_flat_curve()
    ext = _Gains(level_at_full_size(curve), 0.01, -0.015, 0.035, flags)
    finding = only(diagnose(curve, checks=["data_limited"], extrapolation=ext))
    ev = finding.evidence
    lo, hi = ev["measured_gain_interval"]
    assert lo < 0 < hi and ev["gain_interval"][0] < 0  # neither interval excludes no gain
    assert ev["gain_per_doubling"] >= ev["min_gain"]  # the point estimate alone would rise
    assert not ev["gain_above_zero"] and ev["shape_saturated"] == bool(flags)
    assert "may help" not in finding.advice
    assert finding.advice.startswith("no clear gain from more data yet")
    assert "cannot be told from no gain" in finding.advice
    assert finding.severity == "info"
    # flagged saturated too: the finding is saturated, as the flag says
    assert finding.kind == ("saturated" if flags else "data_limited")
    assert ("flagged saturated" in finding.advice) == bool(flags)


def test_a_gain_above_zero_beside_a_saturated_flag_names_the_flag():
    curve = noisy_flat_curve()
    ext = _Gains(level_at_full_size(curve), 0.01, 0.002, 0.03, ("saturated",))
    finding = only(diagnose(curve, checks=["data_limited"], extrapolation=ext))
    assert finding.kind == "data_limited" and finding.severity == "info"
    assert finding.evidence["gain_above_zero"]
    assert finding.advice.startswith("more data may help, though the curve's shape is flagged")


def test_a_clear_rise_beside_a_saturated_flag_is_no_longer_clear():
    # the measured doublings clearly gain 3 points each, but the shape says the end is flat
    curve = synthetic_curve(lambda n: 0.70 + 0.03 * math.log2(n / 100))
    level = level_at_full_size(curve)
    clear = only(
        diagnose(curve, checks=["data_limited"], extrapolation=_Gains(level, 0.03, 0.02, 0.04))
    )
    assert clear.severity == "warning" and clear.advice.startswith("collect more data")
    flagged = _Gains(level, 0.03, 0.02, 0.04, ("saturated",))
    finding = only(diagnose(curve, checks=["data_limited"], extrapolation=flagged))
    assert finding.severity == "info" and "flagged saturated" in finding.advice
    assert "collect more data" not in finding.advice


def test_a_measured_curve_flagged_saturated_is_not_told_more_data_may_help():
    """A real extrapolation: the curve slows (1 point, then half a point per doubling) and
    repeats lie 6 points apart, so the shape check calls it saturated."""
    curve = synthetic_curve(lambda n: 0.75 - 10 / n, sizes=SIZES, repeats=5, spread=0.03)
    assert "saturated" in curve.extrapolate().flags
    finding = only(diagnose(curve, checks=["data_limited"]))
    assert finding.kind == "saturated"
    assert "may help" not in finding.advice
    assert "cannot be told from no gain" in finding.advice


def test_a_clearly_rising_measured_curve_still_says_collect_more():
    curve = synthetic_curve(lambda n: 0.60 + 0.03 * math.log2(n / 100), sizes=SIZES)
    assert "saturated" not in curve.extrapolate().flags
    finding = only(diagnose(curve, checks=["data_limited"]))
    assert finding.kind == "data_limited" and finding.severity == "warning"
    assert finding.advice.startswith("collect more data of this kind")
    assert finding.evidence["gain_above_zero"] and not finding.evidence["shape_saturated"]


PEAKING = {100: 0.70, 200: 0.78, 400: 0.84, 800: 0.80, 1600: 0.76}  # best at 400


def test_a_peaked_curve_is_not_told_to_collect_more():
    # the real extrapolation flags it peaking; the last doublings fall, then recover a little
    curve = synthetic_curve(lambda n: PEAKING[n], sizes=tuple(PEAKING), spread=0.004)
    finding = only(diagnose(curve, checks=["data_limited"]))
    assert finding.kind == "saturated" and finding.severity == "warning"
    assert finding.evidence["peak_size"] == 400
    assert finding.evidence["peak_score"] == pytest.approx(0.84, abs=1e-9)
    assert "peaked at 400 rows" in finding.advice and "collect more" not in finding.advice
    assert finding.evidence["older_rows_hurt"] is False  # not a time split
    curve.settings = {**(curve.settings or {}), "split": "time"}
    timed = only(diagnose(curve, checks=["data_limited"]))
    assert timed.evidence["older_rows_hurt"] is True and "drift check" in timed.advice


def test_a_rising_curve_has_no_peak():
    curve = synthetic_curve(lambda n: 0.70 + 0.03 * math.log2(n / 100))
    finding = only(diagnose(curve, checks=["data_limited"]))
    assert "peak_size" not in finding.evidence and "peaked" not in finding.advice
