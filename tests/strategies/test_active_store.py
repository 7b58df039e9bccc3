"""Active learning in the run store: a rerun reuses its repeats, progress shows its points."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import howmuchdata as hmd
from howmuchdata.cli import main
from howmuchdata.strategies import active

SIZES = [16, 32, 64]


@pytest.fixture()
def calls(monkeypatch):
    """Every simulated split, as (repeat, method): the work a rerun must not do again."""
    seen: list[tuple[int, str]] = []
    original = active.simulate_split

    def counted(ctx, split, method, **kwargs):
        seen.append((split.repeat, method))
        return original(ctx, split, method, **kwargs)

    monkeypatch.setattr(active, "simulate_split", counted)
    return seen


def run(small_table, store, **kwargs):
    X, y = small_table
    settings = {"strategies": ["active:margin"], "sizes": SIZES, "repeats": 2, "store": store}
    return hmd.compare(X, y, **{**settings, **kwargs})


def points(comparison, name):
    frame = comparison.curves[name].points
    return frame[["size", "repeat", "val_score", "train_score"]].to_dict(orient="records")


def test_a_rerun_reuses_every_active_point(small_table, tmp_path, calls):
    store = f"sqlite:///{tmp_path / 'store.db'}"
    first = run(small_table, store)
    assert sorted(calls) == [(0, "margin"), (0, "random"), (1, "margin"), (1, "random")]
    assert first.curves["active:margin"].settings["computed"] == len(SIZES) * 2

    calls.clear()
    again = run(small_table, store)
    assert calls == []  # nothing simulated again
    for name in ("active:margin", "active:random"):
        settings = again.curves[name].settings
        assert (settings["computed"], settings["from_store"]) == (0, len(SIZES) * 2)
        assert points(again, name) == points(first, name)
    assert again.labels_saved.equals(first.labels_saved)


def test_another_seed_setting_model_or_data_simulates_again(small_table, tmp_path, calls):
    store = f"sqlite:///{tmp_path / 'store.db'}"
    X, y = small_table
    run(small_table, store)
    every_split = [(0, "margin"), (0, "random"), (1, "margin"), (1, "random")]
    changes = {
        "seed": {"random_state": 1},
        "batch": {"options": {"active_batch": 5}},
        "seed set": {"options": {"active_seed": 24}},
        "sizes": {"sizes": [16, 32, 48, 64]},
        "model": {"baseline": "knn"},
    }
    for what, change in changes.items():
        calls.clear()
        changed = run(small_table, store, **change)
        assert sorted(calls) == every_split, what
        assert changed.curves["active:margin"].settings["from_store"] == 0, what
    calls.clear()
    run((X.assign(a=X["a"] * 2), y), store)
    assert sorted(calls) == every_split, "data"


def test_an_interrupt_keeps_the_finished_repeats(small_table, tmp_path, monkeypatch):
    store = f"sqlite:///{tmp_path / 'store.db'}"
    original = active.simulate_split

    def interrupted(ctx, split, method, *, on_point, **kwargs):
        def stop_in_repeat_1(point):
            on_point(point)  # stored
            if split.repeat == 1:
                raise KeyboardInterrupt

        return original(ctx, split, method, on_point=stop_in_repeat_1, **kwargs)

    monkeypatch.setattr(active, "simulate_split", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run(small_table, store)

    seen: list[int] = []

    def counted(ctx, split, method, **kwargs):
        seen.append(split.repeat)
        return original(ctx, split, method, **kwargs)

    monkeypatch.setattr(active, "simulate_split", counted)
    resumed = run(small_table, store)
    # active:margin: repeat 0 was finished and is read back; repeat 1, stopped after its
    # first point, is simulated again from its seed set (then active:random, never started)
    assert seen == [1, 0, 1]
    curve = resumed.curves["active:margin"]
    assert (curve.settings["from_store"], curve.settings["computed"]) == (3, 3)
    assert len(curve.points) == len(SIZES) * 2 and (curve.points["status"] == "ok").all()
    fresh = run(small_table, None)
    assert points(resumed, "active:margin") == points(fresh, "active:margin")


def test_progress_lines_for_active_and_none_when_quiet(small_table, tmp_path, capsys):
    store = f"sqlite:///{tmp_path / 'store.db'}"
    run(small_table, store, progress=False)
    assert "active:" not in capsys.readouterr().err

    run(small_table, f"sqlite:///{tmp_path / 'other.db'}", progress="log")
    err = capsys.readouterr().err
    assert "active:margin: 6 points, 0 already stored, 6 to fit" in err
    assert "active:margin: 1/6 size=16 repeat=0 val=" in err
    assert "active:random: 6/6 size=64 repeat=1 val=" in err
    assert "active:margin: done in" in err

    run(small_table, store, progress="log")
    err = capsys.readouterr().err
    assert "active:margin: 6 points, 6 already stored, 0 to fit" in err
    assert "active:random: 6 points, 6 already stored, 0 to fit" in err


def test_cli_rerun_says_active_points_are_stored(small_table, tmp_path, capsys):
    X, y = small_table
    data = tmp_path / "table.csv"
    X.assign(outcome=y).to_csv(data, index=False)
    out = tmp_path / "run"
    args = ["compare", str(data), "--target", "outcome", "--strategies", "active:margin"]
    args += ["--sizes", "16,32,64", "--repeats", "1", "--out", str(out), "--no-report"]

    assert main(args) == 0
    err = capsys.readouterr().err
    assert "active:margin: 3 points, 0 already stored, 3 to fit" in err
    assert "active:margin: 3/3 size=64 repeat=0" in err
    assert (out / "store.db").exists()

    assert main(args) == 0
    err = capsys.readouterr().err
    assert "active:margin: 3 points, 3 already stored, 0 to fit" in err
    assert "active:random: 3 points, 3 already stored, 0 to fit" in err

    assert main([*args[:-3], "--out", str(tmp_path / "quiet"), "--no-report", "-q"]) == 0
    assert "active:" not in capsys.readouterr().err


def _image_folder(root):
    from PIL import Image

    rng = np.random.default_rng(0)
    for label in ("cat", "dog"):
        (root / label).mkdir(parents=True)
        for i in range(12):
            pixels = (rng.random((8, 8)) * 255).astype("uint8")
            Image.fromarray(pixels).save(root / label / f"{label}{i}.png")
    return root


def test_python_compare_refuses_image_files(tmp_path):
    from howmuchdata.data import load_dataset

    folder = _image_folder(tmp_path / "pets")
    for source in (load_dataset(folder), str(folder), folder):
        with pytest.raises(hmd.HowMuchDataError, match="learn from the file names"):
            hmd.compare(source, "label", strategies=["baseline"])
    table = tmp_path / "table.csv"
    pd.DataFrame({"a": [1, 2], "y": [0, 1]}).to_csv(table, index=False)
    with pytest.raises(hmd.HowMuchDataError, match="load_dataset"):
        hmd.compare(str(table), "y")
