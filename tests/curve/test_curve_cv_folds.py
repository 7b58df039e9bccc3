"""``cv=k``: a number of folds, as scikit-learn takes it, made a shuffled k-fold splitter that
the store treats like the splitter it stands for; groups give group folds, time is refused."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold

from howmuchdata.curve import learning_curve
from howmuchdata.curve.plan import make_splits, resolve_cv
from howmuchdata.errors import HowMuchDataError


@pytest.fixture
def sorted_classes() -> tuple[np.ndarray, np.ndarray]:
    """300 rows sorted by class (60 of class 1 last): folds in file order would be one-class."""
    rng = np.random.default_rng(1)
    y = np.repeat([0, 1], [240, 60])
    X = rng.normal(size=(300, 2)) + y[:, None]
    return X, y


def _validation_rows(y, **kwargs) -> list[np.ndarray]:
    return [s.val for s in make_splits(y, seed=0, **kwargs)]


def test_cv_5_validates_on_5_disjoint_stratified_folds_of_every_row(sorted_classes):
    _, y = sorted_classes
    folds = _validation_rows(y, task="classification", repeats=5, cv=5)
    assert len(folds) == 5
    rows = np.concatenate(folds)
    assert np.array_equal(np.sort(rows), np.arange(300))  # each row validated exactly once
    for val in folds:
        assert len(val) == 60 and np.sum(y[val] == 1) == 12  # a fifth, classes in proportion


def test_cv_5_folds_are_shuffled_not_in_file_order(sorted_classes):
    # scikit-learn's unshuffled KFold(5) on these rows: the last fold is all of class 1
    _, y = sorted_classes
    (first,) = _validation_rows(y, task="classification", repeats=1, cv=5, stratify=False)
    assert not np.array_equal(first, np.arange(60))
    assert 0 < np.sum(y[first] == 1) < 60


def test_the_folds_follow_the_seed(sorted_classes):
    _, y = sorted_classes
    seeded = make_splits(y, task="regression", repeats=1, seed=0, cv=5)[0].val
    again = make_splits(y, task="regression", repeats=1, seed=0, cv=5)[0].val
    other = make_splits(y, task="regression", repeats=1, seed=1, cv=5)[0].val
    assert np.array_equal(seeded, again) and not np.array_equal(seeded, other)


@pytest.mark.parametrize(
    ("task", "stratify", "kind"),
    [
        ("classification", None, StratifiedKFold),
        ("classification", False, KFold),
        ("regression", None, KFold),
    ],
)
def test_the_kind_of_folds_is_scikit_learns_choice(task, stratify, kind):
    y = np.repeat([0, 1], 50) if task == "classification" else np.linspace(0, 1, 100)
    stratified = task == "classification" and stratify is not False
    cv = resolve_cv(4, y, stratify=stratified)
    assert type(cv) is kind and cv.n_splits == 4 and cv.shuffle


def test_cv_with_groups_gives_group_folds_that_keep_every_group_on_one_side():
    groups = np.repeat(np.arange(12), 25)
    y = np.tile([0, 1], 150)
    assert isinstance(resolve_cv(4, y, stratify=True, groups=groups), GroupKFold)
    splits = make_splits(y, task="classification", repeats=4, seed=0, groups=groups, cv=4)
    validated = np.concatenate([np.unique(groups[s.val]) for s in splits])
    assert np.array_equal(np.sort(validated), np.arange(12))  # each group validated once
    for s in splits:
        assert not set(groups[s.val]) & set(groups[s.train_order])


def test_cv_with_more_folds_than_groups_is_one_line():
    groups = np.repeat(np.arange(3), 100)
    with pytest.raises(HowMuchDataError, match=r"^cv=5 asks for 5 folds of groups, and there"):
        resolve_cv(5, np.zeros(300), stratify=False, groups=groups)


def test_cv_with_time_is_refused_with_the_splitter_to_use(sorted_classes):
    X, y = sorted_classes
    with pytest.raises(HowMuchDataError) as excinfo:
        learning_curve(LogisticRegression(), X, y, cv=5, time=np.arange(300), sizes=[50])
    text = str(excinfo.value)
    assert "\n" not in text and "pass cv=TimeSeriesSplit(5)" in text


def test_a_learning_curve_with_cv_5_has_5_repeats_of_a_fifth_held_out(sorted_classes):
    X, y = sorted_classes
    curve = learning_curve(LogisticRegression(), X, y, cv=5, sizes=[40, 120])
    assert set(curve.points["status"]) == {"ok"}
    assert curve.settings["repeats"] == 5
    assert curve.settings["split_rows"] == {"validate": [60] * 5, "train": [240] * 5}
    assert curve.settings["split"].startswith("cv:StratifiedKFold(n_splits=5, random_state=")


def test_repeats_take_the_first_folds_and_fewer_folds_give_fewer_repeats(sorted_classes):
    X, y = sorted_classes
    ten = learning_curve(Ridge(), X, y.astype(float), cv=10, repeats=3, sizes=[40])
    assert ten.settings["split_rows"]["validate"] == [30, 30, 30]
    three = learning_curve(Ridge(), X, y.astype(float), cv=3, repeats=5, sizes=[40])
    assert three.settings["repeats"] == 3 and three.points["repeat"].nunique() == 3


def test_cv_5_resumes_from_the_store_and_a_new_seed_does_not_reuse_its_points(
    sorted_classes, tmp_path
):
    X, y = sorted_classes
    settings = {"sizes": [40, 80], "repeats": 2, "store": f"sqlite:///{tmp_path / 's.db'}"}
    first = learning_curve(LogisticRegression(), X, y, cv=5, **settings)
    again = learning_curve(LogisticRegression(), X, y, cv=5, **settings)
    assert first.settings["computed"] == 4
    assert again.settings["from_store"] == 4 and again.settings["computed"] == 0
    assert again.points["val_score"].tolist() == first.points["val_score"].tolist()
    reseeded = learning_curve(LogisticRegression(), X, y, cv=5, random_state=1, **settings)
    assert reseeded.settings["from_store"] == 0  # other folds: measured anew


def test_cv_5_shares_stored_points_with_the_splitter_it_stands_for(sorted_classes, tmp_path):
    X, y = sorted_classes
    settings = {"sizes": [40, 80], "repeats": 2, "store": f"sqlite:///{tmp_path / 's.db'}"}
    learning_curve(LogisticRegression(), X, y, cv=5, **settings)
    splitter = resolve_cv(5, y, stratify=True, seed=0)
    same = learning_curve(LogisticRegression(), X, y, cv=splitter, **settings)
    assert same.settings["from_store"] == 4
    unshuffled = learning_curve(LogisticRegression(), X, y, cv=StratifiedKFold(5), **settings)
    assert unshuffled.settings["from_store"] == 0


def test_a_size_above_the_folds_training_rows_says_to_use_more_folds(sorted_classes):
    X, y = sorted_classes
    with pytest.raises(HowMuchDataError) as excinfo:
        learning_curve(LogisticRegression(), X, y, cv=2, sizes=[200], repeats=2)
    text = str(excinfo.value)
    assert "more than the 150 training rows" in text and "use more folds than cv=2" in text
