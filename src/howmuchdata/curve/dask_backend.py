"""The Dask backend of the learning-curve engine: points as tasks of a dask.distributed cluster.

:class:`DaskCluster` is where the tasks go: a cluster at a given scheduler address, checked
before use so that a wrong address is one line at once rather than a traceback or a hang, a
``distributed.Client`` of the caller's, or a LocalCluster started on first use (and shut down
by :meth:`DaskCluster.close`), whose workers ignore Ctrl-C and log nothing. One DaskCluster
serves any number of runs (the command line's models share one LocalCluster). A worker lost
mid-run stops the run with one line; the points finished until then are already in the store.
"""

from __future__ import annotations

import contextlib
import logging
import os
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

# the LocalCluster's workers when n_jobs is None
_DEFAULT_WORKERS = 2


class DaskCluster:
    """The Dask cluster of one or more learning curves, connected or started on first use.

    Pass one as ``scheduler=`` to :func:`howmuchdata.learning_curve` to run several curves
    on the same cluster (a LocalCluster takes seconds to start); use it as a context manager,
    or call :meth:`close`, to shut down what it started.

    Parameters
    ----------
    scheduler : str or distributed.Client, optional
        The address of a running scheduler (``tcp://host:8786``), checked by :meth:`client`
        before any task is sent, or a Client of the caller's (used as it is and left open).
        Default: a new LocalCluster of ``n_workers`` single-threaded worker processes.
    n_workers : int, optional
        Worker processes of the LocalCluster (-1 for every core, -2 for all but one, as
        joblib counts); default 2. Not used with ``scheduler``.
    """

    def __init__(self, scheduler: Any = None, n_workers: int | None = None) -> None:
        if scheduler is not None and not isinstance(scheduler, str) and not _is_client(scheduler):
            raise HowMuchDataError(
                f"scheduler={scheduler!r} is neither a Dask scheduler address nor a "
                "distributed.Client; pass an address such as 'tcp://host:8786' (--scheduler), "
                "a Client, or leave it out to start a local cluster"
            )
        self.scheduler = scheduler
        self.n_workers = _worker_count(n_workers)
        self._client: Any = None
        self._cluster: Any = None

    @property
    def is_local(self) -> bool:
        """True when the tasks run on a LocalCluster started here."""
        return self.scheduler is None

    @property
    def where(self) -> str:
        """The cluster as messages name it."""
        if self.scheduler is None:
            return "the local Dask cluster"
        if isinstance(self.scheduler, str):
            return f"the Dask scheduler at {self.scheduler}"
        address = getattr(getattr(self.scheduler, "scheduler", None), "address", None)
        return f"the Dask scheduler at {address}" if address else "the Dask cluster of the Client"

    def client(self) -> Any:
        """The Client to submit to: the scheduler at the address is checked and connected,
        or the LocalCluster started, at the first call.

        Raises
        ------
        HowMuchDataError
            When ``distributed`` cannot be imported, for an address that is no reachable
            Dask scheduler, or a LocalCluster that cannot start.
        """
        if self._client is None:
            _require_distributed()
            if self.scheduler is None:
                self._cluster, self._client = _start_local_cluster(self.n_workers)
            elif isinstance(self.scheduler, str):
                self._client = _connect_scheduler(self.scheduler)
            else:
                self._client = self.scheduler
        return self._client

    def close(self) -> None:
        """Close the Client and the LocalCluster this object opened (a Client passed in is
        left open); a later :meth:`client` opens them again."""
        client, cluster = self._client, self._cluster
        self._client = self._cluster = None
        try:
            if client is not None and client is not self.scheduler:
                client.close()
        finally:
            if cluster is not None:
                cluster.close()

    def __enter__(self) -> DaskCluster:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "open" if self._client is not None else "not started"
        where = "LocalCluster" if self.scheduler is None else repr(self.scheduler)
        return f"DaskCluster({where}, {state})"


def _require_distributed() -> None:
    """Import ``distributed``, or say in one line that the Dask backend needs it.

    It is a dependency of howmuchdata, but an environment may lack it (installed without
    dependencies, or uninstalled since) or hold a copy that does not import.
    """
    try:
        import distributed  # noqa: F401
    except ImportError as exc:
        raise HowMuchDataError(
            f"the Dask backend needs the distributed package, which does not import here "
            f"({_first_line(exc)}); install it with pip install 'dask[distributed]', or run "
            "on this machine with backend='local' (--backend local)"
        ) from None


def _is_client(value: Any) -> bool:
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - distributed is a dependency of the dask extra
        return False
    return isinstance(value, Client)


def _worker_count(n_jobs: int | None) -> int:
    """joblib's reading of ``n_jobs``: None -> the default, -1 every core, -2 all but one."""
    if n_jobs is None:
        return _DEFAULT_WORKERS
    if n_jobs < 0:
        return max(1, (os.cpu_count() or 1) + 1 + n_jobs)
    return max(1, n_jobs)


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
    scheduler: Any,
) -> None:
    """Run ``tasks`` on the Dask cluster ``scheduler`` (a :class:`DaskCluster`, an address, a
    Client or None for a LocalCluster of ``n_jobs`` workers, shut down at the end).

    On a :class:`DaskCluster`'s own LocalCluster, ``n_jobs`` smaller than its workers caps
    the tasks running at once (a GPU model runs one point at a time); a scheduler of the
    caller's decides for itself. The tasks of the run, and the data it sent, are released
    when it ends, also on an error or Ctrl-C, so that a shared cluster carries nothing over.
    """
    # a DaskCluster given is the caller's to close; one made here closes with the run
    given = isinstance(scheduler, DaskCluster)
    with contextlib.nullcontext(scheduler) if given else DaskCluster(scheduler, n_jobs) as cluster:
        _run_on(cluster, tasks, estimator, X, y, by_repeat, scoring, classes, on_result, n_jobs)


def _run_on(
    cluster: DaskCluster,
    tasks: list[PointTask],
    estimator: Any,
    X: Any,
    y: np.ndarray,
    by_repeat: dict[int, Split],
    scoring: Any,
    classes: Any,
    on_result: Callable[[PointTask, dict[str, Any]], None],
    n_jobs: int | None,
) -> None:
    from distributed import as_completed

    client = cluster.client()
    limit = len(tasks)  # every task queued at once: no round trip between two fits
    if cluster.is_local and n_jobs is not None and _worker_count(n_jobs) < cluster.n_workers:
        limit = _worker_count(n_jobs)
    sent: list[Any] = []
    try:
        data_x, data_y = client.scatter([X, y], broadcast=True)
        split_futures = {r: client.scatter(s, broadcast=True) for r, s in by_repeat.items()}
        sent.extend([data_x, data_y, *split_futures.values()])
        # largest points first: the long fits start early and the last worker does not idle
        queue = iter(sorted(tasks, key=lambda t: -t.size))
        pending: dict[Any, PointTask] = {}

        def submit(task: PointTask) -> Any:
            future = client.submit(
                _fit_tagged,
                estimator,
                data_x,
                data_y,
                split_futures[task.repeat],
                task,
                scoring,
                classes,
                pure=False,
                # the scheduler does not keep the order of submission (it ran the smallest
                # first), so the order is said: larger points first
                priority=task.size,
            )
            pending[future] = task
            sent.append(future)
            return future

        running = as_completed([submit(t) for _, t in zip(range(limit), queue, strict=False)])
        for future in running:
            try:
                task, point = future.result()
            except Exception as exc:  # not the model (fit_point catches that): a lost worker
                raise _lost_worker_error(exc, pending[future], cluster.where) from None
            del pending[future]
            on_result(task, point)
            following = next(queue, None)
            if following is not None:
                running.add(submit(following))
    finally:
        # released, not cancelled: a cancel waits for the scheduler's answer, and after a
        # lost worker or Ctrl-C that must not hold up the error
        for future in sent:
            future.release()


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
        "check the address (e.g. tcp://host:8786) or leave out scheduler= (--scheduler) to "
        "start a local cluster"
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
        # what reading a foreign reply raised says nothing to the user: the bytes of an HTTP
        # reply read as a Dask frame length give a MemoryError, which reads as this machine's
        raise HowMuchDataError(
            f"{scheduler} answers, but not as a Dask scheduler (its reply is no Dask "
            f"message); {fix} "
            "(the dashboard's port, usually 8787, is not the scheduler's)"
        )
    if reply.get("type") != "Scheduler":
        raise HowMuchDataError(
            f"{scheduler} is a Dask {reply.get('type', 'server')}, not the scheduler; pass the "
            "scheduler's address (e.g. tcp://host:8786) or leave out scheduler= (--scheduler) "
            "to start a local cluster"
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


def _start_local_cluster(n_workers: int) -> tuple[Any, Any]:
    """A LocalCluster of ``n_workers`` single-threaded worker processes and its Client.

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
            n_workers=n_workers,
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


def _lost_worker_error(exc: Exception, task: PointTask, where: str) -> HowMuchDataError:
    """One line for a point whose Dask task raised (``fit_point`` itself never raises)."""
    from distributed import KilledWorker
    from distributed.client import FutureCancelledError

    error = _first_line(exc)
    point = f"size {task.size}, repeat {task.repeat}"
    if isinstance(exc, FutureCancelledError):
        # a bystander: the data it needed went with the workers that died (its text names
        # only a task key and "already forgotten")
        return HowMuchDataError(
            f"a worker of {where} stopped, and the data of the run with it: {LOST_WORKER_ADVICE}"
        )
    if isinstance(exc, KilledWorker | OSError):
        # KilledWorker names the task whose fits killed its workers
        which = f" while fitting {point}" if isinstance(exc, KilledWorker) else ""
        return HowMuchDataError(
            f"a worker of {where} stopped{which} ({error}): {LOST_WORKER_ADVICE}"
        )
    root = exc
    while root.__cause__ is not None:  # "Error during deserialization" <- No module named 'x'
        root = root.__cause__
    if root is not exc:
        error = _first_line(root)
    # the scheduler unpickles the task graph too: a module it lacks fails there
    return HowMuchDataError(
        f"the task of {point} failed on {where} before its fit ({error}): the scheduler and "
        "its workers need the packages and the modules of your model that this process has; "
        "the points finished until then are kept in the store"
    )


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}".strip()[:MAX_ERROR_CHARS]
