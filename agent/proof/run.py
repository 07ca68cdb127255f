"""prove(): static checks, then the migration cycle, the design match and query coverage."""

from __future__ import annotations

import logging
import time
from typing import cast

from agent.plan import DatabasePlan, Dialect
from agent.proof.catalog import snapshot
from agent.proof.checks import static_checks
from agent.proof.database import Database, dialect_of, scratch
from agent.proof.design import compare
from agent.proof.explain import check_query, prepare
from agent.proof.finding import Finding, ProofReport, ProofUnavailable
from agent.proof.migrate import apply, run_cycle
from agent.proof.seed import Seeder
from agent.sql import baseline_sql, metadata, migrations_sql

logger = logging.getLogger(__name__)


def prove(plan: DatabasePlan, dialect: str | None = None, dsn: str | None = None) -> ProofReport:
    """Prove `plan` on a fresh database; static errors stop it before the database starts."""
    began = time.perf_counter()
    dialect = _dialect(plan, dialect, dsn)
    findings = static_checks(plan, dialect)
    if any(f.severity == "error" for f in findings):
        return ProofReport(
            findings, time.perf_counter() - began, "none (static checks failed)", dialect, False
        )

    timings: dict[str, float] = {"static": time.perf_counter() - began}
    with scratch(dialect, dsn) as database:
        timings["database"] = time.perf_counter() - began
        findings += _on_database(plan, database)
        label = database.label
    timings["total"] = time.perf_counter() - began
    logger.info("proof on %s: %d findings in %.2f s", label, len(findings), timings["total"])
    return ProofReport(findings, timings["total"], label, dialect, True, timings)


def _dialect(plan: DatabasePlan, dialect: str | None, dsn: str | None) -> str:
    chosen = dialect or (dialect_of(dsn) if dsn else plan.overview.database)
    if dsn and dialect_of(dsn) != chosen:
        raise ProofUnavailable(
            f"the DSN is for {dialect_of(dsn)} but the proof is for {chosen}: "
            "pass a matching DSN or dialect"
        )
    return chosen


def _on_database(plan: DatabasePlan, database: Database) -> list[Finding]:
    seeder = Seeder(database)
    findings: list[Finding] = []
    dialect = cast(Dialect, database.dialect)
    baseline = baseline_sql(plan, dialect)
    if baseline:
        failed = apply(database, baseline)
        if failed:
            position, error = failed
            return [Finding("baseline-failed", "entities", f"existing tables: {error}")]
        findings += seeder.seed(snapshot(database), "entities")

    cycle = run_cycle(database, migrations_sql(plan, dialect), seeder)
    findings += cycle.findings
    if cycle.built is None:
        return findings

    md = metadata(plan, dialect)
    findings += compare(plan, md, cycle.built, dialect)
    findings += seeder.seed(cycle.built, "migrations")
    prepare(database, cycle.built)
    for q, query in enumerate(plan.queries):
        findings += check_query(database, cycle.built, query.sql, f"queries[{q}].sql")
    return findings
