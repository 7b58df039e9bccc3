"""`howmuchdata report RUN_DIR`: rebuilds the report from result.json with the same numbers."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from howmuchdata.cli import main
from howmuchdata.report.runview import read_run
from howmuchdata.report.summary import answer
from howmuchdata.result import read_result

BIN = Path(sys.executable).parent / "howmuchdata"


def answer_section(page: str) -> str:
    match = re.search(r'<section class="hmd-answer">.*?</section>', page, re.S)
    assert match is not None
    return match.group(0)


def test_report_command_rebuilds_every_file(run_dir, capsys):
    assert main(["report", str(run_dir), "--no-png"]) == 0
    out = capsys.readouterr().out
    assert "To reach 0.97 you need about 10,000 samples" in out
    assert (run_dir / "report.html").exists() and (run_dir / "summary.md").exists()
    assert "figures" not in out


def test_report_command_on_a_missing_folder_is_one_line_and_status_2(tmp_path, capsys):
    assert main(["report", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "does not exist" in err and "Traceback" not in err


@pytest.mark.slow
def test_report_of_a_stored_real_run_has_the_numbers_of_the_run(real_run, tmp_path):
    """A real `curve` run wrote its report; `report` rebuilds it from result.json alone."""
    run = tmp_path / "copy"
    shutil.copytree(real_run, run)
    original_page = (run / "report.html").read_text()
    original_summary = (run / "summary.md").read_text()
    for name in ("report.html", "summary.md"):
        (run / name).unlink()

    rebuilt = subprocess.run(
        [str(BIN), "report", str(run), "--no-png"], capture_output=True, text=True, timeout=120
    )
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert (run / "summary.md").read_text() == original_summary
    assert answer_section((run / "report.html").read_text()) == answer_section(original_page)

    # and those numbers are the measured ones: mean and spread at the largest size
    stored = read_result(run)
    largest = [p["val_score"] for p in stored["points"] if p["size"] == 400]
    now = answer(read_run(stored))[0]
    assert now.numbers["mean"] == pytest.approx(sum(largest) / len(largest))
    assert f"{sum(largest) / len(largest):.3f}" in original_summary


def test_report_command_on_a_file_says_it_is_not_a_run_folder(tmp_path, capsys):
    data = tmp_path / "bc.csv"
    data.write_text("a,target\n1,0\n")
    assert main(["report", str(data)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is a file, not a run folder" in err
    assert "does not exist" not in err and "Traceback" not in err


def test_report_command_bad_result_file_is_one_line(tmp_path, capsys):
    (tmp_path / "result.json").write_text("{not json")
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "not valid JSON" in err and "Traceback" not in err


def test_report_command_on_an_empty_result_file_says_it_is_empty(tmp_path, capsys):
    (tmp_path / "result.json").write_text("\n")
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "result.json is empty" in err
    assert "not valid JSON" not in err and "Traceback" not in err
