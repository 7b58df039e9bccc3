"""``howmuchdata plan``: from a run folder, before data, and bad input (exit status 2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hmd_plan_args import BINARY

from howmuchdata.cli import main
from howmuchdata.result import read_result, update_result

HMD = Path(sys.executable).with_name("howmuchdata")
SURVIVAL = [
    "plan",
    "--before-data",
    "--outcome",
    "survival",
    "--parameters",
    "30",
    "--r2-cs",
    "0.051",
    "--rate",
    "0.065",
    "--timepoint",
    "2",
    "--mean-followup",
    "2.07",
]


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
    code = main([*BINARY, "--out", str(out), "--no-report"])
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
        ([*BINARY, "--pool", "-5"], "--pool -5.0 is not positive"),
        ([*BINARY, "--learner", "nosuch"], "unknown learner 'nosuch'; pass a preset (logreg, rf"),
        (
            [*BINARY[:1], "runs/demo", *BINARY[1:]],
            "pass either RUN_DIR (runs/demo) or --before-data",
        ),
        ([*BINARY, "--target", "0.9"], "--target applies only to a plan from a measured curve"),
        (
            [*SURVIVAL, "--prevalence", "0.2"],
            "survival outcome does not use --prevalence; drop it",
        ),
        (["plan", "runs/demo", "--outcome", "binary"], "--outcome applies only with --before-data"),
    ],
)
def test_bad_input_exits_2_with_one_line(args, message, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "flag", "keyword"),
    [
        (
            ["--outcome", "binary", "--parameters", "24", "--r2-cs", "0.29"],
            "pass --prevalence",
            "prevalence=",
        ),
        (
            ["--outcome", "continuous", "--parameters", "24", "--r2", "0.2", "--intercept", "1.9"],
            "pass --sd",
            "sd=",
        ),
        (
            [*BINARY[2:], "--c-statistic", "0.8"],
            "one of --r2-cs, --r2-nagelkerke, --c-statistic",
            "r2_cs",
        ),
    ],
)
def test_before_data_errors_name_the_options(args, flag, keyword, capsys):
    # the Python API's messages say prevalence=...; the command line's say --prevalence
    assert main(["plan", "--before-data", *args]) == 2
    err = capsys.readouterr().err
    assert flag in err and keyword not in err


def test_survival_before_data_reads_its_own_inputs(capsys):
    # the negative case of refusing unused inputs: the worked example passes as it is
    assert main(SURVIVAL) == 0
    assert "5,143" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--target", "1.5"], "above the metric's range"),
        (
            ["--target", "0.9", "--cost-per-label", "-2"],
            "--cost-per-label -2.0 is not a finite amount",
        ),
        (["--target", "0.9", "--max-size", "100"], "--max-size 100 is below the 1,600 labels"),
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


def test_plan_without_a_target_says_what_the_table_shows(run_dir, capsys):
    assert main(["plan", str(run_dir), "--no-report"]) == 0
    printed = capsys.readouterr().out
    assert "No target given" in printed and "--target" in printed


def test_classes_to_buy_first_print_as_sentences(run_dir, capsys):
    advice = "class 9 recalls 0.82 against 0.95: about 250 more of its examples reach it"
    finding = {
        "kind": "class_needs_data", "severity": "warning", "advice": advice,
        "evidence": {"class": 9, "more_examples": 254.43, "examples_needed": 400},
    }  # fmt: skip
    update_result(run_dir, "diagnose", findings=[finding], checks=["class_needs_data"])
    assert main(["plan", str(run_dir), "--target", "0.92"]) == 0
    printed = capsys.readouterr().out
    assert f"Buy first: class 9 (class_needs_data): {advice}" in printed
    assert "{'kind'" not in printed


def test_a_plan_from_an_extrapolated_table_of_a_falling_error_reads_its_direction(tmp_path, capsys):
    # a positive error (MAE) that falls with more data, extrapolated from a points table
    rng = np.random.default_rng(0)
    sizes = np.repeat([25, 50, 100, 200, 400], 3)
    mae = 40.0 + 120.0 * sizes**-0.5 + rng.normal(0.0, 0.3, sizes.size)
    points = tmp_path / "mae_points.csv"
    points.write_text(
        "size,val_score\n" + "".join(f"{n},{v}\n" for n, v in zip(sizes, mae, strict=True))
    )
    run = tmp_path / "run"
    assert main(["extrapolate", str(points), "--out", str(run), "--no-report"]) == 0
    capsys.readouterr()
    plan_args = ["plan", str(run), "--cost-per-label", "1", "--value-per-point", "100"]
    # an MAE in the target's units has no default point: pricing it needs --point
    assert main([*plan_args, "--target", "44", "--no-report"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pass --point 1 to price one unit" in err
    plan_args += ["--point", "1"]
    assert main([*plan_args, "--target", "44", "--no-report"]) == 0
    assert read_result(run)["plan"]["target"] == 44
    capsys.readouterr()
    assert main([*plan_args, "--target", "-3", "--no-report"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "below 0" in err
