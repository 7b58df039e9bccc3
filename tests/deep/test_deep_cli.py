"""``howmuchdata curve`` with image folders, text columns and the deep options."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from howmuchdata.cli import main


@pytest.mark.slow
def test_curve_on_an_image_folder_reports_skipped_files(
    stripes_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("skorch")
    out = tmp_path / "run"
    code = main(
        [
            "curve",
            str(stripes_folder),
            "--model",
            "cnn",
            "--epochs",
            "3",
            "--device",
            "cpu",
            "--sizes",
            "10,40",
            "--repeats",
            "1",
            "--out",
            str(out),
            "--no-report",
            "-q",
        ]
    )

    assert code == 0
    err = capsys.readouterr().err
    assert "skipped 2 unreadable file(s)" in err
    # the list is promised only once result.json exists, on a line after the run
    assert f"listed in {out / 'result.json'}" in err
    assert err.index("skipped 2") < err.index("listed in")
    result = json.loads((out / "result.json").read_text())
    assert result["data"]["images"]["n_skipped"] == 2
    assert {Path(s["path"]).name for s in result["data"]["images"]["skipped"]} == {
        "broken.png",
        "notes.txt",
    }
    points = result["points"]
    assert len(points) == 2 and all(p["status"] == "ok" for p in points)
    assert all(p["n_params"] > 0 for p in points)


def test_skipped_files_line_promises_no_result_json_when_the_command_fails(
    stripes_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the folder loads (2 files skipped), then the model's device stops the command before
    # any fit: nothing is written, so the line must not say the list is in result.json
    pytest.importorskip("torch")
    out = tmp_path / "run"
    code = main(
        ["curve", str(stripes_folder), "--model", "cnn", "--device", "tpu", "--out", str(out)]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "skipped 2 unreadable file(s)" in err
    assert "result.json" not in err
    assert not (out / "result.json").exists()


def test_unknown_device_is_one_line_and_exit_status_2(
    stripes_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("torch")
    code = main(
        [
            "curve",
            str(stripes_folder),
            "--model",
            "cnn",
            "--device",
            "tpu",
            "--out",
            str(tmp_path / "run"),
            "--no-report",
            "-q",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "unknown device 'tpu'" in err and "Traceback" not in err


@pytest.mark.slow
def test_text_column_curve_from_the_command_line(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    words = {"billing": ["invoice", "refund", "charged"], "network": ["router", "wifi", "offline"]}
    rows = [
        {"body": " ".join(rng.choice(words[t], 2)) + " please help", "team": t, "id": i}
        for i, t in enumerate(["billing", "network"] * 40)
    ]
    pd.DataFrame(rows).to_csv(tmp_path / "tickets.csv", index=False)
    out = tmp_path / "run"
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "howmuchdata"),
            "curve",
            str(tmp_path / "tickets.csv"),
            "--target",
            "team",
            "--text",
            "body",
            "--model",
            "tfidf-linear",
            "--sizes",
            "8,40",
            "--repeats",
            "2",
            "--out",
            str(out),
            "--no-report",
            "-q",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    points = json.loads((out / "result.json").read_text())["points"]
    assert {p["model"] for p in points} == {"tfidf-linear"}
    assert min(p["val_score"] for p in points if p["size"] == 40) > 0.9


def test_table_model_on_an_image_folder_stops_before_any_fit(
    stripes_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("torch")
    out = tmp_path / "run"
    # the cnn comes first: it must not be fitted before hgb is refused
    code = main(
        [
            "curve",
            str(stripes_folder),
            *("--model", "cnn", "--model", "hgb", "--epochs", "1", "--device", "cpu"),
            *("--sizes", "10", "--repeats", "1", "--out", str(out), "--no-report", "-q"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "--model hgb is a table model" in err and "--model cnn or --model pretrained" in err
    assert "Traceback" not in err
    assert not (out / "store.db").exists()


def test_cli_errors_on_image_and_pixel_inputs_name_cli_options(
    stripes_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("torch")
    rows = [{"path": f"stripes/vertical/{i:03d}.png", "digit": "v"} for i in range(3)]
    pd.DataFrame(rows).to_csv(tmp_path / "images.csv", index=False)
    table = pd.DataFrame(np.random.default_rng(0).normal(size=(40, 30)))
    table["target"] = np.arange(40) % 2
    table.to_csv(tmp_path / "table.csv", index=False)
    out = ["--out", str(tmp_path / "run"), "--no-report", "-q", "--device", "cpu"]

    assert main(["curve", str(tmp_path / "images.csv"), "--model", "cnn", *out]) == 2
    assert "pass --target (label_column) with one of: path, digit" in capsys.readouterr().err
    assert main(["curve", str(tmp_path / "table.csv"), "-t", "target", "-m", "cnn", *out]) == 2
    err = capsys.readouterr().err
    assert "30 columns are not a square" in err and "every one of" not in err
    assert "pass --image-shape HEIGHTxWIDTH[xCHANNELS]" in err
    assert not (tmp_path / "run" / "store.db").exists()


def _digits_table(path: Path, channels: int = 1) -> Path:
    """sklearn's digits, 8x16 greyscale (each image beside its mirror) or 8x8 with
    ``channels`` planes, flattened channels last; classes 0-4, 300 rows."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    keep = digits.target < 5
    images, target = digits.images[keep][:300], digits.target[keep][:300]
    if channels == 1:
        pixels = np.concatenate([images, images[:, :, ::-1]], axis=2)  # (n, 8, 16)
    else:
        planes = [images, 16 - images, images.T.transpose(2, 0, 1)][:channels]
        pixels = np.stack(planes, axis=3)  # (n, 8, 8, channels)
    frame = pd.DataFrame(pixels.reshape(len(pixels), -1)).add_prefix("px")
    frame.assign(digit=target).to_csv(path, index=False)
    return path


def test_a_non_square_pixel_table_curves_with_image_shape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("skorch")
    data = _digits_table(tmp_path / "wide.csv")
    out = tmp_path / "run"
    argv = [
        *("curve", str(data), "--target", "digit", "--model", "cnn", "--device", "cpu"),
        *("--epochs", "1", "--repeats", "1", "--sizes", "30,60", "--out", str(out)),
        *("--no-report", "-q"),
    ]
    # without the shape, 128 columns are no square image
    assert main(argv) == 2
    assert "128 columns are not a square" in capsys.readouterr().err

    assert main([*argv, "--image-shape", "8x16"]) == 0
    points = json.loads((out / "result.json").read_text())["points"]
    assert [p["status"] for p in points] == ["ok", "ok"]
    capsys.readouterr()
    # the shaped model is the same model on a rerun: its points are reused, not refitted
    assert main([*argv, "--image-shape", "8x16"]) == 0
    assert "cnn: 0 points fitted, 2 reused from the store" in capsys.readouterr().out
    # only cnn reads the shape, so without --model it is the model fitted (here: reused)
    unnamed = [a for a in argv if a not in ("--model", "cnn")]
    assert main([*unnamed, "--image-shape", "8x16"]) == 0
    said = capsys.readouterr()
    assert "model: cnn, the default with --image-shape (--model names another)" in said.err
    assert "cnn: 0 points fitted, 2 reused from the store" in said.out


def test_colour_pixel_rows_reach_the_cnn_channels_first(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("skorch")
    from howmuchdata.cli._images import image_model
    from howmuchdata.data import load_dataset

    dataset = load_dataset(_digits_table(tmp_path / "rgb.csv", channels=3), "digit")
    model = image_model("cnn", dataset, (8, 8, 3), {"device": "cpu", "epochs": 1})
    assert model.named_steps["model"].inputs.shape == (3, 8, 8)
    planes = model[:-1].fit_transform(dataset.X).reshape(-1, 3, 8, 8)
    flat = dataset.X.to_numpy().reshape(-1, 8, 8, 3)
    for channel in range(3):
        np.testing.assert_array_equal(planes[:, channel], flat[:, :, :, channel])
    # one channel reads the same either way: the preset as it is, no reordering step
    grey = load_dataset(_digits_table(tmp_path / "wide.csv"), "digit")
    single = image_model("cnn", grey, (8, 16), {"device": "cpu"})
    assert [name for name, _ in single.steps] == ["model"]
    assert single.named_steps["model"].inputs.shape == (1, 8, 16)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--model", "cnn", "--image-shape", "8x8"],
            "image shape 8x8 needs 64 pixel columns but the table has 128 feature columns",
        ),
        (["--model", "cnn", "--image-shape", "8x"], "--image-shape '8x' is not HEIGHTxWIDTH"),
        (
            ["--model", "logreg", "--image-shape", "8x16"],
            "--image-shape 8x16 is read by --model cnn only and --model logreg",
        ),
        (
            ["--model", "cnn", "--model", "pretrained", "--image-shape", "8x16"],
            "--model pretrained does not read --image-shape",
        ),
    ],
)
def test_image_shape_that_cannot_apply_is_one_line_before_any_fit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    data = _digits_table(tmp_path / "wide.csv")
    out = tmp_path / "run"
    code = main(["curve", str(data), "-t", "digit", *extra, "--out", str(out), "-q"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "\n" not in err and "Traceback" not in err
    assert err.startswith("howmuchdata: error: ") and message in err
    assert not (out / "store.db").exists()


def test_image_shape_on_an_image_folder_is_one_line(
    stripes_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    code = main(
        ["curve", str(stripes_folder), "-m", "cnn", "--image-shape", "16x16x3", "-o", str(out)]
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err[-1].startswith("howmuchdata: error: --image-shape 16x16x3 is for tables")
    assert "leave --image-shape out" in err[-1]
    assert not (out / "store.db").exists()
