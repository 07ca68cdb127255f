"""SQL of a database design, written by SQLAlchemy's DDL compiler for each database.

`metadata(plan)` is the final schema; `migrations_sql` gives each migration's Up and Down;
`baseline_sql` creates the tables that already exist, as they were before the migrations;
`derived_names` lists every constraint and index name; `raw_indexes` reads the indexes
that raw SQL steps create.

Choices where databases differ:
- timestamps are TIMESTAMP WITH TIME ZONE on PostgreSQL, DATETIME(6) holding UTC on MySQL
  (TIMESTAMP would stop in 2038), DATETIME on SQLite; 'now' is CURRENT_TIMESTAMP (with the
  column's precision on MySQL);
- UUIDs are native on PostgreSQL with gen_random_uuid() as default; elsewhere CHAR(32) of hex
  digits without hyphens, filled by the ORM, because that is how SQLAlchemy's Uuid type (and
  so SQLModel) binds and compares them: rows written by SQL must match what the ORM looks up;
  JSON is JSONB on PostgreSQL;
- on PostgreSQL, indexes and constraints added to a table that exists before the migrations
  (it has rows and traffic) take the forms that let writes go on (agent/sql/live.py): indexes
  CONCURRENTLY, which must run outside a transaction, checks and foreign keys NOT VALID then
  VALIDATE, unique constraints through a concurrent unique index;
- enums are CREATE TYPE on PostgreSQL, inline ENUM on MySQL (strict mode refuses other
  values), VARCHAR with a CHECK ck_<table>_<column>_enum on the values on SQLite;
- partial indexes exist on PostgreSQL and SQLite; MySQL gets a full index (noted), and a
  unique partial index is refused there;
- SQLite cannot ALTER TABLE ... ADD CONSTRAINT: a unique constraint becomes a unique index, a
  check or foreign key is refused unless it arrives with its column (inlined in ADD COLUMN);
- Down drops each table its migration created once, with what is on it, and undoes every other
  part one by one in exact reverse; drops carry no IF EXISTS, so a wrong Down fails loudly;
- raw SQL steps run verbatim (one statement string each) on their database or on 'any', and
  are skipped elsewhere with a line in `MigrationSQL.notes`.
"""

from __future__ import annotations

import sqlalchemy as sa

from agent.plan import DatabasePlan, Dialect
from agent.sql.ddl import MigrationSQL, baseline_sql, migrations_sql
from agent.sql.naming import (
    DerivedName,
    check_name,
    derived_names,
    enum_check_name,
    foreign_key_name,
    index_name,
    primary_key_name,
    shorten,
    unique_name,
)
from agent.sql.raw_index import RawIndex, raw_indexes
from agent.sql.schema import PlanSQLError, build_metadata

__all__ = [
    "DerivedName",
    "MigrationSQL",
    "PlanSQLError",
    "baseline_sql",
    "check_name",
    "derived_names",
    "enum_check_name",
    "foreign_key_name",
    "index_name",
    "metadata",
    "migrations_sql",
    "primary_key_name",
    "RawIndex",
    "raw_indexes",
    "shorten",
    "unique_name",
]


def metadata(plan: DatabasePlan, dialect: Dialect | None = None) -> sa.MetaData:
    """Return the final schema of `plan`, with server defaults for `dialect` (default: plan's)."""
    return build_metadata(plan, dialect or plan.overview.database)
