"""Fixtures for the report tests: stored runs in the result.json contract shape."""

from __future__ import annotations

from pathlib import Path

import pytest
from hmd_report_data import build_full_result

from howmuchdata.result import update_result


@pytest.fixture
def full_result():
    return build_full_result()


@pytest.fixture
def run_dir(tmp_path: Path, full_result) -> Path:
    out = tmp_path / "run"
    update_result(out, "test", **{k: v for k, v in full_result.items() if k != "schema_version"})
    return out


@pytest.fixture(scope="session")
def real_run(tmp_path_factory) -> Path:
    """A real `howmuchdata curve` run (600 digits, logistic regression) with its report.

    Session-scoped: the rebuild test and the browser test read the same stored run.
    """
    from sklearn.datasets import load_digits

    from howmuchdata.cli import main

    folder = tmp_path_factory.mktemp("real")
    data = folder / "digits.csv"
    load_digits(as_frame=True).frame.sample(600, random_state=0).to_csv(data, index=False)
    run = folder / "run"
    args = [
        "curve",
        str(data),
        "--target",
        "target",
        "--model",
        "logreg",
        "--sizes",
        "60,120,240,400",
        "--repeats",
        "2",
        "--jobs",
        "1",
        "--quiet",
        "--out",
        str(run),
    ]
    assert main(args) == 0
    return run
