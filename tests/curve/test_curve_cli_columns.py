"""The curve command says what loading did to the feature columns, before measuring."""

from __future__ import annotations

import numpy as np
import pandas as pd

from howmuchdata.cli import main
from howmuchdata.result import read_result


def table(n: int = 120) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    x = rng.normal(size=n)
    frame = pd.DataFrame({"x": x, "y": (x + rng.normal(0, 0.5, n) > 0).astype(int)})
    return frame.sort_values("y").reset_index(drop=True)


def run(path, tmp_path, capsys) -> str:
    code = main(
        ["curve", str(path), "--target", "y", "--sizes", "30,60", "--repeats", "1", "-q",
         "--no-report", "--out", str(tmp_path / "run")]
    )  # fmt: skip
    assert code == 0
    return capsys.readouterr().err


def test_a_written_out_index_and_a_name_column_are_said(tmp_path, capsys):
    frame = table()
    frame["name"] = [f"patient {i}" for i in range(len(frame))]
    frame.to_csv(tmp_path / "t.csv")  # with the index: a row number sorted like the target
    err = run(tmp_path / "t.csv", tmp_path, capsys)
    line = next(line for line in err.splitlines() if line.startswith("howmuchdata: columns:"))
    assert "dropped column 'Unnamed: 0' (row numbers" in line
    assert "leave out column 'name'" in line
    columns = read_result(tmp_path / "run")["data"]["columns"]
    assert columns["row_numbers"] == ["Unnamed: 0"] and columns["identifiers"] == ["name"]


def test_a_clean_table_gets_no_columns_line(tmp_path, capsys):
    table().to_csv(tmp_path / "t.csv", index=False)
    assert "columns:" not in run(tmp_path / "t.csv", tmp_path, capsys)
