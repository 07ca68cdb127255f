"""SQL of a database design, written by SQLAlchemy's DDL compiler for each database.

`metadata(plan)` is the final schema; `migrations_sql` gives each migration's Up and Down;
`baseline_sql` creates the tables that already exist, as they were before the migrations.
Raw SQL steps written for another database are skipped (and listed in `MigrationSQL.skipped`).
"""

from __future__ import annotations

import sqlalchemy as sa

from agent.plan import DatabasePlan, Dialect
from agent.sql.ddl import MigrationSQL, baseline_sql, migrations_sql
from agent.sql.naming import (
    check_name,
    foreign_key_name,
    index_name,
    primary_key_name,
    shorten,
    unique_name,
)
from agent.sql.schema import PlanSQLError, build_metadata

__all__ = [
    "MigrationSQL",
    "PlanSQLError",
    "baseline_sql",
    "check_name",
    "foreign_key_name",
    "index_name",
    "metadata",
    "migrations_sql",
    "primary_key_name",
    "shorten",
    "unique_name",
]


def metadata(plan: DatabasePlan, dialect: Dialect | None = None) -> sa.MetaData:
    """Return the final schema of `plan`, with server defaults for `dialect` (default: plan's)."""
    return build_metadata(plan, dialect or plan.overview.database)
