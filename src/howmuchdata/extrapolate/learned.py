"""The model learned across LCDB curves: a residual corrector with calibrated quantiles.

A gradient-boosting regressor (scikit-learn's ``HistGradientBoostingRegressor``, absolute-error
loss) predicts, at a query size, the median difference between the true score and a simple base
(the mean of a few fitted families and the last value), from features of the observed prefix
(:mod:`.features`).

Intervals are normalised split-conformal ones. Grouped out-of-fold residuals are divided by the
curve's own scale (recent slope plus noise) and by a *spread model*, a second gradient-boosting
regressor that predicts the size of that scaled residual from the same features (so curves flat
so far, noisy or bumpy get wider bands, smooth ones narrower). The quantiles of the fully
normalised residual per extrapolation distance, themselves computed with the spread cross-fitted
by dataset, are the interval table: on data the models had not seen, the bands hold their
nominal share by construction, at every distance.

What ships with the package is the compact training table (``_resources/lcdb_extrapolation.npz``,
rebuilt by ``scripts/build_extrapolation_table.py``) together with the out-of-fold quantile
table. The regressor is fitted from the table on first use and cached on disk keyed by the
table's hash and the scikit-learn version, so no pickled model ever has to survive a
scikit-learn upgrade.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from howmuchdata.extrapolate.features import FEATURE_NAMES, TRAIN_FEATURES

RESOURCE = "lcdb_extrapolation.npz"

# Extrapolation distances (log2 of query size over largest observed size) at which the
# residual quantiles are tabulated, and the probabilities tabulated at each.
D_BINS = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0, 6.0, 7.0, 8.0])
PROBS = np.array(
    [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5,
     0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.925, 0.95, 0.975, 0.99, 0.995]
)  # fmt: skip

# Absolute error: the residuals are heavy-tailed (the worst 5% of curves carry ~30% of the
# error), and the median correction they lead to cut the error at n_max by 4-6% against the
# squared error on grouped cross-validation over LCDB.
GBM_PARAMS = dict(
    loss="absolute_error",
    learning_rate=0.05,
    max_iter=400,
    max_depth=6,
    max_leaf_nodes=31,
    min_samples_leaf=80,
    l2_regularization=5.0,
    random_state=0,
)


SPREAD_PARAMS = dict(
    loss="squared_error",
    learning_rate=0.1,
    max_iter=100,
    max_leaf_nodes=15,
    min_samples_leaf=100,
    l2_regularization=1.0,
    random_state=0,
)
# Offset of the spread, as a share of the median scaled residual size: the spread divides
# residuals, so it must never approach zero.
SPREAD_FLOOR = 0.1


@dataclass
class QuantileTable:
    """Quantiles of normalised residuals (residual / (curve scale * spread)) per distance bin.

    ``oof`` keeps the grouped out-of-fold residual predictions the table was computed from, so
    the spread model can be refitted from the shipped table without cross-validating again.
    """

    d_bins: np.ndarray  # (n_bins,)
    probs: np.ndarray  # (n_probs,)
    values: np.ndarray  # (n_bins, n_probs), increasing along probs
    oof: np.ndarray | None = None

    def at(self, d: np.ndarray) -> np.ndarray:
        """Quantiles at distances ``d`` (interpolated between bins, held beyond them)."""
        d = np.clip(np.asarray(d, dtype=float), self.d_bins[0], self.d_bins[-1])
        out = np.empty((len(d), len(self.probs)))
        for j in range(len(self.probs)):
            out[:, j] = np.interp(d, self.d_bins, self.values[:, j])
        return out

    @classmethod
    def from_residuals(cls, d: np.ndarray, resid: np.ndarray) -> QuantileTable:
        """Empirical quantiles of ``resid`` in windows around each distance bin.

        The quantiles are made to spread out with distance (the lower ones never rise, the
        upper ones never fall), because an extrapolation further away is never more certain.
        """
        values = np.full((len(D_BINS), len(PROBS)), np.nan)
        for i, c in enumerate(D_BINS):
            half = 0.26 if c < 4 else 0.51
            sel = np.abs(d - c) <= half
            if sel.sum() >= 30:
                values[i] = np.quantile(resid[sel], PROBS)
        # fill empty bins from their neighbours
        for j in range(len(PROBS)):
            col = values[:, j]
            ok = np.isfinite(col)
            if not ok.any():
                col[:] = 0.0
            else:
                col[~ok] = np.interp(D_BINS[~ok], D_BINS[ok], col[ok])
        mid = np.searchsorted(PROBS, 0.5)
        values[:, :mid] = np.minimum.accumulate(values[:, :mid], axis=0)
        values[:, mid + 1 :] = np.maximum.accumulate(values[:, mid + 1 :], axis=0)
        values = np.sort(values, axis=1)
        return cls(D_BINS.copy(), PROBS.copy(), values)


@dataclass
class LearnedModel:
    """The fitted residual model, its spread model and its interval table."""

    regressor: object  # a fitted scikit-learn regressor
    quantiles: QuantileTable
    spread: object | None = None  # a fitted SpreadModel; None: spread 1 everywhere
    # what exactly constant prefixes did later, in score units (None: too few of them)
    flat: QuantileTable | None = None
    # features read after FEATURE_NAMES: TRAIN_FEATURES for the model of curves whose
    # training scores are known, none for the model of validation scores alone
    extra: tuple[str, ...] = ()

    def predict_residual(self, rows: np.ndarray) -> np.ndarray:
        return self.regressor.predict(rows)

    def predict_spread(self, rows: np.ndarray) -> np.ndarray:
        """Expected size of the scaled residual at each row (multiplies the quantiles)."""
        if self.spread is None:
            return np.ones(len(rows))
        return self.spread.predict(rows)


@dataclass
class SpreadModel:
    """Predicts the typical |scaled residual| from the features.

    It is fitted on log |residual| (a geometric mean: residual sizes are heavy-tailed, and a
    few huge ones must not inflate every band), with ``offset`` keeping the log finite.
    """

    regressor: object
    offset: float

    def predict(self, rows: np.ndarray) -> np.ndarray:
        return np.exp(self.regressor.predict(rows)) + self.offset


def fit_spread(X: np.ndarray, abs_resid: np.ndarray) -> SpreadModel:
    """Fit the spread model on absolute scaled out-of-fold residuals."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    offset = SPREAD_FLOOR * float(np.median(abs_resid)) + 1e-9
    reg = HistGradientBoostingRegressor(**SPREAD_PARAMS).fit(X, np.log(abs_resid + offset))
    return SpreadModel(reg, offset)


def _scaled_residual(table: dict[str, np.ndarray], oof: np.ndarray) -> np.ndarray:
    return (table["target"].astype(float) - oof) / table["scale"].astype(float)


MIN_CONSTANT_ROWS = 300


def constant_rows(X: np.ndarray) -> np.ndarray:
    """Rows whose prefix is exactly constant (every size scored the same mean)."""
    col = {name: X[:, i] for i, name in enumerate(FEATURE_NAMES)}
    return (
        (col["rise"] == 0)
        & (col["drop_from_max"] == 0)
        & (col["slope1"] == 0)
        & (np.nan_to_num(col["slope2"]) == 0)
    )


def flat_quantiles(table: dict[str, np.ndarray]) -> QuantileTable | None:
    """Quantiles, per distance, of how far the truth moved from an exactly constant prefix.

    Such a prefix (a majority-class model, a metric stuck at one value) has no slope or noise
    to scale a band by; what the LCDB curves that started this way did later is the honest
    uncertainty. Their residual from the base (which is the constant level) is in score units.
    """
    X = table["X"]
    const = constant_rows(X)
    if int(const.sum()) < MIN_CONSTANT_ROWS:
        return None
    return QuantileTable.from_residuals(X[const, 0], table["target"][const].astype(float))


def make_regressor():
    """A fresh, unfitted residual regressor."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    return HistGradientBoostingRegressor(**GBM_PARAMS)


def fit_regressor(X: np.ndarray, target: np.ndarray):
    """Fit the residual regressor on a training table."""
    return make_regressor().fit(X, target)


def out_of_fold(
    X: np.ndarray, target: np.ndarray, groups: np.ndarray, n_splits: int = 5
) -> np.ndarray:
    """Out-of-fold residual predictions, grouped so no dataset is in its own training fold."""
    from sklearn.model_selection import GroupKFold

    pred = np.empty(len(target))
    for train, test in GroupKFold(n_splits=n_splits).split(X, target, groups):
        pred[test] = fit_regressor(X[train], target[train]).predict(X[test])
    return pred


def model_matrix(table: dict[str, np.ndarray], with_train: bool) -> np.ndarray:
    """The table's feature matrix for one of the two models (with or without TRAIN_FEATURES)."""
    X = table["X"].astype(float)
    return np.hstack([X, table["X_train"].astype(float)]) if with_train else X


def train_learned(
    table: dict[str, np.ndarray], n_splits: int = 5, with_train: bool = False
) -> LearnedModel:
    """Train the residual model and its quantile table from a training table.

    ``table`` holds ``X`` (rows x FEATURE_NAMES), ``target`` (truth - base), ``groups``
    (dataset id) and ``scale`` (curve scale), and for ``with_train`` also ``X_train`` (rows x
    TRAIN_FEATURES). The quantiles come from grouped out-of-fold predictions, so the intervals
    are calibrated on datasets each model had not seen.
    """
    from sklearn.model_selection import GroupKFold

    X, target, groups = model_matrix(table, with_train), table["target"], table["groups"]
    oof = out_of_fold(X, target, groups, n_splits=n_splits)
    resid = _scaled_residual(table, oof)
    # the spread is cross-fitted too, so the normalised residuals are all out-of-fold
    spread_oof = np.empty(len(resid))
    for train, test in GroupKFold(n_splits=n_splits).split(X, resid, groups):
        spread_oof[test] = fit_spread(X[train], np.abs(resid[train])).predict(X[test])
    quantiles = QuantileTable.from_residuals(X[:, 0], resid / spread_oof)
    quantiles.oof = oof
    spread = fit_spread(X, np.abs(resid))
    extra = TRAIN_FEATURES if with_train else ()
    return LearnedModel(fit_regressor(X, target), quantiles, spread, flat_quantiles(table), extra)


# --- the shipped model ----------------------------------------------------------------------

_LOCK = threading.Lock()
_CACHED: dict[bool, LearnedModel] = {}  # by with_train


def resource_path() -> Path:
    return Path(str(resources.files("howmuchdata").joinpath("_resources", RESOURCE)))


def load_table(path: str | os.PathLike[str] | None = None) -> dict[str, np.ndarray]:
    """Read the shipped training table (and its quantile table) as plain arrays."""
    path = Path(path) if path is not None else resource_path()
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def save_table(
    table: dict[str, np.ndarray],
    quantiles: QuantileTable,
    path: Path,
    train_quantiles: QuantileTable | None = None,
) -> None:
    """Write the training table, out-of-fold predictions and quantile table as a ``.npz``.

    ``train_quantiles`` (from ``train_learned(..., with_train=True)``) adds the table of the
    model that also reads the training scores, with the table's ``X_train``.
    """
    if quantiles.oof is None or (train_quantiles is not None and train_quantiles.oof is None):
        raise ValueError("the quantile table has no out-of-fold predictions; use train_learned")
    with_train = {}
    if train_quantiles is not None:
        with_train = dict(
            X_train=table["X_train"].astype(np.float32),
            train_feature_names=np.array(TRAIN_FEATURES),
            oof_train=train_quantiles.oof.astype(np.float32),
            qt_values=train_quantiles.values,
        )
    np.savez_compressed(
        path,
        **with_train,
        oof=quantiles.oof.astype(np.float32),
        X=table["X"].astype(np.float32),
        target=table["target"].astype(np.float32),
        groups=table["groups"].astype(np.int32),
        scale=table["scale"].astype(np.float32),
        feature_names=np.array(FEATURE_NAMES),
        q_d_bins=quantiles.d_bins,
        q_probs=quantiles.probs,
        q_values=quantiles.values,
    )


def cache_dir() -> Path | None:
    """Where models fitted from shipped tables are kept (None when it cannot be created).

    ``$HOWMUCHDATA_CACHE``, else ``$XDG_CACHE_HOME/howmuchdata`` or ``~/.cache/howmuchdata``.
    """
    root = os.environ.get("HOWMUCHDATA_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "howmuchdata"
    )
    try:
        path = Path(root)
        path.mkdir(parents=True, exist_ok=True)
        return path
    except OSError:
        return None


def cached_fit(tag: str, table_path: Path, fit):
    """``fit()``'s result, cached on disk by ``tag``, the table's hash and scikit-learn's version.

    Models are refitted from the shipped tables instead of shipped as pickles, which would not
    survive a scikit-learn upgrade; the cache only saves refitting them on every start.
    """
    import joblib
    import sklearn

    digest = hashlib.sha256(table_path.read_bytes()).hexdigest()[:16]
    cache = cache_dir()
    cache_file = cache / f"{tag}-{digest}-sklearn{sklearn.__version__}.joblib" if cache else None
    if cache_file is not None and cache_file.exists():
        try:
            return joblib.load(cache_file)
        except Exception:  # a corrupt or incompatible cache is just refitted
            pass
    fitted = fit()
    if cache_file is not None:
        try:
            tmp = cache_file.with_suffix(f".tmp{os.getpid()}")
            joblib.dump(fitted, tmp)
            os.replace(tmp, cache_file)
        except OSError:
            pass
    return fitted


def _has_train_model(table: dict[str, np.ndarray]) -> bool:
    names = table.get("train_feature_names")
    return (
        names is not None
        and tuple(names.tolist()) == TRAIN_FEATURES
        and "oof_train" in table
        and "qt_values" in table
    )


def shipped_model(with_train: bool = False) -> LearnedModel | None:
    """The learned model from the shipped table (fitted once, cached); None when unavailable.

    ``with_train`` selects the model that also reads the training scores (TRAIN_FEATURES).
    """
    with _LOCK:
        if with_train in _CACHED:
            return _CACHED[with_train]
        path = resource_path()
        if not path.exists():
            return None
        table = load_table(path)
        if tuple(table["feature_names"].tolist()) != FEATURE_NAMES or "oof" not in table:
            return None  # a table from another version of the model: do not misuse it
        if with_train and not _has_train_model(table):
            return None
        oof = table["oof_train" if with_train else "oof"].astype(float)

        def fit():
            X = model_matrix(table, with_train)
            regressor = fit_regressor(X, table["target"].astype(float))
            resid = _scaled_residual(table, oof)
            return regressor, fit_spread(X, np.abs(resid))

        tag = "extrapolate-train" if with_train else "extrapolate"
        regressor, spread = cached_fit(tag, path, fit)
        values = table["qt_values" if with_train else "q_values"]
        quantiles = QuantileTable(table["q_d_bins"], table["q_probs"], values)
        extra = TRAIN_FEATURES if with_train else ()
        model = LearnedModel(regressor, quantiles, spread, flat_quantiles(table), extra)
        _CACHED[with_train] = model
        return model
