"""One Dask cluster per command or call: started once, reused, shut down, checked first."""

from __future__ import annotations

import os
import socket
import threading
import time

import pandas as pd
import pytest
from hmd_curve_models import Slow
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from howmuchdata.cli import main
from howmuchdata.curve import dask_backend, learning_curve
from howmuchdata.curve.progress import LogReporter
from howmuchdata.errors import HowMuchDataError

distributed = pytest.importorskip("distributed")


class _Clusters:
    """Counts the LocalClusters howmuchdata starts and closes; each is an in-process one
    (threads, not processes) so that a test takes a second, not several."""

    def __init__(self) -> None:
        self.started: list[int] = []
        self.closed = 0

    def start(self, n_workers: int):
        self.started.append(n_workers)
        cluster = distributed.LocalCluster(
            n_workers=n_workers, threads_per_worker=1, processes=False, dashboard_address=None
        )
        close = cluster.close

        def counted_close(*args, **kwargs):
            self.closed += 1
            return close(*args, **kwargs)

        cluster.close = counted_close
        return cluster, distributed.Client(cluster)


@pytest.fixture
def clusters(monkeypatch) -> _Clusters:
    counter = _Clusters()
    monkeypatch.setattr(dask_backend, "_start_local_cluster", counter.start)
    return counter


@pytest.fixture
def digits_csv(tmp_path, digits_small):
    X, y = digits_small
    frame = pd.DataFrame(X[:200], columns=[f"p{i}" for i in range(X.shape[1])])
    frame["y"] = y[:200]
    path = tmp_path / "digits.csv"
    frame.to_csv(path, index=False)
    return path


def _curve_args(path, out, *extra: str) -> list[str]:
    return [
        "curve",
        str(path),
        "--target",
        "y",
        "--model",
        "logreg",
        "--model",
        "knn",
        "--sizes",
        "40,80,120",
        "--repeats",
        "1",
        "--backend",
        "dask",
        "--jobs",
        "2",
        "--out",
        str(out),
        "--no-report",
        *extra,
    ]


def _refused_address() -> str:
    with socket.create_server(("127.0.0.1", 0)) as probe:  # a port nobody listens on
        return f"tcp://127.0.0.1:{probe.getsockname()[1]}"


def test_the_models_of_one_command_share_one_local_cluster(clusters, digits_csv, tmp_path):
    assert main(_curve_args(digits_csv, tmp_path / "run", "--quiet")) == 0
    assert clusters.started == [2]
    assert clusters.closed == 1


def test_a_rerun_with_every_point_stored_starts_no_cluster(clusters, digits_csv, tmp_path):
    args = _curve_args(digits_csv, tmp_path / "run", "--quiet")
    assert main(args) == 0
    assert main(args) == 0
    assert clusters.started == [2]


def test_ctrl_c_during_the_run_shuts_the_shared_cluster_down(
    clusters, digits_csv, tmp_path, monkeypatch, capsys
):
    advance = LogReporter.advance

    def interrupt(self, point):  # Ctrl-C at the second model's first point
        if self.label == "knn":
            raise KeyboardInterrupt
        advance(self, point)

    monkeypatch.setattr(LogReporter, "advance", interrupt)
    assert main(_curve_args(digits_csv, tmp_path / "run")) == 130
    assert "interrupted" in capsys.readouterr().err
    assert clusters.started == [2]
    assert clusters.closed == 1


def test_an_error_in_a_later_model_shuts_the_shared_cluster_down(
    clusters, digits_csv, tmp_path, capsys
):
    args = _curve_args(digits_csv, tmp_path / "run", "--quiet")
    args[args.index("knn")] = "hmd_curve_models:always_fails"
    assert main(args) == 2
    assert "every one of the 3 points" in capsys.readouterr().err
    assert clusters.started == [2]
    assert clusters.closed == 1


def test_python_curves_share_a_dask_cluster_passed_as_scheduler(clusters, digits_small):
    X, y = digits_small
    with dask_backend.DaskCluster(n_workers=2) as cluster:
        for C in (0.1, 1.0):
            curve = learning_curve(
                LogisticRegression(C=C, max_iter=300),
                X,
                y,
                sizes=[40, 80],
                repeats=1,
                backend="dask",
                scheduler=cluster,
            )
            assert curve.failures.empty
        assert clusters.closed == 0  # the caller's cluster outlives each call
    assert clusters.started == [2]
    assert clusters.closed == 1


def test_a_client_passed_as_scheduler_is_used_left_open_and_left_clean(digits_small):
    X, y = digits_small
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
        ) as local,
        distributed.Client(local) as client,
    ):
        curve = learning_curve(
            LogisticRegression(max_iter=300),
            X,
            y,
            sizes=[40, 80],
            repeats=2,
            backend="dask",
            scheduler=client,
        )
        assert len(curve.points) == 4 and curve.failures.empty
        assert client.status == "running"
        deadline = time.monotonic() + 5
        while client.futures and time.monotonic() < deadline:  # released, asynchronously
            time.sleep(0.05)
        assert not client.futures  # neither tasks nor scattered data are left behind


def test_own_local_cluster_of_a_call_is_closed_after_it(clusters, digits_small):
    X, y = digits_small
    learning_curve(LogisticRegression(max_iter=300), X, y, sizes=[40], repeats=1, backend="dask")
    assert clusters.started == [2] and clusters.closed == 1


def test_n_jobs_minus_one_starts_a_worker_per_core(digits_small, monkeypatch):
    seen = {}

    class NoCluster:
        def __init__(self, **kwargs):
            seen.update(kwargs)
            raise OSError("not started in this test")

    monkeypatch.setattr(distributed, "LocalCluster", NoCluster)
    X, y = digits_small
    with pytest.raises(HowMuchDataError, match="could not start a local Dask cluster"):
        learning_curve(LogisticRegression(), X, y, sizes=[40], repeats=1, backend="dask", n_jobs=-1)
    assert seen["n_workers"] == os.cpu_count()


_RUNNING = {"now": 0, "most": 0}
_LOCK = threading.Lock()


class CountsConcurrent(ClassifierMixin, BaseEstimator):
    """Logistic regression that records how many fits run at the same time (threads)."""

    def fit(self, X, y):
        with _LOCK:
            _RUNNING["now"] += 1
            _RUNNING["most"] = max(_RUNNING["most"], _RUNNING["now"])
        try:
            time.sleep(0.05)
            self.model_ = LogisticRegression(max_iter=300).fit(X, y)
            self.classes_ = self.model_.classes_
            return self
        finally:
            with _LOCK:
                _RUNNING["now"] -= 1

    def predict(self, X):
        return self.model_.predict(X)


@pytest.mark.parametrize(("n_jobs", "most"), [(1, 1), (None, 3)])
def test_n_jobs_below_the_shared_cluster_caps_the_fits_at_once(
    clusters, digits_small, n_jobs, most
):
    # a GPU model gets n_jobs=1 on the command's cluster of --jobs workers
    X, y = digits_small
    _RUNNING.update(now=0, most=0)
    with dask_backend.DaskCluster(n_workers=3) as cluster:
        curve = learning_curve(
            CountsConcurrent(),
            X,
            y,
            sizes=[40, 60, 80, 100],
            repeats=2,
            backend="dask",
            scheduler=cluster,
            n_jobs=n_jobs,
        )
    assert curve.failures.empty and len(curve.points) == 8
    assert _RUNNING["most"] == most


def test_a_bad_scheduler_is_said_before_any_progress_line(digits_small, capsys):
    X, y = digits_small
    address = _refused_address()
    with pytest.raises(HowMuchDataError, match="cannot reach the Dask scheduler"):
        learning_curve(
            LogisticRegression(),
            X,
            y,
            sizes=[40],
            repeats=1,
            backend="dask",
            scheduler=address,
            progress="log",
        )
    assert capsys.readouterr().err == ""


def test_the_command_says_a_bad_scheduler_before_any_progress_line(digits_csv, tmp_path, capsys):
    address = _refused_address()
    assert main(_curve_args(digits_csv, tmp_path / "run", "--scheduler", address)) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"howmuchdata: error: cannot reach the Dask scheduler at {address}")
    assert "points" not in err


def test_python_messages_name_the_keyword_and_the_option(digits_small):
    X, y = digits_small
    with pytest.raises(HowMuchDataError) as caught:
        learning_curve(
            LogisticRegression(),
            X,
            y,
            sizes=[40],
            repeats=1,
            backend="dask",
            scheduler=_refused_address(),
        )
    message = str(caught.value)
    assert "scheduler= (--scheduler)" in message
    assert "leave --scheduler out" not in message


def test_an_unknown_backend_is_refused_before_any_progress_line(digits_small, capsys):
    X, y = digits_small
    with pytest.raises(HowMuchDataError, match=r"unknown backend 'daks'.*backend='local'"):
        learning_curve(LogisticRegression(), X, y, sizes=[40], backend="daks", progress="log")
    assert capsys.readouterr().err == ""


def test_a_scheduler_without_the_dask_backend_is_refused(digits_small):
    # the local backend ignored it: every point ran on this machine, silently
    X, y = digits_small
    with pytest.raises(HowMuchDataError, match=r"backend='dask' \(--backend dask\)"):
        learning_curve(LogisticRegression(), X, y, sizes=[40], scheduler="tcp://host:8786")


def test_a_scheduler_that_is_no_address_or_client_is_refused(digits_small):
    X, y = digits_small
    with pytest.raises(HowMuchDataError, match="neither a Dask scheduler address nor"):
        learning_curve(LogisticRegression(), X, y, sizes=[40], backend="dask", scheduler=8786)


def test_the_largest_points_are_fitted_first(digits_small):
    # the long fits start early, and the last worker does not idle; a scheduler left to
    # itself ran the two largest, then the rest smallest first
    X, y = digits_small
    done: list[int] = []

    class Sizes(LogReporter):
        def advance(self, point):
            done.append(point["size"])

    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        learning_curve(
            Slow(seconds=0.02),
            X,
            y,
            sizes=[40, 60, 80, 100, 120, 160, 200, 240],
            repeats=3,
            backend="dask",
            scheduler=cluster.scheduler_address,
            progress=Sizes(),
        )
    third = len(done) // 3
    assert sum(done[:third]) > 2 * sum(done[-third:]), done


def _unpickle_elsewhere():
    raise ModuleNotFoundError("No module named 'my_models'")


class UnpicklableElsewhere(LogisticRegression):
    """A model whose module the scheduler lacks: unpickling it raises there."""

    def __reduce__(self):
        return (_unpickle_elsewhere, ())


def test_a_model_module_the_cluster_lacks_is_named(digits_small):
    X, y = digits_small
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        pytest.raises(HowMuchDataError) as caught,
    ):
        learning_curve(
            UnpicklableElsewhere(),
            X,
            y,
            sizes=[40],
            repeats=1,
            backend="dask",
            scheduler=cluster.scheduler_address,
        )
    message = str(caught.value)
    assert "ModuleNotFoundError: No module named 'my_models'" in message
    assert "the scheduler and its workers need" in message
