"""Usage errors and Ctrl-C on the command line: one line on stderr, no panel, no traceback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from howmuchdata.cli import main

HERE = Path(__file__).parent
CLI = [str(Path(sys.executable).with_name("howmuchdata"))]
PANEL = ("╭", "│", "╰", "Usage:")


@pytest.fixture
def table_csv(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(150, 3)), columns=["a", "b", "c"])
    frame["y"] = (frame["a"] + rng.normal(size=150) > 0).astype(int)
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    return path


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert not any(mark in err for mark in PANEL) and "Traceback" not in err, err
    return lines[0]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["curve", "data.csv", "--targte", "y"],
            ["no such option --targte", "did you mean --target", "howmuchdata curve --help"],
        ),
        (
            ["plan", "RUN", "--rounds", "abc"],
            ["invalid value for '--rounds'", "howmuchdata plan --help"],
        ),
        (["curve", "--repeats", "1.5", "data.csv"], ["'--repeats'", "howmuchdata curve --help"]),
        (["curve"], ["missing argument 'data'", "howmuchdata curve --help"]),
        (["compare", "data.csv"], ["missing option '--target'", "howmuchdata compare --help"]),
        # the parser raises this one without a context: the command comes from argv
        (["curve", "data.csv", "--model"], ["'--model' requires", "howmuchdata curve --help"]),
        (["curv"], ["no such command 'curv'", "'curve'", "howmuchdata --help lists the commands"]),
    ],
)
def test_usage_errors_are_one_line_with_exit_status_2(
    argv: list[str], expected: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    line = _one_line(captured.err)
    assert line.startswith("howmuchdata: error: ")
    for part in expected:
        assert part in line
    assert captured.out == ""


def test_help_still_prints_the_help_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["curve", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--target" in out and "--image-shape" in out and "32x32x3" in out
    assert main(["--help"]) == 0
    assert "compare" in capsys.readouterr().out


def test_the_installed_command_prints_one_line_not_a_panel(tmp_path: Path) -> None:
    done = subprocess.run(
        [*CLI, "curve", "data.csv", "--targte", "y"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "did you mean --target" in _one_line(done.stderr)
    assert done.stdout == ""


def test_ctrl_c_in_a_curve_names_the_store_and_exits_130(
    table_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("howmuchdata.cli.curve.learning_curve", interrupted)
    out = tmp_path / "run"
    argv = ["curve", str(table_csv), "-t", "y", "--out", str(out), "-q", "--no-report"]
    assert main(argv) == 130
    line = _one_line(capsys.readouterr().err)
    assert line.startswith("howmuchdata: interrupted; ")
    assert f"kept in sqlite:///{out / 'store.db'}" in line and "run the same command" in line


def test_ctrl_c_outside_the_fits_is_one_line_too(
    table_csv: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("howmuchdata.cli.curve.load_dataset", interrupted)
    assert main(["curve", str(table_csv), "-t", "y"]) == 130
    assert _one_line(capsys.readouterr().err) == "howmuchdata: interrupted"


@pytest.mark.slow
def test_sigint_keeps_the_finished_points_and_a_rerun_resumes(table_csv: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(HERE / "curve")}  # hmd_curve_models lives there
    command = [
        *CLI,
        *("curve", "data.csv", "--target", "y", "--model", "hmd_curve_models:slow"),
        *("--sizes", "20,30,40,60,80,100", "--repeats", "2", "--out", "out", "--no-report"),
    ]
    run = subprocess.Popen(
        command,
        cwd=table_csv.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # a test run started in the background (`pytest &` without job control) ignores
        # SIGINT and its children inherit that, so Python would not turn Ctrl-C into
        # KeyboardInterrupt: give the command the default disposition a terminal gives it
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert run.stderr is not None
    progress = []
    # stderr is a pipe: one log line per finished (and stored) point
    while sum("/12 size=" in line for line in progress) < 3:
        line = run.stderr.readline()
        assert line, "the run ended before three points: " + "".join(progress)
        progress.append(line)
    run.send_signal(signal.SIGINT)
    _, rest = run.communicate(timeout=120)
    assert run.returncode == 130, rest
    assert "Traceback" not in rest
    messages = [line for line in rest.splitlines() if line.startswith("howmuchdata:")]
    assert len(messages) == 1 and messages[0].startswith("howmuchdata: interrupted; ")
    assert "out/store.db" in messages[0]
    assert not (table_csv.parent / "out" / "result.json").exists()

    resumed = subprocess.run(
        [*command, "-q"], cwd=table_csv.parent, env=env, capture_output=True, text=True, timeout=240
    )
    assert resumed.returncode == 0, resumed.stderr
    summary = next(line for line in resumed.stdout.splitlines() if "reused from the store" in line)
    fitted, kept = (int(word) for word in summary.split() if word.isdigit())
    assert kept >= 3 and fitted + kept == 12


def test_compare_keeps_its_points_in_the_run_folder(table_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    argv = [
        *("compare", str(table_csv), "--target", "y", "--strategies", "baseline"),
        *("--sizes", "20,40,80", "--repeats", "2", "--targets", "0.6", "--out", str(out)),
        *("-q", "--no-report"),
    ]
    assert main(argv) == 0
    assert (out / "store.db").exists()
    assert main(argv) == 0
    (curve,) = json.loads((out / "result.json").read_text())["curves"]
    assert curve["settings"]["from_store"] == 6 and curve["settings"]["computed"] == 0


def test_compare_refuses_an_unreadable_run_folder_before_any_fit(
    table_csv: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "cmp"
    out.mkdir()
    (out / "result.json").write_text("not json")
    argv = ["compare", str(table_csv), "--target", "y", "--strategies", "baseline"]
    assert main([*argv, "--out", str(out), "-q", "--no-report"]) == 2
    assert _one_line(capsys.readouterr().err).startswith("howmuchdata: error: ")
    assert not (out / "store.db").exists()


@pytest.mark.parametrize("command", ["curve", "diagnose"])
def test_a_python_keyword_in_an_error_is_spelled_as_the_option(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "words.csv"
    pd.DataFrame({"a": range(40), "y": ["cat", "dog"] * 20}).to_csv(path, index=False)
    argv = [command, str(path), "-t", "y", "--task", "regression", "-o", str(tmp_path / "run")]
    assert main(argv) == 2
    line = _one_line(capsys.readouterr().err)
    assert "not numeric" in line and "use --task classification" in line
    assert "task='" not in line


def test_a_message_that_names_both_spellings_keeps_them() -> None:
    from howmuchdata.cli._errors import cli_spelling

    both = "pass a regressor, or task='classification' (--task classification)"
    assert cli_spelling(both) == both


def test_compare_help_shows_its_default_strategies_in_full(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from howmuchdata.cli.compare import DEFAULT_STRATEGIES

    assert main(["compare", "--help"]) == 0
    out = capsys.readouterr().out
    flat = " ".join(out.replace("│", " ").split())  # unwrap the help box
    assert f"(default: {', '.join(DEFAULT_STRATEGIES.split(','))})" in flat
    assert "…" not in out  # no option's help or default is cut short


def test_plan_inputs_before_data_imply_before_data(capsys: pytest.CaptureFixture[str]) -> None:
    # Riley et al.'s binary example (BMJ 2020), without --before-data: the same 662
    argv = ["plan", "--outcome", "binary", "--prevalence", "0.174", "--parameters", "24"]
    assert main([*argv, "--r2-cs", "0.288"]) == 0
    captured = capsys.readouterr()
    assert "Minimum sample size (binary outcome): 662" in captured.out
    assert captured.err == ""


def test_plan_with_some_inputs_before_data_names_the_missing_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["plan", "--outcome", "binary", "--prevalence", "0.17"]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "nothing to plan from" not in line
    assert "a plan before data (--before-data) needs --parameters" in line
    # options of a plan from a run folder are still refused there
    assert main(["plan", "--prevalence", "0.17", "--target", "0.9"]) == 2
    assert "--target applies only to a plan from a measured curve" in capsys.readouterr().err
    assert main(["plan"]) == 2  # nothing at all: still nothing to plan from
    assert "nothing to plan from" in _one_line(capsys.readouterr().err)
