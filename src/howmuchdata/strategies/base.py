"""What every strategy family shares: the context it is built from and the arms it returns.

A *family* (``simpler``, ``transfer``, ``augment``, ...) is a function
``arms(ctx, variant) -> list[Arm]``. An :class:`Arm` is one curve of the comparison: either an
estimator that the learning-curve engine measures on the common splits (``estimator`` set), or
a simulation that produces its own :class:`~howmuchdata.curve.LearningCurve` on the same splits
(``simulate`` set; active learning, whose training rows are chosen, not drawn).

Feature steps are built here once so that every family sees the same preprocessing: numeric
columns imputed and scaled, categorical ones one-hot encoded (:mod:`howmuchdata.models`), the
text column TF-IDF (baseline) or embedded (transfer, few-shot).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from howmuchdata.data import Dataset, Task
from howmuchdata.errors import HowMuchDataError
from howmuchdata.models import PRESETS, make_estimator, make_preprocessor


@dataclass
class StrategyContext:
    """Everything a strategy family needs to build its arms.

    Attributes
    ----------
    X : pandas.DataFrame
        Features, indexed ``0..n-1`` (the index is the row id the unlabeled pool relies on).
    y : numpy.ndarray
    task : {"classification", "regression"}
    baseline : str or estimator
        Preset name (``logreg``, ``hgb``, ``knn``, ``mlp``, ``rf``) or an estimator / pipeline.
    text : str or None
        Name of the free-text column.
    image_shape : tuple or None
        Shape of one image when each row is a flattened image.
    embedder : object or None
        The frozen encoder for transfer and few-shot (see :mod:`.embedders`), if any.
    cache_dir : Path or None
        Embedding cache folder.
    splits : list of howmuchdata.curve.plan.Split
        The common splits: every arm is measured on exactly these.
    sizes : list of int
        The common training sizes.
    scoring : str
    random_state : int
    options : dict
        Per-family settings (``augment_copies``, ``active_batch``, ...).
    notes : list of str
        One line per arm a family left out or merged while building its arms (e.g. margin
        sampling on a binary target), for the comparison to report.
    """

    X: pd.DataFrame
    y: np.ndarray
    task: Task
    baseline: Any = "logreg"
    text: str | None = None
    image_shape: tuple[int, ...] | None = None
    embedder: Any = None
    cache_dir: Path | None = None
    splits: list[Any] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    scoring: str = "accuracy"
    random_state: int = 0
    options: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def dataset(self) -> Dataset:
        """The non-text columns as a Dataset (fixes the preprocessing's column lists)."""
        X = self.X.drop(columns=[self.text]) if self.text else self.X
        return Dataset(X=X, y=self.y, task=self.task)

    @property
    def other_columns(self) -> list[str]:
        """Columns besides the text column."""
        return [c for c in self.X.columns if c != self.text]

    @property
    def baseline_name(self) -> str:
        """The model the baseline fits: a preset by what it fits here (``ridge`` for ``logreg``
        on a numeric target), an estimator by its (final step's) class."""
        if isinstance(self.baseline, str):
            return preset_label(self.baseline, self.task)
        model = self.baseline.steps[-1][1] if isinstance(self.baseline, Pipeline) else self.baseline
        return type(model).__name__

    def require_classification(self, family: str) -> None:
        if self.task != "classification":
            raise HowMuchDataError(
                f"strategy {family!r} needs a categorical target, this one is numeric "
                "(regression); leave it out of strategies= (--strategies)"
            )


@dataclass
class Arm:
    """One curve of a comparison.

    Exactly one of ``estimator`` (measured by the engine on the common splits) and
    ``simulate`` (``simulate(ctx, store=..., progress=...) -> LearningCurve`` on the same
    splits, keeping its points in the run's store and showing progress as the engine does)
    is set.
    """

    name: str
    estimator: Any = None
    simulate: Callable[..., Any] | None = None
    family: str = ""
    description: str = ""


#: Presets that fit another model on a numeric target, by the name of that model: ``logreg``
#: is a ridge regression there (:mod:`howmuchdata.models`). Tables, result.json and the report
#: name the model fitted; the preset keeps its name as input, and the store keys, which hash
#: the pipeline and not the name, stay as they were.
REGRESSION_LABELS = {"logreg": "ridge"}
REGRESSION_DESCRIPTIONS = {"logreg": "ridge regression (alpha 1)"}


def preset_label(name: str, task: Task) -> str:
    """The name of the model that preset ``name`` fits on this task (``logreg`` -> ``ridge``
    on a numeric target)."""
    return REGRESSION_LABELS.get(name, name) if task == "regression" else name


def preset_description(name: str, task: Task) -> str:
    """What preset ``name`` fits on this task, in words."""
    if task == "regression" and name in REGRESSION_DESCRIPTIONS:
        return REGRESSION_DESCRIPTIONS[name]
    return PRESETS[name][2]


def preset_labels(task: Task) -> list[str]:
    """The preset names as this task reads them (``ridge``, not ``logreg``, on regression)."""
    return [preset_label(name, task) for name in PRESETS]


def resolve_preset(name: str, task: Task, option: str) -> str:
    """The preset behind a model name given by the user: a preset, or the name of the model a
    preset fits on this task (``ridge`` on a numeric target is ``logreg``).

    Parameters
    ----------
    name : str
        As given (``baseline=``, ``simpler:NAME``).
    task : {"classification", "regression"}
    option : str
        How the caller spells the setting in messages (``"--baseline "``, ``"simpler:"``).

    Raises
    ------
    HowMuchDataError
        For the name of a regression-only model on a categorical target.
    """
    for preset, label in REGRESSION_LABELS.items():
        if name == label:
            if task == "regression":
                return preset
            raise HowMuchDataError(
                f"{option}{label} is a regression model and this target is categorical; "
                f"use {option}{preset} (it fits {label} on numeric targets)"
            )
    return name


def preset_model(name: str, task: Task, seed: int | None = None) -> BaseEstimator:
    """The bare model of a preset (no preprocessing)."""
    if name not in PRESETS:
        raise HowMuchDataError(
            f"unknown model {name!r}; use one of {', '.join(preset_labels(task))}"
        )
    return PRESETS[name][0](task, seed)


def other_columns_step(ctx: StrategyContext, scale: bool = True) -> Any:
    """Preprocessing of the non-text columns (``None`` when there are none)."""
    if not ctx.other_columns:
        return None
    return make_preprocessor(ctx.dataset, scale=scale)


def feature_step(ctx: StrategyContext, scale: bool = True) -> Any:
    """The baseline's features: preprocessed columns, plus TF-IDF of the text column."""
    if ctx.text is None:
        return make_preprocessor(ctx.dataset, scale=scale)
    tfidf: Any = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=1)
    if ctx.X[ctx.text].isna().any():
        # TfidfVectorizer fails on a missing document (every point would); a blank cell reads
        # as an empty text, as MiniLM reads it. Only then: other pipelines keep their store keys.
        tfidf = Pipeline([("blank", FunctionTransformer(blank_as_empty)), ("tfidf", tfidf)])
    parts: list[tuple[str, Any, Any]] = [("text", tfidf, ctx.text)]
    rest = other_columns_step(ctx, scale)
    if rest is not None:
        parts.append(("columns", rest, ctx.other_columns))
    return ColumnTransformer(parts, sparse_threshold=1.0)


def blank_as_empty(texts: Any) -> list[str]:
    """Texts with missing cells (``NaN``, ``None``) as empty strings."""
    values = texts.tolist() if hasattr(texts, "tolist") else list(texts)
    return ["" if pd.isna(t) else str(t) for t in values]


def embedding_step(ctx: StrategyContext, family: str) -> Any:
    """Frozen embeddings of the text column (or of whole rows), plus the other columns."""
    from howmuchdata.strategies.embedders import EmbeddingTransformer

    if ctx.embedder is None:
        raise HowMuchDataError(
            f"strategy {family!r} needs pretrained embeddings: pass text=COLUMN (--text COL), "
            "image_shape= with image_weights= (--image-shape, --image-weights) or embed=function"
        )
    if ctx.text is not None:
        parts: list[tuple[str, Any, Any]] = [
            (
                "embed",
                EmbeddingTransformer(ctx.embedder, column=ctx.text, cache_dir=ctx.cache_dir),
                [ctx.text],
            )
        ]
        rest = other_columns_step(ctx)
        if rest is not None:
            parts.append(("columns", rest, ctx.other_columns))
        return ColumnTransformer(parts, sparse_threshold=0.0)
    return EmbeddingTransformer(ctx.embedder, cache_dir=ctx.cache_dir)


def splits_digest(splits: list[Any]) -> str:
    """A hash of the splits' training orders and validation rows (their store identity)."""
    digest = hashlib.sha1()
    for s in splits:
        digest.update(np.asarray(s.train_order, dtype=np.int64).tobytes())
        digest.update(np.asarray(s.val, dtype=np.int64).tobytes())
    return digest.hexdigest()


#: Presets that need dense features: they cannot read the sparse TF-IDF of a text column.
DENSE_ONLY_PRESETS = ("hgb",)


def check_reads_text(ctx: StrategyContext, name: str, option: str) -> None:
    """Stop before any fit when preset ``name`` cannot read the TF-IDF of ``ctx.text``.

    Gradient boosting needs dense features, and the TF-IDF of a text column is sparse (one
    column per word and word pair): every point of its curve would fail with the same error.
    """
    if ctx.text is not None and name in DENSE_ONLY_PRESETS:
        raise HowMuchDataError(
            f"{option}{name} cannot read the text column {ctx.text!r}: its TF-IDF features are "
            f"sparse and {name} needs dense ones; use {preset_label('logreg', ctx.task)}, knn, "
            "mlp or rf"
        )


def split_baseline(ctx: StrategyContext) -> tuple[Any, BaseEstimator]:
    """The baseline as (feature step, bare model), so strategies can wrap the model alone."""
    baseline = ctx.baseline
    if isinstance(baseline, str):
        check_reads_text(ctx, baseline, "--baseline ")
        scale = PRESETS[baseline][1] if baseline in PRESETS else True
        return feature_step(ctx, scale=scale), preset_model(baseline, ctx.task)
    if isinstance(baseline, Pipeline):
        head = baseline.steps[:-1]
        features = clone(Pipeline(head)) if head else "passthrough"
        return features, clone(baseline.steps[-1][1])
    return feature_step(ctx), clone(baseline)


def baseline_estimator(ctx: StrategyContext) -> Any:
    """The reference pipeline every strategy is compared with."""
    if ctx.text is None and isinstance(ctx.baseline, str):
        # exactly the pipeline `howmuchdata curve --model NAME` measures
        return make_estimator(ctx.baseline, ctx.dataset)
    if isinstance(ctx.baseline, Pipeline):
        return clone(ctx.baseline)
    features, model = split_baseline(ctx)
    return Pipeline([("features", features), ("model", model)])


def has_probabilities(ctx: StrategyContext) -> bool:
    """Whether the baseline pipeline offers ``predict_proba``, judged before any fit.

    scikit-learn hides ``predict_proba`` where a setting rules it out (``SVC()`` without
    ``probability=True``, a pipeline ending in one), so ``hasattr`` answers unfitted.
    """
    return hasattr(baseline_estimator(ctx), "predict_proba")


def probability_fix(ctx: StrategyContext) -> str:
    """How to give the baseline class probabilities: ``"baseline=SVC(probability=True)"``
    for a model with that switch, else a calibrated wrapper of it (a pipeline's last step)."""
    model = ctx.baseline.steps[-1][1] if isinstance(ctx.baseline, Pipeline) else ctx.baseline
    name = type(model).__name__
    if "probability" in getattr(model, "get_params", dict)():
        fixed = f"{name}(probability=True)"
    else:
        fixed = f"CalibratedClassifierCV({name}())"
    where = "a pipeline ending in " if isinstance(ctx.baseline, Pipeline) else "baseline="
    source = "" if fixed.endswith("=True)") else " (sklearn.calibration)"
    return f"{where}{fixed}{source}"


def with_features(ctx: StrategyContext, model: Any, *, scale: bool = True) -> Pipeline:
    """``model`` behind the baseline's kind of features."""
    return Pipeline([("features", feature_step(ctx, scale=scale)), ("model", model)])


class Shared:
    """A read-only value shared by every clone of the estimator that holds it.

    scikit-learn's ``clone`` deep-copies parameters that are not estimators; for the full
    feature table of a comparison that would copy the data at every curve point. The table is
    never modified, so a copy is the same object.
    """

    def __init__(self, value: Any) -> None:
        self.value = value

    def __deepcopy__(self, memo: dict[int, Any]) -> Shared:
        return self

    def __repr__(self) -> str:
        shape = getattr(self.value, "shape", None)
        return f"Shared({type(self.value).__name__}{'' if shape is None else list(shape)})"
