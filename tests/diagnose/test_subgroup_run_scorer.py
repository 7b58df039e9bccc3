"""subgroup_underperforms scores subgroups in the run's scorer, tests them with a permutation
test that moves whole groups (patients) where groups are given, and says why it falls back."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import balanced_accuracy_score, log_loss, mean_squared_error

import howmuchdata as hmd
from howmuchdata.diagnose import diagnose
from howmuchdata.diagnose.api import diagnosis_context

CHECK = ["subgroup_underperforms"]


def rare_class_missed_at_one_site(n: int = 3000, seed: int = 0):
    """6% positives; at site C (10% of rows) the positives look like negatives, so the model
    misses them there: accuracy barely drops (they are rare), balanced accuracy collapses."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = (X[:, 0] + 0.3 * rng.normal(size=n) > 1.6).astype(int)
    site = np.where(np.arange(n) < n // 10, "C", rng.choice(["A", "B"], n))
    c = site == "C"
    X[c & (y == 1), 0] = rng.normal(-0.5, 1.0, (c & (y == 1)).sum())
    return pd.DataFrame(X, columns=["a", "b", "d"]), y, site


def _curve(X, y, scoring, estimator=None):
    model = estimator or LogisticRegression(max_iter=1000)
    return hmd.learning_curve(model, X, y, sizes=[0.5, 1.0], repeats=1, scoring=scoring)


def test_subgroups_are_scored_in_the_runs_balanced_accuracy():
    X, y, site = rare_class_missed_at_one_site()
    accuracy_view = diagnose(X=X, y=y, subgroup=site, checks=CHECK)
    # the rare class's misses at C cost few points of accuracy: under the 5-point threshold
    assert accuracy_view == []
    curve = _curve(X, y, "balanced_accuracy")
    (finding,) = diagnose(curve, X, y, subgroup=site, checks=CHECK)
    evidence = finding.evidence
    assert evidence["subgroup"] == "C"
    assert evidence["metric"] == "balanced accuracy"
    assert evidence["scoring"] == "balanced_accuracy"
    oof = diagnosis_context(curve, X, y, subgroup=site).oof_prediction
    c = site == "C"
    assert evidence["score"] == pytest.approx(balanced_accuracy_score(y[c], oof[c]))
    assert evidence["score_rest"] == pytest.approx(balanced_accuracy_score(y[~c], oof[~c]))
    assert evidence["shortfall"] > 0.2
    assert "balanced accuracy" in finding.advice and "permutation" in evidence["test"]
    assert "metric_reason" not in evidence


def test_log_loss_subgroup_is_scored_in_log_loss_with_a_relative_shortfall():
    X, y, site = rare_class_missed_at_one_site()
    curve = _curve(X, y, "neg_log_loss")
    (finding,) = diagnose(curve, X, y, subgroup=site, checks=CHECK)
    evidence = finding.evidence
    ctx = diagnosis_context(curve, X, y, subgroup=site)
    c = site == "C"
    assert evidence["metric"] == "log loss"
    assert evidence["score"] == pytest.approx(log_loss(y[c], ctx.oof_proba[c], labels=[0, 1]))
    rest = log_loss(y[~c], ctx.oof_proba[~c], labels=[0, 1])
    assert evidence["shortfall"] == pytest.approx(evidence["score"] / rest - 1)
    assert evidence["shortfall_relative"] is True
    assert "larger errors" in finding.advice
    assert evidence["probabilities"] == "the model's predict_proba"


def test_same_rule_everywhere_is_not_flagged_in_the_runs_scorer():
    rng = np.random.default_rng(3)
    X = pd.DataFrame(rng.normal(size=(3000, 3)), columns=["a", "b", "d"])
    y = (X["a"] + 0.3 * rng.normal(size=3000) > 1.3).astype(int).to_numpy()
    site = np.where(np.arange(3000) < 300, "C", rng.choice(["A", "B"], 3000))
    for scoring in ("balanced_accuracy", "neg_log_loss", "roc_auc", "f1"):
        assert diagnose(_curve(X, y, scoring), X, y, subgroup=site, checks=CHECK) == []


def test_a_scorer_it_cannot_compute_per_subgroup_falls_back_to_accuracy_and_says_why():
    X, y, site = rare_class_missed_at_one_site()
    X.loc[site == "C", "b"] += 3.0  # and C's rows follow another rule: accuracy sees it too
    flip = (site == "C") & (np.arange(len(y)) % 3 == 0)
    y = np.where(flip, 1 - y, y)
    (finding,) = diagnose(_curve(X, y, "average_precision"), X, y, subgroup=site, checks=CHECK)
    assert finding.evidence["metric"] == "accuracy"
    assert "'average_precision' is not computed per subgroup" in finding.evidence["metric_reason"]
    assert "average_precision" in finding.advice


def patients_at_sites(site_noise: float | None, seed: int = 0):
    """60 patients of 100 rows each; each patient has its own share of wrong labels, 0 to
    0.4 (patients differ). Site C holds 6 patients: with ``site_noise`` all of them have that
    share, else theirs are like anyone's, a little above average (0.27 against 0.2)."""
    rng = np.random.default_rng(seed)
    at_c = [25, 35, 40, 42, 48, 52]
    noise = np.linspace(0.0, 0.4, 60)[np.r_[at_c, np.setdiff1d(np.arange(60), at_c)]]
    if site_noise is not None:
        noise[:6] = site_noise
    patient = np.repeat(np.arange(60), 100)
    X = rng.normal(size=(patient.size, 3))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    flip = rng.random(patient.size) < noise[patient]
    y = np.where(flip, 1 - y, y)
    site = np.where(patient < 6, "C", np.where(patient % 2 == 0, "A", "B"))
    return pd.DataFrame(X, columns=["a", "b", "d"]), y, patient, site


def test_patients_that_differ_do_not_make_a_site_underperform():
    X, y, patient, site = patients_at_sites(site_noise=None)
    # rows of one patient resemble each other: a test that counts rows as independent would
    # call C's 600 rows (6 patients a little noisier than average) significantly worse
    findings = diagnose(X=X, y=y, groups=patient, subgroup=site, checks=CHECK)
    assert findings == []


def test_a_site_whose_patients_are_all_worse_is_flagged_with_the_patient_test():
    X, y, patient, site = patients_at_sites(site_noise=0.45)
    (finding,) = diagnose(X=X, y=y, groups=patient, subgroup=site, checks=CHECK)
    assert finding.evidence["subgroup"] == "C"
    assert finding.evidence["test_unit"] == "groups"
    assert "groups" in finding.evidence["test"]
    assert finding.evidence["p_value"] < finding.evidence["p_threshold"]


def test_regression_in_root_mean_squared_error():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(1500, 3)), columns=["a", "b", "c"])
    site = np.where(np.arange(1500) < 150, "C", rng.choice(["A", "B"], 1500))
    y = 3 * X["a"].to_numpy() + rng.normal(0, np.where(site == "C", 2.0, 0.5))
    curve = _curve(X, y, "neg_root_mean_squared_error", Ridge())
    (finding,) = diagnose(curve, X, y, subgroup=site, checks=CHECK)
    oof = diagnosis_context(curve, X, y, subgroup=site).oof_prediction
    c = site == "C"
    assert finding.evidence["metric"] == "root mean squared error"
    assert finding.evidence["score"] == pytest.approx(np.sqrt(mean_squared_error(y[c], oof[c])))


def test_regression_r2_is_against_the_whole_targets_variance():
    # site N's target spans a narrow range, with the same errors as everyone: its own R²
    # would be low, but its errors are not larger
    rng = np.random.default_rng(1)
    n = 2000
    site = np.where(np.arange(n) < 300, "N", rng.choice(["A", "B"], n))
    a = rng.normal(0, np.where(site == "N", 0.1, 1.0))
    X = pd.DataFrame({"a": a, "b": rng.normal(size=n)})
    y = 3 * a + rng.normal(0, 0.5, n)
    curve = _curve(X, y, "r2", Ridge())
    assert diagnose(curve, X, y, subgroup=site, checks=CHECK) == []
    y = np.where(site == "N", y + rng.normal(0, 1.5, n), y)  # now N's errors are larger
    (finding,) = diagnose(_curve(X, y, "r2", Ridge()), X, y, subgroup=site, checks=CHECK)
    oof = diagnosis_context(curve, X, y, subgroup=site).oof_prediction
    n_rows = site == "N"
    expected = 1 - mean_squared_error(y[n_rows], oof[n_rows]) / np.var(y)
    assert finding.evidence["metric"] == "R²"
    assert finding.evidence["score"] == pytest.approx(expected)
    assert "variance of the whole target" in finding.evidence["metric_note"]
