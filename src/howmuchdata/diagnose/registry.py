"""The check registry: check name -> ``"module:Class"``.

Adding a check touches one new module under ``howmuchdata.diagnose`` and one line here.
Modules are imported on first use, so a heavy dependency (cleanlab) loads only when its
check runs.
"""

from __future__ import annotations

import importlib
from typing import Protocol

from howmuchdata.diagnose.context import DiagnosisContext
from howmuchdata.diagnose.finding import Finding
from howmuchdata.errors import HowMuchDataError


class Check(Protocol):
    """The shape every check has.

    Attributes
    ----------
    name : str
        Registry name.
    kinds : tuple of str
        The finding kinds it can return.
    requires : tuple of str
        Inputs it needs (see :meth:`DiagnosisContext.has`); it is skipped without them.
    """

    name: str
    kinds: tuple[str, ...]
    requires: tuple[str, ...]

    def run(self, ctx: DiagnosisContext) -> list[Finding]:
        """Return the findings (possibly none) for this context."""
        ...


CHECKS: dict[str, str] = {
    "data_limited": "howmuchdata.diagnose.data_limited:DataLimitedCheck",
    "overfitting": "howmuchdata.diagnose.overfitting:OverfittingCheck",
    "capacity_limited": "howmuchdata.diagnose.capacity_limited:CapacityLimitedCheck",
    "params_per_example": "howmuchdata.diagnose.params_per_example:ParamsPerExampleCheck",
    "class_needs_data": "howmuchdata.diagnose.class_needs_data:ClassNeedsDataCheck",
    "subgroup_underperforms": "howmuchdata.diagnose.subgroup:SubgroupCheck",
    "label_noise": "howmuchdata.diagnose.label_noise:LabelNoiseCheck",
    "duplicates": "howmuchdata.diagnose.duplicates:DuplicatesCheck",
    "imbalance": "howmuchdata.diagnose.imbalance:ImbalanceCheck",
    "drift": "howmuchdata.diagnose.drift:DriftCheck",
}


def get_check(name: str) -> Check:
    """Instantiate the registered check ``name``."""
    if name not in CHECKS:
        raise HowMuchDataError(f"unknown check {name!r}; use one of: {', '.join(CHECKS)}")
    module_name, _, class_name = CHECKS[name].partition(":")
    return getattr(importlib.import_module(module_name), class_name)()
