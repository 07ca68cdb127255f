"""The built catalog against the design: every table, column, key and index, and nothing else."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite

from agent.plan import DatabasePlan, Dialect
from agent.proof.catalog import Catalog
from agent.proof.finding import Finding, Severity
from agent.sql import RawIndex, raw_indexes

_SA_DIALECTS: dict[str, Any] = {
    "postgresql": postgresql.dialect(),
    "mysql": mysql.dialect(),
    "sqlite": sqlite.dialect(),
}
_TEXT = ("varchar", "character", "char", "text", "nvarchar", "longtext", "mediumtext", "clob")


def family(type_name: str) -> str:
    """Return the family of a SQL type name (integer, text, timestamp, ...), across dialects."""
    t = type_name.lower().strip()
    if t.startswith(("tinyint(1)", "bool")):
        return "boolean"
    if "int" in t and not t.startswith(("interval", "point")):
        return "integer"
    prefixes = [
        (("numeric", "decimal"), "numeric"),
        (("real", "double", "float"), "float"),
        (("timestamp", "datetime"), "timestamp"),
        (("date",), "date"),
        (("time",), "time"),
        (("uuid",), "uuid"),
        (("enum(",), "enum"),
        (_TEXT, "text"),
    ]
    for starts, name in prefixes:
        if t.startswith(starts):
            return name
    return "json" if "json" in t else t.split("(")[0]


def compare(
    plan: DatabasePlan, md: sa.MetaData, catalog: Catalog, dialect: Dialect
) -> list[Finding]:
    """Return a finding for every part of the design the database lacks, or has unasked."""
    paths = _paths(plan)
    raw = raw_indexes(plan, dialect)
    findings: list[Finding] = []

    def add(path: str, message: str, severity: Severity = "error") -> None:
        findings.append(Finding("design-mismatch", path, message, severity))

    for name in sorted(set(catalog.tables) - set(md.tables)):
        add("entities", f"the database has table {name}, which the design does not list")
    for table in md.tables.values():
        path = paths.get(table.name, "entities")
        actual = catalog.tables.get(table.name)
        if actual is None:
            add(path, f"table {table.name} was not built by the migrations")
            continue
        _columns(table, actual, catalog, dialect, paths, add)
        _keys(table, actual, catalog, dialect, path, add, raw)
    _indexes(md, catalog, raw, add)
    return findings


def _columns(table, actual, catalog, dialect, paths, add) -> None:  # type: ignore[no-untyped-def]
    for name in sorted(set(actual.columns) - {c.name for c in table.columns}):
        add(paths.get(table.name, "entities"), f"column {table.name}.{name} is not in the design")
    for column in table.columns:
        path = paths.get(f"{table.name}.{column.name}", "entities")
        built = actual.columns.get(column.name)
        if built is None:
            add(path, f"column {table.name}.{column.name} was not built")
            continue
        wanted = family(str(column.type.compile(dialect=_SA_DIALECTS[dialect])))
        have = family(built.type)
        json_as_text = dialect == "mysql" and wanted == "json" and have == "text"
        if wanted != have and not json_as_text:
            add(path, f"{table.name}.{column.name} is {built.type}, the design says {wanted}")
        if bool(column.nullable) != built.nullable:
            state = "nullable" if built.nullable else "NOT NULL"
            add(path, f"{table.name}.{column.name} is {state} in the database, not in the design")


def _keys(table, actual, catalog, dialect, path, add, raw) -> None:  # type: ignore[no-untyped-def]
    wanted_pk = tuple(c.name for c in table.primary_key.columns)
    if wanted_pk != actual.primary_key:
        add(
            path,
            f"{table.name} primary key is ({', '.join(actual.primary_key)}), "
            f"the design says ({', '.join(wanted_pk)})",
        )

    def action(value: str | None) -> str:
        text = (value or "NO ACTION").upper()
        return "NO ACTION" if dialect == "mysql" and text == "RESTRICT" else text

    wanted = {
        (
            tuple(e.parent.name for e in fk.elements),
            fk.referred_table.name,
            tuple(e.column.name for e in fk.elements),
            action(fk.ondelete),
        )
        for fk in table.foreign_key_constraints
    }
    built = {
        (fk.columns, fk.ref_table, fk.ref_columns, action(fk.on_delete))
        for fk in actual.foreign_keys
    }
    for cols, ref, ref_cols, on_delete in sorted(wanted - built):
        add(
            path,
            f"foreign key {table.name}({', '.join(cols)}) -> {ref}({', '.join(ref_cols)}) "
            f"ON DELETE {on_delete} was not built as designed",
        )
    for cols, ref, _, on_delete in sorted(built - wanted):
        add(
            path,
            f"the database has foreign key {table.name}({', '.join(cols)}) -> {ref} "
            f"ON DELETE {on_delete}, which the design does not have",
        )

    design_unique = {
        tuple(c.name for c in u.columns)
        for u in table.constraints
        if isinstance(u, sa.UniqueConstraint)
    } | {tuple(c.name for c in i.columns) for i in table.indexes if i.unique}
    design_unique |= {
        tuple(str(c) for c in r.columns)
        for r in raw
        if r.table == table.name and r.unique and None not in r.columns
    }
    built_unique = set(actual.unique_sets(catalog.indexes)) - {actual.primary_key}
    for columns in sorted(design_unique - built_unique):
        add(path, f"{table.name}: unique ({', '.join(columns)}) was not built")
    for columns in sorted(built_unique - design_unique):
        add(path, f"{table.name}: the database has unique ({', '.join(columns)}), not designed")


def _indexes(md: sa.MetaData, catalog: Catalog, raw: list[RawIndex], add) -> None:  # type: ignore[no-untyped-def]
    designed = {(str(t.name), str(i.name)) for t in md.tables.values() for i in t.indexes}
    for table, name in sorted(designed):
        if f"{table}.{name}" not in catalog.indexes:
            add("indexes", f"index {name} on {table} was not built")
    for made in raw:
        if f"{made.table}.{made.name}" not in catalog.indexes:
            add(
                f"migrations[{made.step[0]}].operations[{made.step[1]}]",
                f"index {made.name} on {made.table}, which a raw SQL step of migration "
                f"{made.migration} creates, is not in the database after the Ups",
            )
    designed |= {(made.table, made.name) for made in raw}
    constraint_names = {
        name
        for info in catalog.tables.values()
        for name in [*info.uniques, *(fk.name for fk in info.foreign_keys)]
    }
    for index in catalog.indexes.values():
        known = (index.table, index.name) in designed or index.primary
        if not known and index.name not in constraint_names and index.table in md.tables:
            add(
                "indexes",
                f"the database has index {index.name} on {index.table}, which the "
                "index list does not name (raw SQL may add it on purpose)",
                "warning",
            )


def _paths(plan: DatabasePlan) -> dict[str, str]:
    """Return `table` and `table.column` -> the plan path of that entity or column."""
    paths = {}
    for i, entity in enumerate(plan.entities):
        paths[entity.table] = f"entities[{i}]"
        for j, column in enumerate(entity.columns):
            paths[f"{entity.table}.{column.name}"] = f"entities[{i}].columns[{j}]"
    return paths
