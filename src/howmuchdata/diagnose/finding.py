"""The one value every diagnosis check returns: a :class:`Finding`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from howmuchdata.result import to_jsonable

Severity = Literal["info", "warning", "critical"]

#: The fixed ``kind`` names (tools read them), in the order used to break severity ties:
#: problems that make the measurement itself untrustworthy first, then what limits the model.
KINDS: tuple[str, ...] = (
    "leakage",
    "label_noise",
    "duplicates",
    "drift",
    "overfitting",
    "capacity_limited",
    "data_limited",
    "class_needs_data",
    "subgroup_underperforms",
    "imbalance",
    "params_per_example",
    "high_variance",
    "saturated",
)

#: Severities from least to most important.
SEVERITIES: tuple[str, ...] = ("info", "warning", "critical")


@dataclass(frozen=True)
class Finding:
    """One thing that holds the model back, with the numbers behind it and what to do.

    Parameters
    ----------
    kind : str
        One of :data:`KINDS`, e.g. ``"label_noise"``.
    severity : {"info", "warning", "critical"}
        How urgently it should be acted on.
    evidence : Mapping
        The numbers behind the finding (JSON-serialisable once passed through
        :func:`howmuchdata.result.to_jsonable`).
    advice : str
        One concrete action, with numbers, e.g. ``"about 6% of labels look wrong: review
        the 120 rows in label_issues.csv first"``.
    """

    kind: str
    severity: Severity
    evidence: Mapping[str, Any] = field(default_factory=dict)
    advice: str = ""

    def __post_init__(self) -> None:
        # Wrong kinds or severities are programming errors in a check, not user errors.
        if self.kind not in KINDS:
            raise ValueError(f"unknown finding kind {self.kind!r}; expected one of {KINDS}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}; expected one of {SEVERITIES}")

    @property
    def rank(self) -> tuple[int, int]:
        """Sort key: most important first (higher severity, then :data:`KINDS` order)."""
        return (-SEVERITIES.index(self.severity), KINDS.index(self.kind))

    def to_dict(self) -> dict[str, Any]:
        """The finding as a plain JSON-ready dict ``{kind, severity, evidence, advice}``."""
        return {
            "kind": self.kind,
            "severity": self.severity,
            "evidence": to_jsonable(dict(self.evidence)),
            "advice": self.advice,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        """Rebuild a finding written by :meth:`to_dict` (e.g. read back from result.json)."""
        return cls(
            kind=data["kind"],
            severity=data["severity"],
            evidence=dict(data.get("evidence") or {}),
            advice=data.get("advice", ""),
        )

    def __str__(self) -> str:
        return f"[{self.severity}] {self.kind}: {self.advice}"


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Return ``findings`` most important first (stable for equal ranks)."""
    return sorted(findings, key=lambda f: f.rank)
