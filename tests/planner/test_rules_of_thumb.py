from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from howmuchdata import HowMuchDataError
from howmuchdata.planner import rules_of_thumb as rot
from howmuchdata.planner.rounds import reach_size

LCDB = Path("/work/shared/data/lcdb_public_accuracy.parquet")


def test_rules_scale_with_parameters_and_rarity():
    rules = {r.name: r.n for r in rot.rules_of_thumb(24, prevalence=0.2, n_classes=3)}
    assert rules == {"per_parameter": 240, "events_per_variable": 1200, "per_class": 720}
    assert all("rule of thumb" in r.caveat for r in rot.rules_of_thumb(24))


def test_similar_problems_picks_learner_and_band():
    small = rot.similar_problems("logreg", pool=500)
    large = rot.similar_problems("logreg", pool=100_000)
    assert small.learner == "sklearn.linear_model.LogisticRegression"
    assert (small.band, large.band) == ("<1k", ">10k")
    assert small.n_q25 <= small.n_median <= small.n_q75
    assert large.n_median > small.n_median  # bigger tables keep improving for longer
    assert "median" in small.sentence()
    # the ceiling they came within 1 point of is said too: a low one is no comfort
    assert f"a median accuracy of {small.ceiling_median:.2f}" in small.sentence()
    assert 0.5 < small.ceiling_median < 1.0


def test_unknown_learner_is_an_error_naming_the_known_ones():
    with pytest.raises(HowMuchDataError, match="unknown learner 'nosuch'") as info:
        rot.similar_problems("nosuch")
    assert "logreg" in str(info.value) and "ExtraTreesClassifier" in str(info.value)
    # the negative cases: presets, class names of any LCDB learner, and none (all learners)
    assert rot.similar_problems("rf").learner == "sklearn.ensemble.RandomForestClassifier"
    assert rot.similar_problems("ExtraTreesClassifier").learner == (
        "sklearn.ensemble.ExtraTreesClassifier"
    )
    assert rot.similar_problems(None).learner == "all"


@pytest.mark.parametrize("pool", [0, -5, float("nan")])
def test_pool_must_be_positive(pool):
    with pytest.raises(HowMuchDataError, match="is not positive"):
        rot.similar_problems("logreg", pool=pool)
    assert rot.similar_problems("logreg", pool=1).band == "<1k"


def test_reach_size_interpolates_log_linearly():
    sizes = [100.0, 400.0]
    assert reach_size(sizes, [0.5, 0.7], 0.6) == pytest.approx(200.0)
    assert reach_size(sizes, [0.5, 0.7], 0.9) == float("inf")
    assert reach_size(sizes, [0.5, 0.3], 0.4, greater_is_better=False) == pytest.approx(200.0)


@pytest.mark.skipif(not LCDB.exists(), reason="LCDB slice not available")
@pytest.mark.slow
def test_shipped_table_is_rebuilt_by_its_script():
    from howmuchdata.planner._build_similar import build

    shipped = rot._similar_table()
    rebuilt = build(LCDB)
    pd.testing.assert_frame_equal(
        rebuilt.reset_index(drop=True), shipped, check_dtype=False, atol=1e-6
    )


def test_before_data_rules_count_whole_parameters_and_classes_only_for_binary():
    from howmuchdata.planner import plan_before_data

    binary = plan_before_data("binary", parameters=24.0, prevalence=0.174, r2_cs=0.288)
    rules = {r.name: r.n for r in binary.rules}
    assert rules == {"per_parameter": 240, "events_per_variable": 1380, "per_class": 480}
    assert all(isinstance(n, int) for n in rules.values())
    assert ": 240\n" in binary.summary() and "240.0" not in binary.summary()
    with pytest.raises(HowMuchDataError, match="n_classes=3 does not fit a continuous outcome"):
        plan_before_data("continuous", parameters=25, r2=0.2, intercept=1.9, sd=0.6, n_classes=3)
    # the negative case: 2 classes for a binary outcome is what it has
    two = plan_before_data("binary", parameters=24, prevalence=0.174, r2_cs=0.288, n_classes=2)
    assert {r.name for r in two.rules} == set(rules)


def test_similar_problems_are_a_loose_reference_beside_a_non_binary_outcome():
    from howmuchdata.planner import plan_before_data

    survival = plan_before_data(
        "survival", parameters=30, r2_cs=0.051, rate=0.065, timepoint=2, mean_followup=2.07
    )
    assert "classification accuracy; for a survival outcome" in survival.summary()
    # the negative case: a binary outcome is what the LCDB curves measure
    binary = plan_before_data("binary", parameters=24, prevalence=0.174, r2_cs=0.288)
    assert "loose reference" not in binary.summary()
