"""Checks of :func:`~howmuchdata.curve.learning_curve`'s own arguments, and the words it adds
to a failed point's error when the cause is in the input rather than in the model.

:mod:`howmuchdata.data` validates the target, groups and time stamps; what is here is about
the other arguments: the estimator, the feature table's rows, the seed, the workers, a scorer
callable, and fingerprints of objects that plain pickling cannot hash (lambdas).
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import numbers
import sys
import sysconfig
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
from sklearn.base import clone

from howmuchdata.errors import HowMuchDataError, shown

# How many column names an input hint lists before "...".
_HINT_COLUMNS = 5


def check_estimator(estimator: Any) -> None:
    """Refuse what is not a scikit-learn compatible estimator instance, in one line.

    Parameters
    ----------
    estimator : object

    Raises
    ------
    HowMuchDataError
        For a preset name (a string), a class instead of an instance, or an object that has
        no ``fit`` or cannot be cloned.
    """
    if isinstance(estimator, str):
        raise HowMuchDataError(
            f"estimator {estimator!r} is a name, not a model; pass an estimator such as "
            f"LogisticRegression(), or howmuchdata.models.make_estimator({estimator!r}, dataset) "
            "for a preset"
        )
    if isinstance(estimator, type):
        raise HowMuchDataError(
            f"estimator {estimator.__name__} is a class, not a model; pass an instance: "
            f"{estimator.__name__}()"
        )
    if not callable(getattr(estimator, "fit", None)):
        raise HowMuchDataError(
            f"estimator of type {type(estimator).__name__} has no fit method; pass a "
            "scikit-learn compatible estimator (fit, predict, get_params)"
        )
    try:
        clone(estimator)
    except Exception as exc:  # clone's TypeError/RuntimeError: the run clones it per point
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise HowMuchDataError(
            f"estimator {type(estimator).__name__} cannot be cloned ({first}); pass a "
            "scikit-learn compatible estimator (one that implements get_params)"
        ) from None


def check_repeats(repeats: Any) -> int:
    """``repeats`` as an int, or a one-line error when it is not a whole number of at least 1."""
    if isinstance(repeats, bool) or not isinstance(repeats, numbers.Integral):
        raise HowMuchDataError(
            f"repeats={shown(repeats)} is not a whole number; pass e.g. repeats=5"
        )
    if repeats < 1:
        raise HowMuchDataError(f"repeats={int(repeats)}; pass at least 1 repeat")
    return int(repeats)


def check_random_state(random_state: Any) -> int:
    """The root seed as an int; ``None`` or a generator would make stored points unreproducible.

    Raises
    ------
    HowMuchDataError
        Unless ``random_state`` is a non-negative whole number.
    """
    valid = isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool)
    if not valid or random_state < 0:
        raise HowMuchDataError(
            f"random_state={shown(random_state)} is not a non-negative whole number; pass a "
            "seed such as random_state=0 (every split and model seed derives from it, so "
            "stored points can be reused)"
        )
    return int(random_state)


def check_n_jobs(n_jobs: Any) -> int | None:
    """``None`` or a non-zero whole number (joblib's convention: -1 is every core).

    Raises
    ------
    HowMuchDataError
        For 0, a fraction, a boolean or anything else.
    """
    if n_jobs is None:
        return None
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral) or n_jobs == 0:
        raise HowMuchDataError(
            f"n_jobs={shown(n_jobs)} is not a number of workers; pass None or 1 (this "
            "process), a positive number of worker processes, or -1 for every core"
        )
    return int(n_jobs)


def check_aligned(X: Any, named: dict[str, Any]) -> None:
    """Refuse pandas inputs whose rows are the same labelled rows as ``X``'s in another order.

    The engine pairs rows by position, as scikit-learn does; a ``y`` (or ``groups``/``time``)
    Series that holds the same index labels as ``X`` in a different order would pair every row
    with another row's target and measure noise.

    Parameters
    ----------
    X : object
        The features.
    named : dict
        Name -> the other per-row inputs (``y``, ``groups``, ``time``), any of which may be None.

    Raises
    ------
    HowMuchDataError
        Naming the input and how to align it.
    """
    index = getattr(X, "index", None)
    if not isinstance(index, pd.Index) or not index.is_unique:
        return
    for name, values in named.items():
        other = getattr(values, "index", None)
        if not isinstance(other, pd.Index) or other.equals(index) or len(other) != len(index):
            continue
        if other.is_unique and index.difference(other).empty:
            raise HowMuchDataError(
                f"{name} holds the same row labels as X in another order, and rows are paired "
                f"by position; align it first, e.g. {name} = {name}.loc[X.index]"
            )


def rows_of(X: Any) -> Any:
    """``X`` in a form whose rows can be taken by an index array (a list stays a list).

    A SciPy sparse matrix or array in a format that cannot be indexed by rows (COO, DIA,
    BSR: ``sparse.coo_matrix(X)`` and what ``scipy.sparse.vstack`` returns) becomes CSR, which
    can; without it every point would fail with ``'coo_matrix' object is not subscriptable``.
    """
    if isinstance(X, tuple):
        return list(X)
    fmt = getattr(X, "format", None)
    if fmt in ("coo", "dia", "bsr") and hasattr(X, "tocsr"):
        return X.tocsr()
    return X


def scorer_label(scoring: Any) -> str:
    """A readable name for a scorer callable: a function's name, a scorer object's repr."""
    name = getattr(scoring, "__name__", None)
    if isinstance(name, str):
        return name
    return " ".join(repr(scoring).split())


def fingerprint(value: Any) -> str:
    """A hash of ``value`` that tells apart what scores differently.

    :func:`joblib.hash` first; objects it cannot pickle (a lambda in a ``FunctionTransformer``,
    a local scorer function) are hashed from their cloudpickle bytes, which hold the code and
    the values it closes over. Failing both, a fresh random value: the points are then never
    reused, which is safe, rather than reused wrongly.
    """
    try:
        return joblib.hash(value)
    except Exception:  # PicklingError, TypeError, AttributeError: whatever pickling raises
        pass
    try:
        import cloudpickle

        return hashlib.sha256(cloudpickle.dumps(value)).hexdigest()
    except Exception:  # not picklable even by value
        return f"unhashable-{uuid.uuid4().hex}"


def key_digest(value: Mapping[str, Any]) -> str:
    """The store key of a JSON-able description (a run's identity, a point within it)."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:32]


def user_code_fingerprint(*objects: Any) -> str | None:
    """A hash of the source code of the user's own classes and functions among ``objects``.

    Pickling (:func:`fingerprint`) names a class or a module-level function but does not hold
    its code, so points measured before an edit of a custom estimator, a transformer's
    function or a network factory would be reused after it. This reads, for ``objects`` and
    every parameter of an estimator (``get_params(deep=True)``), the classes (with their user
    base classes) and functions defined outside the standard library, installed packages and
    howmuchdata itself, and hashes their source.

    Parameters
    ----------
    *objects : object
        Estimators, scorers, functions.

    Returns
    -------
    str or None
        None when there is no such code (only library classes), so that the stored points of
        library models keep their keys.
    """
    sources: set[str] = set()
    seen: set[int] = set()

    def visit(value: Any) -> None:
        if id(value) in seen:
            return
        seen.add(id(value))
        if isinstance(value, list | tuple):
            for item in value:
                visit(item)
            return
        if isinstance(value, functools.partial):
            visit(value.func)
            return
        if inspect.isfunction(value) or inspect.ismethod(value) or inspect.isclass(value):
            code = value if not inspect.ismethod(value) else value.__func__
            classes = inspect.getmro(code) if inspect.isclass(code) else (code,)
            for item in classes:
                source = _user_source(item)
                if source is not None:
                    sources.add(source)
            return
        if not isinstance(value, str | bytes | numbers.Number | type(None)):
            visit(type(value))
            get_params = getattr(value, "get_params", None)
            if callable(get_params):
                try:
                    params = get_params(deep=True)
                except Exception:  # a broken get_params: the pickle hash still applies
                    params = {}
                for item in params.values():
                    visit(item)

    for obj in objects:
        visit(obj)
    if not sources:
        return None
    return hashlib.sha256("\n".join(sorted(sources)).encode()).hexdigest()


_LIBRARY_PATHS = tuple(
    Path(p).resolve()
    for p in {sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")}
)


def _user_source(obj: Any) -> str | None:
    """The source of ``obj`` when it is the user's own code (see
    :func:`user_code_fingerprint`), else None."""
    module = getattr(obj, "__module__", None) or ""
    top = module.split(".")[0]
    if top in sys.stdlib_module_names or top in ("builtins", "howmuchdata"):
        return None
    try:
        file = inspect.getsourcefile(obj)
    except TypeError:  # built-in or C extension
        return None
    if file is not None:
        path = Path(file).resolve()
        if any(path.is_relative_to(library) for library in _LIBRARY_PATHS):
            return None
    try:
        return f"{module}.{obj.__qualname__}\n{inspect.getsource(obj)}"
    except (OSError, TypeError):  # defined where no source is kept (exec, some REPLs)
        return None


def explain_failure(error: str | None, X: Any) -> str | None:
    """``error`` with a hint appended when the input is its cause, else ``error`` itself.

    A model that cannot take text, dates, missing or infinite values fails at every point
    with scikit-learn's message (``could not convert string to float: 'rent'``), which
    names neither the column nor the fix; the hint names both.

    Parameters
    ----------
    error : str or None
        The failed point's error (``"ValueError: ..."``).
    X : object
        The features the point was fitted on.

    Returns
    -------
    str or None
    """
    if not error:
        return error
    hint = _input_hint(error, X)
    return error if hint is None or hint in error else f"{error} [{hint}]"


def _input_hint(error: str, X: Any) -> str | None:
    text = error.lower()
    if "could not convert string" in text or "non-numeric data" in text or "bytes/strings" in text:
        columns = _columns(X, lambda c: _is_text(c))
        if columns is not None:
            return (
                f"X has text or category {columns} that this model cannot take; encode them "
                "in a Pipeline with a ColumnTransformer (howmuchdata.models.make_estimator "
                "builds one)"
            )
    if "datetime64" in text or "datetime" in text:
        columns = _columns(X, lambda c: pd.api.types.is_datetime64_any_dtype(c))
        if columns is not None:
            return (
                f"X has date {columns} that this model cannot take; turn the dates into "
                "numbers (e.g. days since the first date) or drop them"
            )
    if "contains nan" in text:
        columns = _columns(X, lambda c: _is_number(c) and bool(c.isna().any()))
        if columns is not None:
            return (
                f"X has missing values in {columns} and this model takes none; put a "
                "SimpleImputer before it in a Pipeline, or drop or fill those rows"
            )
    if "contains infinity" in text:
        columns = _columns(
            X, lambda c: _is_number(c) and bool(np.isinf(c.to_numpy(float, na_value=0)).any())
        )
        if columns is not None:
            return (
                f"X has infinite values in {columns}; replace them with finite numbers or "
                "blank them (NaN) for an imputer"
            )
    if "expected 2d array, got 1d array" in text:
        return "X is 1-D; pass a 2-D table, e.g. X.reshape(-1, 1) for a single feature"
    if "must have the same dtype" in text and "double and float" in text:
        # torch's float32 weights met float64 rows: a plain skorch net does not convert them
        return (
            "the network's weights are float32 and X is float64; pass X.astype(np.float32), "
            "or wrap the module in howmuchdata.deep.TorchClassifier / TorchRegressor, which "
            "convert"
        )
    return None


def _is_number(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def _is_text(column: pd.Series) -> bool:
    if _is_number(column) or pd.api.types.is_bool_dtype(column):
        return False
    return not pd.api.types.is_datetime64_any_dtype(column)


def _columns(X: Any, wanted: Any) -> str | None:
    """``"columns 'a', 'b'"`` (or ``"column 'a'"``) of ``X`` for which ``wanted`` holds; None
    when there is none or ``X`` is no table."""
    if isinstance(X, pd.DataFrame):
        frame = X
        names = [shown(c) for c in X.columns]
    else:
        try:
            array = np.asarray(X)
        except Exception:  # ragged lists and the like: no columns to name
            return None
        if array.ndim != 2:
            return None
        frame = pd.DataFrame(array)
        if array.dtype == object:
            frame = frame.infer_objects()
        names = [str(j) for j in range(array.shape[1])]
    hits = [name for name, c in zip(names, frame.columns, strict=True) if wanted(frame[c])]
    if not hits:
        return None
    listed = ", ".join(hits[:_HINT_COLUMNS]) + (", ..." if len(hits) > _HINT_COLUMNS else "")
    if not isinstance(X, pd.DataFrame):
        return f"column{'s' if len(hits) > 1 else ''} (by position) {listed}"
    return f"column{'s' if len(hits) > 1 else ''} {listed}"
