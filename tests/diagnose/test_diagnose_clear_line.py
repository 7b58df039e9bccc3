"""``howmuchdata diagnose`` names the checks that ran and found nothing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from howmuchdata.cli import main


@pytest.fixture(scope="module")
def copied_rows_csv(tmp_path_factory):
    """300 rows of two balanced classes, 20 of them copied."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    frame = pd.DataFrame(X, columns=list("abc")).assign(label=np.where(X[:, 0] > 0, "yes", "no"))
    frame = pd.concat([frame, frame.iloc[:20]], ignore_index=True)
    path = tmp_path_factory.mktemp("data") / "copies.csv"
    frame.to_csv(path, index=False)
    return path


def _diagnose(path, out, checks, capsys) -> str:
    args = ["diagnose", str(path), "--target", "label", "--no-curve", "--no-report"]
    for check in checks:
        args += ["--check", check]
    assert main([*args, "--out", str(out)]) == 0
    return " ".join(capsys.readouterr().out.split())  # undo the console's wrapping


def test_a_check_that_found_nothing_is_named(copied_rows_csv, tmp_path, capsys):
    out = _diagnose(copied_rows_csv, tmp_path / "r", ["duplicates", "imbalance"], capsys)
    assert "checked, nothing found: imbalance" in out


def test_no_such_line_when_every_check_found_something(copied_rows_csv, tmp_path, capsys):
    out = _diagnose(copied_rows_csv, tmp_path / "r", ["duplicates"], capsys)
    assert "duplicates" in out and "checked, nothing found" not in out
