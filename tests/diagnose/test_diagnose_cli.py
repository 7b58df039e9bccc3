"""``howmuchdata diagnose`` on a CSV: findings in result.json, label file, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from howmuchdata.cli import main


@pytest.fixture(scope="module")
def sites_csv(tmp_path_factory) -> Path:
    """600 rows; site C (5%) follows another rule; 20 rows copied; 10% of labels flipped."""
    rng = np.random.default_rng(0)
    n = 600
    X = rng.normal(size=(n, 4))
    site = rng.choice(["A", "B"], n)
    site[rng.choice(n, 30, replace=False)] = "C"
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    c = site == "C"
    X[c, 2] += 3
    y[c] = (X[c, 1] - X[c, 0] > 0).astype(int)
    flip = rng.random(n) < 0.1
    y[flip] = 1 - y[flip]
    frame = pd.DataFrame(X, columns=list("abcd")).assign(
        site=site, label=np.where(y == 1, "yes", "no")
    )
    frame = pd.concat([frame, frame.iloc[:20]], ignore_index=True)
    path = tmp_path_factory.mktemp("data") / "sites.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.slow
def test_diagnose_writes_findings_points_and_label_file(sites_csv, tmp_path, capsys):
    out = tmp_path / "run"
    code = main(
        [
            "diagnose",
            str(sites_csv),
            "--target",
            "label",
            "--subgroup",
            "site",
            "--out",
            str(out),
            "--repeats",
            "2",
            "--sizes",
            "100,200,400",
            "-q",
            "--no-report",
        ]
    )
    assert code == 0
    result = json.loads((out / "result.json").read_text())
    kinds = {f["kind"] for f in result["findings"]}
    assert {"label_noise", "duplicates", "subgroup_underperforms"} <= kinds
    for f in result["findings"]:
        assert set(f) == {"kind", "severity", "evidence", "advice"}
    assert result["points"] and all(p["model"] == "logreg" for p in result["points"])
    assert result["curves"][0]["model"] == "logreg"
    labels = pd.read_csv(out / "label_issues.csv")
    assert {"given_label", "suggested_label"} <= set(labels.columns)
    assert "label_noise" in capsys.readouterr().out


def test_missing_subgroup_column_exits_2_with_one_line(sites_csv, tmp_path, capsys):
    code = main(
        [
            "diagnose",
            str(sites_csv),
            "--target",
            "label",
            "--subgroup",
            "hospital",
            "--no-curve",
            "--out",
            str(tmp_path),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "subgroup column 'hospital' not found" in err
    assert "Traceback" not in err


def test_no_curve_run_with_one_check(sites_csv, tmp_path):
    code = main(
        [
            "diagnose",
            str(sites_csv),
            "--target",
            "label",
            "--no-curve",
            "--check",
            "duplicates",
            "--out",
            str(tmp_path / "r"),
            "--no-report",
        ]
    )
    assert code == 0
    result = json.loads((tmp_path / "r" / "result.json").read_text())
    assert "points" not in result
    # the data section names the file and target, as curve writes it (the report's header)
    assert result["data"]["target"] == "label" and result["data"]["source"].endswith(".csv")
    assert [f["kind"] for f in result["findings"]] == ["duplicates"]
    assert result["findings"][0]["evidence"]["n_extra_copies"] == 20


@pytest.mark.slow
def test_subprocess_subgroup_with_one_row_exits_2_with_one_line(sites_csv, tmp_path):
    exe = Path(sys.executable).with_name("howmuchdata")
    frame = pd.read_csv(sites_csv)
    frame.loc[3, "site"] = "lonely"
    bad = tmp_path / "bad.csv"
    frame.to_csv(bad, index=False)
    failed = subprocess.run(
        [
            str(exe),
            "diagnose",
            str(bad),
            "--target",
            "label",
            "--subgroup",
            "site",
            "--no-curve",
            "--out",
            str(tmp_path / "b"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert failed.returncode == 2
    assert failed.stderr.strip().count("\n") == 0
    assert "subgroup 'lonely' has only one row" in failed.stderr
    assert "Traceback" not in failed.stderr


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    return err


def test_groups_and_time_with_a_curve_exit_2_with_a_fix_that_works_from_the_cli(
    sites_csv, tmp_path, capsys
):
    frame = pd.read_csv(sites_csv)
    frame["patient"] = np.arange(len(frame)) // 2
    frame["visit"] = pd.date_range("2020-01-01", periods=len(frame)).astype(str)
    path = tmp_path / "visits.csv"
    frame.to_csv(path, index=False)
    args = ["diagnose", str(path), "--target", "label", "--groups", "patient", "--time", "visit"]
    code = main([*args, "--out", str(tmp_path / "r"), "-q", "--no-report"])
    err = _one_line_error(capsys)
    assert code == 2
    assert "use --groups or --time, not both" in err and "Python API with cv=" in err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--no-curve", "--check", "overfitting"], "needs a learning curve; drop --no-curve"),
        (["--no-curve", "--check", "high_variance"], "(found by 'overfitting') needs a learning"),
        (["--check", "drift"], "check 'drift' needs a time column; pass --time"),
        (["--target-score", "1.5"], "target=1.5 is out of range (at least 0 and at most 1"),
        (["--min-gain", "-1"], "min_gain=-1 is out of range (at least 0)"),
        (["--check", "variance"], "unknown check 'variance'; use one of: data_limited"),
    ],
)
def test_impossible_requests_exit_2_before_the_curve(sites_csv, tmp_path, capsys, extra, message):
    out = tmp_path / "r"
    code = main(["diagnose", str(sites_csv), "--target", "label", "--out", str(out), *extra])
    err = _one_line_error(capsys)
    assert code == 2 and message in err
    assert not out.exists()  # nothing measured, nothing written


def test_a_finding_kind_is_a_check_name_on_the_command_line(sites_csv, tmp_path):
    code = main(
        [
            "diagnose",
            str(sites_csv),
            "--target",
            "label",
            "--groups",
            "site",
            "--no-curve",
            "--check",
            "leakage",
            "--out",
            str(tmp_path / "r"),
            "--no-report",
        ]
    )
    assert code == 0
    result = json.loads((tmp_path / "r" / "result.json").read_text())
    # the copies share their site, so no leakage: the duplicates check ran and found them
    assert [f["kind"] for f in result["findings"]] == ["duplicates"]


def test_a_default_run_names_the_checks_it_skipped(sites_csv, tmp_path, capsys):
    code = main(
        [
            "diagnose",
            str(sites_csv),
            "--target",
            "label",
            "--no-curve",
            "--out",
            str(tmp_path / "r"),
            "--no-report",
        ]
    )
    assert code == 0
    out = " ".join(capsys.readouterr().out.split())  # undo the console's wrapping
    assert (
        "data_limited, overfitting, capacity_limited, params_per_example, class_needs_data" in out
    )
    assert "(need a learning curve: drop --no-curve)" in out
    assert "subgroup_underperforms (needs --subgroup)" in out and "drift (needs --time)" in out


def test_the_curve_of_diagnose_takes_a_scorer(sites_csv, tmp_path):
    out = tmp_path / "r"
    args = ["diagnose", str(sites_csv), "--target", "label", "--check", "overfitting"]
    opts = ["--scoring", "neg_log_loss", "--sizes", "40,80,160", "--repeats", "2"]
    assert main([*args, *opts, "--out", str(out), "-q", "--no-report"]) == 0
    result = json.loads((out / "result.json").read_text())
    assert [c["scoring"] for c in result["curves"]] == ["neg_log_loss"]
    assert all(p["val_score"] <= 0 for p in result["points"] if p["status"] == "ok")


def test_diagnose_takes_a_text_column_and_fits_a_text_model_on_it(tmp_path, capsys):
    # the text models' errors said "(--text COL)", which diagnose did not take
    rng = np.random.default_rng(0)
    words = {"fruit": ["apple", "pear", "plum"], "tool": ["bolt", "nut", "screw"]}
    labels = rng.choice(["fruit", "tool"], 200)
    rows = [
        {"title": f"{' '.join(rng.choice(words[c], 2))} {i}", "year": int(rng.integers(1990, 2020)),
         "kind": c}
        for i, c in enumerate(labels)
    ]  # fmt: skip
    csv = tmp_path / "items.csv"
    pd.DataFrame(rows).to_csv(csv, index=False)
    out = tmp_path / "run"
    args = ["diagnose", str(csv), "--target", "kind", "--text", "title", "--out", str(out)]
    assert main([*args, "--repeats", "2", "--sizes", "20,40,80", "--no-report", "-q"]) == 0
    assert "model: tfidf-linear, the default with --text title" in capsys.readouterr().err
    result = json.loads((out / "result.json").read_text())
    assert {p["model"] for p in result["points"]} == {"tfidf-linear"}
    assert main([*args[:-2], "--text", "missing", "--out", str(tmp_path / "x")]) == 2
    assert "missing" in capsys.readouterr().err


def test_the_curve_of_diagnose_can_drop_stratification_as_its_errors_suggest(sites_csv, tmp_path):
    # a rare class's error says "turn stratification off (--no-stratify)": diagnose takes it
    runs = {}
    for flag in ("--stratify", "--no-stratify"):
        out = tmp_path / flag.strip("-")
        args = ["diagnose", str(sites_csv), "--target", "label", "--check", "overfitting", flag]
        opts = ["--sizes", "40,80,160", "--repeats", "2", "--out", str(out), "-q", "--no-report"]
        assert main([*args, *opts]) == 0
        runs[flag] = json.loads((out / "result.json").read_text())["curves"][0]["settings"]
    assert runs["--stratify"]["split"] == "stratified"
    assert runs["--no-stratify"]["split"] == "random"
