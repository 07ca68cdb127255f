"""Indexes created by raw SQL steps: read by a real parser, listed in the document, expected by
the proof's design comparison (and missed when the Ups do not leave them)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from agent.plan import DatabasePlan
from agent.proof import prove
from agent.proof.catalog import snapshot
from agent.proof.database import scratch
from agent.proof.design import compare
from agent.proof.migrate import apply
from agent.render_tables import index_rows
from agent.sql import baseline_sql, metadata, migrations_sql, raw_indexes

ROOT = Path(__file__).resolve().parents[1]
FULL = ROOT / "fixtures" / "designs" / "full.json"


def _design() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FULL.read_text(encoding="utf-8"))
    return data


def _with_raw(sql: str, dialect: str, down: str = "") -> DatabasePlan:
    """The full design plus one last migration of a single raw step."""
    data = copy.deepcopy(_design())
    step = {"action": "raw_sql", "dialect": dialect, "sql": sql, "down_sql": down}
    data["migrations"].append(
        {"id": "099", "title": "Raw indexes", "description": "Search helpers", "operations": [step]}
    )
    return DatabasePlan.model_validate(data)


def test_full_design_has_two_raw_indexes_on_postgresql_only() -> None:
    plan = DatabasePlan.model_validate(_design())
    found = raw_indexes(plan, "postgresql")

    assert [(r.name, r.table, r.migration) for r in found] == [
        ("idx_books_title_lower", "books", "002"),
        ("idx_clubs_name_lower", "clubs", "003"),
    ]
    books, clubs = found
    assert books.columns == (None,) and "lower(title)" in books.keys[0]
    assert "text_pattern_ops" in books.keys[0]
    assert books.where is None and clubs.where == "deleted_at IS NULL"
    assert raw_indexes(plan, "sqlite") == [] and raw_indexes(plan, "mysql") == []


def test_postgresql_unique_partial_method_and_expression() -> None:
    sql = (
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS uq_users_email_lower "
        "ON public.users (lower(email)) WHERE deleted_at IS NULL; "
        "CREATE INDEX idx_books_tags ON books USING gin (tags jsonb_path_ops); "
        "UPDATE books SET title = trim(title)"
    )
    found = raw_indexes(_with_raw(sql, "postgresql"), "postgresql")
    by_name = {r.name: r for r in found}

    email = by_name["uq_users_email_lower"]
    assert (email.table, email.unique, email.method) == ("users", True, "btree")
    assert email.keys == ("(lower(email))",) and email.columns == (None,)
    assert email.where == "deleted_at IS NULL" and email.partial
    assert email.step == (len(_design()["migrations"]), 0)

    tags = by_name["idx_books_tags"]
    assert (tags.unique, tags.method, tags.columns) == (False, "gin", ("tags",))
    assert tags.keys == ("tags jsonb_path_ops",) and not tags.partial


def test_a_later_drop_removes_the_index_and_unnamed_or_unparsed_ones_are_left_out() -> None:
    sql = (
        "CREATE INDEX idx_gone ON books (lower(author)); CREATE INDEX ON books (genre); "
        "DROP INDEX IF EXISTS idx_gone; CREATE INDEX idx_kept ON books (author DESC)"
    )
    found = raw_indexes(_with_raw(sql, "postgresql"), "postgresql")
    names = [r.name for r in found]
    assert "idx_gone" not in names and "idx_kept" in names
    assert next(r for r in found if r.name == "idx_kept").keys == ("author DESC",)

    broken = raw_indexes(_with_raw("CREATE INDEX idx_bad ON (", "postgresql"), "postgresql")
    assert "idx_bad" not in [r.name for r in broken]


@pytest.mark.parametrize("dialect", ["sqlite", "mysql"])
def test_other_databases_are_read_with_sqlglot(dialect: str) -> None:
    sql = (
        "CREATE UNIQUE INDEX uq_books_title_author ON books (title, author); "
        "CREATE INDEX idx_books_lower_title ON books (lower(title), created_at DESC)"
    )
    plan = _with_raw(sql, dialect)
    found = raw_indexes(plan, dialect)  # type: ignore[arg-type]

    assert [r.name for r in found] == ["uq_books_title_author", "idx_books_lower_title"]
    pair, lowered = found
    assert pair.unique and pair.columns == ("title", "author") and pair.method == "btree"
    assert not lowered.unique and lowered.columns == (None, "created_at")
    assert lowered.keys[0].lower() == "lower(title)" and lowered.keys[1] == "created_at DESC"
    assert raw_indexes(plan, "postgresql") == raw_indexes(
        DatabasePlan.model_validate(_design()), "postgresql"
    )


def test_sqlite_partial_index_keeps_its_predicate() -> None:
    sql = "CREATE INDEX idx_clubs_live_name ON clubs (lower(name)) WHERE deleted_at IS NULL"
    (index,) = raw_indexes(_with_raw(sql, "sqlite"), "sqlite")
    assert index.partial and index.where == "deleted_at IS NULL" and index.columns == (None,)


def test_indexes_table_lists_the_raw_indexes_with_their_migration() -> None:
    rows = index_rows(DatabasePlan.model_validate(_design()))
    raw = [row for row in rows if "raw SQL" in row[3]]

    assert [(row[0], row[1]) for row in raw] == [
        ("books", "idx_books_title_lower"),
        ("clubs", "idx_clubs_name_lower"),
    ]
    assert raw[1][2].endswith("WHERE deleted_at IS NULL") and "partial" in raw[1][3]
    assert raw[0][4].endswith("(migration 002)")


def _built_sqlite(plan: DatabasePlan, drop: str | None = None) -> list[Any]:
    """Run the baseline and every Up on SQLite (dropping `drop` after), then compare."""
    with scratch("sqlite") as database:
        statements = baseline_sql(plan, "sqlite")
        for migration in migrations_sql(plan, "sqlite"):
            statements += migration.up
        assert apply(database, statements) is None
        if drop is not None:
            database.execute(f"DROP INDEX {drop}")
        return compare(plan, metadata(plan, "sqlite"), snapshot(database), "sqlite")


def test_design_comparison_expects_raw_indexes_and_misses_a_lost_one() -> None:
    sql = "CREATE UNIQUE INDEX uq_clubs_lower_name ON clubs (lower(name)) WHERE deleted_at IS NULL"
    plan = _with_raw(sql, "sqlite")
    assert [f for f in _built_sqlite(plan) if f.code == "design-mismatch"] == []

    (lost,) = [f for f in _built_sqlite(plan, drop="uq_clubs_lower_name")]
    assert lost.code == "design-mismatch" and lost.severity == "error"
    assert lost.path == f"migrations[{len(plan.migrations) - 1}].operations[0]"
    assert "uq_clubs_lower_name" in lost.message


def test_reference_design_proves_without_design_mismatch() -> None:
    report = prove(DatabasePlan.model_validate(_design()))
    assert report.passed
    assert [f for f in report.findings if f.code == "design-mismatch"] == []
