"""SQLAlchemy tables of a design, whole or as they stand after a given migration step."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.types import TypeEngine

from agent.plan import Column, DatabasePlan, Dialect, Entity, Index
from agent.sql import naming
from agent.sql.ledger import Ledger, Position, index_key


class PlanSQLError(ValueError):
    """The design cannot be written as SQL for this database; the message says what to fix."""


def column_type(
    column: Column, plan: DatabasePlan, table: str, dialect: Dialect
) -> TypeEngine[Any]:
    """Return the SQLAlchemy type of a column of `table` on `dialect` (variants per database)."""
    kind = column.type
    if kind == "uuid":
        # CHAR(32) hex outside PostgreSQL, as SQLModel and SQLAlchemy's ORM write and compare it.
        return sa.Uuid()
    if kind == "string":
        return sa.String(column.length)
    if kind == "numeric":
        return sa.Numeric(column.precision, column.scale)
    if kind == "timestamp":
        # MySQL DATETIME keeps no zone; the design stores UTC, with microseconds like PostgreSQL.
        return sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql")
    if kind == "json":
        return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    if kind == "enum":
        check = naming.enum_check_name(table, column.name) if dialect == "sqlite" else None
        return _enum_type(plan, column.enum or "", check)
    return _SIMPLE_TYPES[kind]()


_SIMPLE_TYPES: dict[str, type[TypeEngine[Any]]] = {
    "text": sa.Text,
    "integer": sa.Integer,
    "bigint": sa.BigInteger,
    "boolean": sa.Boolean,
    "float": sa.Double,
    "date": sa.Date,
}


def _enum_type(plan: DatabasePlan, name: str, check: str | None) -> sa.Enum:
    """Return the native enum type, or (given a `check` name) VARCHAR with that CHECK."""
    enum = next((e for e in plan.enums if e.name == name), None)
    if enum is None:
        raise PlanSQLError(f"enum {name!r} is used by a column but not listed in enums: add it")
    if check is None:
        return sa.Enum(*enum.values, name=enum.name)
    # A non-native Enum's name names only its CHECK, so it carries the ck_ name.
    return sa.Enum(*enum.values, name=check, native_enum=False, create_constraint=True)


def server_default(column: Column, dialect: Dialect) -> Any:
    """Return the server default of `column` on `dialect`, or None."""
    default = column.default
    if default is None:
        return None
    if default.kind == "new_uuid":
        # Only PostgreSQL has a built-in UUID generator every supported version shares; the ORM
        # fills the key elsewhere.
        return sa.text("gen_random_uuid()") if dialect == "postgresql" else None
    if default.kind == "now":
        return sa.text(_NOW[dialect] if column.type == "timestamp" else _TODAY[dialect])
    if isinstance(default.value, bool):
        truth = ("true", "false") if dialect == "postgresql" else ("1", "0")
        return sa.text(truth[0] if default.value else truth[1])
    if isinstance(default.value, int | float):
        return sa.text(repr(default.value))
    return str(default.value)


_NOW = {
    "postgresql": "CURRENT_TIMESTAMP",
    "mysql": "CURRENT_TIMESTAMP(6)",
    "sqlite": "CURRENT_TIMESTAMP",
}
_TODAY = {"postgresql": "CURRENT_DATE", "mysql": "(CURRENT_DATE)", "sqlite": "CURRENT_DATE"}


def build_metadata(
    plan: DatabasePlan, dialect: Dialect, ledger: Ledger | None = None, upto: Position | None = None
) -> sa.MetaData:
    """Return the tables of `plan`: whole, or (with a ledger) as they stand after `upto`.

    Tables not created by `upto` are included whole, so foreign keys to them still resolve.
    """
    md = sa.MetaData()
    for entity in plan.entities:
        home = ledger.tables.get(entity.table) if ledger else None
        stand = upto if ledger and upto is not None and home is not None and home <= upto else None
        _table(md, plan, entity, dialect, ledger if stand else None, stand)
    for index in plan.indexes:
        _index(md, index, ledger, upto)
    return md


def _exists(home: Position | None, upto: Position | None) -> bool:
    return upto is None or (home is not None and home <= upto)


def _table(
    md: sa.MetaData,
    plan: DatabasePlan,
    entity: Entity,
    dialect: Dialect,
    ledger: Ledger | None,
    upto: Position | None,
) -> sa.Table:
    table = entity.table
    columns = [
        c
        for c in entity.columns
        if not ledger or _exists(ledger.columns.get((table, c.name)), upto)
    ]
    constraints: list[sa.Constraint] = []
    keys = [c.name for c in columns if c.primary_key]
    if keys:
        constraints.append(sa.PrimaryKeyConstraint(*keys, name=naming.primary_key_name(table)))

    for column in columns:
        for kind in ("unique", "check", "foreign_key"):
            home = ledger.constraints.get((table, column.name, kind)) if ledger else None
            if ledger and not _exists(home, upto):
                continue
            constraint = column_constraint(table, column, kind)
            if constraint is not None:
                constraints.append(constraint)

    sa_columns = [
        sa.Column(
            c.name,
            column_type(c, plan, table, dialect),
            nullable=c.nullable and not c.primary_key,
            server_default=server_default(c, dialect),
            autoincrement=False if c.foreign_key or c.type not in ("integer", "bigint") else "auto",
        )
        for c in columns
    ]
    return sa.Table(table, md, *sa_columns, *constraints)


def column_constraint(table: str, column: Column, kind: str) -> sa.Constraint | None:
    """Return the named constraint of `kind` that `column` declares, or None."""
    if kind == "unique" and column.unique:
        return sa.UniqueConstraint(column.name, name=naming.unique_name(table, [column.name]))
    if kind == "check" and column.check is not None:
        return sa.CheckConstraint(sa.text(column.check), name=naming.check_name(table, column.name))
    if kind == "foreign_key" and column.foreign_key is not None:
        target = column.foreign_key
        return sa.ForeignKeyConstraint(
            [column.name],
            [f"{target.table}.{target.column}"],
            name=naming.foreign_key_name(table, column.name, target.table),
            ondelete=None if target.on_delete == "NO ACTION" else target.on_delete,
            onupdate=None if target.on_update == "NO ACTION" else target.on_update,
        )
    return None


def _index(md: sa.MetaData, index: Index, ledger: Ledger | None, upto: Position | None) -> None:
    table = md.tables.get(index.table)
    if table is None or any(c.name not in table.c for c in index.columns):
        return
    if ledger and upto is not None and not _exists(ledger.indexes.get(index_key(index)), upto):
        return

    expressions = [
        table.c[c.name].desc() if c.order == "desc" else table.c[c.name] for c in index.columns
    ]
    options: dict[str, Any] = {}
    if index.kind != "btree":
        options["postgresql_using"] = index.kind
    if index.where is not None:
        options["postgresql_where"] = sa.text(index.where)
        options["sqlite_where"] = sa.text(index.where)
    sa.Index(naming.index_name(index), *expressions, unique=index.unique, **options)
