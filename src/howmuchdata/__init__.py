"""howmuchdata: how much training data does my model need, and how can I need less?

The public API (stable; other tools and benchmarks call it)::

    import howmuchdata as hmd

    curve = hmd.learning_curve(estimator, X, y, groups=None, time=None, sizes=None, repeats=5)
    ext = hmd.extrapolate(sizes, scores)
    findings = hmd.diagnose(curve, X, y)
    plan = hmd.plan(ext, target=0.92, cost_per_label=4.5)
    need = hmd.minimum_sample_size("binary", prevalence=0.17, parameters=24, r2_cs=0.29)

Names are imported on first use, so ``import howmuchdata`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    "HowMuchDataError": "howmuchdata.errors",
    "learning_curve": "howmuchdata.curve",
    "LearningCurve": "howmuchdata.curve",
    "extrapolate": "howmuchdata.extrapolate",
    "Extrapolation": "howmuchdata.extrapolate",
    "diagnose": "howmuchdata.diagnose",
    "Finding": "howmuchdata.diagnose",
    "plan": "howmuchdata.planner",
    "Plan": "howmuchdata.planner",
    "next_purchase": "howmuchdata.planner",
    "simulate_collection": "howmuchdata.planner",
    "minimum_sample_size": "howmuchdata.planner",
    "compare": "howmuchdata.strategies",
    "Comparison": "howmuchdata.strategies",
}

__all__ = sorted(_EXPORTS) + ["__version__"]

if TYPE_CHECKING:  # pragma: no cover
    from howmuchdata.errors import HowMuchDataError  # noqa: F401


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'howmuchdata' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
