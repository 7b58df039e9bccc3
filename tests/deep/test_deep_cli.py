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
    assert "skipped 2 unreadable file(s)" in capsys.readouterr().err
    result = json.loads((out / "result.json").read_text())
    assert result["data"]["images"]["n_skipped"] == 2
    assert {Path(s["path"]).name for s in result["data"]["images"]["skipped"]} == {
        "broken.png",
        "notes.txt",
    }
    points = result["points"]
    assert len(points) == 2 and all(p["status"] == "ok" for p in points)
    assert all(p["n_params"] > 0 for p in points)


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
    assert not (tmp_path / "run" / "store.db").exists()
