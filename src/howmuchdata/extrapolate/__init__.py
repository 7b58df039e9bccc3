"""Learning-curve extrapolation with calibrated intervals.

``extrapolate(sizes, scores)`` fits the LCDB curve families (:mod:`.families`) robustly
(:mod:`.fitting`), corrects their average with a model learned across public LCDB curves
(:mod:`.learned`), detects ill-behaved shapes (:mod:`.shapes`), and returns an
:class:`Extrapolation` that answers predictions, intervals, sizes for a target and the ceiling.
"""

from howmuchdata.extrapolate.core import extrapolate
from howmuchdata.extrapolate.extrapolation import Extrapolation
from howmuchdata.extrapolate.families import ALL_MODELS, FAMILIES, LAST_VALUE

__all__ = ["ALL_MODELS", "FAMILIES", "LAST_VALUE", "Extrapolation", "extrapolate"]
