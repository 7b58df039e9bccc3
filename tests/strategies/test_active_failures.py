"""A model that fails on one labeled set mid-simulation: failed points that say so, work kept."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

import howmuchdata as hmd
from howmuchdata.strategies import active

SIZES = [16, 32, 64]


class FailsOnOneSubset(ClassifierMixin, BaseEstimator):
    """Logistic regression on the numeric columns that raises on ``rows``-row training sets of
    the first repeat fitted that far (whose first row it remembers), and nowhere else."""

    poisoned: set[int] = set()

    def __init__(self, rows: int = 20) -> None:
        self.rows = rows

    def fit(self, X, y):
        if len(X) == self.rows:
            first = int(X.index[0])
            if not FailsOnOneSubset.poisoned:
                FailsOnOneSubset.poisoned.add(first)
            if first in FailsOnOneSubset.poisoned:
                raise ValueError(f"cannot fit these {len(X)} rows\nsecond line")
        self.model_ = LogisticRegression().fit(X[["a", "b"]], y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X[["a", "b"]])

    def predict_proba(self, X):
        return self.model_.predict_proba(X[["a", "b"]])


@pytest.fixture()
def failing(monkeypatch):
    """Active learning fits FailsOnOneSubset(rows); the baseline curve is left as it is."""
    FailsOnOneSubset.poisoned = set()

    def use(rows: int) -> None:
        model = Pipeline([("model", FailsOnOneSubset(rows))])
        monkeypatch.setattr(active, "baseline_estimator", lambda ctx: model)

    return use


def run(small_table, store=None):
    X, y = small_table
    return hmd.compare(
        X, y, strategies=["active:margin"], sizes=SIZES, repeats=2, targets=[0.6], store=store
    )


@pytest.mark.parametrize("rows", [20, 32], ids=["between sizes", "at a size"])
def test_the_sizes_after_a_failed_fit_are_failed_points_naming_the_error(
    small_table, failing, rows
):
    failing(rows)
    result = run(small_table)
    points = result.curves["active:margin"].points.set_index(["repeat", "size"]).sort_index()
    failed = points[points["status"] == "failed"]
    # scikit-activeml would have predicted class frequencies and the point passed for fitted
    assert [size for _, size in failed.index] == [s for s in SIZES if s >= rows]
    assert len(failed.index.get_level_values("repeat").unique()) == 1
    expected = (
        f"ValueError: cannot fit these {rows} rows (fit at {rows} labels; the repeat stopped there)"
    )
    assert (failed["error"] == expected).all() and failed["val_score"].isna().all()
    ok = points[points["status"] == "ok"]
    assert len(ok) == len(points) - len(failed) and ok["val_score"].notna().all()
    line = result.partial_failures["active:margin"]
    assert expected in line and "\n" not in line
    assert "active:margin" not in result.failures


def test_a_rerun_keeps_the_finished_repeat_and_simulates_the_failed_one(
    small_table, failing, tmp_path, monkeypatch
):
    store = f"sqlite:///{tmp_path / 'store.db'}"
    failing(20)
    first = run(small_table, store)
    assert first.curves["active:margin"].settings["computed"] == 2 * len(SIZES)

    FailsOnOneSubset.poisoned = {-1}  # the model works now
    seen: list[tuple[int, str]] = []
    original = active.simulate_split

    def counted(ctx, split, method, **kwargs):
        seen.append((split.repeat, method))
        return original(ctx, split, method, **kwargs)

    monkeypatch.setattr(active, "simulate_split", counted)
    again = run(small_table, store)
    failed_repeat = int(
        first.curves["active:margin"].failures["repeat"].iloc[0]
    )  # the one that stopped
    assert (failed_repeat, "margin") in seen and (1 - failed_repeat, "margin") not in seen
    curve = again.curves["active:margin"]
    assert (curve.settings["from_store"], curve.settings["computed"]) == (3, 3)
    assert (curve.points["status"] == "ok").all() and not again.partial_failures
    kept = first.curves["active:margin"].points
    kept = kept[kept["repeat"] != failed_repeat].sort_values("size")["val_score"].to_numpy()
    reread = curve.points[curve.points["repeat"] != failed_repeat].sort_values("size")
    assert np.array_equal(reread["val_score"].to_numpy(), kept)


def test_a_strategy_left_with_too_few_sizes_says_its_points_failed_first(small_table, failing):
    failing(20)
    FailsOnOneSubset.poisoned = {-1}
    original = FailsOnOneSubset.fit

    def always_at_20(self, X, y):  # both repeats fail: one size left, nothing to extrapolate
        if len(X) == 20:
            raise ValueError("cannot fit these 20 rows")
        return original(self, X, y)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(FailsOnOneSubset, "fit", always_at_20)
        result = run(small_table)
    reason = result.failures["active:margin"]
    assert reason.startswith("4 of 6 points failed (sizes 32, 64; most common error, 4 times: ")
    assert "ValueError: cannot fit these 20 rows" in reason and "on the points left:" in reason
    assert "active:margin" not in result.partial_failures  # no curve rests on them
