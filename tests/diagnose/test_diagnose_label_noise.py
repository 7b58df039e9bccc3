"""label_noise: cleanlab on out-of-fold probabilities finds flipped labels, and only those."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hmd_diagnose_data import flip_labels

from howmuchdata.diagnose import diagnose, diagnosis_context, label_noise, run_checks
from howmuchdata.errors import HowMuchDataError


@pytest.fixture(scope="module")
def noisy_run(breast_cancer, tmp_path_factory):
    X, y = breast_cancer
    noisy, flipped = flip_labels(y, 0.20, seed=0)
    out = tmp_path_factory.mktemp("noise")
    findings = diagnose(X=X, y=noisy, checks=["label_noise"], out_dir=out)
    return findings, noisy, flipped, out


def test_twenty_percent_flipped_is_estimated_within_15_to_25_percent(noisy_run):
    findings, _, flipped, _ = noisy_run
    (finding,) = findings
    assert finding.kind == "label_noise"
    assert flipped.mean() == pytest.approx(0.2, abs=0.03)
    assert 0.15 <= finding.evidence["estimated_share"] <= 0.25
    assert finding.severity == "critical"
    assert finding.evidence["accuracy_ceiling"] == pytest.approx(
        1 - finding.evidence["estimated_share"]
    )


def test_most_flipped_rows_are_among_the_suspects_in_the_file(noisy_run):
    findings, noisy, flipped, out = noisy_run
    table = pd.read_csv(out / "label_issues.csv")
    columns = ["row", "given_label", "suggested_label", "label_quality", "ambiguous"]
    assert list(table.columns) == columns
    assert not table["ambiguous"].any()  # measured features: no two rows are identical
    rows = table["row"].to_numpy()
    assert flipped[rows].sum() / flipped.sum() > 0.5  # most flipped rows are suspects
    assert flipped[rows].mean() > 0.6  # and most suspects were flipped
    np.testing.assert_array_equal(table["given_label"], noisy[rows])
    # the label suggested for a binary flip is the original one
    assert np.all(table["suggested_label"] != table["given_label"])
    assert "label_issues.csv" in findings[0].advice


def test_clean_labels_raise_nothing_above_info(breast_cancer, tmp_path):
    X, y = breast_cancer
    findings = diagnose(X=X, y=y, checks=["label_noise"], out_dir=tmp_path)
    assert all(f.severity == "info" for f in findings)
    assert all(f.evidence["estimated_share"] < 0.03 for f in findings)


def test_regression_targets_skip_the_label_check(breast_cancer):
    X = breast_cancer[0].copy()  # the fixture is shared by the whole session
    y = X.pop("mean radius").to_numpy()
    # every check (the default): the class checks are skipped, and said to be
    findings, skipped = run_checks(diagnosis_context(X=X, y=y))
    assert skipped["label_noise"] == skipped["imbalance"] == "classification"
    assert not {"label_noise", "imbalance"} & {f.kind for f in findings}
    # asked for by name, a check that cannot run is a one-line error
    with pytest.raises(HowMuchDataError, match="needs a classification target"):
        diagnose(X=X, y=y, checks=["label_noise", "imbalance"])


@pytest.mark.slow
def test_clean_digits_raise_no_label_finding_above_info(digits):
    X, y = digits
    # k-nearest neighbours: the fastest of the presets on 64 pixel features
    findings = diagnose(X=X, y=y, estimator="knn", checks=["label_noise"])
    assert all(f.severity == "info" for f in findings)


def test_a_share_under_the_warning_level_never_reads_as_it():
    from howmuchdata.diagnose.label_noise import _percent

    # 2.6% rounded to "3%" read as the warning level on an info finding; 0.2% read as "0%"
    assert _percent(0.026) == "2.6%" and _percent(0.0018) == "0.2%"
    assert _percent(0.03) == "3%" and _percent(0.1708) == "17%" and _percent(0.0738) == "7%"


def test_clean_labels_get_no_advice_to_hold_off_collecting_data(breast_cancer):
    X, y = breast_cancer
    findings = diagnose(X=X, y=y, checks=["label_noise"])
    (finding,) = findings  # confident learning flags a row or two of any clean table
    share, n_suspects = finding.evidence["estimated_share"], finding.evidence["n_suspects"]
    assert finding.severity == "info" and share < 0.01
    assert f"about {100 * share:.1f}% of labels look wrong" in finding.advice
    assert "labels look mostly right" in finding.advice and "under the 3%" in finding.advice
    assert "before collecting more data" not in finding.advice
    if n_suspects == 1:
        assert "the 1 suspected row (" in finding.advice


def test_noisy_labels_keep_the_review_advice(noisy_run):
    findings, *_ = noisy_run
    (finding,) = findings
    share = finding.evidence["estimated_share"]
    assert f"about {100 * share:.0f}% of labels look wrong" in finding.advice
    assert "worst first, before collecting more data" in finding.advice


def coarse_table(n: int = 1200, seed: int = 0) -> pd.DataFrame:
    """Titanic-like features: sex, class and an age band, 36 distinct rows in all."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "sex": rng.choice(["female", "male"], n, p=[0.35, 0.65]),
            "klass": rng.choice(["1st", "2nd", "3rd"], n, p=[0.25, 0.2, 0.55]),
            "age": rng.choice(["child", "teen", "young", "adult", "middle", "old"], n),
        }
    )


def test_ambiguous_rows_are_those_identical_rows_with_other_labels():
    X = pd.DataFrame({"a": [0, 0, 0, 1, 1, 2], "b": ["x", "x", "x", "y", "y", "z"]})
    labels = np.array([0, 0, 1, 1, 1, 0])
    # rows 0-2 are one feature row with labels 0, 0, 1; rows 3-4 agree; row 5 is alone
    np.testing.assert_array_equal(
        label_noise.ambiguous_rows(X, labels), [True, True, True, False, False, False]
    )
    # any model predicts one class for rows 0-2: at best it misses the one 1
    assert label_noise.irreducible_errors(X, labels) == 1
    assert label_noise.irreducible_errors(X, np.array([0, 1, 1, 0, 1, 0])) == 2


def test_a_noisy_by_nature_target_on_coarse_features_is_not_called_wrong_labels(tmp_path):
    """Titanic: "[critical] about 11% of labels look wrong" for outcomes that identical
    passengers simply do not share. Here the outcome is a coin flip given the features (30%
    or 70% by sex): no label is wrong, a quarter to a third of them disagree with any model."""
    X = coarse_table()
    rng = np.random.default_rng(1)
    y = (rng.random(len(X)) < np.where(X["sex"] == "female", 0.7, 0.3)).astype(int)
    (finding,) = diagnose(X=X, y=y, checks=["label_noise"], out_dir=tmp_path)
    ev = finding.evidence
    assert ev["estimated_share"] >= 0.10  # confident learning alone would call this critical
    assert ev["ambiguous"] and ev["n_suspects_ambiguous"] >= 0.5 * ev["n_suspects"]
    assert ev["irreducible_errors"] >= 0.25 * len(X)
    assert finding.severity == "info"
    assert "ambiguous given the features" in finding.advice
    assert "not necessarily wrong labels" in finding.advice
    assert "more informative features" in finding.advice
    assert "before collecting more data" not in finding.advice
    table = pd.read_csv(tmp_path / "label_issues.csv")
    assert table["ambiguous"].sum() == ev["n_suspects_ambiguous"]


def test_flipped_labels_on_distinct_rows_are_still_wrong_labels(noisy_run):
    findings, *_ = noisy_run
    (finding,) = findings
    assert not finding.evidence["ambiguous"]
    assert finding.evidence["n_suspects_ambiguous"] == 0
    assert finding.severity == "critical"
    assert "ambiguous" not in finding.advice and "look wrong" in finding.advice


def test_flips_beside_a_few_ambiguous_rows_are_judged_as_wrong_labels(breast_cancer):
    """A few coarse repeats do not excuse the flips elsewhere: the finding stays critical."""
    X, y = breast_cancer
    noisy, _ = flip_labels(y, 0.20, seed=0)
    # 10 measured rows repeated with the other label: 20 ambiguous rows among ~600
    X2 = pd.concat([X, X.iloc[:10]], ignore_index=True)
    y2 = np.concatenate([noisy, 1 - noisy[:10]])
    (finding,) = diagnose(X=X2, y=y2, checks=["label_noise"])
    ev = finding.evidence
    assert ev["n_rows_ambiguous"] == 20
    assert 0 < ev["n_suspects_ambiguous"] < 0.5 * ev["n_suspects"]
    assert not ev["ambiguous"] and finding.severity == "critical"
