"""Every fixture design's migrations apply in order, and their Downs undo them, on real databases.

The proof does this and more (catalog snapshots, seeded rows, queries); this test states the
plain property on its own: Ups in order, Downs in reverse, and the database is back to what it
was before (empty, or the baseline of the tables that already exist).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.plan import DatabasePlan
from agent.proof.database import Database, scratch
from agent.sql import baseline_sql, migrations_sql

DESIGNS = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "designs").glob("*.json"))
TABLES = {
    "postgresql": "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
}
OBJECTS = {
    "postgresql": "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = 'public' UNION ALL SELECT typname FROM pg_type t "
    "JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' AND t.typtype = 'e'",
    "sqlite": "SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'",
}


@pytest.fixture(scope="module")
def postgres() -> Iterator[Database]:
    with scratch("postgresql") as database:
        yield database


def objects(database: Database) -> list[str]:
    return sorted(row[0] for row in database.query(OBJECTS[database.dialect]))


def up_and_down(database: Database, plan: DatabasePlan) -> tuple[list[str], list[str], list[str]]:
    """Apply baseline, Ups, Downs; return the objects before, at the top, and after."""
    for statement in baseline_sql(plan, database.dialect):
        database.execute(statement)
    before = objects(database)

    migrations = migrations_sql(plan, database.dialect)
    for migration in migrations:
        for statement in migration.up:
            database.execute(statement)
    top = objects(database)

    for migration in reversed(migrations):
        for statement in migration.down:
            database.execute(statement)
    return before, top, objects(database)


def clear(database: Database, plan: DatabasePlan) -> None:
    """Drop the baseline so the next design starts from an empty database."""
    for table in reversed([e.table for e in plan.entities if e.status != "new"]):
        database.execute(f'DROP TABLE IF EXISTS "{table}" CASCADE')
    assert objects(database) == []


@pytest.mark.parametrize("design", DESIGNS, ids=lambda path: path.stem)
def test_migrations_go_up_and_down_on_postgresql(design: Path, postgres: Database) -> None:
    # A design for another database runs here too; its raw steps for that database are skipped.
    plan = DatabasePlan.model_validate_json(design.read_bytes())

    before, top, after = up_and_down(postgres, plan)

    assert after == before
    new_tables = {e.table for e in plan.entities if e.status == "new"}
    assert new_tables <= set(top) and not new_tables & set(after)
    clear(postgres, plan)


@pytest.mark.parametrize("design", DESIGNS, ids=lambda path: path.stem)
def test_migrations_go_up_and_down_on_sqlite(design: Path) -> None:
    plan = DatabasePlan.model_validate_json(design.read_bytes())

    with scratch("sqlite") as database:
        before, top, after = up_and_down(database, plan)

    assert after == before
    existing = {e.table for e in plan.entities if e.status != "new"}
    assert set(before) >= existing
    assert {e.table for e in plan.entities} <= set(top)
