"""``diagnose`` on a folder that holds a ``curve`` run: it merges, it does not overwrite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from howmuchdata.cli import main
from howmuchdata.diagnose.registry import CURVE_CHECKS, KIND_CHECKS


@pytest.fixture
def bc_csv(tmp_path, breast_cancer) -> Path:
    X, y = breast_cancer
    path = tmp_path / "bc.csv"
    X.assign(target=y).iloc[:300].to_csv(path, index=False)
    return path


def stored(run: Path) -> dict:
    return json.loads((run / "result.json").read_text())


def curve_kinds(result: dict) -> set[tuple[str, str]]:
    return {
        (f["kind"], f["evidence"].get("model"))
        for f in result["findings"]
        if KIND_CHECKS.get(f["kind"], f["kind"]) in CURVE_CHECKS
    }


def test_diagnose_keeps_the_other_models_and_the_findings_of_checks_it_did_not_run(
    bc_csv, tmp_path
):
    run = tmp_path / "run"
    common = ["--target", "target", "--sizes", "40,80,160", "--out", str(run), "-q", "--no-report"]
    assert main(["curve", str(bc_csv), "--model", "logreg", "--model", "knn",
                 "--repeats", "2", *common]) == 0  # fmt: skip
    after_curve = stored(run)
    assert {m for _, m in curve_kinds(after_curve)} == {"logreg", "knn"}

    # data checks only: the curve's findings stay, the data checks' findings join them
    assert main(["diagnose", str(bc_csv), "--no-curve", *common]) == 0
    result = stored(run)
    assert curve_kinds(result) == curve_kinds(after_curve)
    assert len(result["points"]) == len(after_curve["points"]) == 12
    data_kinds = {f["kind"] for f in result["findings"]} - {k for k, _ in curve_kinds(result)}
    assert "label_noise" in data_kinds

    # knn measured again (3 repeats): its points and curve findings are new, logreg's stay
    assert main(["diagnose", str(bc_csv), "--model", "knn", "--repeats", "3", *common]) == 0
    result = stored(run)
    per_model = {m: sum(p["model"] == m for p in result["points"]) for m in ("logreg", "knn")}
    assert per_model == {"logreg": 6, "knn": 9}
    assert set(result["extrapolation"]) == {"logreg", "knn"}
    logreg_before = {k for k in curve_kinds(after_curve) if k[1] == "logreg"}
    assert {k for k in curve_kinds(result) if k[1] == "logreg"} == logreg_before
    knn = [f for f in result["findings"] if f["evidence"].get("model") == "knn"]
    assert knn and all(f["evidence"]["size"] == 160 for f in knn)
    assert [k for k in data_kinds if k not in {f["kind"] for f in result["findings"]}] == []
    assert result["commands"] == ["curve", "diagnose", "diagnose"]


def test_the_curve_checks_of_the_registry_are_those_that_read_a_curve():
    from howmuchdata.diagnose.registry import CHECKS, get_check

    assert {name for name in CHECKS if "curve" in get_check(name).requires} == CURVE_CHECKS
