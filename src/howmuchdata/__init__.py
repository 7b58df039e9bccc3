"""howmuchdata: how much training data does my model need, and how can I need less?

The public API (stable; other tools and benchmarks call it)::

    import howmuchdata as hmd

    curve = hmd.learning_curve(estimator, X, y, groups=None, time=None, sizes=None, repeats=5)
    ext = hmd.extrapolate(sizes, scores)
    findings = hmd.diagnose(curve, X, y)
    comparison = hmd.compare(X, y, strategies=["baseline", "simpler", "semi"])
    plan = hmd.plan(ext, target=0.92, cost_per_label=4.5)
    need = hmd.minimum_sample_size("binary", prevalence=0.17, parameters=24, r2_cs=0.29)
"""

# The names are imported eagerly, not lazily: ``extrapolate`` and ``diagnose`` are both a
# subpackage and a function, and importing the subpackage rebinds the package attribute to
# the module. Binding the functions here, after the subpackages are imported, settles it.
from howmuchdata.curve import LearningCurve, learning_curve
from howmuchdata.diagnose import Finding, diagnose
from howmuchdata.errors import HowMuchDataError
from howmuchdata.extrapolate import Extrapolation, extrapolate
from howmuchdata.planner import (
    Plan,
    minimum_sample_size,
    next_purchase,
    plan,
    simulate_collection,
)
from howmuchdata.strategies import Comparison, compare

__version__ = "0.1.0"

__all__ = [
    "Comparison",
    "Extrapolation",
    "Finding",
    "HowMuchDataError",
    "LearningCurve",
    "Plan",
    "__version__",
    "compare",
    "diagnose",
    "extrapolate",
    "learning_curve",
    "minimum_sample_size",
    "next_purchase",
    "plan",
    "simulate_collection",
]
