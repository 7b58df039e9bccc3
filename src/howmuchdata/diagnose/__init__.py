"""Diagnosis: what holds the model back, each finding with its evidence and one action.

>>> findings = diagnose(curve, X, y)            # doctest: +SKIP
>>> [f.kind for f in findings]                   # doctest: +SKIP
['label_noise', 'data_limited']

Each check is one module with the same shape (see :class:`~howmuchdata.diagnose.registry.Check`)
registered by name in :data:`~howmuchdata.diagnose.registry.CHECKS`. Checks read a shared
:class:`~howmuchdata.diagnose.context.DiagnosisContext`, which computes the out-of-fold
probabilities and the model's input space once.
"""

from howmuchdata.diagnose.api import check_inputs, diagnose, diagnosis_context, run_checks
from howmuchdata.diagnose.context import DiagnoseOptions, DiagnosisContext
from howmuchdata.diagnose.finding import KINDS, SEVERITIES, Finding, sort_findings
from howmuchdata.diagnose.registry import CHECKS, KIND_CHECKS, Check, get_check

__all__ = [
    "CHECKS",
    "KINDS",
    "KIND_CHECKS",
    "SEVERITIES",
    "Check",
    "DiagnoseOptions",
    "DiagnosisContext",
    "Finding",
    "check_inputs",
    "diagnose",
    "diagnosis_context",
    "get_check",
    "run_checks",
    "sort_findings",
]
