"""One column given two roles (the target as --time, --groups or --text; --time as --groups;
a dropped --text column) stops before any fit with one line naming the fix, exit status 2, and
as a HowMuchDataError from Python."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from howmuchdata.cli import main
from howmuchdata.data import load_dataset
from howmuchdata.errors import HowMuchDataError


def frame(n: int = 80) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "demand": rng.normal(size=n),
            "site": [f"s{i % 8}" for i in range(n)],
            "when": pd.date_range("2024-01-01", periods=n, freq="D").strftime("%Y-%m-%d"),
            "note": [f"note number {i}" for i in range(n)],
            "genre": ["a", "b"] * (n // 2),
        }
    )


@pytest.fixture
def csv(tmp_path: Path) -> Path:
    path = tmp_path / "t.csv"
    frame().to_csv(path, index=False)
    return path


CASES = [
    (
        ["--target", "demand", "--time", "demand"],
        "--time column 'demand' is the target (--target demand)",
        "pass --time with the column of dates or times, one of: site, when",
    ),
    (
        ["--target", "genre", "--groups", "genre"],
        "--groups column 'genre' is the target (--target genre)",
        "pass --groups with the column of group ids",
    ),
    (
        ["--target", "genre", "--text", "genre"],
        "--text column 'genre' is the target (--target genre)",
        "pass --text with a column of text to learn from, one of: site, when, note",
    ),
    (
        ["--target", "genre", "--groups", "site", "--time", "site"],
        "--groups and --time both name column 'site'",
        "pass each option its own column",
    ),
    (
        ["--target", "genre", "--groups", "site", "--text", "site"],
        "--text column 'site' is the --groups column",
        "one of: when, note",
    ),
    (
        ["--target", "genre", "--text", "note", "--drop", "note"],
        "--text column 'note' is also dropped (--drop note)",
        "leave --drop note out",
    ),
]


@pytest.mark.parametrize(("args", "problem", "fix"), CASES)
@pytest.mark.parametrize("command", ["curve", "compare"])
def test_a_column_with_two_roles_is_one_line_and_exit_2(
    csv, tmp_path, capsys, command, args, problem, fix
):
    out = tmp_path / "run"
    code = main([command, str(csv), *args, "-o", str(out), "--no-report", "-q"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert problem in err and fix in err
    assert not out.exists()  # stopped before anything was fitted or written


def test_diagnose_refuses_the_target_as_time_too(csv, tmp_path, capsys):
    code = main(["diagnose", str(csv), "--target", "demand", "--time", "demand", "--no-curve"])
    assert code == 2
    assert "--time column 'demand' is the target" in capsys.readouterr().err


def test_the_python_api_raises_the_same():
    data = frame()
    with pytest.raises(HowMuchDataError, match="--time column 'demand' is the target"):
        load_dataset(data, "demand", time="demand")
    with pytest.raises(HowMuchDataError, match="--groups column 'genre' is the target"):
        load_dataset(data, "genre", groups="genre")
    with pytest.raises(HowMuchDataError, match="--groups and --time both name column 'when'"):
        load_dataset(data, "genre", groups="when", time="when")
    with pytest.raises(HowMuchDataError, match="--text column 'genre' is the target"):
        load_dataset(data, "genre", text="genre")
    with pytest.raises(HowMuchDataError, match="text column 'nosuch' not found"):
        load_dataset(data, "genre", text="nosuch")


def test_distinct_columns_are_accepted_and_text_stays_a_feature():
    data = frame()
    ds = load_dataset(data, "demand", groups="site", time="when", text="note")
    assert ds.target == "demand" and ds.groups is not None and ds.time is not None
    assert "note" in ds.X.columns and {"site", "when"}.isdisjoint(ds.X.columns)
    # groups or time given as values (not names) cannot clash with the target's name
    values = load_dataset(data, "demand", groups=data["demand"].to_numpy())
    assert values.groups is not None
