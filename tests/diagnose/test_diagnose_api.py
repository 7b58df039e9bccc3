"""The Finding value, the registry and diagnose()'s input checks."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hmd_diagnose_data import synthetic_curve

from howmuchdata.diagnose import (
    CHECKS,
    KIND_CHECKS,
    KINDS,
    Finding,
    check_inputs,
    diagnose,
    diagnosis_context,
    get_check,
    run_checks,
    sort_findings,
)
from howmuchdata.errors import HowMuchDataError
from howmuchdata.result import to_jsonable


def test_finding_round_trips_through_json():
    finding = Finding(
        "label_noise", "warning", {"estimated_share": np.float64(0.06), "rows": np.arange(3)}, "fix"
    )
    data = json.loads(json.dumps(to_jsonable(finding.to_dict())))
    assert data == {
        "kind": "label_noise",
        "severity": "warning",
        "evidence": {"estimated_share": 0.06, "rows": [0, 1, 2]},
        "advice": "fix",
    }
    assert Finding.from_dict(data) == Finding("label_noise", "warning", data["evidence"], "fix")


def test_finding_is_frozen_and_rejects_unknown_kind_or_severity():
    finding = Finding("drift", "info", {}, "x")
    with pytest.raises(AttributeError):
        finding.kind = "leakage"  # type: ignore[misc]
    with pytest.raises(ValueError, match="unknown finding kind"):
        Finding("weird", "info", {}, "x")
    with pytest.raises(ValueError, match="unknown severity"):
        Finding("drift", "fatal", {}, "x")


def test_findings_sort_by_severity_then_kind():
    found = [
        Finding("saturated", "info", {}, ""),
        Finding("overfitting", "warning", {}, ""),
        Finding("label_noise", "warning", {}, ""),
        Finding("duplicates", "critical", {}, ""),
    ]
    assert [f.kind for f in sort_findings(found)] == [
        "duplicates",
        "label_noise",
        "overfitting",
        "saturated",
    ]


def test_every_fixed_kind_has_exactly_one_registered_check():
    produced = [kind for name in CHECKS for kind in get_check(name).kinds]
    assert sorted(produced) == sorted(KINDS)
    assert len(KINDS) == 13


def test_diagnose_returns_findings_most_important_first():
    import math

    curve = synthetic_curve(
        lambda n: 0.70 + 0.03 * math.log2(n / 100), train=lambda n: 1.0, spread=0.05
    )
    findings = diagnose(curve)
    ranks = [f.rank for f in findings]
    assert ranks == sorted(ranks)
    assert findings[0].severity == "critical"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: diagnose(), "nothing to diagnose"),
        (lambda: diagnose(X=np.zeros((5, 2))), "X given without y"),
        (lambda: diagnose(synthetic_curve(lambda n: 0.8), checks=["nope"]), "unknown check 'nope'"),
        (lambda: diagnose(synthetic_curve(lambda n: 0.8), min_gian=0.1), "unknown diagnose option"),
        (lambda: diagnose(synthetic_curve(lambda n: 0.8), time=[1, 2]), "without the data"),
        (
            lambda: diagnose(synthetic_curve(lambda n: 0.8), min_gain=-1),
            r"min_gain=-1 .*--min-gain",
        ),
        (lambda: diagnose(synthetic_curve(lambda n: 0.8), target=1.5), r"target=1.5 .*at most 1"),
        (
            lambda: diagnose(synthetic_curve(lambda n: 0.8), target=-0.1),
            r"target=-0.1 .*at least 0",
        ),
        (
            lambda: diagnose(synthetic_curve(lambda n: 0.8), target=float("nan")),
            "target=nan is not a number",
        ),
        (lambda: diagnose(synthetic_curve(lambda n: 0.8), level=1.0), r"level=1 .*below 1"),
        (lambda: diagnose(synthetic_curve(lambda n: 0.8), spread_threshold=0), "above 0"),
        (lambda: diagnose(synthetic_curve(lambda n: 0.8), cv=1), "cv=1 is not 2 or more folds"),
    ],
)
def test_bad_input_is_a_one_line_error(call, message):
    with pytest.raises(HowMuchDataError, match=message) as err:
        call()
    assert "\n" not in str(err.value)


def test_class_with_a_single_row_cannot_be_cross_validated():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = np.array([0] * 20 + [1] * 19 + [2])
    with pytest.raises(HowMuchDataError, match="class 2 has a single row"):
        diagnose(X=X, y=y, checks=["label_noise"])


def test_top_level_diagnose_is_callable_after_the_package_was_imported():
    import math

    import howmuchdata as hmd
    import howmuchdata.diagnose  # noqa: F401  (binds hmd.diagnose to the package)

    curve = synthetic_curve(lambda n: 0.70 + 0.03 * math.log2(n / 100))
    assert hmd.diagnose(curve) == diagnose(curve)


def test_every_kind_that_is_not_a_check_name_maps_to_the_check_that_finds_it():
    for kind, check in KIND_CHECKS.items():
        assert kind not in CHECKS and kind in get_check(check).kinds
    assert set(KINDS) <= set(CHECKS) | set(KIND_CHECKS)


def test_a_finding_kind_runs_the_check_that_finds_it():
    import math

    noisy = synthetic_curve(lambda n: 0.80 + 0.01 * math.log2(n / 100), spread=0.05)
    assert "high_variance" in {f.kind for f in diagnose(noisy, checks=["high_variance"])}
    flat = synthetic_curve(lambda n: 0.90)
    assert [f.kind for f in diagnose(flat, checks=["saturated"])] == ["saturated"]
    # a check asked for twice, by its name and by its kind, runs once
    assert diagnose(flat, checks=["saturated", "data_limited"]) == diagnose(
        flat, checks=["saturated"]
    )


def test_unknown_check_lists_the_kinds_it_accepts_too():
    with pytest.raises(HowMuchDataError, match=r"high_variance \(runs overfitting\)") as err:
        diagnose(synthetic_curve(lambda n: 0.8), checks=["variance"])
    assert "\n" not in str(err.value)


def _table(task: str = "classification", n: int = 60):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    y = (X[:, 0] > 0).astype(int) if task == "classification" else X[:, 0] + rng.normal(size=n)
    return X, y


@pytest.mark.parametrize(
    ("checks", "inputs", "message"),
    [
        (["overfitting"], "data", r"check 'overfitting' needs a learning curve; drop --no-curve"),
        (["high_variance"], "data", r"'high_variance' \(found by 'overfitting'\) needs a learning"),
        (["drift"], "data", r"check 'drift' needs a time column; pass --time"),
        (["subgroup_underperforms"], "data", r"needs a subgroup column; pass --subgroup"),
        (
            ["leakage"],
            "data",
            r"'leakage' \(found by 'duplicates'\) needs group ids; pass --groups",
        ),
        (
            ["label_noise"],
            "regression",
            r"needs a classification target and this one is regression",
        ),
        (["duplicates"], "curve", r"check 'duplicates' needs the data; pass X and y"),
    ],
)
def test_a_named_check_that_cannot_run_is_a_one_line_error(checks, inputs, message):
    if inputs == "curve":
        kwargs = {"curve": synthetic_curve(lambda n: 0.8)}
    else:
        X, y = _table("regression" if inputs == "regression" else "classification")
        kwargs = {"X": X, "y": y}
    with pytest.raises(HowMuchDataError, match=message) as err:
        diagnose(checks=checks, **kwargs)
    assert "\n" not in str(err.value)


def test_all_checks_run_what_the_inputs_allow_and_name_the_skipped():
    import math

    curve = synthetic_curve(lambda n: 0.70 + 0.03 * math.log2(n / 100))
    findings, skipped = run_checks(diagnosis_context(curve))
    assert findings and all(
        f.kind in ("data_limited", "saturated", "overfitting") for f in findings
    )
    data_checks = ["subgroup_underperforms", "label_noise", "duplicates", "imbalance", "drift"]
    assert skipped == dict.fromkeys(data_checks, "data")
    assert diagnose(curve) == findings  # the default skips them quietly


def test_check_inputs_takes_a_curve_to_come_as_there():
    X, y = _table()
    ctx = diagnosis_context(X=X, y=y)
    check_inputs(ctx, ["overfitting", "label_noise"], curve_to_come=True)
    with pytest.raises(HowMuchDataError, match="needs a learning curve"):
        check_inputs(ctx, ["overfitting"])
    with pytest.raises(HowMuchDataError, match="needs a time column"):
        check_inputs(ctx, ["drift"], curve_to_come=True)
    check_inputs(ctx, None)  # every check: the ones without their inputs are skipped later
