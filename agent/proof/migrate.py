"""The migration cycle on a real database: Up with seeded rows, Down to each snapshot, Up again.

For each migration in order: snapshot, apply Up, seed every table, snapshot. Then each Down
in reverse must restore exactly the snapshot taken before its Up, and all Ups applied again
must build the same catalog. The first statement that fails stops the cycle: what follows
would only repeat it.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field

from agent.proof.catalog import Catalog, differences, snapshot
from agent.proof.database import Database
from agent.proof.finding import Finding
from agent.proof.lint import existing_targets, lint
from agent.proof.seed import Seeder
from agent.sql import MigrationSQL


@dataclass
class Cycle:
    """What the cycle leaves behind: findings, and the catalog all Ups built (None if stopped)."""

    findings: list[Finding] = field(default_factory=list)
    built: Catalog | None = None


def split(sql: str, dialect: str) -> list[str]:
    """Return the statements of a script (raw steps may hold several)."""
    if dialect == "postgresql":
        import pglast

        try:
            return [s for s in pglast.split(sql, with_parser=False) if s.strip()]
        except Exception:
            return [sql]
    if dialect == "sqlite":
        statements, current = [], ""
        for piece in re.split(r"(?<=;)", sql):
            current += piece
            if sqlite3.complete_statement(current):
                statements.append(current.strip().rstrip(";"))
                current = ""
        return [s for s in [*statements, current.strip()] if s]
    return [s.strip() for s in re.split(r";\s*(?=(?:[^']*'[^']*')*[^']*$)", sql) if s.strip()]


def apply(database: Database, statements: list[str]) -> tuple[int, str] | None:
    """Run statements in order; return (position, error) of the first that fails."""
    for position, statement in enumerate(statements):
        for part in split(statement, database.dialect):
            try:
                database.execute(part)
            except Exception as error:
                text = str(error).strip()
                return position, text.splitlines()[0] if text else type(error).__name__
    return None


def run_cycle(database: Database, migrations: list[MigrationSQL], seeder: Seeder) -> Cycle:
    """Apply, seed, undo and re-apply every migration; report what went wrong."""
    cycle = Cycle()
    before: list[Catalog] = []
    current = snapshot(database)
    for m, migration in enumerate(migrations):
        path = f"migrations[{m}]"
        before.append(current)
        failed = apply(database, migration.up)
        if failed:
            cycle.findings.append(_failure("migration-failed", path, "up", migration, failed))
            return cycle
        if database.dialect == "postgresql":
            targets = existing_targets(migration.up, set(current.tables))
            version = str(database.connection.info.server_version // 10000)
            cycle.findings += lint(targets, path, version)
        # Rows change no catalog entry, so this snapshot is also the next migration's "before".
        current = snapshot(database)
        cycle.findings += seeder.seed(current, path)

    built = current
    for m in reversed(range(len(migrations))):
        path = f"migrations[{m}]"
        failed = apply(database, migrations[m].down)
        if failed:
            cycle.findings.append(_failure("down-failed", path, "down", migrations[m], failed))
            return cycle
        lost = differences(before[m], snapshot(database))
        if lost:
            cycle.findings.append(
                Finding(
                    "down-incomplete",
                    path,
                    f"the Down of migration {migrations[m].id} does not restore the schema "
                    f"as it was before its Up: {'; '.join(lost[:6])}",
                )
            )
            return cycle

    for m, migration in enumerate(migrations):
        failed = apply(database, migration.up)
        if failed:
            cycle.findings.append(
                _failure("reapply-failed", f"migrations[{m}]", "up", migration, failed)
            )
            return cycle
    again = snapshot(database)
    changed = differences(built, again)
    if changed:
        cycle.findings.append(
            Finding(
                "reapply-differs",
                "migrations",
                f"applying the Ups again builds another schema: {'; '.join(changed[:6])}",
            )
        )
    cycle.built = again
    return cycle


def _failure(
    code: str, path: str, side: str, migration: MigrationSQL, failed: tuple[int, str]
) -> Finding:
    position, error = failed
    statements = migration.up if side == "up" else migration.down
    statement = " ".join(statements[position].split())[:160]
    return Finding(
        code,
        f"{path}.{side}[{position}]",
        f"migration {migration.id} {side.title()} failed on `{statement}`: {error}",
    )
