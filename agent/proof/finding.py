"""What a proof reports: findings, the report, and the one failure the model cannot fix."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning", "note"]


@dataclass(frozen=True)
class Finding:
    """One problem of a plan: a stable code, the path of the offending item, and what to do."""

    code: str
    path: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        return f"{self.severity} {self.code} at {self.path}: {self.message}"

    def to_dict(self) -> dict[str, str]:
        """Return the finding as a JSON-ready dict."""
        return {
            "code": self.code,
            "path": self.path,
            "message": self.message,
            "severity": self.severity,
        }


@dataclass(frozen=True)
class ProofReport:
    """The outcome of proving a plan; `passed` when no finding is an error."""

    findings: list[Finding]
    duration_s: float
    database: str
    dialect: str = "postgresql"
    ran_database: bool = True
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return not self.errors

    @property
    def errors(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == "error"]

    def to_dict(self) -> dict[str, Any]:
        """Return the report as a JSON-ready dict."""
        return {
            "passed": self.passed,
            "dialect": self.dialect,
            "database": self.database,
            "ran_database": self.ran_database,
            "duration_s": round(self.duration_s, 3),
            "findings": [finding.to_dict() for finding in self.findings],
        }


class ProofUnavailable(Exception):
    """The proof database could not start or be reached; the model cannot fix this."""
