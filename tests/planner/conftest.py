"""A test double for the Extrapolation interface: a known analytic curve.

score(n) = c - a * n**-b with a known normal spread ``sd`` around it, so optimum sizes,
probabilities and the size where a target is reached have closed forms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from scipy import stats


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
