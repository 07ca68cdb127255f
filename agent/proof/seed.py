"""Synthetic rows for every table, read off the live catalog, so data-dependent failures show.

Parents are filled before children and children point at real parent rows. Only what must be
given is given: key columns the database does not fill, NOT NULL columns without a default,
and unique columns; everything else keeps its default or NULL, so CHECK constraints and
defaults of the design do their own work.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from agent.proof.catalog import Catalog, ColumnInfo, TableInfo
from agent.proof.database import Database
from agent.proof.finding import Finding

ROWS_PER_TABLE = 3
_BASE_TIME = dt.datetime(2024, 1, 1, 8, 0, 0)
_LENGTH = re.compile(r"\((\d+)(?:\s*,\s*(\d+))?\)")
_LITERAL = re.compile(r"'((?:[^']|'')*)'")


def quote(name: str, dialect: str) -> str:
    """Return `name` quoted as an identifier of the dialect."""
    if dialect == "mysql":
        return "`" + name.replace("`", "``") + "`"
    return '"' + name.replace('"', '""') + '"'


class Seeder:
    """Inserts rows table by table; its counter keeps unique values distinct across rounds."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.counter = 0

    def seed(self, catalog: Catalog, path: str) -> list[Finding]:
        """Insert a few rows into every table of `catalog`; return a warning per table refused."""
        findings = []
        for table in _parents_first(catalog):
            error = self._fill(catalog, catalog.tables[table])
            if error:
                findings.append(
                    Finding(
                        "seed-failed",
                        path,
                        f"could not insert sample rows into {table}: {error}",
                        "warning",
                    )
                )
        return findings

    def _fill(self, catalog: Catalog, table: TableInfo) -> str | None:
        unique = {c for columns in table.unique_sets(catalog.indexes) for c in columns}
        columns = [c for c in table.columns.values() if _must_fill(c, unique, table)]
        references = {
            fk: self._parent_rows(fk.ref_table, fk.ref_columns) for fk in table.foreign_keys
        }
        # Rows of earlier rounds took the first parents; new rows take the next ones, so
        # junction tables keep distinct pairs.
        start = self._count(table.name)
        rows = []
        for number in range(start, start + ROWS_PER_TABLE):
            row: dict[str, Any] = {c.name: self._value(catalog, table, c) for c in columns}
            for fk, parents in references.items():
                if not any(name in row for name in fk.columns):
                    continue
                if fk.ref_table == table.name and set(fk.ref_columns) <= set(row):
                    parent = tuple(row[name] for name in fk.ref_columns)
                elif parents:
                    parent = parents[number % len(parents)]
                else:
                    return f"its parent table {fk.ref_table} has no rows"
                row.update(zip(fk.columns, parent, strict=False))
            rows.append(row)
        return self._insert(table.name, [c.name for c in columns], rows)

    def _parent_rows(self, table: str, columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
        names = ", ".join(quote(c, self.database.dialect) for c in columns)
        sql = f"SELECT {names} FROM {quote(table, self.database.dialect)} ORDER BY {names}"
        try:
            return self.database.query(sql)
        except Exception:  # the parent's own failure is already reported
            return []

    def _count(self, table: str) -> int:
        try:
            rows = self.database.query(
                f"SELECT COUNT(*) FROM {quote(table, self.database.dialect)}"
            )
        except Exception:
            return 0
        return int(rows[0][0])

    def _insert(self, table: str, columns: list[str], rows: list[dict[str, Any]]) -> str | None:
        dialect = self.database.dialect
        target = quote(table, dialect)
        if not columns:
            empty = "() VALUES ()" if dialect == "mysql" else "DEFAULT VALUES"
            statements: list[tuple[str, list[Any] | None]] = [
                (f"INSERT INTO {target} {empty}", None)
            ] * len(rows)
        else:
            names = ", ".join(quote(c, dialect) for c in columns)
            markers = "(" + ", ".join([self.database.marker] * len(columns)) + ")"
            sql = f"INSERT INTO {target} ({names}) VALUES " + ", ".join([markers] * len(rows))
            params = [row[c] for row in rows for c in columns]
            statements = [(sql, params)]
        try:
            for sql, values in statements:
                self.database.execute(sql, values)
        except Exception as error:
            return _first_line(error)
        return None

    def _value(self, catalog: Catalog, table: TableInfo, column: ColumnInfo) -> Any:
        self.counter += 1
        allowed = _allowed_literals(table, column.name)
        if allowed:
            return allowed[self.counter % len(allowed)]
        bounded = _bounded(table, column.name, self.counter)
        if bounded is not None:
            return bounded
        labels = catalog.enum_of(column.type)
        if labels:
            return labels[self.counter % len(labels)]
        position = list(table.columns).index(column.name)
        kind = column.type.lower()
        mention = re.compile(rf"json_valid\(\W*{re.escape(column.name)}\W*\)", re.IGNORECASE)
        if any(mention.search(check) for check in table.checks.values()):
            kind = "json"  # MariaDB stores JSON as LONGTEXT checked by json_valid()
        return _typed(kind, self.counter, position)


def _must_fill(column: ColumnInfo, unique: set[str], table: TableInfo) -> bool:
    if column.generated or (column.default or "").lower().startswith("nextval("):
        return False
    if column.name in table.primary_key:
        return column.default is None or column.name in unique
    required = not column.nullable and column.default is None
    return required or (column.name in unique and not column.nullable)


def _typed(kind: str, k: int, position: int) -> Any:
    """Return a sample value of the SQL type `kind`, distinct for each `k`."""
    size = _LENGTH.search(kind)
    length = int(size.group(1)) if size else None
    moment = _BASE_TIME + dt.timedelta(days=k, hours=position)
    if kind.startswith("tinyint(1)") or kind.startswith("bool"):
        return k % 2 == 0
    if "int" in kind and "interval" not in kind and "point" not in kind:
        return k % 100 + 1 if kind.startswith("tinyint") else k
    if kind.startswith(("numeric", "decimal")):
        digits = (length or 10) - int(size.group(2) or 0) if size else 6
        return str(k % (10 ** max(digits, 1)))
    if kind.startswith(("real", "double", "float")):
        return k + 0.5
    if kind.startswith("uuid") or length == 36 or (length == 32 and "char" in kind):
        value = uuid.UUID(int=k)
        return value.hex if length == 32 else str(value)
    if kind.startswith("timestamp") or kind.startswith("datetime"):
        return moment.isoformat(sep=" ")
    if kind.startswith("date"):
        return moment.date().isoformat()
    if kind.startswith("time"):
        return moment.time().isoformat()
    if kind.startswith("interval"):
        return f"{k} days"
    if "json" in kind:
        return f'{{"sample": {k}}}'
    if any(word in kind for word in ("bytea", "blob", "binary")):
        return bytes([k % 256])
    if kind.endswith("[]"):
        return "{}"
    text = f"sample-{k}"
    return text if length is None or len(text) <= length else str(k)[-length:]


def _allowed_literals(table: TableInfo, column: str) -> list[str]:
    """Return the string literals a CHECK on `column` alone lists (an IN list), if any."""
    for definition in table.checks.values():
        words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", _LITERAL.sub("", definition)))
        others = (words & set(table.columns)) - {column}
        if column in words and not others:
            literals = [value.replace("''", "'") for value in _LITERAL.findall(definition)]
            if len(literals) > 1:
                return literals
    return []


def _bounded(table: TableInfo, column: str, k: int) -> int | None:
    """Return a number inside the bounds a CHECK on `column` alone sets (BETWEEN, <, >)."""
    for definition in table.checks.values():
        words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", definition))
        if column not in words or (words & set(table.columns)) - {column}:
            continue
        numbers = [int(n) for n in re.findall(r"(?<![\w.])-?\d+(?![\w.])", definition)]
        if len(numbers) >= 2:
            low, high = min(numbers), max(numbers)
            return low + k % (high - low + 1)
        if len(numbers) == 1:
            return numbers[0] - 1 - k % 10 if "<" in definition else numbers[0] + 1 + k
    return None


def _parents_first(catalog: Catalog) -> list[str]:
    """Return table names so that every referenced table comes before its referrers."""
    order: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in order or name in visiting or name not in catalog.tables:
            return
        visiting.add(name)
        for fk in catalog.tables[name].foreign_keys:
            if fk.ref_table != name:
                visit(fk.ref_table)
        visiting.discard(name)
        order.append(name)

    for name in sorted(catalog.tables):
        visit(name)
    return order


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
