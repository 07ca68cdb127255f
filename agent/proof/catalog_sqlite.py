"""The catalog of a SQLite database, read from sqlite_master and PRAGMAs."""

from __future__ import annotations

import re

from agent.proof.catalog import Catalog, ColumnInfo, ForeignKeyInfo, IndexInfo, TableInfo
from agent.proof.database import Database

_MASTER = (
    "SELECT type, name, tbl_name, sql FROM sqlite_master "
    "WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _squash(sql: str | None) -> str:
    return re.sub(r"\s+", " ", sql or "").strip()


def snapshot_sqlite(database: Database) -> Catalog:
    """Read tables, keys, indexes, triggers and views of the main database."""
    catalog = Catalog()
    for kind, name, table, sql in database.query(_MASTER):
        if kind == "table":
            catalog.tables[name] = _table(database, name)
            catalog.tables[name].checks = _checks(sql or "")
            _indexes(database, catalog, name)
        elif kind in ("trigger", "view"):
            catalog.objects[f"{kind} {table}.{name}"] = _squash(sql)
    return catalog


def _table(database: Database, name: str) -> TableInfo:
    info = TableInfo(name)
    rows = database.query(f"PRAGMA table_xinfo({_quote(name)})")
    keys = sorted((pk, column) for _, column, _, _, _, pk, _ in rows if pk)
    info.primary_key = tuple(column for _, column in keys)
    for _, column, type_, notnull, default, pk, hidden in rows:
        # A lone INTEGER PRIMARY KEY is the rowid: SQLite fills it.
        rowid = pk and len(keys) == 1 and type_.upper() == "INTEGER"
        generated = bool(rowid or hidden in (2, 3))
        nullable = not notnull and not pk
        info.columns[column] = ColumnInfo(column, type_, nullable, default, generated)

    groups: dict[int, list[tuple[str, str, str, str]]] = {}
    for fk_id, _, ref, source, target, _, on_delete, _ in database.query(
        f"PRAGMA foreign_key_list({_quote(name)})"
    ):
        groups.setdefault(fk_id, []).append((ref, source, target, on_delete))
    for parts in groups.values():
        source_columns = tuple(source for _, source, _, _ in parts)
        info.foreign_keys.append(
            ForeignKeyInfo(
                f"fk_{'_'.join(source_columns)}",
                source_columns,
                parts[0][0],
                tuple(target for _, _, target, _ in parts),
                parts[0][3].upper(),
            )
        )
    return info


def _checks(sql: str) -> dict[str, str]:
    """Return the CHECK clauses of a CREATE TABLE text, numbered in order."""
    checks: dict[str, str] = {}
    for match in re.finditer(r"\bCHECK\s*\(", sql, re.IGNORECASE):
        depth, end = 0, match.end() - 1
        for end in range(match.end() - 1, len(sql)):
            depth += {"(": 1, ")": -1}.get(sql[end], 0)
            if depth == 0:
                break
        checks[f"check_{len(checks) + 1}"] = _squash(sql[match.start() : end + 1])
    return checks


def _indexes(database: Database, catalog: Catalog, table: str) -> None:
    sql_of = dict(
        database.query(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?", [table]
        )
    )
    for _, name, unique, origin, _partial in database.query(f"PRAGMA index_list({_quote(table)})"):
        columns = tuple(row[2] for row in database.query(f"PRAGMA index_info({_quote(name)})"))
        definition = _squash(sql_of.get(name)) or (
            f"{origin} {'UNIQUE ' if unique else ''}({', '.join(str(c) for c in columns)})"
        )
        if origin == "u" and not sql_of.get(name):
            catalog.tables[table].uniques[name] = tuple(str(c) for c in columns)
        catalog.indexes[f"{table}.{name}"] = IndexInfo(
            name, table, columns, bool(unique), origin == "pk", definition
        )
