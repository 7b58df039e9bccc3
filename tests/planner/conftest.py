"""A test double for the Extrapolation interface: a known analytic curve.

score(n) = c - a * n**-b with a known normal spread ``sd`` around it, so optimum sizes,
probabilities and the size where a target is reached have closed forms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from scipy import stats

from howmuchdata.result import update_result


@dataclass
class PowerCurve:
    a: float = 2.0
    b: float = 0.5
    c: float = 0.95
    sd: float = 0.01
    direction: str = "increase"
    n_max: int = 1000
    score_range: tuple = (0.0, 1.0)  # accuracy-like, as an Extrapolation of accuracy says

    def predict(self, n):
        return self.c - self.a * np.asarray(n, dtype=float) ** (-self.b)

    def interval(self, n, level=0.8):
        z = stats.norm.ppf(0.5 + level / 2)
        m = self.predict(n)
        return m - z * self.sd, m + z * self.sd

    def size_for(self, target, level=None):
        def solve(t):
            return np.inf if t >= self.c else float(((self.c - t) / self.a) ** (-1.0 / self.b))

        if level is None:
            return solve(target)
        z = stats.norm.ppf(0.5 + level / 2)
        return solve(target - z * self.sd), solve(target + z * self.sd)

    @property
    def asymptote(self):
        return self.c

    def asymptote_interval(self, level=0.8):
        z = stats.norm.ppf(0.5 + level / 2)
        return self.c - z * self.sd, self.c + z * self.sd


@pytest.fixture
def power_curve() -> PowerCurve:
    return PowerCurve()


@pytest.fixture
def run_dir(tmp_path):
    """A run folder with an accuracy curve of logreg measured up to 1,600 rows."""
    rng = np.random.default_rng(0)
    points = []
    for size in (50, 100, 200, 400, 800, 1600):
        for rep in range(5):
            score = 0.95 - 1.5 * size**-0.5 + rng.normal(0, 0.004)
            points.append(
                {"model": "logreg", "size": size, "repeat": rep, "val_score": score, "status": "ok"}
            )
    meta = {"model": "logreg", "greater_is_better": True, "scoring": "accuracy", "n_samples": 20000}
    update_result(tmp_path, "curve", points=points, curves=[meta])
    return tmp_path
