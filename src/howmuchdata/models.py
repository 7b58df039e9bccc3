"""Models by preset name, ``module:callable`` or instance, behind one preprocessing pipeline.

:func:`make_estimator` returns a scikit-learn :class:`~sklearn.pipeline.Pipeline`: a
:class:`~sklearn.compose.ColumnTransformer` that imputes and scales numeric columns and imputes
and one-hot encodes the others, followed by the model. Mixed-type tables therefore work out of
the box and every fold learns its own imputation and scaling (no leak from validation rows).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, clone, is_classifier, is_regressor
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor, make_column_selector
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from howmuchdata.data import Dataset, Task
from howmuchdata.deep.presets import DEEP_PRESETS, IMAGE_PRESETS, make_deep_estimator
from howmuchdata.errors import HowMuchDataError


def _logreg(task: Task, seed: int | None) -> BaseEstimator:
    if task == "classification":
        return LogisticRegression(max_iter=2000, random_state=seed)
    return Ridge(alpha=1.0)


def _rf(task: Task, seed: int | None) -> BaseEstimator:
    cls = RandomForestClassifier if task == "classification" else RandomForestRegressor
    return cls(n_estimators=100, n_jobs=1, random_state=seed)


class _LeavesForSmallSets:
    """Caps ``min_samples_leaf`` at a quarter of the training rows during ``fit``.

    scikit-learn's default of 20 rows per leaf makes every tree a single leaf below 40 rows:
    the model predicts the class shares (or the mean) whatever the features, and its learning
    curve starts at chance and takes off at 40 rows, a shape of the setting and not of the
    data (breast cancer, 24 rows: accuracy 0.63 against 0.90 with the cap). From 80 rows on
    the cap is the default itself. The parameter is set back after ``fit``, so ``get_params``
    and ``clone`` see the estimator as it was built; ``min_samples_leaf_`` is what was used.
    """

    def fit(self, X, y, sample_weight=None):  # noqa: D102 - scikit-learn's fit
        requested = self.min_samples_leaf
        used = int(min(requested, max(2, len(y) // 4)))
        self.min_samples_leaf = used
        try:
            super().fit(X, y, sample_weight=sample_weight)
        finally:
            self.min_samples_leaf = requested
        self.min_samples_leaf_ = used
        return self


class SmallSetHistGradientBoostingClassifier(_LeavesForSmallSets, HistGradientBoostingClassifier):
    """scikit-learn's histogram gradient boosting, with leaves capped at a quarter of the
    training rows (the ``hgb`` preset; see :class:`_LeavesForSmallSets`)."""


class SmallSetHistGradientBoostingRegressor(_LeavesForSmallSets, HistGradientBoostingRegressor):
    """scikit-learn's histogram gradient boosting regressor, with leaves capped at a quarter
    of the training rows (the ``hgb`` preset; see :class:`_LeavesForSmallSets`)."""


def _hgb(task: Task, seed: int | None) -> BaseEstimator:
    cls = (
        SmallSetHistGradientBoostingClassifier
        if task == "classification"
        else SmallSetHistGradientBoostingRegressor
    )
    return cls(random_state=seed)


def _knn(task: Task, seed: int | None) -> BaseEstimator:
    cls = KNeighborsClassifier if task == "classification" else KNeighborsRegressor
    return cls(n_neighbors=5)


def _mlp(task: Task, seed: int | None) -> BaseEstimator:
    settings = {"hidden_layer_sizes": (64,), "max_iter": 500, "early_stopping": False}
    if task == "classification":
        return MLPClassifier(**settings, random_state=seed)
    # the network starts with outputs near 0 and a small step size: on a target in the
    # hundreds (reaction times, prices) 500 epochs do not reach its scale, so it is
    # standardised for the fit and predictions are turned back
    return TransformedTargetRegressor(
        MLPRegressor(**settings, random_state=seed), transformer=StandardScaler()
    )


# preset name -> (factory, needs scaled inputs, description)
PRESETS: dict[str, tuple[Callable[[Task, int | None], BaseEstimator], bool, str]] = {
    "logreg": (_logreg, True, "logistic regression (ridge regression on numeric targets)"),
    "rf": (_rf, False, "random forest, 100 trees"),
    "hgb": (_hgb, False, "histogram gradient boosting (leaves of at most a quarter of the rows)"),
    "knn": (_knn, True, "k nearest neighbours, k=5"),
    "mlp": (_mlp, True, "multi-layer perceptron, one hidden layer of 64"),
}


def make_preprocessor(dataset: Dataset | None = None, *, scale: bool = True) -> ColumnTransformer:
    """Impute + scale numeric columns, impute + one-hot encode the others.

    Parameters
    ----------
    dataset : Dataset, optional
        Fixes the column lists from the data; without it columns are chosen by dtype at fit
        time (the input must then be a DataFrame). The dataset's identifier columns (a
        different text value in nearly every row, :attr:`Dataset.identifier_columns`) are
        left out.
    scale : bool
        Standardise numeric columns (needed by linear models, k-NN and MLPs, not by trees).

    Raises
    ------
    HowMuchDataError
        When the dataset has no column left to encode (only identifier columns).
    """
    numeric_steps: list[tuple[str, Any]] = [("impute", SimpleImputer(strategy="median"))]
    if scale:
        numeric_steps.append(("scale", StandardScaler()))
    categorical = Pipeline(
        [
            ("impute", SimpleImputer(strategy="most_frequent")),
            ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
        ]
    )
    if dataset is not None:
        numeric_cols: Any = dataset.numeric_columns
        categorical_cols: Any = dataset.categorical_columns
        if not numeric_cols and not categorical_cols:
            identifiers = ", ".join(repr(c) for c in dataset.identifier_columns[:5])
            raise HowMuchDataError(
                f"every feature column ({identifiers}) has a different value in nearly every "
                "row, which a table model cannot learn from; add feature columns, or use a "
                "text model on it (--model tfidf-linear --text COLUMN)"
            )
    else:
        numeric_cols = make_column_selector(dtype_include=np.number)
        categorical_cols = make_column_selector(dtype_exclude=np.number)
    transformers = []
    if dataset is None or numeric_cols:
        transformers.append(("numeric", Pipeline(numeric_steps), numeric_cols))
    if dataset is None or categorical_cols:
        transformers.append(("categorical", categorical, categorical_cols))
    return ColumnTransformer(transformers, sparse_threshold=0.0, verbose_feature_names_out=False)


def make_estimator(
    preset_or_estimator: str | BaseEstimator,
    dataset: Dataset | None = None,
    *,
    task: Task | None = None,
    random_state: int | None = None,
    deep_options: dict[str, Any] | None = None,
) -> Pipeline:
    """Build the model pipeline for a dataset.

    Parameters
    ----------
    preset_or_estimator : str or estimator
        A preset name (``logreg``, ``rf``, ``hgb``, ``knn``, ``mlp``), ``"module:callable"``
        (the callable is called with no arguments and returns an estimator), or an estimator
        instance. A :class:`~sklearn.pipeline.Pipeline` is used as it is (cloned): it is
        assumed to do its own preprocessing.
    dataset : Dataset, optional
        Chooses classifier or regressor and the column lists of the preprocessing.
    task : {"classification", "regression"}, optional
        Needed for presets when no dataset is given; defaults to the dataset's task.
    random_state : int, optional
        Seed for presets with randomness. ``None`` leaves it to
        :func:`howmuchdata.curve.learning_curve`, which seeds every point.
    deep_options : dict, optional
        ``text``, ``epochs``, ``min_steps``, ``device``, ``weights`` for the deep presets (``cnn``,
        ``pretrained``, ``tfidf-linear``, ``minilm-linear``, ``minilm-mlp``; see
        :func:`howmuchdata.deep.make_deep_estimator`).

    Returns
    -------
    sklearn.pipeline.Pipeline

    Raises
    ------
    HowMuchDataError
        For an unknown preset, a model of the wrong task, and a model that would read an
        image collection's file paths as a table column (anything but an image preset, a
        network with :class:`~howmuchdata.deep.ImageInput` or a Pipeline of its own).
    """
    task = task or (dataset.task if dataset is not None else None)
    images = _is_image_collection(dataset)
    if isinstance(preset_or_estimator, str):
        name = preset_or_estimator.strip()
        if images and (name in PRESETS or (name in DEEP_PRESETS and name not in IMAGE_PRESETS)):
            kind = "table" if name in PRESETS else "text"
            raise HowMuchDataError(
                f"--model {name} is a {kind} model: on images it would learn from the file "
                "names, not the pixels; image folders (and CSVs of image paths) need an image "
                "model: --model cnn or --model pretrained --weights FILE"
            )
        if name in PRESETS:
            factory, scale, _ = PRESETS[name]
            model = factory(task or "classification", random_state)
        elif name in DEEP_PRESETS:
            X = dataset.X if dataset is not None else None
            model = make_deep_estimator(
                name,
                X,
                task=task or "classification",
                random_state=random_state,
                **(deep_options or {}),
            )
            scale = False
        elif ":" in name:
            model, scale = _from_callable(name), True
        else:
            raise HowMuchDataError(
                f"unknown model {name!r}; use one of {', '.join([*PRESETS, *DEEP_PRESETS])} or module:callable"
            )
    else:
        model, scale = preset_or_estimator, True
        if not hasattr(model, "fit"):
            raise HowMuchDataError(
                f"{type(model).__name__} has no fit method; pass a scikit-learn estimator"
            )
    if isinstance(model, Pipeline):
        return clone(model)
    _check_task(model, task)
    if images:
        if not _reads_images(model):
            raise HowMuchDataError(
                f"{type(model).__name__} would get the image file paths as a table column and "
                "learn from the file names, not the pixels; image folders (and CSVs of image "
                "paths) need an image model: --model cnn or --model pretrained --weights FILE, "
                "or a network with inputs=ImageInput() or a Pipeline that reads the paths"
            )
        return Pipeline([("model", clone(model))])  # the network decodes the paths itself
    return Pipeline(
        [("preprocess", make_preprocessor(dataset, scale=scale)), ("model", clone(model))]
    )


def richer_model_hint(model: str | None) -> str:
    """What to try when ``model`` cannot fit its own training rows (capacity-limited advice).

    Parameters
    ----------
    model : str, optional
        The curve's model name (a preset name, ``module:callable`` or anything else).

    Returns
    -------
    str
        A short "try ..." clause; the table presets' advice for names that are not presets.
    """
    hints = {
        "cnn": "try a wider network, a larger --epochs budget, or a pretrained backbone: "
        "--model pretrained --weights FILE",
        "pretrained": "try a backbone with richer features, another --weights file, or "
        "--model cnn trained on the images",
        "tfidf-linear": "try a network on sentence embeddings: --model minilm-mlp",
        "minilm-linear": "try a network on the same embeddings: --model minilm-mlp",
        "minilm-mlp": "try a larger --epochs budget, or a wider head: make_mlp(hidden=...) "
        "from Python",
        "hgb": "try better features, or another model such as --model mlp or rf",
    }
    return hints.get(str(model), "try a more flexible preset such as hgb")


def smaller_model_hint(model: str | None) -> str:
    """How to give ``model`` fewer parameters, where it has far more than training rows.

    Parameters
    ----------
    model : str, optional
        The curve's model name (a preset name, ``module:callable`` or anything else).

    Returns
    -------
    str
        A short clause naming what holds the parameters: the hidden units of a network, the
        input dimensions of a linear model or linear head (which has no hidden units), and
        both for names that are not presets.
    """
    hints = {
        "logreg": "a linear model, one weight per feature and class: fewer feature columns "
        "(--drop) or fewer one-hot categories",
        "tfidf-linear": "a linear head, one weight per word or word pair and class: a smaller "
        "vocabulary",
        "minilm-linear": "a linear head, one weight per embedding dimension and class: fewer "
        "dimensions, e.g. a PCA of the embeddings from Python",
        "pretrained": "a linear head, one weight per backbone feature and class: a backbone "
        "with fewer output features",
        "mlp": "fewer hidden units or feature columns",
        "minilm-mlp": "fewer hidden units: make_mlp(hidden=...) from Python",
        "cnn": "fewer channels, or a pretrained backbone with a linear head: --model pretrained",
    }
    return hints.get(str(model), "fewer hidden units or features")


def model_name(estimator: Any) -> str:
    """A short readable name: the final step's class name for pipelines."""
    if isinstance(estimator, Pipeline):
        estimator = estimator.steps[-1][1]
    return type(estimator).__name__


def count_parameters(fitted: Any) -> int | None:
    """Number of fitted parameters when the model exposes them, else ``None``.

    Linear models count ``coef_`` and ``intercept_``; MLPs their weight matrices and biases;
    any model may define ``n_params_``. Trees and k-NN have no fixed parameter count. A
    pipeline counts its last step, a search (``GridSearchCV``, ``RandomizedSearchCV``, refit)
    its ``best_estimator_`` and a ``TransformedTargetRegressor`` its ``regressor_``.
    """
    for _ in range(10):  # a search of a pipeline, a pipeline ending in a search, ...
        if isinstance(fitted, Pipeline):
            fitted = fitted.steps[-1][1]
        elif getattr(fitted, "n_params_", None) is None and hasattr(fitted, "best_estimator_"):
            fitted = fitted.best_estimator_
        elif getattr(fitted, "n_params_", None) is None and hasattr(fitted, "regressor_"):
            fitted = fitted.regressor_
        else:
            break
    explicit = getattr(fitted, "n_params_", None)
    if explicit is not None:
        return int(explicit)
    if hasattr(fitted, "coefs_") and hasattr(fitted, "intercepts_"):
        arrays = list(fitted.coefs_) + list(fitted.intercepts_)
        return int(sum(np.size(a) for a in arrays))
    if hasattr(fitted, "coef_"):
        return int(np.size(fitted.coef_) + np.size(getattr(fitted, "intercept_", 0)))
    module = getattr(fitted, "module_", None)  # a skorch net's torch module
    if module is not None and hasattr(module, "parameters"):
        return int(sum(p.numel() for p in module.parameters() if p.requires_grad))
    return None


def _from_callable(spec: str) -> BaseEstimator:
    module_name, _, attr = spec.partition(":")
    # console scripts do not put the working directory on sys.path; model files live there
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise HowMuchDataError(
            f"cannot import module {module_name!r} for --model {spec} ({exc}); "
            "check the name and that the module is on PYTHONPATH"
        ) from None
    factory = getattr(module, attr, None)
    if factory is None or not callable(factory):
        raise HowMuchDataError(
            f"{module_name!r} has no callable {attr!r}; pass --model module:function "
            "where the function returns an estimator"
        )
    model = factory()
    if not hasattr(model, "fit"):
        raise HowMuchDataError(
            f"{spec} returned {type(model).__name__}, not an estimator; return an object with fit"
        )
    return model


def _is_image_collection(dataset: Dataset | None) -> bool:
    """Whether ``dataset`` was read from an image folder or a CSV of image paths."""
    return dataset is not None and bool(getattr(dataset, "notes", {}).get("images"))


def _reads_images(model: Any) -> bool:
    """Whether ``model`` decodes image paths itself (a network with an ImageInput adapter)."""
    from howmuchdata.deep.inputs import ImageInput

    return isinstance(getattr(model, "inputs", None), ImageInput)


def _check_task(model: Any, task: Task | None) -> None:
    if task == "regression" and is_classifier(model):
        raise HowMuchDataError(
            f"{type(model).__name__} is a classifier but the target is numeric (regression); "
            "pass a regressor, or task='classification' (--task classification)"
        )
    if task == "classification" and is_regressor(model):
        raise HowMuchDataError(
            f"{type(model).__name__} is a regressor but the target is categorical; "
            "pass a classifier, or task='regression' (--task regression)"
        )
