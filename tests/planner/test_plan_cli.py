"""``howmuchdata plan``: from a run folder, before data, and bad input (exit status 2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from howmuchdata.cli import main
from howmuchdata.result import read_result, update_result

HMD = Path(sys.executable).with_name("howmuchdata")


@pytest.fixture
def run_dir(tmp_path):
    rng = np.random.default_rng(0)
    points = []
    for size in (50, 100, 200, 400, 800, 1600):
        for rep in range(5):
            score = 0.95 - 1.5 * size**-0.5 + rng.normal(0, 0.004)
            points.append(
                {"model": "logreg", "size": size, "repeat": rep, "val_score": score, "status": "ok"}
            )
    meta = {"model": "logreg", "greater_is_better": True, "scoring": "accuracy", "n_samples": 20000}
    update_result(tmp_path, "curve", points=points, curves=[meta])
    return tmp_path


@pytest.mark.slow
def test_plan_from_run_dir_writes_plan_and_report(run_dir, capsys):
    code = main(
        [
            "plan",
            str(run_dir),
            "--target",
            "0.92",
            "--cost-per-label",
            "4.5",
            "--value-per-point",
            "2000",
            "--rounds",
            "2",
        ]
    )
    assert code == 0
    result = read_result(run_dir)
    plan = result["plan"]
    assert plan["model"] == "logreg" and plan["status"] == "reachable"
    assert plan["next_round"]["size"] > 1600 and 0 <= plan["next_round"]["p_reach"] <= 1
    assert plan["table"][0]["score_lo"] <= plan["table"][0]["score"]
    assert "points" in result  # earlier stages kept
    assert (run_dir / "report.html").exists()
    printed = capsys.readouterr().out
    assert "Next round" in printed
    # the printed table carries the expected value with its interval, as result.json does
    assert "value [80%]" in printed
    first = plan["table"][0]
    assert f"{first['value']:,.0f} [{first['value_lo']:,.0f}, {first['value_hi']:,.0f}]" in printed


def test_before_data_writes_to_out(tmp_path, capsys):
    out = tmp_path / "pre"
    code = main(
        [
            "plan",
            "--before-data",
            "--outcome",
            "binary",
            "--prevalence",
            "0.174",
            "--parameters",
            "24",
            "--r2-cs",
            "0.288",
            "--out",
            str(out),
            "--no-report",
        ]
    )
    assert code == 0
    plan = read_result(out)["plan"]
    assert plan["kind"] == "before_data"
    assert plan["minimum_sample_size"]["n"] == 662
    assert {r["name"] for r in plan["rules_of_thumb"]} >= {"per_parameter", "events_per_variable"}
    assert "662" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["plan"], "nothing to plan from"),
        (
            [
                "plan",
                "--before-data",
                "--outcome",
                "binary",
                "--prevalence",
                "1.7",
                "--parameters",
                "24",
                "--r2-cs",
                "0.29",
            ],
            "prevalence",
        ),
        (["plan", "--before-data", "--parameters", "24"], "--outcome"),
    ],
)
def test_bad_input_exits_2_with_one_line(args, message, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and "Traceback" not in err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--target", "1.5"], "above the metric's range"),
        (["--target", "0.9", "--cost-per-label", "-2"], "cost_per_label"),
    ],
)
def test_bad_plan_input_from_run_dir(run_dir, extra, message, capsys):
    before = json.loads((run_dir / "result.json").read_text())
    assert main(["plan", str(run_dir), *extra]) == 2
    assert message in capsys.readouterr().err
    assert json.loads((run_dir / "result.json").read_text()) == before  # stored work untouched


def test_subprocess_bad_input_exit_2():
    proc = subprocess.run(
        [
            str(HMD),
            "plan",
            "--before-data",
            "--outcome",
            "binary",
            "--parameters",
            "24",
            "--r2-cs",
            "0.29",
            "--prevalence",
            "0",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and "prevalence" in proc.stderr and "Traceback" not in proc.stderr
