"""``howmuchdata extrapolate``: happy path on a CSV and a run folder, bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from howmuchdata.cli import main
from howmuchdata.extrapolate.extrapolation import Extrapolation
from howmuchdata.result import read_result, update_result


def write_points(path: Path) -> Path:
    rng = np.random.default_rng(0)
    n = np.repeat([50, 100, 200, 400, 800], 4)
    score = 0.9 - 0.4 * (n / 50) ** -0.5 + rng.normal(0, 0.005, n.size)
    pd.DataFrame({"size": n, "score": score}).to_csv(path, index=False)
    return path


def test_csv_happy_path(tmp_path, capsys):
    csv = write_points(tmp_path / "pts.csv")
    out = tmp_path / "run"
    code = main(
        [
            "extrapolate",
            str(csv),
            "--at",
            "10000",
            "--target",
            "0.85",
            "--target",
            "0.99",
            "--out",
            str(out),
            "--no-report",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "score at 10,000" in printed and "samples to reach 0.85" in printed
    ext = read_result(out)["extrapolation"]["pts"]
    assert ext["method"] in ("learned", "families")
    assert len(ext["grid"]["size"]) == len(ext["grid"]["mean"])
    # the printed answers are stored too, every target asked, and agree with the stored curve
    answers = ext["answers"]
    assert answers["level"] == 0.8
    again = Extrapolation.from_dict(ext)
    (at,) = answers["at"]
    assert at["size"] == 10000
    assert at["score"] == pytest.approx(float(again.predict(10000)), abs=1e-6)
    assert at["lo"] < at["score"] < at["hi"]
    reached, beyond = answers["targets"]
    assert (reached["target"], beyond["target"]) == (0.85, 0.99)
    assert reached["size"] == pytest.approx(again.size_for(0.85), rel=1e-6)
    assert beyond["size"] == "inf"  # above this curve's ceiling: out of reach, written as "inf"
    assert "samples to reach 0.99" in printed


def test_run_folder_with_loss_curves(tmp_path, capsys):
    rng = np.random.default_rng(1)
    points = []
    for size in (40, 80, 160, 320, 640):
        for rep in range(3):
            loss = 0.3 + 2.0 * (size / 40) ** -0.6 + rng.normal(0, 0.01)
            points.append(
                {"model": "ridge", "size": size, "repeat": rep, "val_score": loss, "status": "ok"}
            )
    points.append(
        {"model": "ridge", "size": 640, "repeat": 9, "val_score": None, "status": "failed"}
    )
    update_result(tmp_path, "curve", points=points,
                  curves=[{"model": "ridge", "scoring": "rmse", "greater_is_better": False}])  # fmt: skip
    assert main(["extrapolate", str(tmp_path), "--no-report"]) == 0
    result = read_result(tmp_path)
    ext = result["extrapolation"]["ridge"]
    assert ext["direction"] == "decrease"
    assert "points" in result and result["commands"] == ["curve", "extrapolate"]


def test_a_run_scored_by_a_negated_loss_keeps_its_range(tmp_path, capsys):
    # minus the log loss, two repeats far apart in level: the range comes from the scorer's
    # name, so the band never goes above 0 and a target above 0 is refused before any output
    points = []
    for size in (16, 23, 32, 45, 64, 91, 128, 181, 256, 362):
        for rep, hard in enumerate((0.0, 1.0)):
            score = -(0.05 + 0.3 * size**-0.5 + hard * (0.03 + 0.6 * size**-0.5))
            points.append(
                {"model": "logreg", "size": size, "repeat": rep, "val_score": score, "status": "ok"}
            )
    update_result(tmp_path, "curve", points=points,
                  curves=[{"model": "logreg", "scoring": "neg_log_loss", "greater_is_better": True}])  # fmt: skip
    assert main(["extrapolate", str(tmp_path), "--at", "3620", "--no-report"]) == 0
    ext = read_result(tmp_path)["extrapolation"]["logreg"]
    assert ext["flags"] == [] and ext["score_range"][1] == 0.0
    (at,) = ext["answers"]["at"]
    assert at["hi"] <= 0.0 and at["score"] > -0.1
    capsys.readouterr()
    assert main(["extrapolate", str(tmp_path), "--target", "0.2", "--no-report"]) == 2
    captured = capsys.readouterr()
    assert "above the metric's range (at most 0)" in captured.err
    assert "samples to reach" not in captured.out


def test_the_range_comes_from_the_scorer_name_not_from_the_values(tmp_path, capsys):
    # R² still below 0 at every measured size: values alone would read it as a negated loss
    # (at most 0); the scorer says r2, which goes up to 1, so a target of 0.3 is a question
    rng = np.random.default_rng(4)
    points = [
        {"model": "ridge", "size": size, "repeat": rep, "status": "ok",
         "val_score": 0.5 - 3.0 * size**-0.3 + rng.normal(0, 0.01)}
        for size in (20, 40, 80, 160, 320) for rep in range(3)
    ]  # fmt: skip
    assert max(p["val_score"] for p in points) < 0
    update_result(tmp_path, "curve", points=points,
                  curves=[{"model": "ridge", "scoring": "r2", "greater_is_better": True}])  # fmt: skip
    assert main(["extrapolate", str(tmp_path), "--target", "0.3", "--no-report"]) == 0
    ext = read_result(tmp_path)["extrapolation"]["ridge"]
    assert ext["score_range"][1] == 1.0


def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"n_rows": [1, 2, 3], "acc": [0.1, 0.2, 0.3]}).to_csv(bad, index=False)
    assert main(["extrapolate", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "no size column" in err
    few = tmp_path / "few.csv"
    pd.DataFrame({"size": [10, 20], "score": [0.5, 0.6]}).to_csv(few, index=False)
    assert main(["extrapolate", str(few)]) == 2
    assert "distinct size" in capsys.readouterr().err


@pytest.mark.slow
def test_subprocess(tmp_path):
    csv = write_points(tmp_path / "pts.csv")
    exe = Path(sys.executable).parent / "howmuchdata"
    done = subprocess.run(
        [str(exe), "extrapolate", str(csv), "--target", "0.88", "--out", str(tmp_path / "o")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "o" / "report.html").exists()
    missing = subprocess.run(
        [str(exe), "extrapolate", str(tmp_path / "nope.csv")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert missing.returncode == 2
    assert "Traceback" not in missing.stderr and "does not exist" in missing.stderr


def test_csv_with_a_train_score_column_uses_it(tmp_path, capsys):
    csv = write_points(tmp_path / "pts.csv")
    frame = pd.read_csv(csv)
    out_plain, out_train = tmp_path / "plain", tmp_path / "train"
    assert main(["extrapolate", str(csv), "--out", str(out_plain), "--no-report"]) == 0
    frame["train_score"] = np.minimum(1.0, frame["score"] + 0.08)
    frame.to_csv(csv, index=False)
    assert main(["extrapolate", str(csv), "--out", str(out_train), "--no-report"]) == 0
    plain = read_result(out_plain)["extrapolation"]["pts"]
    train = read_result(out_train)["extrapolation"]["pts"]
    assert any("Training scores read" in n for n in train["notes"])
    assert not any("Training scores read" in n for n in plain["notes"])
    assert train["answers"]["at"][1]["score"] != pytest.approx(plain["answers"]["at"][1]["score"])


def test_training_scores_that_came_with_a_loss_curve_are_not_said_to_be_unused(tmp_path, capsys):
    # a run folder (or CSV) holds each point's training score whether or not it is asked
    # for; on a loss, which the learned model does not read, the summary said "Training
    # scores are read only by the learned model; not used here" to a user who gave none
    csv = write_points(tmp_path / "loss.csv")
    frame = pd.read_csv(csv)
    frame["score"] = -(1.0 - frame["score"])  # a negated error: the family combination
    frame["train_score"] = frame["score"] + 0.05
    frame.to_csv(csv, index=False)
    assert main(["extrapolate", str(csv), "--out", str(tmp_path / "run"), "--no-report"]) == 0
    saved = read_result(tmp_path / "run")["extrapolation"]["loss"]
    assert saved["method"] != "learned"
    assert not any("read only by the learned model" in n for n in saved["notes"])
    assert "read only by the learned model" not in capsys.readouterr().out


def test_scores_in_the_thousands_are_written_out_not_in_exponents(tmp_path, capsys):
    """A negated RMSE of prices: the table and summary write -11,140, never -1.114e+04."""
    rng = np.random.default_rng(2)
    n = np.repeat([64, 128, 256, 512, 1024, 2048], 4)
    score = -(11000 + 60000 * n**-0.5) + rng.normal(0, 150, n.size)
    csv = tmp_path / "rmse.csv"
    pd.DataFrame({"size": n, "score": score}).to_csv(csv, index=False)
    code = main(["extrapolate", str(csv), "--at", "20000", "--target", "-12000",
                 "--out", str(tmp_path / "run"), "--no-report"])  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    assert "e+0" not in printed
    ext = read_result(tmp_path / "run")["extrapolation"]["rmse"]
    (at,) = ext["answers"]["at"]
    assert at["score"] < -1e4  # the case at stake: a score past four digits
    four_digits = float(f"{at['score']:.4g}")
    assert f"{four_digits:,.0f}" in printed  # four significant digits, written out
    assert " to " in printed  # two negative bounds are not joined by a dash
    assert "samples to reach -12,000" in printed


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        # a typo in a score was read as NaN and reported as a failed fit
        ("50,0.7\n100,abc\n200,0.79\n400,0.8\n",
         "pts.csv: score 'abc' in line 3 is not a number; write a number there or delete"),
        ("50,0.7\n100,\n200,0.79\n400,0.8\n",
         "pts.csv: score is blank in line 3 (1 blank in all); fill it in or delete those lines"),
        ("50,0.7\n1k,0.75\n200,0.79\n400,0.8\n",
         "pts.csv: size '1k' in line 3 is not a number"),
    ],
)  # fmt: skip
def test_a_cell_that_is_not_a_number_is_named_with_its_line(tmp_path, capsys, rows, message):
    csv = tmp_path / "pts.csv"
    csv.write_text("size,score\n" + rows)
    assert main(["extrapolate", str(csv), "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert message in err and "NaN" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "run").exists()


def test_failed_points_in_a_csv_are_left_out_and_lines_count_in_the_file(tmp_path, capsys):
    csv = tmp_path / "pts.csv"
    csv.write_text("size,score,status\n50,,failed\n100,0.75,ok\n200,x,ok\n400,0.8,ok\n")
    assert main(["extrapolate", str(csv), "--out", str(tmp_path / "run")]) == 2
    assert "score 'x' in line 4 is not a number" in capsys.readouterr().err
    # the negative case: the failed point's blank score is no error
    csv.write_text(
        "size,score,status\n50,,failed\n100,0.75,ok\n200,0.78,ok\n400,0.8,ok\n800,0.81,ok\n"
    )
    assert main(["extrapolate", str(csv), "--out", str(tmp_path / "run"), "--no-report"]) == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--at", "-5"], "--at -5 is not a training size; pass a positive number of rows"),
        (["--at", "0"], "--at 0 is not a training size"),
        (["--direction", "up"], "--direction 'up' is neither increase nor decrease; pass"),
    ],
)
def test_bad_options_name_the_option(tmp_path, capsys, args, message):
    csv = write_points(tmp_path / "pts.csv")
    assert main(["extrapolate", str(csv), *args, "--out", str(tmp_path / "run")]) == 2
    assert message in capsys.readouterr().err


def test_a_target_the_data_met_but_the_forecast_does_not_is_said(tmp_path, capsys):
    # rises to 0.84 at 400, then falls: the forecast never reaches 0.83 beyond the data
    means = {50: 0.70, 100: 0.78, 200: 0.82, 400: 0.84, 800: 0.78, 1600: 0.74, 3200: 0.72}
    n = np.repeat(list(means), 4)
    score = np.repeat(list(means.values()), 4) + np.tile([-0.003, -0.001, 0.001, 0.003], 7)
    csv = tmp_path / "peak.csv"
    pd.DataFrame({"size": n, "score": score}).to_csv(csv, index=False)
    args = ["extrapolate", str(csv), "--target", "0.83", "--out", str(tmp_path / "r")]
    assert main([*args, "--no-report"]) == 0
    printed = " ".join(capsys.readouterr().out.split())
    assert "0.83 is out of reach by the forecast, but the measured mean met it at 400" in printed
    assert "peaking" in printed
    # the negative case: a target the data never met gets no such line
    assert main([*args[:3], "0.9", *args[4:], "--no-report"]) == 0
    assert "measured mean met it" not in capsys.readouterr().out
