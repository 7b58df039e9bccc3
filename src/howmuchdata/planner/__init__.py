"""The planner: how many labels to buy, at what cost, with what chance — before and during collection.

- :func:`minimum_sample_size`: before any data, the criteria of Riley et al.
- :func:`plan`: from a measured curve (via its extrapolation), the cost/value table and the
  recommendation for the next round.
- :func:`next_purchase` / :func:`simulate_collection`: the round-by-round decision, and a
  simulator that runs it against a curve whose future is known.
"""

from __future__ import annotations

from howmuchdata.planner.criteria import SampleSize, minimum_sample_size
from howmuchdata.planner.decision import Economics
from howmuchdata.planner.plan import Plan, plan, plan_before_data
from howmuchdata.planner.rounds import (
    Collection,
    PurchasePolicy,
    next_purchase,
    simulate_collection,
)

__all__ = [
    "Collection",
    "Economics",
    "Plan",
    "PurchasePolicy",
    "SampleSize",
    "minimum_sample_size",
    "next_purchase",
    "plan",
    "plan_before_data",
    "simulate_collection",
]
