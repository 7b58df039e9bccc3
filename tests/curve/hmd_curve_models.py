"""Estimators for tests, importable by name from worker processes."""

from __future__ import annotations

import time

from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression


class FailsBelow(ClassifierMixin, BaseEstimator):
    """Logistic regression that raises on training sets smaller than ``min_rows``."""

    def __init__(self, min_rows: int = 100) -> None:
        self.min_rows = min_rows

    def fit(self, X, y):
        if len(X) < self.min_rows:
            raise ValueError(f"needs {self.min_rows} rows, got {len(X)}")
        self.model_ = LogisticRegression(max_iter=300).fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)


class Slow(ClassifierMixin, BaseEstimator):
    """Logistic regression that sleeps first: gives a window to kill a run midway."""

    def __init__(self, seconds: float = 0.3) -> None:
        self.seconds = seconds

    def fit(self, X, y):
        time.sleep(self.seconds)
        self.model_ = LogisticRegression(max_iter=300).fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)


def fails_below() -> FailsBelow:
    return FailsBelow(min_rows=100)


def slow() -> Slow:
    return Slow(seconds=0.4)


def always_fails() -> FailsBelow:
    return FailsBelow(min_rows=10**9)


_FITS_IN_THIS_PROCESS = [0]
_HELD: list = []


class GrowsMemory(ClassifierMixin, BaseEstimator):
    """Logistic regression whose second fit in a process keeps ``megabytes`` of memory.

    Like a worker that loads a sentence encoder (or imports torch) at its first deep point,
    after points of a lighter model: loky measures a worker's memory after its first task
    and recycles the worker once it holds 300 MB more. Each fit appends its process id to
    ``pid_file``.
    """

    def __init__(self, pid_file: str = "", megabytes: int = 400) -> None:
        self.pid_file = pid_file
        self.megabytes = megabytes

    def fit(self, X, y):
        import os

        import numpy as np

        _FITS_IN_THIS_PROCESS[0] += 1
        if _FITS_IN_THIS_PROCESS[0] == 2:
            time.sleep(1.1)  # loky checks memory at most once a second
            _HELD.append(np.ones(self.megabytes * 2**20, dtype=np.uint8))
        if self.pid_file:
            with open(self.pid_file, "a") as log:
                log.write(f"{os.getpid()}\n")
        self.model_ = LogisticRegression(max_iter=300).fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)


class CrashesBelow(FailsBelow):
    """Ends its whole process (as a native crash or the kernel's OOM killer would) on training
    sets smaller than ``min_rows``, after ``delay`` seconds (the other points finish first);
    fits like :class:`FailsBelow` otherwise."""

    def __init__(self, min_rows: int = 100, delay: float = 1.0) -> None:
        super().__init__(min_rows=min_rows)
        self.delay = delay

    def fit(self, X, y):
        import os

        if len(X) < self.min_rows:
            time.sleep(self.delay)
            os._exit(3)
        return super().fit(X, y)


class ReportsSigint(FailsBelow):
    """Fails every fit with the SIGINT handler of the process it runs in as the error."""

    def fit(self, X, y):
        import signal

        raise RuntimeError(f"sigint={signal.getsignal(signal.SIGINT)!r}")
