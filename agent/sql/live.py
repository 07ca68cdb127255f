"""PostgreSQL forms that change a table holding live rows without blocking its writes.

A table of the baseline already has rows and traffic. A plain CREATE INDEX blocks its writes
while the index builds, and a plain ADD CONSTRAINT checks every row under a lock that blocks
them too. On such a table code writes instead:
- CREATE [UNIQUE] INDEX CONCURRENTLY, undone by DROP INDEX CONCURRENTLY (both refuse to run
  inside a transaction);
- a unique constraint as a unique index built concurrently, then adopted by
  ADD CONSTRAINT ... UNIQUE USING INDEX (its DROP CONSTRAINT drops the index too);
- a check or foreign key as ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT, which
  reads the old rows under a lock that lets writes go on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import AddConstraint, CreateIndex, DropConstraint

Compile = Callable[[Any], str]
Pair = tuple[str, str | None]

_PREPARER = postgresql.dialect().identifier_preparer


def concurrently(index: sa.Index, table: str) -> str:
    """Mark `index` to be built and dropped CONCURRENTLY; return the note that says so."""
    index.dialect_kwargs["postgresql_concurrently"] = True
    return (
        f"index {index.name}: built and dropped CONCURRENTLY on the existing table {table} so "
        "writes go on; run these statements outside a transaction (autocommit)"
    )


def constraint_steps(
    compile_: Compile, table: sa.Table, constraint: sa.Constraint
) -> tuple[list[Pair], str]:
    """Return the (Up, Down) statements that add `constraint` to live `table`, and a note."""
    quoted = _PREPARER.format_table(table)
    name = _PREPARER.format_constraint(constraint)
    drop = compile_(DropConstraint(constraint))
    if isinstance(constraint, sa.UniqueConstraint):
        index = sa.Index(str(constraint.name), *constraint.columns, unique=True)
        index.dialect_kwargs["postgresql_concurrently"] = True
        steps: list[Pair] = [
            (compile_(CreateIndex(index)), None),
            (f"ALTER TABLE {quoted} ADD CONSTRAINT {name} UNIQUE USING INDEX {name}", drop),
        ]
        note = (
            f"constraint {constraint.name}: its unique index is built CONCURRENTLY on the "
            f"existing table {table.name}, then adopted; run it outside a transaction "
            "(autocommit)"
        )
        return steps, note

    constraint.dialect_kwargs["postgresql_not_valid"] = True
    steps = [
        (compile_(AddConstraint(constraint)), drop),
        (f"ALTER TABLE {quoted} VALIDATE CONSTRAINT {name}", None),
    ]
    note = (
        f"constraint {constraint.name}: added NOT VALID to the existing table {table.name}, "
        "then validated, so the check of its rows lets writes go on"
    )
    return steps, note
