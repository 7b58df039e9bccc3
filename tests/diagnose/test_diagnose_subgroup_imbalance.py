"""subgroup_underperforms and imbalance, each both ways, and bad subgroup input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification

from howmuchdata.diagnose import diagnose, imbalance
from howmuchdata.errors import HowMuchDataError


def site_data(shifted: bool, n: int = 2000, seed: int = 0):
    """Sites A and B (47.5% each) and C (5%). With ``shifted``, site C's rows are moved in
    feature space and follow another rule, which the other 95% of the rows drown out."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    site = rng.choice(["A", "B"], n)
    site[: n // 20] = "C"
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    if shifted:
        c = site == "C"
        X[c, 2] += 3.0
        y[c] = (X[c, 1] - X[c, 0] > 0).astype(int)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"]).assign(site=site)
    return frame, y


def test_small_shifted_subgroup_is_flagged_with_collect_more_advice():
    X, y = site_data(shifted=True)
    findings = diagnose(X=X, y=y, subgroup="site", checks=["subgroup_underperforms"])
    assert [f.evidence["subgroup"] for f in findings] == ["C"]
    evidence = findings[0].evidence
    assert evidence["n"] == 100 and evidence["share"] == pytest.approx(0.05)
    assert evidence["score_rest"] - evidence["score"] > 0.2
    assert findings[0].advice.startswith("collect more from subgroup 'C'")
    assert evidence["short_of_data"] is True


def test_a_large_shifted_subgroup_is_not_short_of_data():
    # four sites of about a quarter each; site D follows another rule: its shortfall is not
    # for lack of rows, whatever side of an even share its count falls on
    rng = np.random.default_rng(1)
    n = 2000
    X = rng.normal(size=(n, 4))
    site = np.array(["A", "B", "C", "D"])[np.arange(n) % 4]
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    d = site == "D"
    X[d, 2] += 3.0
    y[d] = (X[d, 1] - X[d, 0] > 0).astype(int)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"]).assign(site=site)
    findings = diagnose(X=frame, y=y, subgroup="site", checks=["subgroup_underperforms"])
    assert [f.evidence["subgroup"] for f in findings] == ["D"]
    assert findings[0].evidence["short_of_data"] is False
    assert "not for lack of data" in findings[0].advice


def test_subgroups_that_follow_the_same_rule_are_not_flagged():
    X, y = site_data(shifted=False)
    assert diagnose(X=X, y=y, subgroup="site", checks=["subgroup_underperforms"]) == []


def test_subgroup_values_can_be_passed_as_an_array():
    X, y = site_data(shifted=True)
    site = X.pop("site").to_numpy()
    findings = diagnose(X=X, y=y, subgroup=site, checks=["subgroup_underperforms"])
    assert [f.evidence["subgroup"] for f in findings] == ["C"]


def test_missing_subgroup_column_is_a_one_line_error():
    X, y = site_data(shifted=False)
    with pytest.raises(HowMuchDataError, match="subgroup column 'hospital' not found") as err:
        diagnose(X=X, y=y, subgroup="hospital")
    assert "\n" not in str(err.value)


def test_a_cut_short_column_list_in_the_subgroup_error_says_so(breast_cancer):
    # 30 columns, the first 12 named as if they were all there were
    X, y = breast_cancer
    with pytest.raises(HowMuchDataError, match="one of: mean radius, .*, texture error, ...$"):
        diagnose(X=X, y=y, subgroup="site")
    X, y = site_data(shifted=False)
    with pytest.raises(HowMuchDataError, match="one of: a, b, c, d, site$"):
        diagnose(X=X, y=y, subgroup="hospital")


def test_subgroup_with_one_row_is_a_one_line_error():
    X, y = site_data(shifted=False)
    X.loc[7, "site"] = "Z"
    with pytest.raises(HowMuchDataError, match="subgroup 'Z' has only one row"):
        diagnose(X=X, y=y, subgroup="site")


def test_rare_class_with_low_recall_is_imbalance():
    X, y = make_classification(
        3000, n_features=8, weights=[0.97, 0.03], class_sep=0.6, flip_y=0, random_state=0
    )
    (finding,) = diagnose(X=X, y=y, checks=["imbalance"])
    assert finding.kind == "imbalance" and finding.severity == "warning"
    assert finding.evidence["class"] == 1
    assert finding.evidence["share"] == pytest.approx(0.03, abs=0.005)
    assert finding.evidence["recall"] < finding.evidence["recall_other_classes"] - 0.05
    # half an even share is a quarter of the rows, those to be labelled included: the
    # class's c rows need m more with (c + m) / (3,000 + m) >= 1/4 (750 - c left it short)
    c = finding.evidence["count"]
    more = int(np.ceil((750 - c) / 0.75))
    assert (c + more) / (3000 + more) >= 0.25 > (c + more - 1) / (3000 + more - 1)
    assert f"label ~{more:,} more examples of class 1" in finding.advice


def test_the_examples_asked_for_end_the_imbalance(breast_cancer):
    # 30 malignant of 387 rows: "label ~67 more", after which 97 of 454 rows (21%) are still
    # under the 25% that makes class 0 a minority
    X, y = breast_cancer
    keep = (y != 0) | (np.cumsum(y == 0) <= 30)
    (finding,) = diagnose(X=X[keep], y=y[keep], checks=["imbalance"])
    assert "label ~89 more examples of class 0" in finding.advice
    X2 = pd.concat([X[keep], X[y == 0].iloc[30:119]], ignore_index=True)
    y2 = np.concatenate([y[keep], np.zeros(89, int)])
    assert diagnose(X=X2, y=y2, checks=["imbalance"]) == []
    assert imbalance.examples_to_reach_share(100, 400, 0.25) == 0
    assert imbalance.examples_to_reach_share(99, 400, 0.25) == 2  # 101 of 402 >= 1/4


def test_balanced_classes_are_not_imbalance():
    X, y = make_classification(1000, n_features=8, weights=[0.5, 0.5], random_state=0)
    assert diagnose(X=X, y=y, checks=["imbalance"]) == []


def test_regression_subgroup_with_larger_errors_is_flagged():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(1000, 3)), columns=["a", "b", "c"])
    site = np.where(np.arange(1000) < 50, "C", rng.choice(["A", "B"], 1000))
    y = X["a"].to_numpy() * 3 + rng.normal(0, 0.3, 1000)
    y[site == "C"] = -3 * X["a"].to_numpy()[site == "C"]  # site C measures the other way
    findings = diagnose(X=X, y=y, subgroup=site, checks=["subgroup_underperforms"])
    assert [f.evidence["subgroup"] for f in findings] == ["C"]
    assert findings[0].evidence["metric"] == "mean absolute error"
    assert findings[0].evidence["score"] > 2 * findings[0].evidence["score_rest"]
