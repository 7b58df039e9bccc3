"""The model ``curve`` fits without ``--model`` follows the data, and says so before fitting.

An image folder gets ``cnn`` (a table model would learn from the file names), ``--text`` gets
``tfidf-linear`` (the table models do not read the text column as text), a table ``logreg``.
The columns line names the identifier columns the table models leave out only where a table
model runs, and comes before the first fit, not after the run.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from howmuchdata.cli import main
from howmuchdata.result import read_result

QUICK = ["--sizes", "40,80", "--repeats", "1", "--no-report"]


@pytest.fixture
def titles_csv(tmp_path: Path) -> Path:
    """A title per row (every one different: an identifier to the table models) whose words
    give the genre away, and a numeric column that says nothing."""
    rng = np.random.default_rng(0)
    words = {"comedy": ["laugh", "funny", "party"], "horror": ["blood", "night", "fear"]}
    rows = []
    for i in range(160):
        genre = "comedy" if i % 2 else "horror"
        picked = rng.choice(words[genre], size=2)
        rows.append({"title": f"{' '.join(picked)} {i}", "year": 1950 + i % 40, "genre": genre})
    path = tmp_path / "movies.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def _lines(err: str, start: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith(start)]


def test_an_image_folder_without_model_fits_cnn_and_says_so(stripes, tmp_path, capsys):
    pytest.importorskip("torch")
    out = tmp_path / "run"
    argv = ["curve", str(stripes), "--sizes", "8,16", "--repeats", "1", "--epochs", "1"]
    code = main([*argv, "--min-steps", "0", "--device", "cpu", "--no-report", "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert {p["model"] for p in read_result(out)["points"]} == {"cnn"}
    note = _lines(err, "howmuchdata: model:")
    assert note == ["howmuchdata: model: cnn, the default on image files (--model names another)"]
    # said before the fits: ahead of the progress line of the first point
    assert err.index("howmuchdata: model:") < err.index("cnn: 1/2")


def test_a_table_model_named_on_an_image_folder_is_still_refused(stripes, tmp_path, capsys):
    out = tmp_path / "run"
    code = main(["curve", str(stripes), "--model", "logreg", *QUICK, "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert "--model logreg is a table model" in err and "--model cnn" in err
    assert "howmuchdata: model:" not in err and "Traceback" not in err
    assert not (out / "store.db").exists()


def test_text_without_model_fits_tfidf_linear_on_it(titles_csv, tmp_path, capsys):
    out = tmp_path / "run"
    argv = ["curve", str(titles_csv), "--target", "genre", "--text", "title", *QUICK]
    assert main([*argv, "-o", str(out)]) == 0
    err = capsys.readouterr().err
    points = read_result(out)["points"]
    assert {p["model"] for p in points} == {"tfidf-linear"}
    # the words give the genre away: the text was read (logreg on `year` stays near 0.5)
    assert min(p["val_score"] for p in points) > 0.9
    assert _lines(err, "howmuchdata: model:") == [
        "howmuchdata: model: tfidf-linear, the default with --text title (--model names another)"
    ]
    # a text model only: the table models' leaving out of 'title' is not worth a line
    assert not _lines(err, "howmuchdata: columns:")
    assert "warning" not in err


def test_a_table_without_text_or_model_still_fits_logreg_silently(titles_csv, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["curve", str(titles_csv), "--target", "genre", *QUICK, "-q", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert {p["model"] for p in read_result(out)["points"]} == {"logreg"}
    assert "howmuchdata: model:" not in err


def test_table_models_only_with_text_warn_in_one_line_before_fitting(titles_csv, tmp_path, capsys):
    out = tmp_path / "run"
    argv = ["curve", str(titles_csv), "--target", "genre", "--text", "title", "--model", "hgb"]
    assert main([*argv, "--model", "logreg", *QUICK, "-o", str(out)]) == 0
    err = capsys.readouterr().err
    (warning,) = _lines(err, "howmuchdata: warning:")
    assert "--text title is read by the text models only" in warning
    assert "--model hgb --model logreg do not read it as text" in warning
    assert "add --model tfidf-linear" in warning
    assert err.index("howmuchdata: warning:") < err.index("hgb: 1/2")
    assert "howmuchdata: model:" not in err  # the user chose the models


def test_a_text_model_among_the_models_needs_no_warning(titles_csv, tmp_path, capsys):
    out = tmp_path / "run"
    argv = ["curve", str(titles_csv), "--target", "genre", "--text", "title", "--model", "logreg"]
    assert main([*argv, "--model", "tfidf-linear", *QUICK, "-q", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "warning" not in err
    # logreg leaves 'title' out: said, since a table model runs
    (columns,) = _lines(err, "howmuchdata: columns:")
    assert "table models leave out column 'title'" in columns


def test_the_columns_line_comes_before_the_first_fit(titles_csv, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["curve", str(titles_csv), "--target", "genre", *QUICK, "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "table models leave out column 'title'" in err
    assert err.index("howmuchdata: columns:") < err.index("logreg: 1/2")
    assert err.count("howmuchdata: columns:") == 1


def test_a_refused_input_stays_the_only_line(titles_csv, tmp_path, capsys):
    # too few rows for the sizes: refused inside learning_curve, before the first fit
    out = tmp_path / "run"
    argv = ["curve", str(titles_csv), "--target", "genre", "--sizes", "5000", "--repeats", "1"]
    assert main([*argv, "--no-report", "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("howmuchdata: error:"), err


@pytest.fixture
def numbers_csv(tmp_path: Path) -> Path:
    """A numeric target that is a line in two columns plus noise."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(160, 2))
    frame = pd.DataFrame(X, columns=["a", "b"]).assign(y=X @ [3.0, -2.0] + rng.normal(size=160))
    path = tmp_path / "numbers.csv"
    frame.to_csv(path, index=False)
    return path


def test_a_numeric_target_names_the_default_curve_ridge_the_model_it_fits(
    numbers_csv, tmp_path, capsys
):
    # logreg fits a ridge regression on a numeric target: the curve (and the plan, the
    # report) said "logreg" for a regression model; compare already named it ridge
    out = tmp_path / "run"
    assert main(["curve", str(numbers_csv), "--target", "y", "--out", str(out), *QUICK]) == 0
    assert {p["model"] for p in read_result(out)["points"]} == {"ridge"}
    # the name is taken as a --model too, and is the same model as logreg there
    again = tmp_path / "again"
    args = ["curve", str(numbers_csv), "--target", "y", "--out", str(again), *QUICK]
    assert main([*args, "--model", "ridge"]) == 0
    assert {p["model"] for p in read_result(again)["points"]} == {"ridge"}
    capsys.readouterr()
    assert main([*args, "--model", "ridge", "--model", "logreg"]) == 2
    assert "the same model on a numeric target" in capsys.readouterr().err


def test_ridge_on_a_categorical_target_is_refused_naming_logreg(titles_csv, tmp_path, capsys):
    args = ["curve", str(titles_csv), "--target", "genre", "--model", "ridge"]
    assert main([*args, "--out", str(tmp_path / "run"), *QUICK]) == 2
    err = capsys.readouterr().err
    assert "ridge is a regression model" in err and "--model logreg" in err


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--epochs", "5"], "--epochs 5 is read only by cnn, pretrained, minilm-mlp"),
        (["--min-steps", "0"], "--min-steps 0 is read only by"),
        (["--device", "cpu"], "--device cpu is read only by"),
        (["--weights", "nothere.pt2"], "--weights nothere.pt2 is read only by pretrained"),
    ],
)
def test_a_network_option_no_model_reads_is_refused_not_ignored(
    numbers_csv, tmp_path, capsys, options, message
):
    # table models ignored --epochs, --min-steps, --device and --weights without a word
    out = tmp_path / "run"
    args = ["curve", str(numbers_csv), "--target", "y", "--out", str(out), *QUICK, *options]
    assert main([*args, "--model", "hgb"]) == 2
    err = capsys.readouterr().err
    assert message in err and "--model hgb does not read it" in err and "\n" not in err.strip()
    assert not out.exists()
    assert main(args) == 2  # the default model, said as such
    assert "logreg, the default model here, does not read it" in capsys.readouterr().err
