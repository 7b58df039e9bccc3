"""Which arms a strategy list runs, decided before any fit: one uncertainty arm on two classes,
none that a baseline without probabilities cannot drive, and baselines compare can run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, LinearSVC

import howmuchdata as hmd
from howmuchdata.cli import main
from howmuchdata.curve.plan import make_splits
from howmuchdata.errors import HowMuchDataError
from howmuchdata.strategies.base import StrategyContext
from howmuchdata.strategies.registry import build_arms

SIZES = [16, 32, 64]


def context(X: pd.DataFrame, y: np.ndarray, baseline="logreg") -> StrategyContext:
    splits = make_splits(y, task="classification", repeats=1, seed=0)
    return StrategyContext(
        X=X, y=y, task="classification", baseline=baseline, splits=splits, sizes=SIZES
    )


def names(ctx: StrategyContext, specs) -> list[str]:
    return [arm.name for arm in build_arms(ctx, specs)]


def test_two_classes_run_one_uncertainty_arm_and_say_it_stands_for_the_others(small_table):
    ctx = context(*small_table)
    assert names(ctx, ["active"]) == ["baseline", "active:least_confident", "active:random"]
    (note,) = ctx.notes
    assert "active:margin and active:entropy" in note and "two classes" in note
    arm = build_arms(context(*small_table), ["active"])[1]
    assert "active:margin" in arm.description


def test_three_classes_keep_every_uncertainty_arm(small_table):
    X, _ = small_table
    y = np.resize(np.array(["a", "b", "c"]), len(X))
    ctx = context(X, y)
    assert names(ctx, ["active"])[1:] == [
        "active:least_confident",
        "active:margin",
        "active:entropy",
        "active:random",
    ]
    assert ctx.notes == []


def test_methods_named_on_two_classes_run_the_first_of_them(small_table):
    ctx = context(*small_table)
    got = names(ctx, ["active:margin", "simpler:knn", "active:entropy"])
    assert got == ["baseline", "active:margin", "active:random", "simpler:knn"]
    assert ctx.notes == [
        "active:margin also stands for active:entropy: on two classes they query the same "
        "rows (probability nearest 0.5)"
    ]
    assert names(context(*small_table), ["active", "active:entropy"])[1] == "active:entropy"


@pytest.mark.parametrize(
    "spec, fix",
    [
        ("active:margin", "baseline=SVC(probability=True)"),
        ("semi:self_training", "baseline=SVC(probability=True)"),
    ],
)
def test_a_named_arm_that_needs_probabilities_stops_before_any_fit(small_table, spec, fix):
    X, y = small_table
    with pytest.raises(HowMuchDataError) as info:
        hmd.compare(X, y, strategies=[spec], baseline=SVC(), sizes=SIZES, repeats=1)
    message = str(info.value)
    assert message.startswith(f"{spec}: the baseline SVC has no predict_proba")
    assert fix in message and "\n" not in message


def test_the_fix_names_a_pipelines_last_step(small_table):
    ctx = context(*small_table, baseline=make_pipeline(StandardScaler(), LinearSVC()))
    with pytest.raises(HowMuchDataError, match=r"a pipeline ending in CalibratedClassifierCV\("):
        build_arms(ctx, ["active:entropy"])


def test_families_leave_out_the_arms_that_need_probabilities_and_say_why(small_table):
    X, y = small_table
    result = hmd.compare(
        X,
        y,
        strategies=["active", "semi"],
        baseline=SVC(),
        sizes=SIZES,
        repeats=1,
        targets=[0.6],
    )
    assert list(result.curves) == ["baseline", "semi:label_spreading"]
    assert not result.failures
    notes = result.to_dict()["comparison"]["notes"]
    assert len(notes) == 2 and all("SVC(probability=True)" in n for n in notes)
    assert notes[0].startswith("active left out: the baseline SVC has no predict_proba")
    assert notes[1].startswith("semi:self_training left out:")
    assert notes[0] in result.summary()


def test_random_sampling_named_alone_runs_without_probabilities_and_scores_auc(small_table):
    X, y = small_table
    result = hmd.compare(
        X,
        y,
        strategies=["active:random"],
        baseline=LinearSVC(),
        sizes=SIZES,
        repeats=1,
        scoring="roc_auc",
        targets=[0.6],
    )
    points = result.curves["active:random"].points
    assert (points["status"] == "ok").all() and points["val_score"].between(0, 1).all()


@pytest.mark.parametrize(
    "name, said",
    [
        ("foo", "unknown baseline 'foo'"),
        ("cnn", "--baseline cnn is a network preset of howmuchdata curve"),
        ("mymod:make", "module:callable is for howmuchdata curve --model"),
    ],
)
def test_an_unknown_baseline_lists_what_compare_runs(small_table, name, said):
    X, y = small_table
    with pytest.raises(HowMuchDataError) as info:
        hmd.compare(X, y, baseline=name)
    message = str(info.value)
    assert said in message and "logreg, rf, hgb, knn, mlp" in message
    assert "tfidf-linear" not in message and "minilm" not in message


def test_an_unknown_baseline_from_the_shell_is_one_line(small_table, tmp_path, capsys):
    X, y = small_table
    data = tmp_path / "t.csv"
    X.assign(outcome=y).to_csv(data, index=False)
    code = main(
        [
            "compare",
            str(data),
            "--target",
            "outcome",
            "--baseline",
            "foo",
            "--out",
            str(tmp_path / "run"),
            "-q",
        ]
    )
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1
    assert "logreg, rf, hgb, knn, mlp" in err and "pretrained" not in err
