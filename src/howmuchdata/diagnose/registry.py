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

#: Finding kinds that are not check names, and the check that finds each: asking for the kind
#: runs that check (kept here, not read from the checks' ``kinds``, so no check module loads).
KIND_CHECKS: dict[str, str] = {
    "saturated": "data_limited",
    "high_variance": "overfitting",
    "leakage": "duplicates",
}

#: The checks that read a learning curve (``"curve"`` in their ``requires``): their findings
#: name the curve in ``evidence["model"]`` on the command line, and go when it is measured
#: again (see :func:`howmuchdata.result.merge_sections`). Kept here so no check module loads.
CURVE_CHECKS: frozenset[str] = frozenset(
    {"data_limited", "overfitting", "capacity_limited", "params_per_example", "class_needs_data"}
)

#: Inputs a kind needs beyond its check's ``requires``: copies across group ids need groups.
KIND_REQUIRES: dict[str, tuple[str, ...]] = {"leakage": ("groups",)}


def check_names() -> str:
    """The names ``--check`` / ``checks=`` take, as one line for messages and help."""
    kinds = ", ".join(f"{kind} (runs {check})" for kind, check in KIND_CHECKS.items())
    return f"{', '.join(CHECKS)}, or a finding kind: {kinds}"


def resolve_check(name: str) -> str:
    """The registered check behind ``name``: a check name, or a finding kind it produces.

    Raises
    ------
    HowMuchDataError
        When ``name`` is neither.
    """
    if name in CHECKS:
        return name
    if name in KIND_CHECKS:
        return KIND_CHECKS[name]
    raise HowMuchDataError(f"unknown check {name!r}; use one of: {check_names()}")


def get_check(name: str) -> Check:
    """Instantiate the registered check ``name`` (or the check that finds the kind ``name``)."""
    module_name, _, class_name = CHECKS[resolve_check(name)].partition(":")
    return getattr(importlib.import_module(module_name), class_name)()
