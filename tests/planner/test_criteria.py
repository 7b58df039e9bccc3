"""Riley et al. minimum sample size against the published worked examples.

Examples: binary (Riley et al., BMJ 2020;368:m441, and Stat Med 2019;38:1276 Part II: R2cs 0.288,
24 parameters, prevalence 0.174 -> 662); continuous (Riley et al., Stat Med 2019;38:1262 Part I,
lung function: R2 0.2, 25 parameters, intercept 1.9, SD 0.6 -> 918); time-to-event (BMJ 2020:
R2cs 0.051, 30 parameters, rate 0.065, timepoint 2, mean follow-up 2.07 -> 5143); binary with
C statistic 0.89 instead of R2cs (Riley, Van Calster & Collins, Stat Med 2021;40:859): 661 with
that paper's seeded simulation, 660 with the large-sample limit implemented here.
"""

from __future__ import annotations

import math
import time

import pytest
from scipy import stats

from howmuchdata import HowMuchDataError, minimum_sample_size
from howmuchdata.planner.criteria import max_r2_cs_binary, r2_cs_from_c_statistic


def test_binary_worked_example_is_662():
    res = minimum_sample_size("binary", parameters=24, prevalence=0.174, r2_cs=0.288)
    assert res.n == 662
    assert res.binding == "r2_optimism"
    assert res.criteria == {"shrinkage": 623, "r2_optimism": 662, "overall_risk": 221}


def test_continuous_worked_example_is_918():
    res = minimum_sample_size("continuous", parameters=25, r2=0.2, intercept=1.9, sd=0.6)
    assert res.n == 918
    assert res.binding == "shrinkage"
    # the other three criteria of Part I: 401 (R2 optimism), 259 (residual SD), and the
    # intercept with residual variance SD^2 (1 - R2)
    assert res.criteria["r2_optimism"] == 401
    assert res.criteria["residual_sd"] == 259
    assert res.criteria["mean_outcome"] < res.criteria["residual_sd"]


def test_survival_worked_example_is_5143():
    res = minimum_sample_size(
        "survival", parameters=30, r2_cs=0.051, rate=0.065, timepoint=2, mean_followup=2.07
    )
    assert res.n == 5143
    assert res.binding == "shrinkage"


def test_c_statistic_large_sample_limit_is_660():
    res = minimum_sample_size("binary", parameters=24, prevalence=0.174, c_statistic=0.89)
    assert res.n == 660
    assert res.inputs["r2_cs"] == pytest.approx(0.2910, abs=5e-4)


def test_r2_cs_grows_with_the_c_statistic():
    values = [r2_cs_from_c_statistic(c, 0.3) for c in (0.55, 0.7, 0.8, 0.9)]
    assert 0 < values[0] < 0.01 and values == sorted(values)


def test_nagelkerke_is_cox_snell_over_its_maximum():
    via_cs = minimum_sample_size("binary", parameters=24, prevalence=0.174, r2_cs=0.288)
    via_nag = minimum_sample_size(
        "binary", parameters=24, prevalence=0.174, r2_nagelkerke=0.288 / max_r2_cs_binary(0.174)
    )
    assert via_nag.criteria == via_cs.criteria


def test_more_parameters_need_more_participants():
    small = minimum_sample_size("binary", parameters=10, prevalence=0.174, r2_cs=0.288)
    large = minimum_sample_size("binary", parameters=40, prevalence=0.174, r2_cs=0.288)
    assert large.n > small.n


@pytest.mark.parametrize(
    ("outcome", "kwargs", "message"),
    [
        ("binary", {"prevalence": 1.2, "r2_cs": 0.2}, "prevalence"),
        ("binary", {"prevalence": 0.0, "r2_cs": 0.2}, "prevalence"),
        ("binary", {"prevalence": 0.1}, "exactly one"),
        (
            "binary",
            {"prevalence": 0.1, "r2_cs": 0.2, "c_statistic": 0.8},
            r"\(got r2_cs and c_statistic\)",
        ),
        ("binary", {"prevalence": 0.1, "r2_cs": 0.6}, "largest Cox-Snell"),
        ("continuous", {"r2": 0.2, "sd": 0.6}, "intercept"),
        ("survival", {"r2_cs": 0.05, "rate": 0.06, "timepoint": 2}, "mean_followup"),
        ("ordinal", {}, "unknown outcome"),
        (
            "survival",
            {"r2_cs": 0.05, "rate": 0.06, "timepoint": 2, "mean_followup": 2, "prevalence": 0.2},
            "survival outcome does not use prevalence",
        ),
        (
            "continuous",
            {"r2": 0.2, "intercept": 1.9, "sd": 0.6, "r2_cs": 0.2},
            "does not use r2_cs",
        ),
        ("binary", {"prevalence": 0.2, "r2_cs": 0.2, "sd": 0.6, "rate": 0.1}, "use sd, rate"),
    ],
)
def test_bad_inputs_raise_one_line_errors(outcome, kwargs, message):
    with pytest.raises(HowMuchDataError, match=message) as info:
        minimum_sample_size(outcome, parameters=10, **kwargs)
    assert "\n" not in str(info.value) and ";" in str(info.value)


def test_a_mean_outcome_near_zero_is_found_without_scanning_every_size():
    # the intercept's criterion needs t(0.975) sd sqrt(1 - R2) / sqrt(n) <= 0.1 |intercept|:
    # about 1.1e8 participants for a mean outcome of 0.001 (a scan to it held ~1e8 sizes)
    start = time.perf_counter()
    res = minimum_sample_size("continuous", parameters=25, r2=0.2, intercept=1e-3, sd=0.6)
    assert time.perf_counter() - start < 5.0
    n = res.criteria["mean_outcome"]

    def precise(size):
        half = stats.t.ppf(0.975, size - 26) * 0.6 * math.sqrt(0.8 / size)
        return (1e-3 + half) / 1e-3 <= 1.1

    assert precise(n) and not precise(n - 1)
    assert res.n == n and res.binding == "mean_outcome"
    # the negative case: beyond 10^9 it says so instead of running out of memory
    with pytest.raises(HowMuchDataError, match="10\\^9"):
        minimum_sample_size("continuous", parameters=25, r2=0.2, intercept=1e-6, sd=0.6)


def test_more_than_one_event_per_person_is_refused():
    # rate 2 per year over 2.07 years of follow-up is 4.1 events per person: the largest
    # Cox-Snell R-squared came out negative (-31.6)
    with pytest.raises(HowMuchDataError, match="at most one event") as info:
        minimum_sample_size(
            "survival", parameters=30, r2_cs=0.051, rate=2.0, timepoint=2, mean_followup=2.07
        )
    assert "\n" not in str(info.value)
    # the negative case: one event per person is the most there can be, and it is allowed
    res = minimum_sample_size(
        "survival", parameters=30, r2_cs=0.051, rate=1 / 2.07, timepoint=2, mean_followup=2.07
    )
    assert res.inputs["max_r2_cs"] == pytest.approx(1 - math.exp(-2))


def test_the_method_names_the_c_statistic_route_only_when_one_was_given():
    r2 = minimum_sample_size("binary", parameters=24, prevalence=0.174, r2_cs=0.288).to_dict()
    c = minimum_sample_size("binary", parameters=24, prevalence=0.174, c_statistic=0.89).to_dict()
    assert "C statistic" not in r2["method"] and "Riley" in r2["method"]
    assert "C statistic via the large-sample limit" in c["method"]


def test_a_rare_outcome_caveats_the_overall_risk_margin_in_the_summary():
    from howmuchdata.planner.criteria import risk_margin_caveat

    rare = minimum_sample_size("binary", parameters=24, prevalence=0.001, r2_cs=0.005)
    (line,) = [x for x in rare.summary().splitlines() if "overall_risk" in x]
    assert "caveat: ±0.05 is more than half of the risk, 0.001" in line
    common = minimum_sample_size("binary", parameters=24, prevalence=0.174, r2_cs=0.288)
    assert "caveat" not in common.summary()
    # by the rarer side: a risk of 0.99 is a rare outcome too; other criteria get none
    assert "rarer outcome's risk, 0.01" in risk_margin_caveat(0.05, 0.99)
    assert risk_margin_caveat(None, 0.001) == "" and risk_margin_caveat(0.05, 0.2) == ""
