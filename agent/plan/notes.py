"""The prose sections of the design: overview, queries, constraint notes, decisions, sources."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from agent.plan.migration import IndexRef
from agent.plan.shape import Closed, Dialect


class Overview(Closed):
    database: Dialect = Field(
        description="Target database. 'mysql' also covers MariaDB. Take it from "
        "context/stack_analysis.md or the existing code; PostgreSQL when nothing says."
    )
    orm: Literal["sqlmodel", "sqlalchemy", "other"] = Field(
        default="sqlmodel",
        description="ORM the models are written for: 'sqlmodel' (default), 'sqlalchemy' "
        "(2.0 declarative, Mapped[...]), or 'other' with its name in orm_name.",
    )
    orm_name: str | None = Field(
        default=None,
        description="Name of the ORM when orm is 'other' (e.g. 'Prisma', 'Django ORM'); "
        "omitted otherwise.",
    )
    naming_convention: str = Field(
        default="snake_case tables (plural), snake_case columns",
        description="Naming convention for tables and columns, following the existing code "
        "(e.g. 'snake_case tables, plural names').",
    )
    summary: str = Field(
        default="",
        description="Two or three sentences: what the schema stores and what it adds.",
    )

    @model_validator(mode="after")
    def _orm_name_matches(self) -> Overview:
        if self.orm == "other" and not (self.orm_name or "").strip():
            raise ValueError("orm is 'other' but orm_name is empty: name the ORM")
        return self


class Query(Closed):
    name: str = Field(description="What the query does, e.g. 'List a user's posts'.")
    sql: str = Field(description="The SQL for the target database, with named parameters as :name.")
    parameters: list[str] = Field(
        default_factory=list, description="Parameter names used in sql, without the colon."
    )
    indexes: list[IndexRef] = Field(
        default_factory=list,
        description="Indexes of the plan the query relies on (empty when the primary key is "
        "enough).",
    )


class ConstraintNote(Closed):
    table: str = Field(description="Table of the constraint.")
    columns: list[str] = Field(description="Column(s) the constraint is on.")
    type: Literal["primary_key", "unique", "foreign_key", "check", "not_null"] = Field(
        description="Kind of constraint, as declared on the columns or by a unique index."
    )
    purpose: str = Field(description="Why it exists, e.g. 'No duplicate emails'.")


class Decision(Closed):
    topic: str = Field(
        description="e.g. 'Soft delete', 'Timestamps', 'UUIDs vs integers', 'Cascade behavior', "
        "'Denormalization'."
    )
    decision: str = Field(description="What was chosen, in one sentence.")
    rationale: list[str] = Field(description="Reasons, one short bullet each.")


class CrossReference(Closed):
    label: str = Field(description="e.g. 'API Contracts'.")
    path: str = Field(description="Path relative to the workdir, e.g. 'plan/api_contracts.md'.")


class Assumption(Closed):
    input: str = Field(description="The missing or silent input, e.g. 'plan/architecture.md'.")
    assumption: str = Field(description="What the design assumes in its place.")
