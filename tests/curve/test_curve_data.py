"""howmuchdata.data: reading sources and refusing bad input with a one-line fix."""

from __future__ import annotations

import gzip
import warnings

import numpy as np
import pandas as pd
import pytest

from howmuchdata.data import infer_task, load_dataset
from howmuchdata.errors import HowMuchDataError


def test_csv_with_mixed_types_is_read_and_columns_removed(tmp_path, mixed_frame):
    path = tmp_path / "patients.csv"
    mixed_frame.to_csv(path, index=False)
    ds = load_dataset(path, "label", groups="patient", time="day")
    assert ds.task == "classification"
    assert ds.classes == ["sick", "well"]
    assert list(ds.X.columns) == ["age", "site", "smoker"]
    assert ds.numeric_columns == ["age"]
    assert set(ds.categorical_columns) == {"site", "smoker"}
    assert ds.groups is not None and len(np.unique(ds.groups)) == 60
    assert np.issubdtype(ds.time.dtype, np.datetime64)
    assert ds.source == "patients.csv"


def test_parquet_dataframe_and_arrays_give_the_same_target(tmp_path, mixed_frame):
    path = tmp_path / "patients.parquet"
    mixed_frame.to_parquet(path)
    from_file = load_dataset(path, "label")
    from_frame = load_dataset(mixed_frame, "label")
    from_arrays = load_dataset(np.ones((len(mixed_frame), 2)), mixed_frame["label"].to_numpy())
    assert (from_file.y == from_frame.y).all() and (from_frame.y == from_arrays.y).all()
    assert list(from_arrays.X.columns) == ["x0", "x1"]


@pytest.mark.parametrize(
    ("values", "task"),
    [
        (np.array([0, 1, 2, 1, 0] * 4), "classification"),
        (np.array(["a", "b"] * 10), "classification"),
        (np.linspace(0, 1, 20), "regression"),
        (np.arange(100), "regression"),  # many distinct integers: a count, not labels
    ],
)
def test_task_is_inferred_from_the_target(values, task):
    assert infer_task(values) == task


def test_task_can_be_overridden():
    ds = load_dataset(np.ones((30, 1)), np.arange(30) % 3, task="regression")
    assert ds.task == "regression" and ds.classes is None


def _message(excinfo) -> str:
    text = str(excinfo.value)
    assert "\n" not in text and ";" in text  # one line: the problem; the fix
    return text


def test_missing_file(tmp_path):
    with pytest.raises(HowMuchDataError) as exc:
        load_dataset(tmp_path / "nope.csv", "y")
    assert "file not found" in _message(exc)


@pytest.mark.parametrize("role", ["target", "groups", "time"])
def test_unknown_column_names_the_choices(mixed_frame, role):
    kwargs = {"target": "label", role: "missing_col"}
    with pytest.raises(HowMuchDataError) as exc:
        load_dataset(mixed_frame, **kwargs)
    text = _message(exc)
    assert f"{role} column 'missing_col' not found" in text and "age" in text


def test_one_class_target(mixed_frame):
    mixed_frame["label"] = "sick"
    with pytest.raises(HowMuchDataError) as exc:
        load_dataset(mixed_frame, "label")
    assert "one class" in _message(exc)


def test_nan_in_target(mixed_frame):
    mixed_frame.loc[[3, 7], "label"] = np.nan
    with pytest.raises(HowMuchDataError) as exc:
        load_dataset(mixed_frame, "label")
    assert "2 missing values" in _message(exc)


def test_single_group(mixed_frame):
    mixed_frame["patient"] = 7
    with pytest.raises(HowMuchDataError) as exc:
        load_dataset(mixed_frame, "label", groups="patient")
    assert "single group (7)" in _message(exc)  # the value, not np.int64(7)


def test_one_class_message_shows_plain_values():
    with pytest.raises(HowMuchDataError) as exc:
        load_dataset(np.ones((30, 2)), np.full(30, 3, dtype=np.int64), task="classification")
    assert "one class (3)" in _message(exc) and "np." not in str(exc.value)


def test_a_constant_number_with_no_task_says_what_a_classifier_and_a_regressor_lack():
    # read with no model known (the command line loads the table first), a constant number
    # is one class: "a classifier needs two classes" misled a user fitting a regressor
    with pytest.raises(HowMuchDataError) as exc:
        load_dataset(np.ones((30, 2)), np.full(30, 2.0))
    text = _message(exc)
    assert "one value (2.0) in every row" in text
    assert "classifier" in text and "regressor a target that varies" in text
    with pytest.raises(HowMuchDataError) as exc:
        load_dataset(np.ones((30, 2)), np.full(30, 2.0), task="regression")
    assert "target is constant" in _message(exc)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.csv", b"", "file empty.csv is empty"),
        ("blank.csv", b"\n  \n\n", "file blank.csv is empty"),
        ("empty.csv.gz", gzip.compress(b""), "file empty.csv.gz is empty"),
        ("header.csv", b"age,site,label\n", "file header.csv has a header but no rows"),
        ("header.csv", b"age;site;label\n", "file header.csv has a header but no rows"),
        ("header.tsv", b"age\tsite\tlabel\n", "file header.tsv has a header but no rows"),
        ("empty.parquet", b"", "file empty.parquet is empty"),
    ],
)
def test_empty_and_header_only_files(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(HowMuchDataError) as exc:
        load_dataset(path, "label")
    assert expected in _message(exc)


def test_parquet_and_frames_without_rows(tmp_path, mixed_frame):
    mixed_frame.head(0).to_parquet(tmp_path / "none.parquet")
    with pytest.raises(HowMuchDataError) as exc:
        load_dataset(tmp_path / "none.parquet", "label")
    assert "has columns but no rows" in _message(exc)
    with pytest.raises(HowMuchDataError) as exc:
        load_dataset(mixed_frame.head(0), "label")
    assert "has no rows" in _message(exc)


@pytest.mark.parametrize("value", [np.inf, -np.inf])
def test_infinite_target_is_refused_without_numpy_warnings(tmp_path, value):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=50), "level": rng.normal(size=50)})
    frame.loc[[4, 9], "level"] = value
    frame.to_csv(tmp_path / "inf.csv", index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning from inferring the task
        with pytest.raises(HowMuchDataError) as exc:
            load_dataset(tmp_path / "inf.csv", "level")
    assert "level has 2 infinite values (rows [4, 9]" in _message(exc)
    frame.loc[[4, 9], "level"] = 0.5
    assert load_dataset(frame, "level").task == "regression"


def test_infinite_feature_values_are_refused_naming_the_columns(mixed_frame):
    mixed_frame["dose"] = 1.0
    mixed_frame.loc[[1, 2], "dose"] = [np.inf, -np.inf]
    mixed_frame.loc[5, "age"] = np.inf
    with pytest.raises(HowMuchDataError) as exc:
        load_dataset(mixed_frame, "label")
    text = _message(exc)
    assert "columns 'age', 'dose' hold 3 infinite values" in text and "blank" in text
    mixed_frame["age"] = mixed_frame["age"].replace(np.inf, np.nan)  # missing values: imputed
    mixed_frame["dose"] = mixed_frame["dose"].astype(str)  # "inf" as text is infinite too
    with pytest.raises(HowMuchDataError, match="column 'dose' holds 2 infinite values"):
        load_dataset(mixed_frame, "label")
    mixed_frame["dose"] = 1.0
    assert load_dataset(mixed_frame, "label").X["age"].isna().any()


@pytest.mark.parametrize(("sep", "suffix"), [(";", ".csv"), ("\t", ".txt"), ("\t", ".tsv")])
def test_decimal_comma_files_are_read_as_numbers(tmp_path, mixed_frame, sep, suffix):
    frame = mixed_frame.drop(columns=["day"])
    frame["dose"] = np.round(np.linspace(-2.5, 3.75, len(frame)), 2)
    path = tmp_path / f"comma{suffix}"
    frame.to_csv(path, sep=sep, decimal=",", index=False)
    ds = load_dataset(path, "label")
    assert ds.numeric_columns == ["age", "patient", "dose"]
    np.testing.assert_allclose(ds.X["dose"], frame["dose"])
    np.testing.assert_allclose(ds.X["age"], frame["age"])
    # decimal points in a ';' file stay numbers
    frame.to_csv(tmp_path / "points.csv", sep=";", index=False)
    numeric = load_dataset(tmp_path / "points.csv", "label").numeric_columns
    assert numeric == ["age", "patient", "dose"]


def test_a_decimal_comma_target_is_a_numeric_target(tmp_path, mixed_frame):
    frame = mixed_frame.drop(columns=["day", "label"])
    frame["yield_kg"] = np.round(np.linspace(10.5, 99.25, len(frame)), 2)
    frame.to_csv(tmp_path / "yields.csv", sep=";", decimal=",", index=False)
    ds = load_dataset(tmp_path / "yields.csv", "yield_kg")
    assert ds.task == "regression"
    np.testing.assert_allclose(ds.y, frame["yield_kg"])


def test_quoted_commas_in_a_comma_separated_file_stay_text(tmp_path):
    # in a ',' file, "1,234" is as likely a thousands separator: not guessed
    text = "amount,label\n" + "".join(f'"1,{i:03d}",{i % 2}\n' for i in range(40))
    (tmp_path / "quoted.csv").write_text(text)
    ds = load_dataset(tmp_path / "quoted.csv", "label")
    assert ds.numeric_columns == [] and ds.X["amount"].iloc[0] == "1,000"


def test_unparsable_time_column(mixed_frame):
    mixed_frame.loc[5, "day"] = "next tuesday-ish"
    with pytest.raises(HowMuchDataError) as exc:
        load_dataset(mixed_frame, "label", time="day")
    assert "not dates or numbers" in _message(exc) and "next tuesday-ish" in str(exc.value)


def test_junk_text_in_a_numeric_column(tmp_path, mixed_frame):
    frame = mixed_frame.copy()
    frame["age"] = frame["age"].round(1).astype(object)
    frame.loc[10, "age"] = "unknown??"
    path = tmp_path / "junk.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(HowMuchDataError) as exc:
        load_dataset(path, "label")
    assert "column 'age'" in _message(exc) and "unknown??" in str(exc.value)


def test_text_column_of_numbers_becomes_numeric(mixed_frame):
    mixed_frame["dose"] = ["1.5", " 2", "3"] * 80
    ds = load_dataset(mixed_frame, "label")
    assert pd.api.types.is_numeric_dtype(ds.X["dose"]) and "dose" in ds.numeric_columns
