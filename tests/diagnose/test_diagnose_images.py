"""Image inputs: the data checks need a table of features, so they are skipped (or, asked for
by name, a one-line error); the curve checks still run."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from sklearn.datasets import load_digits

import howmuchdata as hmd
from howmuchdata.cli import main
from howmuchdata.data import load_dataset
from howmuchdata.diagnose import DiagnosisContext, diagnosis_context, run_checks

DATA_CHECKS = ("label_noise", "duplicates", "imbalance", "subgroup_underperforms", "drift")


@pytest.fixture(scope="module")
def image_folder(tmp_path_factory) -> Path:
    """90 clean digit images (0, 1, 2), one folder per class."""
    X, y = load_digits(return_X_y=True)
    root = tmp_path_factory.mktemp("images") / "imgs"
    for digit in range(3):
        (root / f"c{digit}").mkdir(parents=True)
        for k, i in enumerate(np.flatnonzero(y == digit)[:30]):
            pixels = (X[i].reshape(8, 8) * 16).clip(0, 255).astype(np.uint8)
            Image.fromarray(pixels, "L").save(root / f"c{digit}" / f"img{k}.png")
    return root


def curve_points() -> pd.DataFrame:
    """A rising curve, as the points table of a measured image model."""
    rows = [
        {"size": n, "repeat": r, "val_score": 0.95 - 3.0 * n**-0.5 + 0.002 * r,
         "train_score": 1.0, "status": "ok"}
        for n in (20, 40, 80, 160) for r in range(3)
    ]  # fmt: skip
    return pd.DataFrame(rows)


@pytest.fixture
def no_model_fits(monkeypatch):
    """Fail the test if a check cross-validates a model (on image paths it means nonsense)."""

    def refuse(self):
        pytest.fail("a data check fitted a model on the image paths")

    monkeypatch.setattr(DiagnosisContext, "oof_proba", property(refuse))
    monkeypatch.setattr(DiagnosisContext, "_input_space", property(refuse))


def test_data_checks_are_skipped_on_images_with_the_reason(image_folder, tmp_path, capsys):
    out = tmp_path / "run"
    code = main(
        ["diagnose", str(image_folder), "--target", "label", "--no-curve", "--out", str(out),
         "--no-report"]
    )  # fmt: skip
    assert code == 0
    printed = " ".join(capsys.readouterr().out.split())
    assert "(need a table, not image files)" in printed
    skipped = printed[printed.index("skipped:") :]
    assert all(name in skipped for name in DATA_CHECKS)
    assert "no check could run" in printed
    # clean digits: no "labels look wrong" from a model fitted on file names
    assert json.loads((out / "result.json").read_text())["findings"] == []


@pytest.mark.parametrize("check", ["label_noise", "duplicates", "leakage"])
def test_a_data_check_asked_for_on_images_is_a_one_line_error(image_folder, capsys, check):
    code = main(["diagnose", str(image_folder), "--target", "label", "--no-curve",
                 "--check", check, "--no-report"])  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"check {check!r}" in err and "needs a table of features, not image files" in err


def test_no_data_check_touches_the_image_paths(image_folder, no_model_fits):
    images = load_dataset(image_folder)
    # a preset that is not a pipeline used to reach the input space: "could not convert string"
    assert hmd.diagnose(X=images, estimator="cnn") == []


def test_curve_checks_still_run_on_images(image_folder, no_model_fits):
    ctx = diagnosis_context(curve_points(), load_dataset(image_folder))
    assert ctx.has("data") and not ctx.has("table")
    findings, skipped = run_checks(ctx)
    assert {f.kind for f in findings} & {"data_limited", "saturated"}
    assert {name for name, need in skipped.items() if need == "table"} == set(DATA_CHECKS)


def test_a_table_still_gets_the_data_checks(image_folder):
    X, y = load_digits(return_X_y=True, as_frame=True)
    ctx = diagnosis_context(None, X.iloc[:90], y.to_numpy()[:90])
    assert ctx.has("table")
    _, skipped = run_checks(ctx, None)
    assert not {name for name, need in skipped.items() if need == "table"}
