"""Live-safety lint of PostgreSQL migrations with squawk, under this project's severity map.

Only statements that touch a table which existed before the migration are linted: a table
created in the same migration is empty and unseen, so its locks cost nothing.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path

from agent.proof.finding import Finding, Severity

logger = logging.getLogger(__name__)

# Rules whose statement blocks writes to a live table (or rewrites it) while it runs.
BLOCKING = frozenset(
    {
        "require-concurrent-index-creation",
        "require-concurrent-index-deletion",
        "adding-required-field",
        "adding-not-nullable-field",
        "adding-field-with-default",
        "adding-serial-primary-key-field",
        "changing-column-type",
        "constraint-missing-not-valid",
        "adding-foreign-key-constraint",
        "disallowed-unique-constraint",
        "ban-alter-domain-with-add-constraint",
        "ban-concurrent-index-creation-in-transaction",
    }
)
# Rules about taste or long-term hygiene; reported, never failing.
STYLE = frozenset(
    {
        "prefer-text-field",
        "prefer-bigint-over-int",
        "prefer-bigint-over-smallint",
        "prefer-identity",
        "prefer-timestamp-tz",
        "ban-char-field",
    }
)
# Rules about how the deploy tool runs statements (timeouts, retries), not about the design.
EXCLUDED = ("prefer-robust-stmts", "require-timeout-settings", "transaction-nesting")


def severity_of(rule: str) -> Severity:
    """Return this project's severity for a squawk rule; unknown rules warn."""
    if rule in BLOCKING:
        return "error"
    return "note" if rule in STYLE else "warning"


def squawk_binary() -> str | None:
    """Return the squawk executable from PATH or next to this interpreter."""
    found = shutil.which("squawk")
    if found:
        return found
    beside = Path(sys.executable).parent / "squawk"
    return str(beside) if beside.exists() else None


def existing_targets(statements: list[str], existing: set[str]) -> list[tuple[int, str]]:
    """Return (position, statement) of the statements that act on a table in `existing`."""
    from pglast import parse_sql

    chosen = []
    for position, statement in enumerate(statements):
        try:
            parsed = parse_sql(statement)
        except Exception:  # a statement pglast cannot read is reported by the run itself
            continue
        for raw in parsed:
            relation = getattr(raw.stmt, "relation", None)
            name = getattr(relation, "relname", None)
            if name in existing and type(raw.stmt).__name__ != "CreateStmt":
                chosen.append((position, statement))
                break
    return chosen


def lint(statements: list[tuple[int, str]], path: str, pg_version: str = "") -> list[Finding]:
    """Return squawk's findings for the numbered statements of one migration's Up."""
    if not statements:
        return []
    binary = squawk_binary()
    if binary is None:
        return [
            Finding(
                "lint-unavailable",
                path,
                "squawk is not installed: pip install squawk-cli",
                "warning",
            )
        ]

    text, lines = _script(statements)
    command = [binary, "--reporter", "json", "--stdin-filepath", "migration.sql"]
    command += [f"--exclude={rule}" for rule in EXCLUDED]
    if pg_version:
        command.append(f"--pg-version={pg_version}")
    result = subprocess.run(command, input=text, capture_output=True, text=True, check=False)
    try:
        violations = json.loads(result.stdout or "[]")
    except json.JSONDecodeError:
        message = (result.stderr or result.stdout).strip()[:300]
        return [Finding("lint-unavailable", path, f"squawk failed: {message}", "warning")]

    findings = []
    for violation in violations:
        rule = violation.get("rule_name", "unknown")
        position = lines[min(int(violation.get("line", 0)), len(lines) - 1)]
        help_text = f" {violation['help']}" if violation.get("help") else ""
        findings.append(
            Finding(
                "live-unsafe" if severity_of(rule) == "error" else "live-style",
                f"{path}.up[{position}]",
                f"squawk {rule}: {violation.get('message', '')}{help_text}",
                severity_of(rule),
            )
        )
    return findings


def _script(statements: list[tuple[int, str]]) -> tuple[str, list[int]]:
    """Return the SQL script and, per line of it, the position of the statement it belongs to."""
    parts, lines = [], []
    for position, statement in statements:
        body = statement.strip().rstrip(";") + ";"
        parts.append(body)
        lines += [position] * (body.count("\n") + 1)
    return "\n".join(parts) + "\n", lines
