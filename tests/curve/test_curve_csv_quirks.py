"""What pandas does silently when it reads a CSV, said: a name the header gives twice (read
as ``age`` and ``age.1``) and cells such as ``None`` read as missing in a text column."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest

from howmuchdata.cli import main
from howmuchdata.data import load_dataset
from howmuchdata.errors import HowMuchDataError
from howmuchdata.result import read_result

N = 60


def rows(n: int = N) -> pd.DataFrame:
    """Patients: two numbers, a smoking category (never/former/current), a 0/1 target."""
    rng = np.random.default_rng(3)
    return pd.DataFrame(
        {
            "age": rng.integers(20, 80, n),
            "bmi": rng.normal(25, 3, n).round(1),
            "smoking": np.array(["never", "former", "current"])[np.arange(n) % 3],
            "y": (np.arange(n) // 2) % 2,
        }
    )


def write(path, header: list[str], frame: pd.DataFrame, *, sep=",", encoding="utf-8"):
    """``frame``'s cells under a header of one's own (which may repeat a name)."""
    body = frame.to_csv(sep=sep, index=False, header=False)
    path.write_text(sep.join(header) + "\n" + body, encoding=encoding)
    return path


def _one_line(excinfo) -> str:
    text = str(excinfo.value)
    assert "\n" not in text and ";" in text  # the problem; the fix
    return text


# --- a name the header gives twice --------------------------------------------------------


def test_a_name_the_header_gives_twice_is_said(tmp_path):
    frame = rows()
    frame.insert(2, "age_again", frame["bmi"] * 2)
    path = write(tmp_path / "t.csv", ["age", "bmi", "age", "smoking", "y"], frame)
    ds = load_dataset(path, "y")
    assert list(ds.X.columns) == ["age", "bmi", "age.1", "smoking"]  # pandas' reading kept
    np.testing.assert_allclose(ds.X["age.1"], frame["age_again"])
    assert ds.describe()["columns"] == {"duplicate_names": {"age": ["age", "age.1"]}}
    assert ds.columns_note() == "the header names 'age' twice: read as 'age' and 'age.1'"


def test_a_name_given_three_times_beside_a_real_dotted_name(tmp_path):
    frame = rows()[["age", "bmi", "age", "age", "y"]]
    path = write(tmp_path / "t.csv", ["age", "age.1", "age", "age", "y"], frame)
    ds = load_dataset(path, "y")
    assert list(ds.X.columns) == ["age", "age.1", "age.2", "age.3"]
    np.testing.assert_allclose(ds.X["age.1"], frame.iloc[:, 1])  # the file's own age.1
    assert ds.describe()["columns"]["duplicate_names"] == {"age": ["age", "age.2", "age.3"]}
    assert "the header names 'age' 3 times: read as 'age', 'age.2' and 'age.3'" in (
        ds.columns_note()
    )


def test_a_column_headed_like_a_renamed_one_is_no_duplicate(tmp_path):
    frame = rows()[["age", "bmi", "y"]]
    path = write(tmp_path / "t.csv", ["age", "age.1", "y"], frame)
    ds = load_dataset(path, "y", drop=["age"])  # "age" is unambiguous here
    assert list(ds.X.columns) == ["age.1"]
    assert "columns" not in ds.describe() and ds.columns_note() is None


def test_a_frame_whose_names_look_renamed_gets_no_note():
    frame = rows().rename(columns={"bmi": "age.1"})
    ds = load_dataset(frame, "y")
    assert ds.columns_note() is None and "columns" not in ds.describe()


@pytest.mark.parametrize("role", ["target", "groups", "time", "drop", "keep"])
def test_naming_a_name_the_header_gives_twice_is_refused(tmp_path, role):
    frame = rows()[["age", "bmi", "age", "y"]]
    path = write(tmp_path / "t.csv", ["age", "bmi", "age", "y"], frame)
    kwargs = {"target": "age"} if role == "target" else {"target": "y"}
    if role in ("drop", "keep"):
        kwargs[role] = ["age"]
    elif role != "target":
        kwargs[role] = "age"
    with pytest.raises(HowMuchDataError) as exc:
        load_dataset(path, **kwargs)
    text = _one_line(exc)
    assert text.startswith(f"{role} column 'age' is ambiguous: the header of t.csv names it")
    assert "twice (read as 'age' and 'age.1')" in text and "rename one of them in the file" in text


def test_the_name_a_second_column_was_read_as_can_be_named(tmp_path):
    frame = rows()[["age", "bmi", "age", "y"]]
    path = write(tmp_path / "t.csv", ["age", "bmi", "age", "y"], frame)
    ds = load_dataset(path, "y", drop=["age.1"])
    assert list(ds.X.columns) == ["age", "bmi"]


@pytest.mark.parametrize(
    ("name", "sep", "encoding"),
    [("t.csv", ";", "cp1252"), ("t.tsv", "\t", "utf-8"), ("t.csv", ",", "utf-8-sig")],
)
def test_duplicates_are_found_with_the_delimiter_and_encoding_of_the_file(
    tmp_path, name, sep, encoding
):
    # the mark Excel puts before the first name must not make it another name
    frame = rows()[["age", "bmi", "age", "y"]]
    path = write(tmp_path / name, ["größe", "bmi", "größe", "y"], frame, sep=sep, encoding=encoding)
    ds = load_dataset(path, "y")
    assert ds.describe()["columns"]["duplicate_names"] == {"größe": ["größe", "größe.1"]}


def test_duplicates_are_found_in_a_compressed_csv(tmp_path):
    frame = rows()[["age", "bmi", "age", "y"]]
    plain = write(tmp_path / "t.csv", ["age", "bmi", "age", "y"], frame)
    packed = tmp_path / "t.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    ds = load_dataset(packed, "y")
    assert ds.describe()["columns"]["duplicate_names"] == {"age": ["age", "age.1"]}


# --- cells read as missing ----------------------------------------------------------------


def test_a_category_written_none_is_read_as_missing_and_said(tmp_path):
    frame = rows()
    frame.loc[::4, "smoking"] = "None"  # a real answer: never smoked anything
    frame.to_csv(tmp_path / "t.csv", index=False)
    ds = load_dataset(tmp_path / "t.csv", "y")
    count = int((frame["smoking"] == "None").sum())
    assert int(ds.X["smoking"].isna().sum()) == count  # pandas' reading is kept
    assert ds.describe()["columns"] == {"read_as_missing": {"smoking": {"None": count}}}
    assert ds.columns_note() == (
        f"column 'smoking': {count} cells 'None' read as missing (like empty cells; if they "
        "are values, not gaps, write them another way in the file)"
    )


def test_each_marker_in_a_column_is_counted_and_empty_cells_are_not(tmp_path):
    frame = rows()
    markers = ["NA", "N/A", "null", "NULL", "n/a", "nan", "#N/A", "NA", ""]
    frame.loc[: len(markers) - 1, "smoking"] = markers
    frame.to_csv(tmp_path / "t.csv", index=False)
    ds = load_dataset(tmp_path / "t.csv", "y")
    counts = ds.describe()["columns"]["read_as_missing"]["smoking"]
    assert counts == {"NA": 2, "N/A": 1, "null": 1, "NULL": 1, "n/a": 1, "nan": 1, "#N/A": 1}
    assert "column 'smoking': 2 cells 'NA', 1 cell 'N/A', 1 cell 'null'" in ds.columns_note()


def test_empty_cells_in_a_text_column_get_no_note(tmp_path):
    frame = rows()
    frame.loc[::4, "smoking"] = np.nan  # written as empty cells
    frame.to_csv(tmp_path / "t.csv", index=False)
    ds = load_dataset(tmp_path / "t.csv", "y")
    assert ds.X["smoking"].isna().sum() == 15
    assert ds.columns_note() is None and "columns" not in ds.describe()


def test_markers_in_number_date_and_unit_columns_get_no_note(tmp_path):
    frame = rows().astype({"bmi": object})
    frame["visit"] = pd.date_range("2024-01-01", periods=N).strftime("%Y-%m-%d")
    frame["dose"] = [f"{v} mg" for v in range(N)]
    for column in ("bmi", "visit", "dose"):
        frame.loc[::5, column] = "NA"  # a gap, as R writes one
    frame.to_csv(tmp_path / "t.csv", index=False)
    ds = load_dataset(tmp_path / "t.csv", "y")
    assert {"bmi", "visit", "dose"} <= set(ds.numeric_columns)
    assert ds.X[["bmi", "visit", "dose"]].isna().sum().tolist() == [12, 12, 12]
    assert "read_as_missing" not in ds.describe().get("columns", {})
    assert "read as missing" not in (ds.columns_note() or "")


def test_many_columns_with_markers_are_summed_up(tmp_path):
    frame = rows()
    for k in range(7):
        frame[f"answer{k}"] = np.array(["yes", "no", "None"])[np.arange(N) % 3]
    frame.to_csv(tmp_path / "t.csv", index=False)
    note = load_dataset(tmp_path / "t.csv", "y").columns_note()
    assert note.count("cells 'None' read as missing") == 5
    assert "column 'answer4': 20 cells 'None'" in note and "answer5" not in note
    assert note.endswith(
        "cells read as missing in 2 more columns (like empty cells; if they are values, not "
        "gaps, write them another way in the file)"
    )


def test_cells_are_counted_in_rows_one_field_longer_than_the_header(tmp_path):
    # pandas then takes the first field of each row as the index: the cells still line up
    frame = rows()
    frame.loc[::4, "smoking"] = "None"
    body = frame.to_csv(index=True, header=False)
    (tmp_path / "t.csv").write_text("age,bmi,smoking,y\n" + body)
    ds = load_dataset(tmp_path / "t.csv", "y")
    assert ds.describe()["columns"]["read_as_missing"] == {"smoking": {"None": 15}}


def test_a_target_with_cells_read_as_missing_is_refused_naming_them(tmp_path):
    frame = rows()
    frame.loc[[3, 8], "smoking"] = "None"
    frame.loc[[5], "smoking"] = "NA"
    frame.loc[[9], "smoking"] = np.nan
    frame.to_csv(tmp_path / "t.csv", index=False)
    with pytest.raises(HowMuchDataError) as exc:
        load_dataset(tmp_path / "t.csv", "smoking")
    assert _one_line(exc) == (
        "target column 'smoking' has 4 missing values (rows [3, 5, 8, 9]...), among them "
        "2 cells 'None' and 1 cell 'NA' that pandas reads as missing; drop or fill those rows, "
        "or, if 'None' or 'NA' is a class, write it another way in the file"
    )


def test_a_numeric_target_with_na_gets_the_plain_missing_message(tmp_path):
    frame = rows().astype({"bmi": object})
    frame.loc[[2, 7], "bmi"] = "NA"
    frame.to_csv(tmp_path / "t.csv", index=False)
    with pytest.raises(HowMuchDataError) as exc:
        load_dataset(tmp_path / "t.csv", "bmi")
    text = _one_line(exc)
    assert "has 2 missing values" in text and "class" not in text


def test_a_group_label_read_as_missing_is_refused_naming_it(tmp_path):
    frame = rows()
    frame["country"] = np.array(["DE", "NA", "FR", "IT"])[np.arange(N) % 4]  # NA: Namibia
    frame.to_csv(tmp_path / "t.csv", index=False)
    with pytest.raises(HowMuchDataError) as exc:
        load_dataset(tmp_path / "t.csv", "y", groups="country")
    text = _one_line(exc)
    assert "groups column 'country' has 15 missing values" in text
    assert "15 cells 'NA'" in text and "if 'NA' is a group label" in text


def test_a_time_stamp_read_as_missing_is_refused_naming_it(tmp_path):
    frame = rows()
    frame["visit"] = pd.date_range("2024-01-01", periods=N).strftime("%Y-%m-%d")
    frame.loc[[4], "visit"] = "n/a"
    frame.to_csv(tmp_path / "t.csv", index=False)
    with pytest.raises(HowMuchDataError) as exc:
        load_dataset(tmp_path / "t.csv", "y", time="visit")
    text = _one_line(exc)
    assert "time column 'visit' has 1 missing values" in text and "1 cell 'n/a'" in text
    assert text.endswith("drop or fill those rows")  # a time stamp is never 'n/a'


# --- the command line ---------------------------------------------------------------------


def curve(path, tmp_path, *args: str) -> int:
    return main(
        ["curve", str(path), "--sizes", "20,40", "--repeats", "1", "-q", "--no-report",
         "--out", str(tmp_path / "run"), *args]
    )  # fmt: skip


def test_curve_says_duplicates_and_markers_after_the_work(tmp_path, capsys):
    frame = rows()
    frame.loc[::4, "smoking"] = "None"
    frame.insert(1, "age2", frame["age"] + 1)
    path = write(tmp_path / "t.csv", ["age", "age", "bmi", "smoking", "y"], frame)
    assert curve(path, tmp_path, "--target", "y") == 0
    err = capsys.readouterr().err
    line = next(line for line in err.splitlines() if line.startswith("howmuchdata: columns:"))
    assert "the header names 'age' twice: read as 'age' and 'age.1'" in line
    assert "column 'smoking': 15 cells 'None' read as missing" in line
    columns = read_result(tmp_path / "run")["data"]["columns"]
    assert columns["duplicate_names"] == {"age": ["age", "age.1"]}
    assert columns["read_as_missing"] == {"smoking": {"None": 15}}


def test_curve_stops_on_a_duplicated_target_name_with_status_2(tmp_path, capsys):
    frame = rows()[["age", "bmi", "y", "y"]]
    path = write(tmp_path / "t.csv", ["age", "bmi", "y", "y"], frame)
    code = curve(path, tmp_path, "--target", "y")
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1
    assert "target column 'y' is ambiguous" in err and "Traceback" not in err


@pytest.mark.parametrize("command", ["curve", "compare"])
def test_a_text_column_the_header_names_twice_is_refused(tmp_path, capsys, command):
    path = tmp_path / "notes.csv"
    rows = "".join(f"note {i},other {i},{i % 3},{'ny'[i % 2]}\n" for i in range(60))
    path.write_text("note,note,x,y\n" + rows)
    code = main([command, str(path), "--target", "y", "--text", "note", "-o", str(tmp_path / "r")])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert "--text column 'note' is ambiguous" in err and "'note', 'note.1'" in err
    assert "\n" not in err
