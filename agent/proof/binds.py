"""Bind parameters of common queries: what each `:name` compares with, and a real value for it.

A `:name` compared with a column gets a value that column actually holds in the seeded
database (a value that exists keeps MySQL from answering "no matching row" instead of a plan);
LIMIT and OFFSET get small numbers; anything else gets a short string.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import re
import uuid
from typing import Any

import sqlglot
from sqlglot import exp

from agent.proof.catalog import Catalog
from agent.proof.database import Database
from agent.proof.seed import _typed, quote
from agent.sql.quiet import quiet_sqlglot

SQLGLOT_DIALECT = {"postgresql": "postgres", "mysql": "mysql", "sqlite": "sqlite"}
_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Like, exp.ILike, exp.In)


def parse(sql: str, dialect: str) -> exp.Expression:
    """Parse one statement with sqlglot; ParseError when it cannot."""
    with quiet_sqlglot():
        return sqlglot.parse_one(sql, read=SQLGLOT_DIALECT[dialect])  # type: ignore[return-value]


def aliases(tree: exp.Expression) -> dict[str, str]:
    """Return alias (or name) -> table name for every table the statement reads."""
    return {table.alias_or_name: table.name for table in tree.find_all(exp.Table)}


def column_table(column: exp.Column, names: dict[str, str], catalog: Catalog) -> str | None:
    """Return the table a column belongs to, resolving aliases and unqualified names."""
    if column.table:
        return names.get(column.table)
    owners = [t for t in set(names.values()) if t in catalog.tables]
    owners = [t for t in owners if column.name in catalog.tables[t].columns]
    return owners[0] if len(owners) == 1 else None


def compared_column(node: exp.Expression) -> exp.Column | None:
    """Return the column on the other side of the comparison `node` takes part in."""
    child, parent = node, node.parent
    while isinstance(parent, exp.DPipe | exp.Paren | exp.Cast | exp.Neg | exp.Lower | exp.Upper):
        child, parent = parent, parent.parent
    if not isinstance(parent, _COMPARISONS):
        return None
    sides = [parent.this, parent.expression] + list(parent.args.get("expressions") or [])
    for side in sides:
        if side is not child and isinstance(side, exp.Column):
            return side
    return None


def constant_filters(tree: exp.Expression, catalog: Catalog) -> set[tuple[str, str]]:
    """Return (table, column) pairs compared with a bind parameter or a literal."""
    names = aliases(tree)
    found = set()
    for node in tree.find_all(exp.Placeholder, exp.Literal):
        column = compared_column(node)
        table = column_table(column, names, catalog) if column is not None else None
        if column is not None and table is not None:
            found.add((table, column.name))
    return found


def bind_values(tree: exp.Expression, database: Database, catalog: Catalog) -> dict[str, str]:
    """Return `name -> SQL literal` for every `:name` of the statement."""
    names = aliases(tree)
    values: dict[str, str] = {}
    for placeholder in tree.find_all(exp.Placeholder):
        name = str(placeholder.name)
        if not name or name in values:
            continue
        if placeholder.find_ancestor(exp.Limit, exp.Offset, exp.Fetch):
            values[name] = "0" if placeholder.find_ancestor(exp.Offset) else "10"
            continue
        column = compared_column(placeholder)
        table = column_table(column, names, catalog) if column is not None else None
        if column is None or table is None or column.name not in catalog.tables[table].columns:
            values[name] = literal("a", database.dialect)
            continue
        values[name] = literal(_sample(database, catalog, table, column.name), database.dialect)
    return values


def _sample(database: Database, catalog: Catalog, table: str, column: str) -> Any:
    """Return a value for `column`: on PostgreSQL a rare one, elsewhere one that exists.

    A value the statistics have not seen makes PostgreSQL price a lookup as cheap as it is on
    a real table; MySQL instead answers "no matching row" for a missing key, so it gets a
    value that exists.
    """
    dialect = database.dialect
    sql = (
        f"SELECT DISTINCT {quote(column, dialect)} FROM {quote(table, dialect)} "
        f"WHERE {quote(column, dialect)} IS NOT NULL"
    )
    try:
        present = [row[0] for row in database.query(sql)]
    except Exception:
        present = []
    if present and dialect != "postgresql":
        return present[0]

    info = catalog.tables[table].columns[column]
    labels = catalog.enum_of(info.type)
    kind = info.type.lower()
    choices: list[Any] = list(labels) if labels else []
    if kind.startswith("bool"):
        choices = [True, False]
    unseen = [value for value in choices if value not in present]
    if unseen or choices:
        return (unseen or choices)[0]
    return _typed(kind, 900_000 + len(present), 0)


def literal(value: Any, dialect: str) -> str:
    """Return `value` written as a SQL literal of the dialect."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE") if dialect == "postgresql" else str(int(value))
    if isinstance(value, int | float | decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return f"'\\x{value.hex()}'" if dialect == "postgresql" else f"X'{value.hex()}'"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        text = value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    elif isinstance(value, dict | list):
        text = json.dumps(value)
    elif isinstance(value, uuid.UUID):
        text = str(value)
    else:
        text = str(value)
    return "'" + text.replace("'", "''") + "'"


_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|`[^`]*`|::|:([A-Za-z_][A-Za-z0-9_]*)")


def substitute(sql: str, values: dict[str, str]) -> str:
    """Return `sql` with each `:name` outside quotes replaced by its literal."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return values.get(name, match.group(0)) if name else match.group(0)

    return _TOKEN.sub(replace, sql)
