"""The Dask backend of the learning-curve engine: points as tasks of a dask.distributed cluster.

A cluster at a given scheduler address, checked before use so that a wrong address is one line
at once rather than a traceback or a hang, or a LocalCluster started (and shut down) here,
whose workers ignore Ctrl-C and log nothing. A worker lost mid-run stops the run with one line;
the points finished until then are already in the store.
"""

from __future__ import annotations

import logging
import signal
import socket
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from howmuchdata.curve.plan import Split
from howmuchdata.curve.runner import (
    LOST_WORKER_ADVICE,
    MAX_ERROR_CHARS,
    PointTask,
    _fit_tagged,
)
from howmuchdata.errors import HowMuchDataError


def run_dask(
    tasks: list[PointTask],
    estimator: Any,
    X: Any,
    y: np.ndarray,
    by_repeat: dict[int, Split],
    scoring: Any,
    classes: Any,
    on_result: Callable[[PointTask, dict[str, Any]], None],
    n_jobs: int | None,
    scheduler: str | None,
) -> None:
    from distributed import as_completed

    cluster = None
    if scheduler:
        client = _connect_scheduler(scheduler)
    else:
        cluster, client = _start_local_cluster(n_jobs)
    try:
        data_x, data_y = client.scatter([X, y], broadcast=True)
        split_futures = {r: client.scatter(s, broadcast=True) for r, s in by_repeat.items()}
        ordered = sorted(tasks, key=lambda t: -t.size)
        futures = [
            client.submit(
                _fit_tagged,
                estimator,
                data_x,
                data_y,
                split_futures[t.repeat],
                t,
                scoring,
                classes,
                pure=False,
            )
            for t in ordered
        ]
        pending = dict(zip(futures, ordered, strict=True))
        for future in as_completed(futures):
            try:
                task, point = future.result()
            except Exception as exc:  # not the model (fit_point catches that): a lost worker
                raise _lost_worker_error(exc, pending[future], scheduler) from None
            on_result(task, point)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# distributed's default scheduler port: an address given without one gets it
_DASK_PORT = 8786
# how long a scheduler address may take to accept a connection before it is called unreachable
_CONNECT_SECONDS = 5


def _connect_scheduler(scheduler: str) -> Any:
    """A Client of the scheduler at ``scheduler``, or one line saying what is wrong with it.

    A port that refuses connections or a host name that does not resolve is told at once (a
    plain socket tries the address first; distributed itself would retry until its timeout),
    an address that does not answer within a few seconds soon after; a service that is not a
    Dask scheduler (the dashboard's port 8787, a web server) is named as such.
    """
    from distributed import Client
    from distributed.comm.addressing import parse_address, parse_host_port

    fix = (
        "check the address (e.g. tcp://host:8786) or leave --scheduler out to start a local cluster"
    )
    try:
        scheme, location = parse_address(scheduler)
    except (TypeError, ValueError) as exc:
        raise HowMuchDataError(f"Dask scheduler address {scheduler!r}: {exc}; {fix}") from None
    if scheme in ("tcp", "tls", "ws", "wss"):
        try:
            host, port = parse_host_port(location, _DASK_PORT)
        except ValueError as exc:
            raise HowMuchDataError(f"Dask scheduler address {scheduler!r}: {exc}; {fix}") from None
        try:
            socket.create_connection((host, port), timeout=_CONNECT_SECONDS).close()
        except OSError as exc:
            reason = (
                f"no answer within {_CONNECT_SECONDS} s"
                if isinstance(exc, TimeoutError)
                else (exc.strerror or str(exc))
            )
            raise HowMuchDataError(
                f"cannot reach the Dask scheduler at {scheduler} ({reason}); {fix}"
            ) from None
    elif scheme not in ("inproc", "ucx"):
        raise HowMuchDataError(
            f"Dask scheduler address {scheduler!r}: unknown scheme {scheme!r} (a scheduler "
            f"address starts with tcp://, tls://, ws:// or wss://); {fix}"
        )
    reply, error = _ask_identity(scheduler, _CONNECT_SECONDS)
    if isinstance(error, TimeoutError):
        raise HowMuchDataError(
            f"{scheduler} accepts connections but gives no Dask answer within "
            f"{_CONNECT_SECONDS} s: it is not a Dask scheduler; {fix} (the dashboard's port, "
            "usually 8787, is not the scheduler's)"
        )
    if isinstance(error, OSError):
        raise HowMuchDataError(
            f"cannot reach the Dask scheduler at {scheduler} ({error}); {fix}"
        ) from None
    if error is not None or not isinstance(reply, dict):
        detail = type(error).__name__ if error is not None else "an unexpected reply"
        raise HowMuchDataError(
            f"{scheduler} answers, but not as a Dask scheduler ({detail}); {fix} "
            "(the dashboard's port, usually 8787, is not the scheduler's)"
        )
    if reply.get("type") != "Scheduler":
        raise HowMuchDataError(
            f"{scheduler} is a Dask {reply.get('type', 'server')}, not the scheduler; pass the "
            f"scheduler's address (e.g. tcp://host:8786) or leave --scheduler out to start a "
            "local cluster"
        )
    try:
        return Client(scheduler, timeout=f"{2 * _CONNECT_SECONDS}s")
    except Exception as exc:
        raise HowMuchDataError(
            f"cannot connect to the Dask scheduler at {scheduler} ({type(exc).__name__}: "
            f"{exc}); {fix}"
        ) from None


def _ask_identity(address: str, seconds: float) -> tuple[Any, BaseException | None]:
    """Ask the Dask server at ``address`` who it is, within ``seconds`` for each step.

    distributed's own connection waits without a limit for the handshake of a service that
    accepts the connection and then says nothing (a web server waiting for a request), so
    the question is asked here, bounded, on a loop of its own (in a thread: this function may
    be called from a notebook, whose loop is already running).

    Returns
    -------
    (reply, error)
        The server's ``identity`` dict and None, or None and what went wrong.
    """
    import asyncio

    from distributed.comm import connect

    async def ask() -> Any:
        comm = await asyncio.wait_for(connect(address, timeout=seconds), seconds)
        try:
            await asyncio.wait_for(comm.write({"op": "identity", "reply": True}), seconds)
            return await asyncio.wait_for(comm.read(), seconds)
        finally:
            comm.abort()

    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["reply"] = asyncio.run(ask())
        except BaseException as exc:  # garbage from a foreign service may raise anything
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="howmuchdata-scheduler-check", daemon=True)
    thread.start()
    thread.join(4 * seconds)
    if thread.is_alive():
        return None, TimeoutError()
    error = outcome.get("error")
    if isinstance(error, asyncio.TimeoutError):
        error = TimeoutError()
    return outcome.get("reply"), error


def _start_local_cluster(n_jobs: int | None) -> tuple[Any, Any]:
    """A LocalCluster of ``n_jobs`` single-threaded worker processes and its Client.

    The cluster logs nothing (its routine warnings, such as tasks cancelled when a run is
    stopped, are not the user's business, and what stops a run is said by the error raised
    here) and ignore Ctrl-C (see :func:`dask_setup`): Ctrl-C
    in a terminal reaches every process of the command, and it is this process that stops the
    run and closes the cluster.
    """
    import multiprocessing

    from distributed import Client, LocalCluster

    advice = (
        "its worker processes import the main script again, so in a script call "
        'learning_curve under `if __name__ == "__main__":`, or pass the address of a running '
        "scheduler"
    )
    if getattr(multiprocessing.current_process(), "_inheriting", False):
        # this is a worker process of the cluster being started, importing a main script
        # without that guard: it must not start a cluster of its own (whose failure would
        # print pages of tracebacks); the command's own process says what to do
        raise SystemExit(1)
    try:
        cluster = LocalCluster(
            n_workers=max(1, n_jobs or 2),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.CRITICAL,
            preload=[__name__],
        )
    except Exception as exc:
        raise HowMuchDataError(
            f"could not start a local Dask cluster ({type(exc).__name__}: {exc}); {advice}"
        ) from None
    return cluster, Client(cluster)


def dask_setup(worker: Any) -> None:
    """Run by every worker of the LocalCluster this module starts (a Dask preload).

    Ignores SIGINT in the worker process: a Ctrl-C meant for the command would otherwise also
    interrupt each worker, which prints its traceback; the command's own process stops the run
    and shuts the workers down.
    """
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _lost_worker_error(exc: Exception, task: PointTask, scheduler: str | None) -> HowMuchDataError:
    """One line for a point whose Dask task raised (``fit_point`` itself never raises)."""
    from distributed import KilledWorker
    from distributed.client import FutureCancelledError

    where = f"the Dask scheduler at {scheduler}" if scheduler else "the local Dask cluster"
    lines = str(exc).strip().splitlines()
    error = f"{type(exc).__name__}: {lines[0] if lines else ''}".strip()[:MAX_ERROR_CHARS]
    point = f"size {task.size}, repeat {task.repeat}"
    if isinstance(exc, KilledWorker | FutureCancelledError | OSError):
        # KilledWorker names the task whose fits killed its workers; a cancelled task is a
        # bystander (the data it needed went with the workers that died)
        which = f" while fitting {point}" if isinstance(exc, KilledWorker) else ""
        return HowMuchDataError(
            f"a worker of {where} stopped{which} ({error}): {LOST_WORKER_ADVICE}"
        )
    return HowMuchDataError(
        f"the task of {point} failed on a worker of {where} before its fit ({error}): the "
        "workers need the packages and the modules of your model that this process has; "
        "the points finished until then are kept in the store"
    )
