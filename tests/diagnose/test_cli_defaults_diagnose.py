"""diagnose treats an image folder as curve does (no --target, cnn by default), and the
advice to shrink a model names what holds its parameters (a linear head has no hidden units)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hmd_diagnose_data import synthetic_curve

from howmuchdata.cli import main
from howmuchdata.diagnose import diagnose
from howmuchdata.result import read_result


@pytest.fixture
def stripes(stripes: Path) -> Path:
    """The shared stripes folder (tests/conftest.py) and one file that is no image."""
    (stripes / "vertical" / "notes.txt").write_text("not an image")
    return stripes


def test_diagnose_no_curve_on_an_image_folder_needs_no_target(stripes, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["diagnose", str(stripes), "--no-curve", "-o", str(out), "--no-report"]) == 0
    captured = capsys.readouterr()
    assert "missing option" not in captured.err
    assert "skipped 1 unreadable file(s) (notes.txt" in captured.err
    assert "need a table, not image files" in " ".join(captured.out.split())
    assert read_result(out)["data"]["n_rows"] == 24


def test_diagnose_on_a_table_still_needs_a_target(tmp_path, capsys):
    path = tmp_path / "t.csv"
    path.write_text("a,y\n" + "".join(f"{i},{i % 2}\n" for i in range(40)))
    assert main(["diagnose", str(path), "--no-curve"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "missing option '--target'" in err and "howmuchdata diagnose --help" in err


def test_compare_on_an_image_folder_says_it_reads_tables(stripes, capsys):
    assert main(["compare", str(stripes)]) == 2
    err = capsys.readouterr().err
    assert "missing option" not in err
    assert "compare reads tables" in err and "howmuchdata curve" in err and "--model cnn" in err


def test_diagnose_measures_an_image_folder_with_cnn_by_default(
    stripes, tmp_path, capsys, monkeypatch
):
    # diagnose has no --epochs: a real cnn curve would take minutes on a small machine, so
    # the curve is stopped (Ctrl-C) as its first fit would start, once its model is known
    pytest.importorskip("torch")
    fitted = []

    def first_fit(estimator, *args, name, progress, **kwargs):
        fitted.append((name, estimator))
        progress.start(name, 3, 0)
        raise KeyboardInterrupt

    monkeypatch.setattr("howmuchdata.cli.curve.learning_curve", first_fit)
    out = tmp_path / "run"
    argv = ["diagnose", str(stripes), "--sizes", "8,12,16", "--repeats", "1", "-q"]
    assert main([*argv, "-o", str(out), "--no-report"]) == 130
    err = capsys.readouterr().err
    assert "howmuchdata: model: cnn, the default on image files" in err
    ((name, estimator),) = fitted
    assert name == "cnn" and type(estimator.steps[-1][1]).__name__ == "TorchClassifier"


def test_diagnose_with_a_table_model_on_an_image_folder_is_refused(stripes, tmp_path, capsys):
    out = tmp_path / "run"
    code = main(["diagnose", str(stripes), "--model", "hgb", "--sizes", "8,16", "-o", str(out)])
    assert code == 2
    assert "--model hgb is a table model" in capsys.readouterr().err


def _shrink_advice(model: str) -> str:
    curve = synthetic_curve(lambda n: 0.7, train=lambda n: 1.0, n_params=20_000)
    curve = dataclasses.replace(curve, model=model)
    (finding,) = diagnose(curve, checks=["params_per_example"])
    return finding.advice


@pytest.mark.parametrize("model", ["minilm-linear", "tfidf-linear", "logreg", "pretrained"])
def test_a_linear_head_is_not_told_to_lose_hidden_units(model):
    advice = _shrink_advice(model)
    assert "shrink it about" in advice
    assert "hidden" not in advice and "linear" in advice


@pytest.mark.parametrize("model", ["mlp", "minilm-mlp", "module:function"])
def test_a_network_or_an_unknown_model_is(model):
    assert "fewer hidden units" in _shrink_advice(model)
