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
