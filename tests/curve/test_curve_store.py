"""howmuchdata.store: keyed points, no duplicates, concurrent writers, resume after SIGKILL."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_digits
from sklearn.tree import DecisionTreeClassifier

from howmuchdata.curve import learning_curve
from howmuchdata.errors import HowMuchDataError
from howmuchdata.store import MemoryStore, SQLiteStore, open_store

HERE = Path(__file__).parent
CLI = [sys.executable, "-m", "howmuchdata"]


@pytest.mark.parametrize("kind", ["sqlite", "memory"])
def test_put_once_get_many(tmp_path, kind):
    store = open_store(f"sqlite:///{tmp_path / 's.db'}" if kind == "sqlite" else "memory://")
    point = {"size": 10, "repeat": 0, "val_score": 0.5, "status": "ok"}
    assert store.put("k1", point, run="r", model="m") is True
    assert store.put("k1", {**point, "val_score": 0.9}, run="r", model="m") is False
    found = store.get_many(["k1", "k2"])
    assert list(found) == ["k1"] and found["k1"]["val_score"] == 0.5
    assert store.count() == 1 and store.count("other-run") == 0
    store.close()


@pytest.mark.parametrize("kind", ["sqlite", "memory"])
def test_a_failed_point_is_replaced_by_its_retry_and_a_fitted_one_never(tmp_path, kind):
    store = open_store(f"sqlite:///{tmp_path / 's.db'}" if kind == "sqlite" else "memory://")
    failed = {"size": 10, "repeat": 0, "val_score": float("nan"), "status": "failed", "error": "x"}
    assert store.put("k1", failed, run="r1", model="m") is True
    assert store.get_many(["k1"])["k1"]["val_score"] is None  # NaN is stored as JSON null
    assert store.put("k1", {**failed, "error": "again"}, run="r2", model="m") is True
    assert store.get_many(["k1"])["k1"]["error"] == "again"
    fitted = {"size": 10, "repeat": 0, "val_score": 0.7, "status": "ok"}
    assert store.put("k1", fitted, run="r3", model="m") is True
    assert store.put("k1", failed, run="r4", model="m") is False
    assert store.get_many(["k1"])["k1"] == fitted
    assert store.count() == 1 and store.count("r3") == 1
    store.close()


class FailsWhileFlagExists(BaseEstimator, ClassifierMixin):
    """A classifier that raises while a file exists: a failure that goes away (memory, say)."""

    def __init__(self, flag: str = "") -> None:
        self.flag = flag

    def fit(self, X, y):
        if Path(self.flag).exists():
            raise MemoryError("out of memory (simulated)")
        self.model_ = DecisionTreeClassifier(random_state=0).fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)


def test_a_rerun_retries_the_failed_points_and_keeps_the_fitted_ones(tmp_path):
    X, y = load_digits(return_X_y=True)
    flag = tmp_path / "flag"
    flag.touch()
    store = f"sqlite:///{tmp_path / 'store.db'}"
    model = FailsWhileFlagExists(str(flag))
    sizes, tree = [40, 80, 160], DecisionTreeClassifier(max_depth=3)
    first = learning_curve(model, X[:400], y[:400], sizes=sizes, repeats=2, store=store)
    assert (first.points["status"] == "failed").all()
    assert first.settings["computed_failed"] == 6
    flag.unlink()
    second = learning_curve(model, X[:400], y[:400], sizes=sizes, repeats=2, store=store)
    assert (second.points["status"] == "ok").all()
    assert second.settings["computed"] == 6 and second.settings["from_store"] == 0
    third = learning_curve(model, X[:400], y[:400], sizes=sizes, repeats=2, store=store)
    assert third.settings["computed"] == 0 and third.settings["from_store"] == 6
    pd.testing.assert_frame_equal(third.points, second.points)
    other = learning_curve(tree, X[:400], y[:400], sizes=sizes, repeats=2, store=store)
    assert other.settings["from_store"] == 0  # another model shares no points


def test_store_urls(tmp_path):
    assert isinstance(open_store(None), MemoryStore)
    absolute = open_store(f"sqlite:///{tmp_path}/a/b.db")
    assert isinstance(absolute, SQLiteStore) and absolute.path == tmp_path / "a" / "b.db"
    absolute.close()
    with pytest.raises(HowMuchDataError, match="unsupported store URL scheme 'postgresql'"):
        open_store("postgresql://host/db")
    (tmp_path / "junk.db").write_text("this is not a database" * 100)
    with pytest.raises(HowMuchDataError, match="cannot open the run store"):
        open_store(tmp_path / "junk.db")


WRITER = """
import sys
from sklearn.datasets import load_digits
from sklearn.tree import DecisionTreeClassifier
from howmuchdata.curve import learning_curve
X, y = load_digits(return_X_y=True)
c = learning_curve(DecisionTreeClassifier(max_depth=int(sys.argv[2])), X[:500], y[:500],
                   sizes=[40, 80, 160, 320], repeats=3, store=sys.argv[1])
print(c.settings["computed"], c.settings["from_store"])
"""


@pytest.mark.slow
def test_concurrent_runs_share_one_store_without_corruption(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    # three processes at once: two compute the same points, one a different model
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, url, str(depth)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for depth in (3, 3, 5)
    ]
    outputs = [p.communicate(timeout=240) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    conn = sqlite3.connect(tmp_path / "shared.db")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = conn.execute("SELECT run, size, repeat FROM points").fetchall()
    assert len(rows) == len(set(rows)) == 2 * 12  # two models x 12 points, none twice
    conn.close()


def _count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return conn.execute("SELECT COUNT(*) FROM points").fetchone()[0]
    except sqlite3.OperationalError:  # table not created yet
        return 0


@pytest.mark.slow
def test_run_killed_with_sigkill_resumes_without_losing_or_repeating_points(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(150, 3)), columns=["a", "b", "c"])
    frame["y"] = (frame["a"] + rng.normal(size=150) > 0).astype(int)
    frame.to_csv(tmp_path / "data.csv", index=False)
    db = tmp_path / "out" / "store.db"
    env = {**os.environ, "PYTHONPATH": str(HERE)}
    command = [
        *CLI,
        "curve",
        "data.csv",
        "--target",
        "y",
        "--model",
        "hmd_curve_models:slow",
        "--sizes",
        "20,30,40,60,80,100",
        "--repeats",
        "2",
        "--out",
        "out",
        "--quiet",
        "--no-report",
    ]
    total = 12
    run = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 120
    while _count(db) < 3 and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.05)
    run.send_signal(signal.SIGKILL)
    run.wait()
    assert run.returncode == -signal.SIGKILL
    kept = _count(db)
    assert 3 <= kept < total
    with sqlite3.connect(db) as conn:
        before = dict(conn.execute("SELECT key, created FROM points").fetchall())

    resumed = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240
    )
    assert resumed.returncode == 0, resumed.stderr
    assert f"{total - kept} points fitted, {kept} reused from the store" in resumed.stdout
    with sqlite3.connect(db) as conn:
        after = dict(conn.execute("SELECT key, created FROM points").fetchall())
        sizes = conn.execute("SELECT size, repeat FROM points").fetchall()
    assert len(after) == total and len(set(sizes)) == total
    assert all(after[key] == created for key, created in before.items())  # untouched


MODEL_SOURCE = """
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.tree import DecisionTreeClassifier


class MyTree(BaseEstimator, ClassifierMixin):
    def fit(self, X, y):
        self.model_ = DecisionTreeClassifier(max_depth={depth}, random_state=0).fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)
"""


def test_an_edit_of_the_users_own_model_code_is_measured_again(tmp_path, monkeypatch):
    X, y = load_digits(return_X_y=True)
    monkeypatch.syspath_prepend(str(tmp_path))
    module_file = tmp_path / "my_tree_model.py"
    store = f"sqlite:///{tmp_path / 'store.db'}"

    def measure(depth: int):
        module_file.write_text(MODEL_SOURCE.format(depth=depth))
        sys.modules.pop("my_tree_model", None)
        import my_tree_model

        return learning_curve(
            my_tree_model.MyTree(), X[:400], y[:400], sizes=[40, 80, 160], repeats=2, store=store
        )

    first = measure(depth=2)
    assert first.settings["computed"] == 6
    same = measure(depth=2)
    assert same.settings["from_store"] == 6 and same.settings["computed"] == 0
    edited = measure(depth=8)
    assert edited.settings["computed"] == 6 and edited.settings["from_store"] == 0
    assert edited.points["val_score"].mean() > first.points["val_score"].mean()


def test_library_models_keep_their_stored_points_keyed_without_code():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    from howmuchdata.curve.inputs import user_code_fingerprint

    assert user_code_fingerprint(make_pipeline(StandardScaler(), LogisticRegression())) is None
    assert user_code_fingerprint(FunctionTransformer(np.log1p), "accuracy") is None
    assert user_code_fingerprint(FailsWhileFlagExists()) is not None  # defined in this file


def test_a_store_damaged_past_its_first_page_is_one_line_on_the_command_line(tmp_path, capsys):
    # the schema lives on page 1, so a file whose later pages (the points) are damaged still
    # opens, and only the first read of the points meets the damage
    X, y = load_digits(return_X_y=True)
    frame = pd.DataFrame(X[:300]).add_prefix("px").assign(digit=y[:300])
    frame.to_csv(tmp_path / "digits.csv", index=False)
    out = tmp_path / "run"
    args = ["curve", str(tmp_path / "digits.csv"), "--target", "digit", "--model", "knn"]
    args += ["--sizes", "40,80", "--repeats", "2", "--out", str(out), "--quiet", "--no-report"]
    from howmuchdata.cli import main

    assert main(args) == 0
    path = out / "store.db"
    page = sqlite3.connect(path).execute("PRAGMA page_size").fetchone()[0]
    damaged = bytearray(path.read_bytes())
    damaged[page:] = b"\xff" * (len(damaged) - page)
    path.write_bytes(damaged)
    open_store(path).close()  # page 1 is intact: the file opens
    capsys.readouterr()
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "cannot read the run store" in err and str(path) in err
    assert "delete the damaged file" in err
