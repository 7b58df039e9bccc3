"""A class whose rows all sit in one group cannot be both trained on and validated under a
split by group: every command refuses it before any fit, in one line naming the class and
its group, instead of scoring a curve that never validates (or never learns) that class."""

from __future__ import annotations

import numpy as np
import pytest

import howmuchdata as hmd
from howmuchdata.cli import main
from howmuchdata.errors import HowMuchDataError
from howmuchdata.models import make_estimator


def with_rare_class(frame, patients):
    """``frame`` with the rows of ``patients`` relabelled to a new class ``rare``."""
    frame = frame.copy()
    frame.loc[frame["patient"].isin(patients), "label"] = "rare"
    return frame


def test_a_class_in_a_single_group_is_refused_by_the_grouped_curve(mixed_frame):
    frame = with_rare_class(mixed_frame, [7])
    X, y = frame[["age", "site"]], frame["label"].to_numpy()
    with pytest.raises(HowMuchDataError) as exc:
        hmd.learning_curve(
            make_estimator("logreg", hmd.data.load_dataset(X, y)),
            X,
            y,
            groups=frame["patient"].to_numpy(),
            sizes=[40, 80],
            repeats=2,
            progress=False,
        )
    message = str(exc.value)
    assert "class 'rare' occurs in a single group (7)" in message
    assert "np." not in message


def test_a_class_spread_over_two_groups_is_measured(mixed_frame):
    frame = with_rare_class(mixed_frame, [7, 30])
    X, y = frame[["age", "site"]], frame["label"].to_numpy()
    curve = hmd.learning_curve(
        make_estimator("logreg", hmd.data.load_dataset(X, y)),
        X,
        y,
        groups=frame["patient"].to_numpy(),
        sizes=[40, 80],
        repeats=2,
        progress=False,
    )
    assert len(curve.points) == 4


def test_without_groups_the_same_class_is_not_refused(mixed_frame):
    frame = with_rare_class(mixed_frame, [7])
    X, y = frame[["age", "site"]], frame["label"].to_numpy()
    curve = hmd.learning_curve(
        make_estimator("logreg", hmd.data.load_dataset(X, y)),
        X,
        y,
        sizes=[40, 80],
        repeats=2,
        progress=False,
    )
    assert np.isfinite(curve.points["val_score"]).all()


@pytest.mark.parametrize(
    "command",
    [
        ["curve", "--sizes", "40,80"],
        ["compare", "--strategies", "baseline", "--sizes", "40,80,120"],
        ["diagnose", "--no-curve"],
    ],
    ids=["curve", "compare", "diagnose"],
)
def test_every_command_says_it_in_one_line_with_status_2(tmp_path, mixed_frame, capsys, command):
    path = tmp_path / "rare.csv"
    with_rare_class(mixed_frame, [7]).drop(columns="day").to_csv(path, index=False)
    name, *options = command
    args = [name, str(path), "--target", "label", "--groups", "patient", *options]
    assert main([*args, "--repeats", "2", "--out", str(tmp_path / "run"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("howmuchdata: error: class 'rare' occurs in a single group (7)")
    assert "\n" not in err and "Traceback" not in err
