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
