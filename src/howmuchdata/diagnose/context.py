"""What the checks read: one :class:`DiagnosisContext`, with the expensive parts computed once.

A check never fits the cross-validated model itself: the out-of-fold probabilities (label
noise, imbalance, subgroups) and the model's input space (near duplicates, adversarial
validation) are computed on first use and shared by every check that asks for them.

A classifier without ``predict_proba`` (``LinearSVC``, ``SVC()``, a pipeline ending in one)
still gets probabilities: its out-of-fold ``decision_function`` scores are calibrated by a
logistic regression cross-validated on those scores; a model with neither method gets them
from the ``options.model`` preset, and :attr:`DiagnosisContext.proba_source` says which.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    GroupKFold,
    KFold,
    StratifiedGroupKFold,
    StratifiedKFold,
    cross_val_predict,
)
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from howmuchdata.diagnose._numbers import label
from howmuchdata.errors import HowMuchDataError, shown
from howmuchdata.metrics import scorer_bounds

# Scorers whose best possible value is 1 (a "low" training score means something for them).
_BOUNDED_BY_ONE = (
    "accuracy",
    "balanced_accuracy",
    "roc_auc",
    "f1",
    "precision",
    "recall",
    "jaccard",
    "r2",
    "average_precision",
)


@dataclass(frozen=True)
class DiagnoseOptions:
    """Thresholds and settings of the checks. Scores are in the scorer's own units.

    Each value is checked on construction: a negative gain, a level outside (0, 1) or a
    target outside [0, 1] is a one-line :class:`~howmuchdata.errors.HowMuchDataError`.

    Attributes
    ----------
    min_gain : float
        Gain per doubling of data below which more data of this kind is not worth it
        (0.005 = half a point of accuracy).
    gap_threshold : float
        Train-validation gap at the full size that counts as overfitting.
    spread_threshold : float
        Standard deviation of the validation score across repeats at the full size above
        which the estimate itself is uncertain.

    For scorers without a fixed scale (errors such as ``neg_mean_absolute_error``) these
    three are shares of the score's size at the full size (0.02 = 2%), see
    :meth:`DiagnosisContext.in_score_units`.
    capacity_train_shortfall : float
        How far under the best possible score (1 for accuracy-like scorers) the training score
        must stay, flat, for the model to count as capacity-limited.
    params_ratio : float
        Parameters per training example above which the model is flagged as large for its data.
    target : float, optional
        The overall accuracy to reach, between 0 and 1; per-class advice says how many
        examples bring each class's recall to it. Defaults to the mean validation score at the
        full size.
    class_min_gain : float
        Per-class recall gain per doubling of that class's examples that counts as "still rising".
    subgroup_alpha : float
        Significance level of the test that a subgroup scores lower than the rest.
    subgroup_min_drop : float
        Smallest subgroup shortfall worth reporting: points for scores at most 1; for
        errors, the share by which the subgroup's error exceeds the rest's.
    label_noise_warning, label_noise_critical : float
        Estimated share of wrong labels for a warning / a critical finding.
    near_duplicate_distance : float
        Two rows are near duplicates when their distance in the model's input space is below
        this fraction of the median nearest-neighbour distance.
    duplicate_warning : float
        Share of rows in duplicate sets above which duplicates are a warning.
    imbalance_share : float
        A class is a minority when its share is below this fraction of an even share (1/k).
    drift_auc : float
        Adversarial-validation ROC AUC (old vs new rows) above which the data has drifted.
    drift_min_loss : float
        Score loss from including old rows that counts as "old data hurts", in the drift
        check's metric (the run's scorer where drift can score it, else accuracy or R²); for
        errors (``neg_*``) a share of the error of the model trained on all older rows.
    cv : int
        Folds for the out-of-fold predictions.
    level : float
        Level of the intervals reported in the evidence.
    random_state : int
        Seed of every split and resample.
    n_jobs : int, optional
        Parallel jobs for cross-validation and nearest neighbours (joblib convention).
    out_dir : str or Path, optional
        Folder for files the checks write (``label_issues.csv``); nothing is written without it.
    model : str
        Preset used when no estimator is given and the curve is not named after a preset (see
        :func:`howmuchdata.models.make_estimator`).
    """

    min_gain: float = 0.005
    gap_threshold: float = 0.05
    spread_threshold: float = 0.02
    capacity_train_shortfall: float = 0.05
    params_ratio: float = 1.0
    target: float | None = None
    class_min_gain: float = 0.02
    subgroup_alpha: float = 0.01
    subgroup_min_drop: float = 0.05
    label_noise_warning: float = 0.03
    label_noise_critical: float = 0.10
    near_duplicate_distance: float = 0.05
    duplicate_warning: float = 0.01
    imbalance_share: float = 0.5
    drift_auc: float = 0.65
    drift_min_loss: float = 0.01
    cv: int = 5
    level: float = 0.8
    random_state: int = 0
    n_jobs: int | None = None
    out_dir: str | os.PathLike[str] | None = None
    model: str = "logreg"

    def __post_init__(self) -> None:
        for name in _OPTION_RANGES:
            if name != "target" or self.target is not None:
                _check_option(name, getattr(self, name))
        cv = self.cv
        if isinstance(cv, bool) or not isinstance(cv, numbers.Integral) or cv < 2:
            raise HowMuchDataError(f"cv={shown(cv)} is not 2 or more folds; pass e.g. cv=5")

    @classmethod
    def from_kwargs(cls, **kwargs: Any) -> DiagnoseOptions:
        """Build options from keyword arguments, naming any unknown one."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(kwargs) - known)
        if unknown:
            raise HowMuchDataError(
                f"unknown diagnose option {unknown[0]!r}; use one of: {', '.join(sorted(known))}"
            )
        return cls(**kwargs)


#: Allowed range of each numeric option: (low, low allowed, high, high allowed, example).
#: The spread and parameter thresholds divide, so they must be above 0.
_OPTION_RANGES: dict[str, tuple[float, bool, float, bool, str]] = {
    "min_gain": (0.0, True, math.inf, False, "0.005"),
    "gap_threshold": (0.0, True, math.inf, False, "0.05"),
    "spread_threshold": (0.0, False, math.inf, False, "0.02"),
    "capacity_train_shortfall": (0.0, True, math.inf, False, "0.05"),
    "params_ratio": (0.0, False, math.inf, False, "1"),
    "class_min_gain": (0.0, True, math.inf, False, "0.02"),
    "subgroup_alpha": (0.0, False, 1.0, False, "0.01"),
    "subgroup_min_drop": (0.0, True, math.inf, False, "0.05"),
    "label_noise_warning": (0.0, True, 1.0, True, "0.03"),
    "label_noise_critical": (0.0, True, 1.0, True, "0.1"),
    "near_duplicate_distance": (0.0, True, math.inf, False, "0.05"),
    "duplicate_warning": (0.0, True, 1.0, True, "0.01"),
    "imbalance_share": (0.0, True, 1.0, True, "0.5"),
    "drift_auc": (0.0, True, 1.0, True, "0.65"),
    "drift_min_loss": (0.0, True, math.inf, False, "0.01"),
    "level": (0.0, False, 1.0, False, "0.8"),
    # compared with each class's recall by the per-class check, so a share like recall
    "target": (0.0, True, 1.0, True, "0.9"),
}

#: The options the command line sets, by flag: their errors name the flag as well.
_FLAGS = {"min_gain": "--min-gain", "target": "--target-score"}


def _check_option(name: str, value: Any) -> None:
    """Raise a one-line error unless ``value`` is a number in the range of option ``name``."""
    low, low_ok, high, high_ok, example = _OPTION_RANGES[name]
    flag = _FLAGS.get(name)
    fix = f"{flag} {example} (Python: {name}={example})" if flag else f"{name}={example}"
    number = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not number or not math.isfinite(float(value)):
        raise HowMuchDataError(f"{name}={shown(value)} is not a number; pass e.g. {fix}")
    v = float(value)
    if (low_ok and v >= low or v > low) and (high_ok and v <= high or v < high):
        return
    wanted = f"{'at least' if low_ok else 'above'} {low:g}"
    if math.isfinite(high):
        wanted += f" and {'at most' if high_ok else 'below'} {high:g}"
    if name == "target":
        wanted += ": the per-class advice aims each class's recall at it"
    raise HowMuchDataError(f"{name}={v:g} is out of range ({wanted}); pass e.g. {fix}")


def has_fixed_scale(scoring: str | None) -> bool:
    """Whether a scorer's values have a scale of their own (accuracy-like scores and R²,
    at most 1), so that thresholds such as ``min_gain`` apply as given rather than as a
    share of the score (see :meth:`DiagnosisContext.in_score_units`)."""
    bounds = scorer_bounds(scoring)
    return bounds is not None and bounds[1] == 1.0


class DiagnosisContext:
    """Everything a check may read. Expensive values are computed on first access and cached.

    Parameters
    ----------
    curve : LearningCurve or pandas.DataFrame, optional
        A measured curve, or its ``points`` table (the columns of
        :attr:`howmuchdata.curve.LearningCurve.points`; higher scores taken as better).
    X : pandas.DataFrame, optional
        Features, one row per example.
    y : numpy.ndarray, optional
        Target.
    groups, time, subgroup : numpy.ndarray, optional
        One value per row of ``X``.
    task : {"classification", "regression"}, optional
    estimator : estimator, optional
        The model (a pipeline that does its own preprocessing).
    extrapolation : Extrapolation, optional
        A fit of ``curve``; computed from the curve when not given.
    options : DiagnoseOptions
    images : bool
        ``X`` holds image files (one path per row), not a table of features: the checks that
        need features (``requires`` ``"table"``) cannot read it.
    """

    def __init__(
        self,
        curve: Any = None,
        X: pd.DataFrame | None = None,
        y: np.ndarray | None = None,
        *,
        groups: np.ndarray | None = None,
        time: np.ndarray | None = None,
        subgroup: np.ndarray | None = None,
        task: str | None = None,
        estimator: Any = None,
        extrapolation: Any = None,
        options: DiagnoseOptions | None = None,
        images: bool = False,
    ) -> None:
        self.curve = curve
        self.images = images
        self.X = X
        self.y = y
        self.groups = groups
        self.time = time
        self.subgroup = subgroup
        self.estimator = estimator
        self.options = options or DiagnoseOptions()
        self._extrapolation = extrapolation
        self._task = task

    # ----------------------------------------------------------------- what is available
    @property
    def has_curve(self) -> bool:
        return self.curve is not None and not self.points.empty

    @property
    def has_data(self) -> bool:
        return self.X is not None and self.y is not None

    @property
    def has_table(self) -> bool:
        """Whether the data is a table of features a model can be cross-validated on (not
        image files): what out-of-fold predictions and the input space need."""
        return self.has_data and not self.images

    def has(self, need: str) -> bool:
        """Whether the input named ``need`` (``curve``, ``data``, ``table``, ``time``,
        ``subgroup``, ``groups``, ``classification``) is available."""
        if need == "curve":
            return self.has_curve
        if need == "data":
            return self.has_data
        if need == "table":
            return self.has_table
        if need == "classification":
            return self.task == "classification"
        return getattr(self, need) is not None

    # ----------------------------------------------------------------- the curve
    @cached_property
    def points(self) -> pd.DataFrame:
        """The curve's successful points (``status == "ok"`` and a finite validation score).

        A bare points table needs only ``size`` and ``val_score``: without ``repeat`` its rows
        of one size are numbered as repeats, without ``train_score`` the training scores are
        unknown (NaN) and the checks that read them find nothing.
        """
        if self.curve is None:
            return pd.DataFrame()
        frame = self.curve if isinstance(self.curve, pd.DataFrame) else self.curve.points
        if frame.empty or "val_score" not in frame or "size" not in frame:
            return pd.DataFrame()
        if "repeat" not in frame:
            frame = frame.assign(repeat=frame.groupby("size").cumcount())
        if "train_score" not in frame:
            frame = frame.assign(train_score=np.nan)
        if "status" in frame:
            frame = frame[frame["status"] == "ok"]
        frame = frame[np.isfinite(frame["val_score"].astype(float))]
        return frame.sort_values(["size", "repeat"]).reset_index(drop=True)

    @property
    def greater_is_better(self) -> bool:
        return bool(getattr(self.curve, "greater_is_better", True))

    @property
    def sign(self) -> float:
        """+1 when higher scores are better, -1 otherwise: ``sign * score`` is "goodness"."""
        return 1.0 if self.greater_is_better else -1.0

    @property
    def scoring(self) -> str | None:
        return getattr(self.curve, "scoring", None)

    @property
    def split(self) -> str:
        """How the run's validation rows are split off: the curve's ``settings["split"]``
        (``"time"``, ``"groups"``, ``"stratified"``, ``"random"`` or ``"cv:..."``), else what
        a curve of these inputs would use (a time column first, then groups, else stratified
        for classes and random for a numeric target)."""
        split = (getattr(self.curve, "settings", None) or {}).get("split")
        if isinstance(split, str) and split:
            return split
        if self.time is not None:
            return "time"
        if self.groups is not None:
            return "groups"
        return "stratified" if self.task == "classification" else "random"

    @property
    def best_possible_score(self) -> float | None:
        """1.0 for accuracy-like scorers, else None.

        A bare points table names no scorer: its scores are read as accuracy-like when none is
        above 1 and some are above 0; scores never above 0 are a negated error (minus an RMSE,
        say) and scores above 1 have no fixed scale, as the extrapolation reads them.
        """
        scoring = self.scoring
        if scoring is None:
            if self.curve is None or not isinstance(self.curve, pd.DataFrame):
                return None
            pts = self.points
            if pts.empty:
                return None
            scores = pd.concat([pts["val_score"], pts["train_score"]]).astype(float)
            scores = scores[np.isfinite(scores)]
            bounded = scores.size > 0 and scores.max() <= 1.0 and scores.max() > 0.0
            return 1.0 if bounded else None
        return 1.0 if scoring.startswith(_BOUNDED_BY_ONE) else None

    @property
    def fixed_scale(self) -> bool:
        """Whether scores have a scale of their own (accuracy-like, R²: at most 1), rather
        than the target's units (negated errors such as ``neg_mean_absolute_error``)."""
        return self.best_possible_score is not None or has_fixed_scale(self.scoring)

    @property
    def score_range(self) -> tuple[float, float]:
        """The range the curve's scores can take (``inf`` where open).

        The scorer's range by name (:func:`~howmuchdata.metrics.scorer_bounds`), narrowed by
        :attr:`best_possible_score` and by the extrapolation's ``score_range`` (which also
        knows the natural end of an unnamed scorer, e.g. 0 for scores that are all <= 0).
        """
        lo, hi = -math.inf, math.inf
        ranges = [scorer_bounds(self.scoring), getattr(self.extrapolation, "score_range", None)]
        best = self.best_possible_score
        if best is not None and self.greater_is_better:
            ranges.append((-math.inf, best))
        for bounds in ranges:
            if bounds is not None:
                lo, hi = max(lo, float(bounds[0])), min(hi, float(bounds[1]))
        return lo, hi

    def gain_limits(self) -> tuple[float, float]:
        """The least and the most the mean validation score at the full size can still change,
        in "goodness" (``sign * score``): a gain above the second would leave the metric's range.

        Returns
        -------
        (float, float)
            At most 0 and at least 0; ``-inf`` / ``inf`` where the range is open.
        """
        lo, hi = self.score_range
        score = float(self.by_size["val_mean"].iloc[-1])
        if self.sign > 0:
            return min(lo - score, 0.0), max(hi - score, 0.0)
        return min(score - hi, 0.0), max(score - lo, 0.0)

    def in_score_units(self, threshold: float) -> float:
        """A threshold of the options (on the scale of accuracy) in the curve's units: as
        given for scores with a fixed scale, else that share of the score's size at the full
        size (0.05 of a mean absolute error of 45 is 2.25): 0.05 units would be noise there."""
        if self.fixed_scale:
            return float(threshold)
        return float(threshold) * abs(float(self.by_size["val_mean"].iloc[-1]))

    @cached_property
    def by_size(self) -> pd.DataFrame:
        """Per-size summary of the curve: mean/std/count of the train and validation scores.

        Columns ``size, n, val_mean, val_std, train_mean, train_std`` in the scorer's units,
        plus ``gap_mean`` = "goodness" of train minus validation (positive: train is better).
        """
        pts = self.points
        if pts.empty:
            return pd.DataFrame()
        pts = pts.assign(
            val=pts["val_score"].astype(float),
            train=pts["train_score"].astype(float),
        )
        pts = pts.assign(gap=self.sign * (pts["train"] - pts["val"]))
        out = pts.groupby("size").agg(
            n=("val", "size"),
            val_mean=("val", "mean"),
            val_std=("val", "std"),
            train_mean=("train", "mean"),
            train_std=("train", "std"),
            gap_mean=("gap", "mean"),
            gap_std=("gap", "std"),
        )
        return out.reset_index()

    @property
    def full_size(self) -> int:
        """The largest training size measured."""
        return int(self.by_size["size"].iloc[-1])

    @property
    def extrapolation(self) -> Any:
        """The curve's :class:`~howmuchdata.extrapolate.Extrapolation` (``None`` when it cannot
        be fitted, e.g. with fewer than three sizes)."""
        if self._extrapolation is None and self.has_curve:
            self._extrapolation = self._fit_extrapolation()
        return self._extrapolation or None

    def _fit_extrapolation(self) -> Any:
        if self.by_size.shape[0] < 3:
            return False
        try:
            if hasattr(self.curve, "extrapolate"):
                return self.curve.extrapolate()
            from howmuchdata.extrapolate import extrapolate

            train = self.points.get("train_score")
            return extrapolate(
                self.points["size"].to_numpy(),
                self.points["val_score"].to_numpy(),
                train_scores=None if train is None else train.to_numpy(dtype=float),
            )
        except HowMuchDataError:
            return False  # cached "no extrapolation"; the checks fall back to measured points

    # ----------------------------------------------------------------- the data
    @property
    def task(self) -> str:
        if self._task is None:
            curve_task = getattr(self.curve, "task", None)
            if curve_task is not None:
                self._task = curve_task
            elif self.y is not None:
                from howmuchdata.data import infer_task

                self._task = infer_task(self.y)
            elif isinstance(self.curve, pd.DataFrame) and "val_recall" in self.curve:
                has_recall = self.curve["val_recall"].notna().any()
                self._task = "classification" if has_recall else "regression"
            else:
                self._task = "classification"
        return self._task

    @property
    def n_samples(self) -> int:
        return len(self.y) if self.y is not None else int(getattr(self.curve, "n_samples", 0))

    @cached_property
    def feature_row_keys(self) -> np.ndarray:
        """One 64-bit hash per row of :attr:`X` (equal rows, missing values included, have
        equal keys): what the duplicate and ambiguity checks compare rows by."""
        return pd.util.hash_pandas_object(self.X, index=False).to_numpy()

    @cached_property
    def classes(self) -> np.ndarray:
        """Sorted class labels (the column order of :attr:`oof_proba`)."""
        return np.unique(self.y)

    @cached_property
    def labels(self) -> np.ndarray:
        """The target as class indices 0..k-1 into :attr:`classes`."""
        return np.searchsorted(self.classes, self.y)

    @cached_property
    def model(self) -> Any:
        """The estimator to cross-validate: the one given, else the curve's preset (when the
        curve is named after one), else the ``options.model`` preset."""
        from howmuchdata.models import PRESETS, make_estimator

        chosen = self.estimator
        if chosen is None:
            curve_model = getattr(self.curve, "model", None)
            chosen = curve_model if curve_model in PRESETS else self.options.model
        return make_estimator(chosen, self._dataset(), random_state=self.options.random_state)

    def _dataset(self) -> Any:
        from howmuchdata.data import Dataset

        return Dataset(X=self.X, y=self.y, groups=self.groups, time=self.time, task=self.task)

    def splitter(self, n_splits: int | None = None) -> Any:
        """The cross-validation splitter: stratified for classes, grouped when groups exist."""
        n_splits = n_splits or self.options.cv
        seed = self.options.random_state
        if self.task == "classification":
            smallest = int(np.bincount(self.labels).min())
            if smallest < 2:
                rare = self.classes[int(np.argmin(np.bincount(self.labels)))]
                raise HowMuchDataError(
                    f"class {label(rare)} has a single row, too few to cross-validate; "
                    "drop it or label more examples of it"
                )
            n_splits = min(n_splits, smallest)
            if self.groups is not None:
                from howmuchdata.data import check_classes_across_groups

                check_classes_across_groups(self.classes[self.labels], self.groups)
                return StratifiedGroupKFold(n_splits, shuffle=True, random_state=seed)
            return StratifiedKFold(n_splits, shuffle=True, random_state=seed)
        if self.groups is not None:
            return GroupKFold(n_splits)
        return KFold(n_splits, shuffle=True, random_state=seed)

    def _cross_val_predict(self, model: Any, X: Any, target: np.ndarray, method: str) -> Any:
        """``cross_val_predict`` with the context's splitter, groups and jobs."""
        return cross_val_predict(
            clone(model),
            X,
            target,
            groups=self.groups,
            cv=self.splitter(),
            method=method,
            n_jobs=self.options.n_jobs,
        )

    @cached_property
    def _oof_output(self) -> tuple[str, np.ndarray]:
        """The model's out-of-fold output for the class indices :attr:`labels`, by the first
        method it has: ``predict_proba``, ``decision_function`` (scores) or ``predict``."""
        model = self.model
        methods = ("predict_proba", "decision_function")
        method = next((m for m in methods if hasattr(model, m)), "predict")
        return method, self._cross_val_predict(model, self.X, self.labels, method)

    @property
    def proba_source(self) -> str:
        """Where :attr:`oof_proba` comes from, in words (the label checks' evidence)."""
        method, _ = self._oof_output
        if method == "predict_proba":
            return "the model's predict_proba"
        if method == "decision_function":
            return (
                "the model's decision_function, calibrated by a logistic regression "
                "cross-validated on its out-of-fold scores (the model has no predict_proba)"
            )
        return (
            f"the {self.proba_preset!r} preset (the model has neither predict_proba nor "
            "decision_function)"
        )

    @property
    def proba_preset(self) -> str | None:
        """The preset :attr:`oof_proba` comes from, when the model gives no scores of its own."""
        return self._preset[0] if self._oof_output[0] == "predict" else None

    @cached_property
    def _preset(self) -> tuple[str, Any]:
        """The ``options.model`` preset (``logreg`` when that one has no ``predict_proba``)."""
        from howmuchdata.models import make_estimator

        seed = self.options.random_state
        for name in (self.options.model, "logreg"):
            model = make_estimator(name, self._dataset(), random_state=seed)
            if hasattr(model, "predict_proba"):
                break
        return name, model

    @cached_property
    def oof_proba(self) -> np.ndarray:
        """Out-of-fold class probabilities, shape (n_rows, n_classes), columns = :attr:`classes`.

        Computed once with :func:`sklearn.model_selection.cross_val_predict`; folds keep
        groups apart when groups are given, so no row is scored by a model that saw its group.
        A model without ``predict_proba`` gets them as :attr:`proba_source` says.
        """
        if self.task != "classification":
            raise ValueError("out-of-fold probabilities exist only for classification")
        method, output = self._oof_output
        if method == "predict_proba":
            return output
        if method == "decision_function":
            # Raw margins are no probabilities (their scale is arbitrary): a multinomial
            # logistic regression on them (Platt scaling for two classes) makes them so. It is
            # cross-validated on the same folds, so no row's calibration saw its own label.
            # (CalibratedClassifierCV would refit the model inside every fold: ~5x the time on
            # digits, for the same label-noise estimates.)
            scores = np.asarray(output, dtype=float).reshape(len(output), -1)
            calibrator = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
            return self._cross_val_predict(calibrator, scores, self.labels, "predict_proba")
        return self._cross_val_predict(self._preset[1], self.X, self.labels, "predict_proba")

    @cached_property
    def label_noise_share(self) -> float:
        """Estimated share of wrong labels: cleanlab's confident-joint count of off-diagonal
        rows (confident learning) on :attr:`oof_proba`. Classification only."""
        from cleanlab.count import num_label_issues

        n_wrong = num_label_issues(self.labels, self.oof_proba, estimation_method="off_diagonal")
        return float(n_wrong) / self.labels.size

    @cached_property
    def oof_labels(self) -> np.ndarray:
        """The model's out-of-fold predicted classes, as indices into :attr:`classes`.

        The class of highest probability, or of highest ``decision_function`` score (what
        ``predict`` returns for scikit-learn's classifiers), or ``predict`` itself: always the
        model's own prediction, also when :attr:`oof_proba` comes from a preset.
        """
        if self.task != "classification":
            raise ValueError("predicted classes exist only for classification")
        method, output = self._oof_output
        if method == "predict_proba":
            return np.argmax(output, axis=1)
        if method == "decision_function":
            scores = np.asarray(output, dtype=float).reshape(len(output), -1)
            if scores.shape[1] == 1:  # two classes: positive scores are the second one
                return (scores[:, 0] > 0).astype(int)
            return np.argmax(scores, axis=1)
        return np.asarray(output).astype(int)

    @cached_property
    def oof_prediction(self) -> np.ndarray:
        """Out-of-fold predictions: class labels (classification) or values (regression)."""
        if self.task == "classification":
            return self.classes[self.oof_labels]
        return self._cross_val_predict(self.model, self.X, self.y, "predict")

    @cached_property
    def _input_space(self) -> tuple[np.ndarray, list[str]]:
        model = self.model
        names: list[str] | None = None
        if isinstance(model, Pipeline) and len(model.steps) > 1:
            preprocess = clone(model[:-1])
            transformed = preprocess.fit_transform(self.X, self.y)
            try:
                names = [str(v) for v in preprocess.get_feature_names_out()]
            except (AttributeError, ValueError):
                names = None  # a custom step without feature names: positions are used
        else:
            transformed = self.X.to_numpy(dtype=float)
            names = [str(c) for c in self.X.columns]
        if hasattr(transformed, "toarray"):
            transformed = transformed.toarray()
        matrix = np.asarray(transformed, dtype=float)
        if names is None or len(names) != matrix.shape[1]:
            names = [f"feature {j}" for j in range(matrix.shape[1])]
        return matrix, names

    @property
    def features(self) -> np.ndarray:
        """The rows in the model's input space: the pipeline's preprocessing, fitted on all rows.

        Near duplicates and old-vs-new classifiers look at the data the way the model does
        (scaled numbers, one-hot categories), not at raw columns.
        """
        return self._input_space[0]

    @property
    def feature_names(self) -> list[str]:
        """Names of the columns of :attr:`features`."""
        return self._input_space[1]

    def output_path(self, name: str) -> Path | None:
        """Where a check writes the file ``name`` (``None`` when no ``out_dir`` was given)."""
        if self.options.out_dir is None:
            return None
        folder = Path(self.options.out_dir)
        folder.mkdir(parents=True, exist_ok=True)
        return folder / name

    def row_ids(self) -> np.ndarray:
        """The row labels of ``X`` (its index), used to name rows in evidence and files."""
        return self.X.index.to_numpy()
