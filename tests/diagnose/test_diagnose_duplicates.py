"""duplicates / leakage: exact and near copies are found and counted; clean data is quiet."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from howmuchdata.diagnose import diagnose, duplicates


def with_copies(X: pd.DataFrame, y: np.ndarray, n: int, noise: float = 0.0, seed: int = 0):
    """Append ``n`` copies of distinct random rows (optionally jittered by ``noise`` x std)."""
    rng = np.random.default_rng(seed)
    picked = rng.choice(len(X), n, replace=False)
    copies = X.iloc[picked].copy()
    if noise:
        copies += rng.normal(0, noise, copies.shape) * X.std().to_numpy()
    X2 = pd.concat([X, copies], ignore_index=True)
    return X2, np.concatenate([y, y[picked]]), picked


def kinds(findings):
    return {f.kind: f for f in findings}


@pytest.fixture(autouse=True, params=["exact query", "projected search"])
def search(request, monkeypatch):
    """Run every test with both near-duplicate searches (the projected one is for large tables)."""
    if request.param == "projected search":
        monkeypatch.setattr(duplicates, "EXACT_QUERY_ROWS", 10)
    return request.param


def test_fifty_exact_duplicates_are_found(breast_cancer):
    X, y = breast_cancer
    X2, y2, _ = with_copies(X, y, 50)
    found = kinds(diagnose(X=X2, y=y2, checks=["duplicates"]))["duplicates"]
    assert found.evidence["n_rows_exact_duplicates"] == 100
    assert found.evidence["n_extra_copies"] == 50
    assert found.evidence["n_sets_conflicting_labels"] == 0
    assert found.severity == "warning"  # 50 of 619 rows: 8%
    assert "remove 50 duplicate rows" in found.advice


def test_near_duplicates_are_found_in_the_model_input_space(breast_cancer):
    X, y = breast_cancer
    X2, y2, _ = with_copies(X, y, 50, noise=1e-3)
    found = kinds(diagnose(X=X2, y=y2, checks=["duplicates"]))["duplicates"]
    assert found.evidence["n_rows_exact_duplicates"] == 0
    assert found.evidence["n_extra_copies"] >= 50
    assert found.evidence["n_rows_near_only"] >= 100


def test_copies_with_other_labels_are_reported_as_conflicts(breast_cancer):
    X, y = breast_cancer
    X2, y2, _ = with_copies(X, y, 30)
    y2[-30:] = 1 - y2[-30:]
    found = kinds(diagnose(X=X2, y=y2, checks=["duplicates"]))["duplicates"]
    assert found.evidence["n_sets_conflicting_labels"] == 30


def test_the_same_sample_under_two_group_ids_is_leakage(breast_cancer):
    X, y = breast_cancer
    X2, y2, picked = with_copies(X, y, 20)
    groups = np.arange(len(X2)) // 3  # ~3 rows per "patient"
    leaky = diagnose(X=X2, y=y2, groups=groups, checks=["duplicates"])
    leak = kinds(leaky)["leakage"]
    assert leak.evidence["n_sets_across_groups"] == 20
    assert leak.severity == "critical"
    # the copies filed under the patient of the original: duplicates, but no leakage
    groups[len(X) :] = groups[picked]
    assert "leakage" not in kinds(diagnose(X=X2, y=y2, groups=groups, checks=["duplicates"]))


@pytest.mark.slow
@pytest.mark.parametrize("dataset", ["breast_cancer", "digits"])
def test_clean_data_has_no_duplicate_finding_above_info(dataset, request):
    X, y = request.getfixturevalue(dataset)
    findings = diagnose(X=X, y=y, checks=["duplicates"])
    assert all(f.severity == "info" for f in findings)


def test_copies_within_their_own_group_are_said_not_to_leak_on_a_group_split(breast_cancer):
    # "copies under different groups land on both sides of a group split" for 20 copies
    # that were all filed under the patient of their original
    X, y = breast_cancer
    X2, y2, picked = with_copies(X, y, 20)
    groups = np.arange(len(X2)) // 3
    groups[len(X) :] = groups[picked]
    (found,) = diagnose(X=X2, y=y2, groups=groups, checks=["duplicates"])
    assert "remove 20 duplicate rows" in found.advice
    assert "keeps it on one side (no leakage)" in found.advice
    assert "inflate" not in found.advice and "different groups" not in found.advice


def test_copies_in_the_largest_group_are_not_taken_for_chance(breast_cancer):
    # one patient's ten rows exported three times, the largest group of all: chance drew
    # every column of it from itself and said "keep the 30 rows ... repeats of a coarse table"
    X, y = breast_cancer
    first = np.arange(10)
    X2 = pd.concat([X, X.iloc[first], X.iloc[first]], ignore_index=True)
    y2 = np.concatenate([y, y[first], y[first]])
    groups = np.concatenate([np.arange(len(X)) // 3, np.full(20, -1)])
    groups[first] = -1
    (found,) = diagnose(X=X2, y=y2, groups=groups, checks=["duplicates"])
    ev = found.evidence
    assert ev["n_rows_exact_duplicates"] == 30
    assert ev["expected_exact_rows_by_chance_in_groups"] < 1
    assert not ev["by_chance"] and found.severity == "warning"
    assert "remove 20 duplicate rows" in found.advice


def test_chance_twins_in_groups_never_draws_a_group_from_itself():
    # distinct numbers everywhere except the largest group, which repeats its rows: its own
    # repeats are no chance for these columns; a second group as large would be its donor
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(60, 3)), columns=["a", "b", "c"])
    X.iloc[50:60] = X.iloc[40:50].to_numpy()
    groups = np.concatenate([np.arange(40) // 4, np.full(20, 10)])
    any_twin, _ = duplicates.chance_twins_in_groups(X, groups)
    assert any_twin < 2  # drawn from itself, its 20 rows repeated in every table
    # one group only: no donor at all, the rows count as independent
    assert duplicates.chance_twins_in_groups(X, np.zeros(60)) == (duplicates.chance_twins(X), 0)


def test_numeric_copies_conflict_only_when_their_labels_lie_far_apart(breast_cancer):
    """A regression target's copies differ by noise: a tiny difference is no label conflict."""
    X, _ = breast_cancer
    rng = np.random.default_rng(1)
    y = X["mean area"].to_numpy() * 3 + rng.normal(0, 50, len(X))  # a numeric target
    X2, y2, _ = with_copies(X, y, 30)
    spread = y.std()
    y2[-30:-10] += 0.01 * spread  # 20 copies re-measured with a little noise
    y2[-10:] += 2 * spread  # 10 copies whose label is far off
    found = kinds(diagnose(X=X2, y=y2, checks=["duplicates"]))["duplicates"]
    assert found.evidence["n_extra_copies"] == 30
    assert found.evidence["n_sets_conflicting_labels"] == 10
    assert found.evidence["label_conflict_tolerance"] == pytest.approx(0.1 * y2.std())
    assert "10 sets carry labels more than" in found.advice
    assert "standard deviation" in found.advice


def test_class_copies_conflict_on_any_difference(breast_cancer):
    X, y = breast_cancer
    X2, y2, _ = with_copies(X, y, 30)
    y2[-5:] = 1 - y2[-5:]
    found = kinds(diagnose(X=X2, y=y2, checks=["duplicates"]))["duplicates"]
    assert found.evidence["n_sets_conflicting_labels"] == 5
    assert found.evidence["label_conflict_tolerance"] is None
    assert "5 sets carry different labels" in found.advice


def test_a_single_conflicting_set_is_said_in_the_singular(breast_cancer):
    X, y = breast_cancer
    X2, y2, _ = with_copies(X, y, 30)
    y2[-1:] = 1 - y2[-1:]
    found = kinds(diagnose(X=X2, y=y2, checks=["duplicates"]))["duplicates"]
    assert found.evidence["n_sets_conflicting_labels"] == 1
    assert "; 1 set carries different labels" in found.advice
    assert "1 sets" not in found.advice


@pytest.mark.parametrize(
    ("split", "says"),
    [
        ("random", "both sides of a random (stratified) split"),
        ("time", "both sides of the time-ordered split"),
        ("groups", "land on both sides of a group split"),
    ],
)
def test_the_advice_names_the_split_the_run_uses(breast_cancer, split, says):
    X, y = breast_cancer
    X2, y2, _ = with_copies(X, y, 30)
    inputs = {
        "random": {},
        "time": {"time": np.arange(len(X2), dtype=float)},
        "groups": {"groups": np.arange(len(X2))},  # every copy under a group of its own
    }[split]
    found = kinds(diagnose(X=X2, y=y2, checks=["duplicates"], **inputs))["duplicates"]
    assert says in found.advice
    assert split == "random" or "random" not in found.advice


def coarse_table(n: int = 1200, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Titanic-like: three coarse, independent columns (sex, class, age in years), so most
    rows repeat another by chance, and a label that they predict only in part."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "sex": rng.choice(["female", "male"], n, p=[0.35, 0.65]),
            "klass": rng.choice(["1st", "2nd", "3rd"], n, p=[0.25, 0.2, 0.55]),
            "age": rng.integers(1, 70, n).astype(float),
        }
    )
    logit = np.where(X["sex"] == "female", 1.0, -1.5) + np.where(X["klass"] == "1st", 1, 0)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return X, y


def test_a_coarse_tables_chance_repeats_are_not_duplicates_to_remove():
    # Titanic's sex, class and age: "[critical] remove 977 duplicate rows (74.6% ...)"
    X, y = coarse_table()
    expected = duplicates.chance_twins(X)
    (found,) = diagnose(X=X, y=y, groups=np.arange(len(X)) // 2, checks=["duplicates"])
    ev = found.evidence
    assert ev["n_rows_exact_duplicates"] > 0.3 * len(X)  # many rows repeat, as chance gives
    assert ev["by_chance"] and ev["expected_exact_rows_by_chance"] == pytest.approx(expected)
    assert expected >= 0.5 * ev["n_rows_exact_duplicates"]
    assert found.severity == "info"
    assert found.advice.startswith("keep the ") and "remove" not in found.advice
    assert "repeats of a coarse table, not copies" in found.advice
    # and no leakage through group ids: repeats of a coarse table are different people


def test_real_copies_in_a_table_of_measurements_are_not_taken_for_chance(breast_cancer):
    X, y = breast_cancer
    assert duplicates.chance_twins(X) < 1
    X2, y2, _ = with_copies(X, y, 20)
    (found,) = diagnose(X=X2, y=y2, checks=["duplicates"])
    assert not found.evidence["by_chance"] and found.severity == "warning"
    assert "remove 20 duplicate rows" in found.advice


def test_chance_twins_counts_what_independent_columns_give():
    # two binary columns of 20 and 20: a row's value in each is shared by 19 of the 39 other
    # rows, so it matches a given other row with probability (19/39)**2 (about 1/4)
    X = pd.DataFrame({"a": [0, 1] * 20, "b": [0, 0, 1, 1] * 10})
    match = (19 / 39) ** 2
    assert duplicates.chance_twins(X) == pytest.approx(40 * (1 - (1 - match) ** 39))
    assert duplicates.chance_twins(X) > 39  # every row has a twin, as it has
    # a column of distinct numbers: no row can repeat another
    assert duplicates.chance_twins(X.assign(c=np.arange(40.0))) == 0.0
    # a missing value is a value of its own: each of the two shares it with 1 of 3 others
    X = pd.DataFrame({"a": [np.nan, np.nan, 1.0, 2.0]})
    assert duplicates.chance_twins(X) == pytest.approx(2 * (1 - (2 / 3) ** 3))


def patient_visits(n_patients: int = 150, visits: int = 4, seed: int = 0):
    """Visits of patients: six coarse covariates fixed per patient (1,440 combinations) and a
    binary symptom per visit, so a patient's visits repeat one another by construction and
    some patients share every covariate by chance. The outcome is a coin flip."""
    rng = np.random.default_rng(seed)
    patients = pd.DataFrame(
        {
            "sex": rng.choice(["F", "M"], n_patients),
            "age_band": rng.integers(0, 10, n_patients),
            "treat": rng.choice(["placebo", "active"], n_patients),
            "center": rng.integers(1, 3, n_patients),
            "baseline": rng.integers(0, 6, n_patients),
            "smoker": rng.integers(0, 3, n_patients),
        }
    )
    groups = np.repeat(np.arange(n_patients), visits)
    X = patients.iloc[groups].reset_index(drop=True)
    X["symptom"] = rng.integers(0, 2, len(X))
    return X, rng.integers(0, 2, len(X)), groups


def copy_patients(X, y, groups, k: int, seed: int = 1):
    """Append every visit of ``k`` patients again under new patient ids."""
    picked = np.random.default_rng(seed).choice(np.unique(groups), k, replace=False)
    rows = np.flatnonzero(np.isin(groups, picked))
    return (
        pd.concat([X, X.iloc[rows]], ignore_index=True),
        np.concatenate([y, y[rows]]),
        np.concatenate([groups, groups[rows] + groups.max() + 1]),
    )


def test_chance_twins_in_groups_of_one_row_are_the_independent_columns_count():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.integers(0, 4, 400), "b": rng.integers(0, 3, 400)})
    X["c"] = rng.integers(0, 20, 400)
    any_twin, across = duplicates.chance_twins_in_groups(X, np.arange(400), draws=50)
    assert any_twin == across  # every twin is in another group
    assert any_twin == pytest.approx(duplicates.chance_twins(X), rel=0.05)


def test_chance_twins_in_groups_keep_a_groups_own_repeats_but_not_its_copies():
    # 50 groups of 4 identical rows, each group's values its own: every row repeats within
    # its group, none can match another group unless all columns come from one donor
    groups = np.repeat(np.arange(50), 4)
    X = pd.DataFrame({"a": groups * 7 % 50, "b": groups * 11 % 50, "c": groups})
    any_twin, across = duplicates.chance_twins_in_groups(X, groups)
    assert any_twin == len(X)
    assert across < 2
    assert duplicates.chance_twins(X) < 1  # independent rows would expect no repeat at all


def test_a_patients_repeated_covariates_are_no_leakage():
    """geepack's respiratory visits: "[critical] leakage" for patients who share coarse
    covariates, judged against independent rows, which do not repeat a patient's covariates."""
    X, y, groups = patient_visits()
    findings = kinds(diagnose(X=X, y=y, groups=groups, checks=["duplicates"]))
    assert set(findings) == {"duplicates"}
    ev = findings["duplicates"].evidence
    # independent rows explain too few of the repeats: the old yardstick called them copies
    assert ev["expected_exact_rows_by_chance"] < 0.5 * ev["n_rows_exact_duplicates"]
    assert ev["expected_exact_rows_by_chance_in_groups"] >= 0.5 * ev["n_rows_exact_duplicates"]
    assert ev["by_chance"] and findings["duplicates"].severity == "info"
    # patients do share every covariate and symptom with other patients, as chance gives
    assert ev["n_rows_exact_across_groups"] > 0.05 * len(X)
    assert ev["expected_rows_across_groups_by_chance"] >= 0.5 * ev["n_rows_exact_across_groups"]
    assert ev["across_groups_by_chance"]
    assert "independent from group to group" in findings["duplicates"].advice


def test_patients_copied_under_new_ids_are_leakage_in_a_coarse_table():
    X, y, groups = patient_visits()
    X2, y2, groups2 = copy_patients(X, y, groups, 20)
    findings = kinds(diagnose(X=X2, y=y2, groups=groups2, checks=["duplicates"]))
    leak = findings["leakage"]
    ev = leak.evidence
    assert ev["n_rows_exact_across_groups"] > 2 * ev["expected_rows_across_groups_by_chance"]
    assert ev["n_sets_across_groups"] >= 20 and leak.severity == "critical"
    assert "where chance alone gives ~" in leak.advice
    # the same copies filed under the patients they came from: repeats, no leakage
    X3, y3, groups3 = copy_patients(X, y, groups, 20)
    groups3[len(X) :] -= groups.max() + 1
    assert "leakage" not in kinds(diagnose(X=X3, y=y3, groups=groups3, checks=["duplicates"]))
