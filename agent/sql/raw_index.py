"""Indexes that raw SQL steps create: what the index schema cannot say (expressions, opclasses).

`raw_indexes(plan, dialect)` reads the CREATE [UNIQUE] INDEX statements of the raw_sql steps
that run on `dialect`, parsed by a real SQL parser: pglast (PostgreSQL's own grammar) on
PostgreSQL, sqlglot elsewhere. The list is what the Ups leave behind: an index a later raw step
drops is left out, and so is an unnamed index, whose name is the database's choice. A statement
the parser cannot read is skipped with a debug line: running the migrations, not this reader,
is what reports bad SQL.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pglast
import sqlglot
from pglast import ast
from pglast.enums import ObjectType
from pglast.parser import ParseError
from pglast.stream import RawStream
from sqlglot import exp

from agent.plan import DatabasePlan, Dialect
from agent.sql.quiet import quiet_sqlglot

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RawIndex:
    """One index a raw SQL step creates, as its statement declares it."""

    name: str
    table: str
    unique: bool
    keys: tuple[str, ...]
    columns: tuple[str | None, ...]
    method: str
    where: str | None
    migration: str
    step: tuple[int, int]

    @property
    def partial(self) -> bool:
        """True for an index over the rows a WHERE predicate selects."""
        return self.where is not None


@dataclass(frozen=True)
class _Step:
    migration: str
    position: tuple[int, int]


# What one statement does, in statement order: an index it creates, or the name it drops.
_Event = RawIndex | str


def raw_indexes(plan: DatabasePlan, dialect: Dialect) -> list[RawIndex]:
    """Return the indexes the raw_sql steps for `dialect` create and leave, in apply order."""
    found: dict[str, RawIndex] = {}
    for m, migration in enumerate(plan.migrations):
        for o, operation in enumerate(migration.operations):
            if operation.action != "raw_sql" or operation.dialect not in ("any", dialect):
                continue
            read = _postgres if dialect == "postgresql" else _other
            for event in read(operation.sql or "", dialect, _Step(migration.id, (m, o))):
                if isinstance(event, RawIndex):
                    found[event.name.lower()] = event
                else:
                    found.pop(event.lower(), None)
    return list(found.values())


def _postgres(sql: str, dialect: Dialect, step: _Step) -> list[_Event]:
    try:
        statements = pglast.parse_sql(sql)
    except ParseError as error:
        logger.debug("migration %s: raw SQL not parsed (%s)", step.migration, error)
        return []

    events: list[_Event] = []
    for raw in statements:
        statement = raw.stmt
        if isinstance(statement, ast.IndexStmt) and statement.idxname and statement.relation:
            events.append(_from_pglast(statement, statement.idxname, statement.relation, step))
        elif (
            isinstance(statement, ast.DropStmt) and statement.removeType == ObjectType.OBJECT_INDEX
        ):
            events += [names[-1].sval for names in statement.objects or ()]
    return events


def _from_pglast(
    statement: ast.IndexStmt, name: str, relation: ast.RangeVar, step: _Step
) -> RawIndex:
    params = statement.indexParams or ()
    where = statement.whereClause
    return RawIndex(
        name=name,
        table=str(relation.relname),
        unique=bool(statement.unique),
        keys=tuple(RawStream()(param) for param in params),
        columns=tuple(param.name for param in params),
        method=(statement.accessMethod or "btree").lower(),
        where=RawStream()(where) if where is not None else None,
        migration=step.migration,
        step=step.position,
    )


def _other(sql: str, dialect: Dialect, step: _Step) -> list[_Event]:
    try:
        with quiet_sqlglot():
            statements = sqlglot.parse(sql, read=dialect)
    except sqlglot.errors.SqlglotError as error:
        logger.debug("migration %s: raw SQL not parsed (%s)", step.migration, error)
        return []

    events: list[_Event] = []
    for statement in statements:
        if isinstance(statement, exp.Create) and isinstance(statement.this, exp.Index):
            events.append(_from_sqlglot(statement, dialect, step))
        elif isinstance(statement, exp.Drop) and str(statement.args.get("kind")).upper() == "INDEX":
            events += [table.name for table in statement.args.get("tables") or []]
    return events


def _from_sqlglot(statement: exp.Create, dialect: Dialect, step: _Step) -> RawIndex:
    index = statement.this
    params = index.args.get("params") or exp.IndexParameters()
    keys = params.args.get("columns") or []
    where = params.args.get("where")
    using = params.args.get("using")
    return RawIndex(
        name=index.name,
        table=index.args["table"].name,
        unique=bool(statement.args.get("unique")),
        keys=tuple(key.sql(dialect=dialect) for key in keys),
        columns=tuple(_column(key) for key in keys),
        method=using.name.lower() if using is not None else "btree",
        where=where.this.sql(dialect=dialect) if where is not None else None,
        migration=step.migration,
        step=step.position,
    )


def _column(key: exp.Expression) -> str | None:
    """Return the column a key indexes whole, None for an expression."""
    inner = key.this if isinstance(key, exp.Ordered) else key
    return inner.name if isinstance(inner, exp.Column) else None
