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
        Columns removed from the features (target, groups, time, ``drop``).
    notes : dict
        Free-form facts about the source for later stages (e.g. images skipped on reading).
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
        }

    @property
    def numeric_columns(self) -> list[str]:
        """Columns fed to the numeric branch of the preprocessing (impute + scale)."""
        return [c for c in self.X.columns if _is_numeric(self.X[c])]

    @property
    def categorical_columns(self) -> list[str]:
        """Columns fed to the categorical branch (impute + one-hot)."""
        return [c for c in self.X.columns if not _is_numeric(self.X[c])]


def load_dataset(
    source: str | os.PathLike[str] | pd.DataFrame | np.ndarray | Any,
    target: str | Sequence[Any] | np.ndarray | pd.Series | None = None,
    *,
    groups: str | Sequence[Any] | np.ndarray | None = None,
    time: str | Sequence[Any] | np.ndarray | None = None,
    task: Task | None = None,
    drop: Sequence[str] = (),
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

    Returns
    -------
    Dataset

    Raises
    ------
    HowMuchDataError
        For a missing, unreadable, empty or header-only file, unknown columns, a target with
        missing or infinite values or one class, a single group, an unparsable time column,
        junk text or infinite values in a numeric column.

    Notes
    -----
    In a CSV whose fields are not separated by commas (``;`` or tabs), text columns of
    numbers written with a decimal comma (``14,23``) are read as numbers.
    """
    from howmuchdata.deep.images import load_image_source  # image folder / CSV of image paths

    if (images := load_image_source(source, target, task=task)) is not None:
        return images
    frame, source_name = _read_source(source, target)
    if len(frame) == 0:
        if isinstance(source, str | os.PathLike):
            what = "a header" if ".parquet" not in source_name.lower() else "columns"
            raise HowMuchDataError(
                f"file {source_name} has {what} but no rows; add one row per example "
                "(or pass the file that holds the data)"
            )
        raise HowMuchDataError(f"the {source_name} input has no rows; pass one row per example")
    if isinstance(target, str):
        _require_column(frame, target, "target", source_name, "--target")
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

    group_values = None
    if groups is not None:
        if isinstance(groups, str):
            _require_column(frame, groups, "groups", source_name, "--groups")
            group_values = frame[groups].to_numpy()
            remove.append(groups)
        else:
            group_values = np.asarray(_one_column(groups, "groups", what="group label"))
    time_values = None
    if time is not None:
        if isinstance(time, str):
            _require_column(frame, time, "time", source_name, "--time")
            time_values = frame[time]
            remove.append(time)
        else:
            time_values = pd.Series(np.asarray(_one_column(time, "time", what="time stamp")))
    for name in drop:
        _require_column(frame, name, "drop", source_name, "--drop")
    remove += [c for c in drop if c not in remove]

    X = frame.drop(columns=remove).reset_index(drop=True)
    if X.shape[1] == 0:
        raise HowMuchDataError(
            f"{source_name} has no feature columns left after removing {remove}; "
            "add feature columns to the data"
        )
    y, inferred = check_target(y_raw, task=task, name=target_name or "target")
    if group_values is not None:
        group_values = check_groups(group_values, len(y))
    if time_values is not None:
        time_values = check_time(
            time_values, len(y), name=time if isinstance(time, str) else "time"
        )
    X = _coerce_features(X, source_name)
    return Dataset(
        X=X,
        y=y,
        groups=group_values,
        time=time_values,
        task=inferred,
        source=source_name,
        target=target_name,
        columns_dropped=list(remove),
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
        raise HowMuchDataError(
            f"{name} has one class ({shown(classes[0])}); a classifier needs at least two classes "
            "in the data"
        )
    return values, task


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


def _parse_dates(text: pd.Series, name: str) -> pd.Series:
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
                f"time column {name!r} has day-first dates (e.g. {shown(examples[0])}) and "
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


def _read_source(source: Any, target: Any) -> tuple[pd.DataFrame, str]:
    if isinstance(source, pd.DataFrame):
        return source.reset_index(drop=True), "DataFrame"
    if isinstance(source, str | os.PathLike):
        return _read_file(Path(source)), Path(source).name
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
    return pd.DataFrame(array, columns=columns), "arrays"


def _read_file(path: Path) -> pd.DataFrame:
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
            return pd.read_parquet(path)
        sep = "\t" if ".tsv" in suffixes else None
        # sep=None lets the python engine sniff ',' ';' or tabs (from the first line, as here)
        frame = pd.read_csv(path, sep=sep, engine="python" if sep is None else "c")
    except HowMuchDataError:
        raise
    except pd.errors.EmptyDataError:
        raise HowMuchDataError(
            f"file {path.name} is empty: it has no header and no rows; pass a file with a "
            "header line and one row per example"
        ) from None
    except (ValueError, OSError, pd.errors.ParserError, UnicodeDecodeError, csv.Error) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise HowMuchDataError(
            f"cannot read {path.name} ({first}); pass a CSV (.csv/.tsv) or Parquet (.parquet) file"
        ) from None
    delimiter = sep or _sniff_delimiter(first_line)
    if delimiter is not None and delimiter != ",":
        frame = _read_decimal_commas(frame)
    return frame


def _first_line(path: Path) -> str | None:
    """The first non-blank line of a (possibly compressed) text file: ``""`` when there is
    none, ``None`` when the file cannot be opened here (pandas then reports the problem)."""
    suffix = path.suffix.lower()
    opener = _TEXT_OPENERS.get(suffix, open if suffix not in (".zip", ".zst", ".tar") else None)
    if opener is None:
        return None
    try:
        with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.strip():
                    return line
    except (OSError, EOFError, lzma.LZMAError):
        return None
    return ""


def _sniff_delimiter(line: str | None) -> str | None:
    """The delimiter pandas' python engine finds in ``line`` (it sniffs the first line too)."""
    if not line:
        return None
    try:
        return csv.Sniffer().sniff(line).delimiter
    except csv.Error:
        return None


def _read_decimal_commas(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn text columns of decimal-comma numbers ("14,23") into decimal-point text ("14.23"),
    which :func:`_coerce_features` then reads as numbers (and whose junk it reports)."""
    frame = frame.copy()
    for column in frame.columns:
        values = frame[column]
        if _is_numeric(values) or pd.api.types.is_bool_dtype(values):
            continue
        present = values.dropna()
        if present.empty or not all(isinstance(v, str) for v in present):
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


def _require_column(frame: pd.DataFrame, name: str, role: str, source: str, flag: str) -> None:
    if name not in frame.columns:
        shown = ", ".join(map(str, list(frame.columns)[:12]))
        more = ", ..." if frame.shape[1] > 12 else ""
        raise HowMuchDataError(
            f"{role} column {name!r} not found in {source}; pass {flag} with one of: {shown}{more}"
        )


def _is_numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def _coerce_features(X: pd.DataFrame, source: str) -> pd.DataFrame:
    """Find numeric columns polluted by text, and make text columns plain strings."""
    X = X.copy()
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
        parsed = pd.to_numeric(present.astype(str).str.strip(), errors="coerce")
        share = float(parsed.notna().mean())
        if NUMERIC_JUNK_SHARE <= share < 1.0:
            junk = present[parsed.isna().to_numpy()]
            examples = ", ".join(shown(v) for v in pd.unique(junk)[:3])
            raise HowMuchDataError(
                f"column {column!r} in {source} is numeric except for {len(junk)} values "
                f"({examples}); fix or blank those cells (blank cells are imputed)"
            )
        if share == 1.0:
            X[column] = pd.to_numeric(values.astype(str).str.strip().replace("", np.nan))
        elif isinstance(values.dtype, pd.CategoricalDtype):
            continue
        else:
            X[column] = values.astype(object).where(values.notna(), np.nan)
    _refuse_infinite_features(X, source)
    return X


def _infinite(values: pd.Series) -> np.ndarray:
    """Mask of the infinite entries (``inf``, ``-inf``) of a column, numeric or not."""
    if _is_numeric(values):
        return np.isinf(values.to_numpy(dtype=float, na_value=np.nan))
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
