"""Classifiers without ``predict_proba`` (LinearSVC, SVC(), a pipeline ending in one, a model
with only ``predict``): the probability checks still run and say where their probabilities
came from, instead of failing with a traceback."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hmd_diagnose_data import PredictOnly, flip_labels, linear_svc
from sklearn.base import clone
from sklearn.model_selection import cross_val_predict
from sklearn.svm import SVC, LinearSVC

from howmuchdata.cli import main
from howmuchdata.diagnose import diagnose, diagnosis_context


@pytest.fixture(scope="module")
def noisy_digits(digits) -> tuple[pd.DataFrame, np.ndarray]:
    X, y = digits
    noisy, flipped = flip_labels(y, 0.20, seed=0)
    assert flipped.mean() == pytest.approx(0.2, abs=0.03)
    return X, noisy


def test_a_linear_svm_pipeline_finds_twenty_percent_wrong_labels(noisy_digits):
    X, y = noisy_digits
    (finding,) = diagnose(X=X, y=y, estimator=linear_svc(), checks=["label_noise"])
    assert finding.kind == "label_noise"
    assert finding.severity == "critical"
    assert 0.15 <= finding.evidence["estimated_share"] <= 0.25
    assert "decision_function, calibrated" in finding.evidence["probabilities"]
    assert "preset" not in finding.advice  # judged by the model itself


@pytest.mark.parametrize("model", [LinearSVC(), SVC()], ids=["LinearSVC", "SVC"])
def test_bare_classifiers_without_predict_proba_run_every_data_check(breast_cancer, model):
    X, y = breast_cancer
    noisy, _ = flip_labels(y, 0.20, seed=1)
    subgroup = np.where(np.arange(len(X)) % 2 == 0, "even", "odd")
    ctx = diagnosis_context(X=X, y=noisy, estimator=model, subgroup=subgroup)
    assert not hasattr(ctx.model, "predict_proba")
    findings = diagnose(X=X, y=noisy, estimator=model, subgroup=subgroup)
    (noise,) = [f for f in findings if f.kind == "label_noise"]
    assert 0.15 <= noise.evidence["estimated_share"] <= 0.25
    proba = ctx.oof_proba
    assert proba.shape == (len(y), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


@pytest.mark.parametrize("data", ["breast_cancer", "noisy_digits"])
def test_predicted_classes_are_the_models_own_predictions(request, data):
    # imbalance and subgroup scores judge the model as it predicts: from its decision scores,
    # not from the calibrated probabilities
    X, y = request.getfixturevalue(data)
    ctx = diagnosis_context(X=X, y=y, estimator=linear_svc())
    predicted = cross_val_predict(clone(ctx.model), X, ctx.labels, cv=ctx.splitter())
    np.testing.assert_array_equal(ctx.oof_prediction, ctx.classes[predicted])


def test_a_model_with_only_predict_is_judged_by_the_preset_and_says_so(noisy_digits):
    X, y = noisy_digits
    ctx = diagnosis_context(X=X, y=y, estimator=PredictOnly())
    (finding,) = diagnose(X=X, y=y, estimator=PredictOnly(), checks=["label_noise"])
    assert 0.15 <= finding.evidence["estimated_share"] <= 0.25
    assert "'logreg' preset" in finding.evidence["probabilities"]
    assert "judged by the 'logreg' preset" in finding.advice
    # the predictions the recall and subgroup checks read are still the model's own
    predicted = cross_val_predict(clone(ctx.model), X, ctx.labels, cv=ctx.splitter())
    np.testing.assert_array_equal(ctx.oof_labels, predicted)


@pytest.mark.slow
def test_the_command_line_runs_with_a_linear_svm_callable(breast_cancer, tmp_path, capsys):
    X, y = breast_cancer
    noisy, _ = flip_labels(y, 0.20, seed=0)
    data = tmp_path / "cancer.csv"
    X.assign(label=noisy).to_csv(data, index=False)
    out = tmp_path / "run"
    code = main(
        [
            *("diagnose", str(data), "--target", "label"),
            *("--model", "hmd_diagnose_data:linear_svc"),
            *("--sizes", "100,200,400", "--repeats", "2", "--out", str(out), "-q", "--no-report"),
        ]
    )
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert "Traceback" not in printed.out + printed.err
    findings = json.loads((out / "result.json").read_text())["findings"]
    (noise,) = [f for f in findings if f["kind"] == "label_noise"]
    assert noise["severity"] == "critical"
    assert "decision_function" in noise["evidence"]["probabilities"]
    assert "label_noise" in printed.out
