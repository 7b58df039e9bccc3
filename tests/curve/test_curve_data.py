"""howmuchdata.data: reading sources and refusing bad input with a one-line fix."""

from __future__ import annotations

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
    assert "single group" in _message(exc)


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
