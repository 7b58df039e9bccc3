"""What a notebook user passes to learning_curve: sparse matrices of every format, cv= objects
of every kind, progress settings; and what the store does with splitters whose repr does not
tell their splits apart.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    GroupKFold,
    KFold,
    LeaveOneGroupOut,
    PredefinedSplit,
    StratifiedGroupKFold,
    StratifiedKFold,
    TimeSeriesSplit,
)

from howmuchdata.curve import learning_curve
from howmuchdata.data import load_dataset
from howmuchdata.errors import HowMuchDataError


def _one_line(excinfo: pytest.ExceptionInfo) -> str:
    text = str(excinfo.value)
    assert "\n" not in text and ";" in text  # the problem; the fix
    return text


# --- sparse inputs --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["coo_matrix", "dia_matrix", "bsr_matrix", "coo_array"])
def test_a_sparse_matrix_of_any_format_gives_the_curve_of_its_csr_form(binary, fmt):
    # coo_matrix(X) (and vstack's output) cannot be indexed by rows: every point failed with
    # "'coo_matrix' object is not subscriptable"
    X, y = binary
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sp.SparseEfficiencyWarning)  # dia of a dense table
        sparse = getattr(sp, fmt)(X)
    settings = {"sizes": [50, 100], "repeats": 2}
    curve = learning_curve(LogisticRegression(), sparse, y, **settings)
    csr = learning_curve(LogisticRegression(), sp.csr_matrix(X), y, **settings)
    assert set(curve.points["status"]) == {"ok"}, curve.failures["error"].tolist()
    assert curve.points["val_score"].tolist() == csr.points["val_score"].tolist()


# --- cv= --------------------------------------------------------------------------------------


@pytest.mark.parametrize("cv", [GroupKFold(3), StratifiedGroupKFold(3), LeaveOneGroupOut()])
def test_a_group_splitter_without_groups_says_to_pass_them(binary, cv):
    # scikit-learn's own ValueError reads "The 'groups' parameter should not be None" or, for
    # StratifiedGroupKFold, "n_splits=3 greater than the number of groups: 1"
    X, y = binary
    with pytest.raises(HowMuchDataError) as excinfo:
        learning_curve(LogisticRegression(), X, y, cv=cv, sizes=[50], repeats=2)
    text = _one_line(excinfo)
    assert "splits by group, and no groups= were given" in text and "pass groups=" in text
    # with groups it is measured
    groups = np.arange(300) // 10
    curve = learning_curve(LogisticRegression(), X, y, cv=cv, groups=groups, sizes=[50], repeats=2)
    assert set(curve.points["status"]) == {"ok"}


def test_a_splitter_that_cannot_split_the_rows_is_one_line(binary):
    X, y = binary
    with pytest.raises(HowMuchDataError) as excinfo:
        learning_curve(LogisticRegression(), X, y, cv=KFold(400), sizes=[50], repeats=2)
    assert "cannot split these rows" in _one_line(excinfo)


def test_a_splitter_that_ignores_groups_is_refused_without_scikit_learns_warning(binary):
    X, y = binary
    groups = np.arange(300) % 30  # every fold of KFold holds rows of every group
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "The groups parameter is ignored by KFold" was shown
        with pytest.raises(HowMuchDataError, match="use a group splitter"):
            learning_curve(LogisticRegression(), X, y, groups=groups, cv=KFold(5), sizes=[50])


@pytest.mark.parametrize(
    ("cv", "words"),
    [
        ("kfold", "cv='kfold' is neither a number of folds nor a splitter"),  # str has .split
        (object(), "is neither a number of folds nor a splitter; pass e.g. cv=5"),
        (True, "cv=True is neither a number of folds nor a splitter"),
        (5.0, "cv=5.0 is neither a number of folds nor a splitter"),
        (1, "cv=1 is fewer than 2 folds; pass at least cv=2"),
        (301, "cv=301 asks for 301 folds of rows, and there are 300 rows; pass cv=300 or fewer"),
    ],
)
def test_a_cv_that_is_not_a_splitter_is_one_line(binary, cv, words):
    X, y = binary
    with pytest.raises(HowMuchDataError) as excinfo:
        learning_curve(LogisticRegression(), X, y, cv=cv, sizes=[50], repeats=2)
    assert words in _one_line(excinfo)


def test_a_size_above_a_cv_split_names_the_split_not_the_validation_rows(binary):
    X, y = binary
    with pytest.raises(HowMuchDataError) as excinfo:
        learning_curve(LogisticRegression(), X, y, cv=TimeSeriesSplit(5), sizes=[100], repeats=2)
    text = _one_line(excinfo)
    assert "the training rows of split 0, the smallest of the 2 splits of cv= used" in text
    assert "TimeSeriesSplit with fewer n_splits" in text
    assert "after holding out validation rows" not in text
    # the built-in split keeps its own words
    with pytest.raises(HowMuchDataError, match="after holding out validation rows"):
        learning_curve(LogisticRegression(), X, y, sizes=[290], repeats=2)


# --- the store and cv= ------------------------------------------------------------------------


def test_two_predefined_splits_with_the_same_repr_never_share_stored_points(tmp_path, binary):
    # PredefinedSplit's repr cuts its folds short ("array([0, 1, 2, ..., 0, 1, 2])"): two
    # splits that differ in the middle read alike, and the second reused the first's points
    X, y = binary
    folds = np.arange(300) % 3
    other = folds.copy()
    other[10:-10] = np.random.default_rng(0).integers(0, 3, 280)
    assert repr(PredefinedSplit(folds)) == repr(PredefinedSplit(other))
    settings = {"sizes": [40, 80], "repeats": 2, "store": f"sqlite:///{tmp_path / 's.db'}"}
    learning_curve(LogisticRegression(), X, y, cv=PredefinedSplit(folds), **settings)
    second = learning_curve(LogisticRegression(), X, y, cv=PredefinedSplit(other), **settings)
    fresh = learning_curve(
        LogisticRegression(), X, y, cv=PredefinedSplit(other), sizes=[40, 80], repeats=2
    )
    assert second.settings["from_store"] == 0
    assert second.points["val_score"].tolist() == fresh.points["val_score"].tolist()
    again = learning_curve(LogisticRegression(), X, y, cv=PredefinedSplit(other), **settings)
    assert again.settings["from_store"] == 4  # the same split is read back


class _EveryKth:
    """A splitter of one's own without a __repr__: its repr holds a memory address."""

    def __init__(self, k: int) -> None:
        self.k = k

    def split(self, X, y=None, groups=None):
        rows = np.arange(len(y))
        for i in range(self.k):
            yield rows[rows % self.k != i], rows[rows % self.k == i]


def test_a_splitter_of_ones_own_resumes_from_the_store(tmp_path, binary):
    X, y = binary
    settings = {"sizes": [40, 80], "repeats": 2, "store": f"sqlite:///{tmp_path / 's.db'}"}
    first = learning_curve(LogisticRegression(), X, y, cv=_EveryKth(3), **settings)
    again = learning_curve(LogisticRegression(), X, y, cv=_EveryKth(3), **settings)
    assert first.settings["computed"] == 4
    assert again.settings["from_store"] == 4 and again.settings["computed"] == 0
    assert " at 0x" not in again.settings["split"]
    # other splits of the same class are measured anew
    four = learning_curve(LogisticRegression(), X, y, cv=_EveryKth(4), **settings)
    assert four.settings["from_store"] == 0


def test_a_seeded_splitter_still_resumes(tmp_path, binary):
    X, y = binary
    settings = {"sizes": [40, 80], "repeats": 2, "store": f"sqlite:///{tmp_path / 's.db'}"}
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    learning_curve(LogisticRegression(), X, y, cv=cv, **settings)
    again = learning_curve(LogisticRegression(), X, y, cv=cv, **settings)
    assert again.settings["from_store"] == 4


# --- progress and the dataset's repr -----------------------------------------------------------


@pytest.mark.parametrize("progress", ["xx", 3.5, object()])
def test_a_progress_setting_that_is_none_of_the_kinds_is_one_line(binary, progress, tmp_path):
    X, y = binary
    with pytest.raises(HowMuchDataError) as excinfo:
        learning_curve(LogisticRegression(), X, y, sizes=[50], repeats=1, progress=progress)
    assert "is not a progress setting" in _one_line(excinfo)


def test_progress_log_still_prints_lines(binary, capsys):
    X, y = binary
    learning_curve(LogisticRegression(), X, y, sizes=[50], repeats=1, progress="log")
    assert "1/1 size=50" in capsys.readouterr().err


def test_a_datasets_repr_is_one_line_not_the_whole_table():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(500, 3))
    y = np.where(X[:, 0] > 0, "sick", "well")
    text = repr(load_dataset(X, y))
    assert "\n" not in text and len(text) < 200
    assert "500 rows x 3 features" in text and "2 classes ['sick', 'well']" in text


def test_a_grid_search_counts_the_parameters_of_its_best_model(binary):
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeClassifier

    X, y = binary
    search = GridSearchCV(make_pipeline(StandardScaler(), LogisticRegression()), {
        "logisticregression__C": [0.1, 1.0]}, cv=3)  # fmt: skip
    curve = learning_curve(search, X, y, sizes=[60, 120], repeats=1)
    assert curve.points["n_params"].tolist() == [3, 3]  # 2 weights and the intercept
    wrapped = TransformedTargetRegressor(Ridge())
    curve = learning_curve(wrapped, X, X[:, 0] + X[:, 1], sizes=[60], repeats=1)
    assert curve.points["n_params"].tolist() == [3]
    # a search of a tree has no fixed count
    trees = GridSearchCV(DecisionTreeClassifier(), {"max_depth": [2, 3]}, cv=3)
    assert learning_curve(trees, X, y, sizes=[60], repeats=1).points["n_params"].isna().all()
