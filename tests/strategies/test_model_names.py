"""The comparison names the model it fits: ridge regression, not "logreg", on a numeric target."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from howmuchdata import compare
from howmuchdata.cli import main
from howmuchdata.errors import HowMuchDataError
from howmuchdata.result import read_result

SETTINGS = {"sizes": [20, 40, 80], "repeats": 1, "targets": [0.5]}


@pytest.fixture(scope="module")
def numeric_table() -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(150, 3)), columns=["a", "b", "c"])
    y = X["a"] * 2.0 - X["b"] + rng.normal(scale=0.5, size=len(X))
    return X, y.to_numpy()


def test_the_logreg_preset_is_named_ridge_on_a_numeric_target(numeric_table):
    X, y = numeric_table
    result = compare(X, y, strategies=["simpler:logreg"], baseline="knn", **SETTINGS)
    assert set(result.curves) == {"baseline", "simpler:ridge"}
    fitted = result.curves["simpler:ridge"].settings["estimator"]
    assert "Ridge(" in fitted and "LogisticRegression" not in fitted
    records = {r["name"]: r["description"] for r in result.strategies}
    assert records["simpler:ridge"] == "ridge regression (alpha 1)"
    assert "logistic" not in json.dumps(result.to_dict()["comparison"]).lower()


def test_the_default_baseline_is_named_ridge_and_ridge_is_accepted(numeric_table):
    X, y = numeric_table
    default = compare(X, y, strategies=["baseline"], **SETTINGS)
    assert default.settings["baseline_model"] == "ridge"
    assert default.strategies[0]["description"] == "ridge"
    # the name shown is accepted back, and measures the very same pipeline
    named = compare(X, y, strategies=["baseline"], baseline="ridge", **SETTINGS)
    assert named.settings["baseline_model"] == "ridge"
    assert (
        named.curves["baseline"].settings["fingerprint"]
        == (default.curves["baseline"].settings["fingerprint"])
    )
    simpler = compare(X, y, strategies=["simpler"], baseline="ridge", **SETTINGS)
    assert "simpler:ridge" not in simpler.curves  # the baseline itself is not repeated


def test_classification_keeps_logreg_and_refuses_ridge(small_table):
    X, y = small_table
    result = compare(X, y, strategies=["simpler:logreg"], baseline="knn", **SETTINGS)
    assert "simpler:logreg" in result.curves
    assert result.settings["baseline_model"] == "knn"
    with pytest.raises(HowMuchDataError, match=r"simpler:ridge is a regression model") as info:
        compare(X, y, strategies=["simpler:ridge"], **SETTINGS)
    assert "use simpler:logreg" in str(info.value)
    with pytest.raises(HowMuchDataError, match=r"--baseline ridge is a regression model"):
        compare(X, y, baseline="ridge", **SETTINGS)


def test_the_cli_table_and_result_name_ridge(numeric_table, tmp_path, capsys):
    X, y = numeric_table
    data = tmp_path / "numbers.csv"
    X.assign(value=y).to_csv(data, index=False)
    out = tmp_path / "run"
    args = ["compare", str(data), "--target", "value", "--strategies", "baseline"]
    args += ["--sizes", "20,40,80", "--repeats", "1", "--out", str(out), "--no-report", "-q"]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "against the baseline (ridge)" in printed and "logreg" not in printed
    comparison = read_result(out)["comparison"]
    assert comparison["settings"]["baseline_model"] == "ridge"
    assert "logreg" not in json.dumps(comparison)
