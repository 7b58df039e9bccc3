"""The Finding value, the registry and diagnose()'s input checks."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hmd_diagnose_data import synthetic_curve

from howmuchdata.diagnose import CHECKS, KINDS, Finding, diagnose, get_check, sort_findings
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
