"""Indexes and the ordered migrations whose operations create the design."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, model_validator

from agent.plan.shape import Closed, check_identifier, check_text

IndexKind = Literal["btree", "hash", "gin", "gist", "brin"]

_MIGRATION_ID = re.compile(r"^[0-9]{3}$")


class IndexColumn(Closed):
    name: str = Field(description="Column name.")
    order: Literal["asc", "desc"] = Field(default="asc", description="Sort order in the index.")


class Index(Closed):
    table: str = Field(description="Table the index is on.")
    columns: list[IndexColumn] = Field(
        description="Indexed columns in order (the leading column serves prefix lookups)."
    )
    kind: IndexKind = Field(
        default="btree",
        description="Access method. btree almost always; hash for equality-only lookups; "
        "gin for json / arrays / full text; gist and brin rarely. Non-btree kinds apply on "
        "PostgreSQL only (other databases use their default).",
    )
    unique: bool = Field(default=False, description="True for a unique index (uq_ prefix).")
    where: str | None = Field(
        default=None,
        description="Partial index condition as a SQL boolean expression (e.g. "
        "'is_active = true'), PostgreSQL and SQLite only; omitted for a full index.",
    )
    purpose: str = Field(default="", description="The query this index serves, in a few words.")

    @model_validator(mode="after")
    def _shape(self) -> Index:
        check_identifier(self.table, "index table")
        if not self.columns:
            raise ValueError(f"index on {self.table!r} has no columns: list them")
        for column in self.columns:
            check_identifier(column.name, f"index on {self.table!r}: column")
        if self.where is not None:
            check_text(self.where, f"index on {self.table!r}: where")
        return self


class IndexRef(Closed):
    table: str = Field(description="Table of the index.")
    columns: list[str] = Field(description="Column names of the index, in its order.")


Action = Literal["create_table", "add_column", "create_index", "add_constraint", "raw_sql"]

_NEEDS: dict[str, tuple[str, ...]] = {
    "create_table": ("table",),
    "add_column": ("table", "column"),
    "create_index": ("table", "columns"),
    "add_constraint": ("table", "column", "constraint"),
    "raw_sql": ("dialect", "sql", "down_sql"),
}
_OPTIONAL_FIELDS = ("table", "column", "columns", "constraint", "dialect", "sql", "down_sql")


class Operation(Closed):
    action: Action = Field(
        description="'create_table' creates an entity with its columns, constraints and "
        "indexes, except those a later operation adds; 'add_column' adds one column of an "
        "entity (with its constraints) to a table that exists; 'create_index' creates one "
        "index of the plan's indexes; 'add_constraint' adds a column's unique, check or "
        "foreign key constraint to a table that exists; 'raw_sql' runs SQL the other actions "
        "cannot express (an extension, a trigger, a data backfill) with its own down_sql. "
        "Code writes the SQL and the Down of all actions but raw_sql."
    )
    table: str | None = Field(
        default=None, description="Table, for every action but raw_sql; omitted for raw_sql."
    )
    column: str | None = Field(
        default=None, description="Column, for add_column and add_constraint; omitted otherwise."
    )
    columns: list[str] | None = Field(
        default=None,
        description="For create_index: the index's column names in order, identifying an "
        "entry of indexes on that table; omitted otherwise.",
    )
    constraint: Literal["unique", "check", "foreign_key"] | None = Field(
        default=None,
        description="For add_constraint: which constraint of the column to add; omitted otherwise.",
    )
    dialect: Literal["postgresql", "mysql", "sqlite", "any"] | None = Field(
        default=None,
        description="For raw_sql: the database the SQL is written for ('any' if portable); "
        "the step is skipped on other databases. Omitted otherwise.",
    )
    sql: str | None = Field(
        default=None,
        description="For raw_sql: the Up statement(s), separated by ';'; omitted otherwise.",
    )
    down_sql: str | None = Field(
        default=None,
        description="For raw_sql: the statement(s) that undo sql (may be empty when nothing "
        "needs undoing, e.g. a backfill of a column the Down drops); omitted otherwise.",
    )

    @model_validator(mode="after")
    def _fields_match_action(self) -> Operation:
        needed = _NEEDS[self.action]
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise ValueError(f"operation {self.action} needs {', '.join(missing)}")
        extra = [n for n in _OPTIONAL_FIELDS if n not in needed and getattr(self, n) is not None]
        if extra:
            raise ValueError(f"operation {self.action} takes no {', '.join(extra)}: leave them out")
        if self.action == "create_index" and not self.columns:
            raise ValueError("operation create_index has an empty columns list")
        if self.action == "raw_sql":
            check_text(self.sql or "", "raw_sql sql")
        return self


class Migration(Closed):
    id: str = Field(description="Three-digit sequence number: '001', '002', ... in apply order.")
    title: str = Field(description="Short title, e.g. 'Create users table'.")
    description: str = Field(default="", description="Why this migration exists, in one line.")
    operations: list[Operation] = Field(
        description="Steps in apply order; tables before the tables that reference them. The "
        "Down runs the reverse."
    )

    @model_validator(mode="after")
    def _shape(self) -> Migration:
        if not _MIGRATION_ID.match(self.id):
            raise ValueError(f"migration id {self.id!r} must be three digits like '001'")
        check_text(self.title, f"migration {self.id} title")
        if not self.operations:
            raise ValueError(f"migration {self.id} has no operations: list them")
        return self
