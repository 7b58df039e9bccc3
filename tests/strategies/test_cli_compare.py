"""``howmuchdata compare`` on a CSV: result.json with labels_saved, one-line errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sklearn.base import BaseEstimator, ClassifierMixin

from howmuchdata.cli import main
from howmuchdata.result import read_result


@pytest.fixture()
def csv_path(small_table, tmp_path) -> Path:
    X, y = small_table
    path = tmp_path / "table.csv"
    X.assign(outcome=y).to_csv(path, index=False)
    return path


@pytest.mark.slow
def test_compare_writes_labels_saved_and_report(csv_path, tmp_path, capsys):
    out = tmp_path / "run"
    code = main(
        [
            "compare",
            str(csv_path),
            "--target",
            "outcome",
            "--strategies",
            "baseline,simpler:knn",
            "--sizes",
            "20,40,80,160",
            "--repeats",
            "2",
            "--targets",
            "0.7,0.75",
            "--out",
            str(out),
            "-q",
        ]
    )
    assert code == 0
    result = read_result(out)
    rows = result["labels_saved"]
    assert {(r["strategy"], r["target"]) for r in rows} == {
        (s, t) for s in ("baseline", "simpler:knn") for t in (0.7, 0.75)
    }
    assert {"labels", "labels_lo", "labels_hi", "baseline_labels", "ratio"} <= set(rows[0])
    assert {c["model"] for c in result["curves"]} == {"baseline", "simpler:knn"}
    assert set(result["extrapolation"]) == {"baseline", "simpler:knn"}
    assert result["comparison"]["targets"] == [0.7, 0.75]
    assert (out / "report.html").exists()
    assert "Labels needed" in capsys.readouterr().out


def test_unknown_strategy_exits_2_with_one_line(csv_path, tmp_path, capsys):
    code = main(
        [
            "compare",
            str(csv_path),
            "--target",
            "outcome",
            "--strategies",
            "magic",
            "--out",
            str(tmp_path),
        ]
    )
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith("howmuchdata: error: unknown strategy 'magic'") and "\n" not in err
    assert "Traceback" not in err


@pytest.mark.slow
def test_missing_text_column_from_the_shell(csv_path, tmp_path):
    exe = Path(sys.executable).with_name("howmuchdata")
    proc = subprocess.run(
        [
            str(exe),
            "compare",
            str(csv_path),
            "--target",
            "outcome",
            "--text",
            "review",
            "--strategies",
            "transfer",
            "--out",
            str(tmp_path / "x"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "text column 'review' not found" in lines[0]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--image-shape", "3x3", "--strategies", "augment"], "image shape 3x3 needs 9 pixel"),
        (["--targets", "0.8,1.5"], "target 1.5 is above the metric's range (at most 1)"),
        (["--targets", "nan"], "target 'nan' is not a number"),
        # every strategy's points were fitted, then the baseline "failed" to extrapolate
        (["--sizes", "20,40"], "the sizes 20, 40 are 2 distinct training size(s)"),
    ],
)
def test_bad_shape_or_target_exits_2_before_any_fit(csv_path, tmp_path, capsys, extra, message):
    out = tmp_path / "run"
    code = main(["compare", str(csv_path), "--target", "outcome", "--out", str(out), *extra])
    err = capsys.readouterr().err.strip()
    assert code == 2 and message in err and "\n" not in err
    assert not out.exists()


def test_the_table_keeps_strategy_names_whole_and_says_ratios_in_words():
    import io
    import math
    from types import SimpleNamespace

    import pandas as pd
    from rich.console import Console

    from howmuchdata.cli.compare import _print

    def row(strategy, labels):
        return {
            "strategy": strategy,
            "target": 0.9,
            "labels": labels,
            "labels_lo": labels / 2,
            "labels_hi": math.inf,
            "baseline_labels": 100.0,
            "ratio": 100.0 / labels,
        }

    comparison = SimpleNamespace(
        settings={"scoring": "accuracy"},
        labels_saved=pd.DataFrame(
            [row("semi:label_spreading", 40.0), row("baseline", 100.0), row("simpler:knn", 103.0)]
            + [row("active:least_confident", 250.0)]
        ),
        targets=[0.9],
        baseline="baseline",
        crossovers=[],
        failures={},
    )
    buffer = io.StringIO()
    _print(Console(file=buffer, width=80), comparison)
    text = buffer.getvalue()
    assert "semi:label_spreading" in text and "active:least_confident" in text
    assert "…" not in text
    flat = " ".join(text.split())
    assert "2.5x" in flat and "about the" in flat and "1.0x" not in flat


def test_help_names_every_backbone_file_the_code_loads(capsys):
    assert main(["compare", "--help"]) == 0
    flat = " ".join(capsys.readouterr().out.replace("│", " ").split())  # unwrap the help box
    assert ".pt2 torch.export" in flat and "TorchScript" in flat and "state_dict" in flat


class AlwaysFails(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        raise ValueError("cannot fit this")


def test_a_baseline_that_fails_everywhere_exits_2_and_writes_no_summary(
    csv_path, tmp_path, capsys, monkeypatch
):
    # stands in for a preset that cannot fit the data (e.g. TF-IDF on a column it cannot read)
    monkeypatch.setattr(
        "howmuchdata.strategies.registry.baseline_estimator", lambda ctx: AlwaysFails()
    )
    out = tmp_path / "run"
    args = ["compare", str(csv_path), "--target", "outcome", "--strategies", "simpler:knn"]
    code = main([*args, "--sizes", "20,40,80", "--repeats", "2", "--out", str(out), "-q"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "\n" not in err and "Traceback" not in err
    assert err.startswith("howmuchdata: error: the baseline (logreg) failed")
    assert "most common error, 6 times: ValueError: cannot fit this" in err
    assert not (out / "summary.md").exists() and not (out / "result.json").exists()


def test_the_printout_lists_partly_failed_strategies():
    import io
    from types import SimpleNamespace

    import pandas as pd
    from rich.console import Console

    from howmuchdata.cli.compare import _print
    from howmuchdata.strategies.labels_saved import LABELS_SAVED_COLUMNS

    note = "2 of 8 points failed (size 20; most common error, 2 times: RuntimeError: too small)"
    comparison = SimpleNamespace(
        settings={"scoring": "accuracy"},
        labels_saved=pd.DataFrame(columns=LABELS_SAVED_COLUMNS),
        targets=[],
        baseline="baseline",
        crossovers=[],
        failures={"broken": "every point failed"},
        partial_failures={"sometimes": note},
    )
    buffer = io.StringIO()
    _print(Console(file=buffer, width=300), comparison)
    lines = buffer.getvalue().splitlines()
    assert f"sometimes: {note}" in lines and "broken: failed (every point failed)" in lines


def test_an_image_folder_stops_with_one_line_instead_of_learning_file_names(tmp_path, capsys):
    image = pytest.importorskip("PIL.Image")
    root = tmp_path / "images"
    for label in ("cat", "dog"):
        (root / label).mkdir(parents=True)
        for i in range(6):
            image.new("L", (8, 8), color=40 * i).save(root / label / f"{i}.png")
    out = tmp_path / "run"
    code = main(["compare", str(root), "--target", "label", "--out", str(out), "-q"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith("howmuchdata: error: compare reads tables") and "\n" not in err
    assert "file names" in err and "--image-shape" in err and "--model cnn" in err
    assert not (out / "store.db").exists()  # nothing was fitted
