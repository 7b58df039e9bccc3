"""The strategy lab: which way of needing less data works on *this* data, in labels saved.

:func:`compare` measures the learning curve of the baseline and of each strategy on the same
splits, extrapolates each, and tabulates for chosen target scores the labeled samples every
strategy needs against the baseline (:class:`Comparison.labels_saved`), plus the sizes where the
best strategy changes. One module per family: :mod:`.simpler`, :mod:`.transfer`,
:mod:`.augment`, :mod:`.semi`, :mod:`.active`, :mod:`.fewshot`, :mod:`.synthetic`,
:mod:`.ensemble`; the arithmetic is in :mod:`.labels_saved`.
"""

from howmuchdata.strategies.compare import Comparison, compare
from howmuchdata.strategies.labels_saved import crossovers, labels_saved_table
from howmuchdata.strategies.registry import FAMILIES

__all__ = ["FAMILIES", "Comparison", "compare", "crossovers", "labels_saved_table"]
