"""``howmuchdata curve`` and ``howmuchdata demo`` on the command line."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from howmuchdata.cli import main
from howmuchdata.curve import curves_from_result
from howmuchdata.result import read_result, update_result
from howmuchdata.store import open_store

HERE = Path(__file__).parent


@pytest.fixture
def patients_csv(tmp_path, mixed_frame) -> Path:
    path = tmp_path / "patients.csv"
    mixed_frame.to_csv(path, index=False)
    return path


@pytest.mark.slow
def test_curve_writes_points_and_curves_for_each_model(tmp_path, patients_csv, capsys):
    out = tmp_path / "run"
    code = main(
        [
            "curve",
            str(patients_csv),
            "--target",
            "label",
            "--groups",
            "patient",
            "--drop",
            "day",
            "--model",
            "logreg",
            "--model",
            "knn",
            "--sizes",
            "40,80",
            "--repeats",
            "2",
            "--out",
            str(out),
            "--quiet",
            "--no-report",
        ]
    )
    assert code == 0
    result = read_result(out)
    assert {"points", "curves", "data", "schema_version"} <= set(result)
    assert len(result["points"]) == 2 * 2 * 2
    assert {p["model"] for p in result["points"]} == {"logreg", "knn"}
    logreg, knn = curves_from_result(result)
    assert logreg.settings["split"] == "groups"
    assert (logreg.points["n_train_groups"] == [10, 10, 20, 20]).all()
    captured = capsys.readouterr()
    assert "logreg: 4 points fitted, 0 reused from the store" in captured.out
    assert captured.err == ""  # --quiet: no progress lines
    assert (out / "store.db").exists()
    # the dask flags reach the engine: same numbers from an in-process LocalCluster
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        assert (
            main(
                [
                    "curve",
                    str(patients_csv),
                    "--target",
                    "label",
                    "--groups",
                    "patient",
                    "--drop",
                    "day",
                    "--model",
                    "logreg",
                    "--sizes",
                    "40,80",
                    "--repeats",
                    "2",
                    "--backend",
                    "dask",
                    "--scheduler",
                    cluster.scheduler_address,
                    "--store",
                    "memory://",
                    "--out",
                    str(tmp_path / "dask"),
                    "--quiet",
                    "--no-report",
                ]
            )
            == 0
        )
    on_dask = curves_from_result(read_result(tmp_path / "dask"))[0].points
    assert on_dask["val_score"].tolist() == logreg.points["val_score"].tolist()

    # the same command again: everything comes from the store
    assert (
        main(
            [
                "curve",
                str(patients_csv),
                "--target",
                "label",
                "--groups",
                "patient",
                "--drop",
                "day",
                "--model",
                "logreg",
                "--sizes",
                "40,80",
                "--repeats",
                "2",
                "--out",
                str(out),
                "--quiet",
                "--no-report",
            ]
        )
        == 0
    )
    assert "logreg: 0 points fitted, 4 reused from the store" in capsys.readouterr().out


def test_failing_model_is_listed_and_the_run_finishes(tmp_path, patients_csv, capsys, monkeypatch):
    monkeypatch.syspath_prepend(str(HERE))
    out = tmp_path / "run"
    code = main(
        [
            "curve",
            str(patients_csv),
            "--target",
            "label",
            "--drop",
            "day",
            "--model",
            "hmd_curve_models:fails_below",
            "--sizes",
            "50,150",
            "--repeats",
            "2",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert code == 0
    stdout = capsys.readouterr().out
    assert "2 failed points" in stdout and "ValueError: needs 100 rows, got 50" in stdout
    # only the points that fitted are counted as fitted
    assert "hmd_curve_models:fails_below: 2 points fitted (2 more failed), 0 reused" in stdout
    points = read_result(out)["points"]
    assert [p["status"] for p in points] == ["failed", "failed", "ok", "ok"]
    assert (out / "report.html").exists()


BAD_INPUTS = {
    "missing file": (["nope.csv", "--target", "label"], "file not found"),
    "unknown target": (["patients.csv", "--target", "diagnosis"], "target column 'diagnosis'"),
    "unknown groups": (["patients.csv", "--target", "label", "--groups", "pid"], "groups column"),
    "unknown time": (["patients.csv", "--target", "label", "--time", "when"], "time column"),
    "too few rows": (["small.csv", "--target", "label"], "smallest useful training size"),
    "size too large": (["patients.csv", "--target", "label", "--sizes", "5000"], "sizes up to"),
    "bad scoring": (["patients.csv", "--target", "label", "--scoring", "acc"], "unknown scoring"),
    "bad model": (["patients.csv", "--target", "label", "--model", "xgb"], "unknown model 'xgb'"),
    "rare class": (["rare.csv", "--target", "label"], "stratified split needs at least 2"),
    "one class": (["one_class.csv", "--target", "label"], "one class"),
    "nan target": (["nan_target.csv", "--target", "label"], "missing values"),
    "single group": (["one_group.csv", "--target", "label", "--groups", "patient"], "single group"),
    "bad time": (["bad_time.csv", "--target", "label", "--time", "day"], "not dates or numbers"),
    "junk number": (["junk.csv", "--target", "label"], "numeric except for 1 values"),
    "empty file": (["empty.csv", "--target", "label"], "file empty.csv is empty"),
    "header only": (["header.csv", "--target", "label"], "has a header but no rows"),
    "inf target": (["inf_target.csv", "--target", "dose"], "dose has 1 infinite values"),
    "inf feature": (["inf_age.csv", "--target", "label"], "column 'age' holds 1 infinite"),
    "binary scorer, 3 classes": (
        ["three_class.csv", "--target", "label", "--scoring", "roc_auc"],
        "cannot score a target with 3 classes",
    ),
    "f1 on text labels": (
        ["patients.csv", "--target", "label", "--scoring", "f1"],
        "such as f1_macro",
    ),
    "size 2.5": (["patients.csv", "--target", "label", "--sizes", "0.5,2.5"], "0.1,0.5,1"),
}


def _write_bad_files(folder: Path, frame: pd.DataFrame) -> None:
    frame.head(12).to_csv(folder / "small.csv", index=False)
    variants = {
        "rare": ("label", 0, "unique"),
        "one_class": ("label", slice(None), "sick"),
        "nan_target": ("label", 3, np.nan),
        "one_group": ("patient", slice(None), 1),
        "bad_time": ("day", 4, "soon"),
        "junk": ("age", 2, "n.a.!"),
    }
    for name, (column, rows, value) in variants.items():
        bad = frame.head(60).copy()
        if column == "age":
            bad["age"] = bad["age"].round(2).astype(object)
        bad.loc[rows, column] = value
        bad.to_csv(folder / f"{name}.csv", index=False)
    (folder / "empty.csv").write_text("")
    frame.head(0).to_csv(folder / "header.csv", index=False)
    more = {
        "inf_target": ("dose", 5, np.inf),
        "inf_age": ("age", 5, -np.inf),
        "three_class": ("label", slice(0, 20), "unsure"),
    }
    for name, (column, rows, value) in more.items():
        bad = frame.copy()
        bad["dose"] = np.linspace(0, 1, len(bad))
        bad.loc[rows, column] = value
        bad.to_csv(folder / f"{name}.csv", index=False)


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_one_line_and_exit_2(
    tmp_path, patients_csv, mixed_frame, capsys, monkeypatch, case
):
    _write_bad_files(tmp_path, mixed_frame)
    monkeypatch.chdir(tmp_path)
    args, expected = BAD_INPUTS[case]
    assert main(["curve", *args, "--out", "run", "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("howmuchdata: error: ") and expected in err
    assert "\n" not in err and "Traceback" not in err


def test_fraction_sizes_with_a_bare_1_measure_the_full_training_set(tmp_path, patients_csv):
    out = tmp_path / "run"
    args = ["curve", str(patients_csv), "--target", "label", "--drop", "day", "--repeats", "1"]
    assert main([*args, "--sizes", "0.25,0.5,1", "--out", str(out), "--quiet", "--no-report"]) == 0
    (curve,) = curves_from_result(read_result(out))
    assert curve.settings["sizes"] == [48, 96, 192]  # 192 = 240 rows less 20% validation


def test_a_model_that_fails_at_every_point_stops_with_status_2(
    tmp_path, patients_csv, capsys, monkeypatch
):
    monkeypatch.syspath_prepend(str(HERE))
    out = tmp_path / "run"
    args = ["curve", str(patients_csv), "--target", "label", "--drop", "day", "--sizes", "50,150"]
    code = main(
        [
            *args,
            "--model",
            "hmd_curve_models:always_fails",
            "--repeats",
            "2",
            "--out",
            str(out),
            "-q",
        ]
    )
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("howmuchdata: error: every one of the 4 points of model")
    assert "2 of them with: ValueError: needs 1000000000 rows, got" in err and "\n" not in err
    store = open_store(f"sqlite:///{out / 'store.db'}")
    assert store.count() == 4  # the failed points stay stored
    store.close()
    assert not (out / "result.json").exists()


def test_a_model_failing_everywhere_beside_a_working_one_keeps_the_working_curve(
    tmp_path, patients_csv, capsys, monkeypatch
):
    monkeypatch.syspath_prepend(str(HERE))
    out = tmp_path / "run"
    args = [
        "curve",
        str(patients_csv),
        "--target",
        "label",
        "--drop",
        "day",
        "--sizes",
        "40,80,160",
    ]
    # the failing model comes first: the one after it is still measured
    models = ["--model", "hmd_curve_models:always_fails", "--model", "logreg"]
    code = main([*args, *models, "--repeats", "2", "--out", str(out), "-q", "--no-report"])
    assert code == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert "every one of the 6 points of model 'hmd_curve_models:always_fails' failed" in err
    assert f"the curves of the other models are in {out / 'result.json'}" in err
    assert "\n" not in err and "Traceback" not in err
    assert "hmd_curve_models:always_fails: every one of its 6 points failed" in captured.out
    curves = {c.model: c for c in curves_from_result(read_result(out))}
    assert len(curves["logreg"].ok_points) == 6
    assert curves["hmd_curve_models:always_fails"].ok_points.empty
    assert "logreg" in read_result(out)["extrapolation"]


def test_result_json_gets_the_umask_mode_of_every_other_file(tmp_path):
    previous = os.umask(0o022)
    try:
        path = update_result(tmp_path / "run", "curve", data={"n_rows": 1})
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
        update_result(tmp_path / "run", "extrapolate", extrapolation={})
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
        os.umask(0o077)  # a stricter umask is obeyed too
        private = update_result(tmp_path / "private", "curve", data={})
        assert stat.S_IMODE(private.stat().st_mode) == 0o600
    finally:
        os.umask(previous)
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == ["result.json"]  # no temp


@pytest.mark.slow
def test_real_subprocess_bad_input_and_success(tmp_path, patients_csv):
    cli = [sys.executable, "-m", "howmuchdata"]
    bad = subprocess.run(
        [*cli, "curve", "missing.csv", "--target", "y"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.strip().count("\n") == 0 and "file not found" in bad.stderr
    good = subprocess.run(
        [
            *cli,
            "curve",
            "patients.csv",
            "--target",
            "label",
            "--time",
            "day",
            "--drop",
            "patient",
            "--sizes",
            "30,60",
            "--repeats",
            "2",
            "--no-report",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert good.returncode == 0, good.stderr
    # not a terminal: plain progress lines on stderr, no bar control codes
    assert "logreg: 4/4 size=60" in good.stderr and "\x1b[" not in good.stderr
    result = read_result(tmp_path / "runs" / "patients")
    assert result["curves"][0]["settings"]["split"] == "time"


@pytest.mark.slow
def test_demo_writes_result_and_report(tmp_path):
    out = tmp_path / "demo"
    run = subprocess.run(
        [str(Path(sys.executable).with_name("howmuchdata")), "demo", "--out", str(out), "--quiet"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    result = read_result(out)
    curves = curves_from_result(result)
    assert [c.model for c in curves] == ["logreg", "rf"]
    for curve in curves:
        table = curve.by_size()
        assert table["size"].iloc[0] == 50 and table["size"].iloc[-1] == 1437
        assert table["val_mean"].iloc[-1] > 0.9 > table["val_mean"].iloc[0] - 0.1
    # the extrapolation stage is installed: demo stores one per model and prints its headline
    assert set(result["extrapolation"]) == {"logreg", "rf"}
    assert "rf: " in run.stdout
    assert (out / "report.html").stat().st_size > 1000
    assert np.isfinite(pd.DataFrame(result["points"])["val_score"]).all()


def test_an_unreadable_result_json_in_out_stops_before_any_fit(tmp_path, patients_csv, capsys):
    out = tmp_path / "run"
    out.mkdir()
    (out / "result.json").write_text('{"schema_version": 1, "points": [{"model": "a"}]}')
    args = ["curve", str(patients_csv), "--target", "label", "--sizes", "40,80", "--repeats", "2"]
    assert main([*args, "--out", str(out), "--quiet"]) == 2
    captured = capsys.readouterr()
    assert "cannot add to it" in captured.err and "move or delete it" in captured.err
    assert "points fitted" not in captured.out  # refused before the work, not after
    assert not (out / "store.db").exists()
