"""The Dask backend: a wrong scheduler address, failures, worker crashes, Ctrl-C and logs."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from hmd_curve_models import CrashesBelow, FailsBelow, ReportsSigint

from howmuchdata.curve import dask_backend, learning_curve
from howmuchdata.errors import HowMuchDataError

distributed = pytest.importorskip("distributed")

COMPARED = ["size", "repeat", "train_score", "val_score", "status", "error"]


def _one_point_on_dask(X, y, scheduler: str | None, **options) -> None:
    """Measure one point on the Dask backend at ``scheduler`` (None: a local cluster)."""
    learning_curve(
        FailsBelow(min_rows=1),
        X,
        y,
        sizes=[40],
        repeats=1,
        backend="dask",
        scheduler=scheduler,
        **options,
    )


def _dask_error(X, y, scheduler: str, limit: float) -> tuple[str, float]:
    """The HowMuchDataError of a run at ``scheduler`` and its seconds; fails the test if the
    run takes longer than ``limit`` (it runs in a thread: a hang must not hang the suite)."""
    outcome: dict = {}

    def run() -> None:
        try:
            _one_point_on_dask(X, y, scheduler)
        except HowMuchDataError as exc:
            outcome["error"] = str(exc)

    start = time.perf_counter()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(limit)
    elapsed = time.perf_counter() - start
    assert not thread.is_alive(), f"still waiting for {scheduler} after {limit} s"
    assert "error" in outcome, "no HowMuchDataError"
    return outcome["error"], elapsed


def _server(reply: bytes | None) -> tuple[socket.socket, str]:
    """A TCP service on a free local port that answers ``reply`` to everything (or nothing)."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(30)

    def serve() -> None:
        held = []
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            held.append(conn)  # a silent service keeps the connection open
            if reply is not None:
                with contextlib.suppress(OSError):
                    conn.sendall(reply)

    threading.Thread(target=serve, daemon=True).start()
    return server, f"tcp://127.0.0.1:{server.getsockname()[1]}"


def test_a_refused_scheduler_address_fails_at_once_naming_it(digits_small):
    X, y = digits_small
    with socket.create_server(("127.0.0.1", 0)) as probe:  # a port nobody listens on
        port = probe.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    message, elapsed = _dask_error(X, y, address, limit=30)
    assert elapsed < 3  # distributed alone retries a refused port for its whole timeout
    assert address in message and "refused" in message.lower()
    assert "--scheduler" in message


def test_a_silent_service_at_the_address_is_no_scheduler_and_no_hang(digits_small, monkeypatch):
    # distributed waits without a limit for the handshake of a service that accepts the
    # connection and says nothing (a web server waiting for a request)
    monkeypatch.setattr(dask_backend, "_CONNECT_SECONDS", 1)
    X, y = digits_small
    server, address = _server(reply=None)
    with server:
        message, elapsed = _dask_error(X, y, address, limit=20)
    assert elapsed < 8
    assert address in message and "not a Dask scheduler" in message


def test_a_web_server_at_the_address_is_named_as_no_scheduler(digits_small, monkeypatch):
    monkeypatch.setattr(dask_backend, "_CONNECT_SECONDS", 1)
    X, y = digits_small
    server, address = _server(reply=b"HTTP/1.0 400 Bad Request\r\n\r\n" + b"x" * 64)
    with server:
        message, _ = _dask_error(X, y, address, limit=20)
    assert address in message and "not as a Dask scheduler" in message
    assert "8787" in message  # the usual mistake: the dashboard's port
    assert "MemoryError" not in message  # the HTTP bytes read as a frame length, not memory


def test_an_address_of_another_scheme_is_refused_with_the_form_to_use(digits_small):
    X, y = digits_small
    message, elapsed = _dask_error(X, y, "http://127.0.0.1:8787", limit=10)
    assert elapsed < 3
    assert "'http'" in message and "tcp://" in message


def test_a_worker_address_is_not_taken_for_the_scheduler(digits_small):
    X, y = digits_small
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        worker = next(iter(cluster.scheduler.workers))
        message, _ = _dask_error(X, y, worker, limit=20)
    assert "is a Dask Worker, not the scheduler" in message


@pytest.mark.parametrize("scheduler", [None, "tcp://127.0.0.1:8786"])
def test_without_distributed_the_dask_backend_is_one_line_naming_the_fix(
    digits_small, monkeypatch, capsys, scheduler
):
    # an environment without distributed (installed without dependencies, uninstalled since):
    # the first import of it, to start or reach the cluster, was a traceback
    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` raises
    X, y = digits_small
    with pytest.raises(HowMuchDataError) as caught:
        _one_point_on_dask(X, y, scheduler, progress="log")
    message = str(caught.value)
    assert "\n" not in message and "distributed" in message
    assert "pip install 'dask[distributed]'" in message and "--backend local" in message
    assert capsys.readouterr().err == ""  # said before any progress line


@pytest.mark.slow
def test_dask_gives_the_local_numbers_and_failures_over_repeats(digits_small):
    # failed points as the local backend records them: same status, same error text
    X, y = digits_small
    model = FailsBelow(min_rows=100)
    kwargs = {"sizes": [40, 80, 160, 240], "repeats": 3}
    local = learning_curve(model, X, y, **kwargs)
    assert set(local.points["status"]) == {"ok", "failed"}
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        on_dask = learning_curve(
            model, X, y, backend="dask", scheduler=cluster.scheduler_address, **kwargs
        )
    pd.testing.assert_frame_equal(local.points[COMPARED], on_dask.points[COMPARED])
    pd.testing.assert_frame_equal(local.failures, on_dask.failures)


@pytest.mark.slow
def test_own_local_cluster_ignores_ctrl_c_logs_nothing_and_is_shut_down(digits_small, capfd):
    # Ctrl-C in a terminal reaches the workers too: each printed a KeyboardInterrupt
    # traceback (and the cluster its warnings about cancelled tasks); only this process
    # may stop the run. The workers are real processes here, as the command starts them.
    psutil = pytest.importorskip("psutil")
    X, y = digits_small
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    curve = learning_curve(
        ReportsSigint(), X[:120], y[:120], sizes=[40], repeats=1, backend="dask", n_jobs=1
    )
    assert curve.failures["error"].tolist() == ["RuntimeError: sigint=<Handlers.SIG_IGN: 1>"]
    time.sleep(0.5)
    workers = [
        p
        for p in psutil.Process().children(recursive=True)
        if p.pid not in before and "resource_tracker" not in " ".join(p.cmdline())
    ]
    assert workers == []  # the LocalCluster is closed
    assert "distributed" not in capfd.readouterr().err


@pytest.mark.slow
def test_a_crashed_worker_stops_the_run_with_one_line_and_keeps_the_points(digits_small, tmp_path):
    X, y = digits_small
    url = f"sqlite:///{tmp_path / 'store.db'}"
    for backend in ("local", "dask"):
        with pytest.raises(HowMuchDataError, match="probably killed for memory or crashed"):
            learning_curve(
                CrashesBelow(min_rows=100),
                X,
                y,
                sizes=[40, 200],
                repeats=2,
                n_jobs=2,
                backend=backend,
                store=url,
            )
    # the big points, fitted first, were stored: a rerun with a model that does not crash
    # at those sizes reuses them
    again = learning_curve(CrashesBelow(min_rows=100), X, y, sizes=[200], repeats=2, store=url)
    assert again.settings["from_store"] == 2


@pytest.mark.slow
def test_a_script_without_main_guard_gets_one_clear_error(tmp_path):
    # LocalCluster's worker processes import the main script again (spawn): a script with
    # no `if __name__ == "__main__":` printed pages of nested tracebacks
    script = tmp_path / "unguarded.py"
    script.write_text(
        textwrap.dedent(
            """
            import sys
            sys.path.insert(0, {curve_tests!r})
            from sklearn.datasets import load_digits
            from hmd_curve_models import FailsBelow
            from howmuchdata.curve import learning_curve
            X, y = load_digits(return_X_y=True)
            learning_curve(FailsBelow(min_rows=1), X[:200], y[:200], sizes=[40], repeats=1,
                           backend="dask", n_jobs=1)
            """
        ).format(curve_tests=str(Path(__file__).parent))
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert done.returncode == 1
    assert 'if __name__ == "__main__":' in done.stderr
    assert done.stderr.count("Traceback") == 1  # the script's own, ending in that line
    assert "Nanny" not in done.stderr.replace("Nanny failed to start", "")
