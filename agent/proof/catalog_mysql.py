"""The catalog of a MySQL/MariaDB database, read from information_schema."""

from __future__ import annotations

from agent.proof.catalog import Catalog, ColumnInfo, ForeignKeyInfo, IndexInfo, TableInfo
from agent.proof.database import Database

_COLUMNS = """
SELECT c.TABLE_NAME, c.COLUMN_NAME, c.COLUMN_TYPE, c.IS_NULLABLE = 'YES', c.COLUMN_DEFAULT,
       c.EXTRA LIKE '%%auto_increment%%' OR c.EXTRA LIKE '%%GENERATED%%'
FROM information_schema.COLUMNS c
JOIN information_schema.TABLES t
  ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
WHERE c.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE = 'BASE TABLE'
ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION
"""

_KEYS = """
SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, t.CONSTRAINT_TYPE, k.COLUMN_NAME,
       k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, r.DELETE_RULE
FROM information_schema.KEY_COLUMN_USAGE k
JOIN information_schema.TABLE_CONSTRAINTS t
  ON t.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND t.TABLE_NAME = k.TABLE_NAME
 AND t.CONSTRAINT_NAME = k.CONSTRAINT_NAME
LEFT JOIN information_schema.REFERENTIAL_CONSTRAINTS r
  ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME
 AND r.TABLE_NAME = k.TABLE_NAME
WHERE k.TABLE_SCHEMA = DATABASE()
ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION
"""

_CHECKS = """
SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = DATABASE()
"""

_INDEXES = """
SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE = 0, COLUMN_NAME, SUB_PART, INDEX_TYPE
FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()
ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX
"""

_OBJECTS = """
SELECT CONCAT('trigger ', EVENT_OBJECT_TABLE, '.', TRIGGER_NAME),
       CONCAT(ACTION_TIMING, ' ', EVENT_MANIPULATION, ' ', ACTION_STATEMENT)
FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()
UNION ALL
SELECT CONCAT(LOWER(ROUTINE_TYPE), ' ', ROUTINE_NAME), MD5(ROUTINE_DEFINITION)
FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()
UNION ALL
SELECT CONCAT('view ', TABLE_NAME), VIEW_DEFINITION
FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE()
"""


def snapshot_mysql(database: Database) -> Catalog:
    """Read tables, keys, indexes, triggers, routines and views of the current database."""
    catalog = Catalog()
    for table, name, type_, nullable, default, generated in database.query(_COLUMNS):
        info = catalog.tables.setdefault(table, TableInfo(table))
        # MariaDB spells "no default" as the word NULL (a string default comes quoted).
        default = None if default == "NULL" else default
        info.columns[name] = ColumnInfo(name, type_, bool(nullable), default, bool(generated))

    _keys(database, catalog)
    for table, name, clause in database.query(_CHECKS):
        catalog.tables[table].checks[name] = clause

    grouped: dict[tuple[str, str], list[tuple[object, ...]]] = {}
    for row in database.query(_INDEXES):
        grouped.setdefault((row[0], row[1]), []).append(row)
    for (table, name), rows in grouped.items():
        columns = tuple(str(row[3]) if row[3] is not None else None for row in rows)
        parts = [
            f"{c}({row[4]})" if row[4] else str(c) for c, row in zip(columns, rows, strict=False)
        ]
        unique = bool(rows[0][2])
        definition = f"{'UNIQUE ' if unique else ''}{rows[0][5]} ({', '.join(parts)})"
        catalog.indexes[f"{table}.{name}"] = IndexInfo(
            name, table, columns, unique, name == "PRIMARY", definition
        )

    catalog.objects = {key: value or "" for key, value in database.query(_OBJECTS)}
    return catalog


def _keys(database: Database, catalog: Catalog) -> None:
    grouped: dict[tuple[str, str], list[tuple[object, ...]]] = {}
    for row in database.query(_KEYS):
        grouped.setdefault((row[0], row[1]), []).append(row)

    for (table, name), rows in grouped.items():
        info = catalog.tables[table]
        columns = tuple(str(row[3]) for row in rows)
        kind = rows[0][2]
        if kind == "PRIMARY KEY":
            info.primary_key = columns
        elif kind == "UNIQUE":
            info.uniques[name] = columns
        elif kind == "FOREIGN KEY":
            refs = tuple(str(row[5]) for row in rows)
            info.foreign_keys.append(
                ForeignKeyInfo(name, columns, str(rows[0][4]), refs, str(rows[0][6]))
            )
