"""The Indexes and Constraints tables of plan/database.md, named as agent.sql names them."""

from __future__ import annotations

from collections.abc import Sequence

from agent.plan import Column, ConstraintNote, DatabasePlan, Entity, Index
from agent.sql import (
    check_name,
    enum_check_name,
    foreign_key_name,
    index_name,
    primary_key_name,
    raw_indexes,
    unique_name,
)
from agent.sql.raw_index import RawIndex

Row = tuple[str, ...]


def cell(text: str) -> str:
    """A Markdown table cell: one line, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def table(headers: Sequence[str], rows: Sequence[Row]) -> str:
    """A Markdown table; an empty table says so in one row."""
    if not rows:
        rows = [("None",) + ("",) * (len(headers) - 1)]
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("-" * (len(h) + 2) for h in headers) + "|",
    ]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)


def _columns(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"({', '.join(names)})"


def index_rows(plan: DatabasePlan) -> list[Row]:
    """Unique column constraints, the plan's indexes, then raw SQL steps' indexes, by table."""
    raw = raw_indexes(plan, plan.overview.database)
    rows: list[Row] = []
    for entity in plan.entities:
        for column in entity.columns:
            if column.unique:
                purpose = _note_purpose(plan, entity.table, [column.name], "unique")
                name = unique_name(entity.table, [column.name])
                # Without a note the column's own description says what the lookup is for.
                purpose = (
                    purpose or column.description or f"One {entity.table} row per {column.name}"
                )
                rows.append((entity.table, name, column.name, "UNIQUE", purpose))
        for index in plan.indexes:
            if index.table == entity.table:
                rows.append(_index_row(index))
        rows += [_raw_row(plan, r) for r in raw if r.table == entity.table]

    listed = {entity.table for entity in plan.entities}
    rows += [_raw_row(plan, r) for r in raw if r.table not in listed]
    return rows


def _index_row(index: Index) -> Row:
    names = [c.name + (" DESC" if c.order == "desc" else "") for c in index.columns]
    kind = ("UNIQUE " if index.unique else "") + index.kind.upper()
    if len(index.columns) > 1:
        kind += ", composite"
    columns = _columns(names)
    if index.where:
        kind += ", partial"
        columns += f" WHERE {index.where}"
    return (index.table, index_name(index), columns, kind, index.purpose)


def _raw_row(plan: DatabasePlan, index: RawIndex) -> Row:
    """A raw SQL index: its keys as written, and its migration's reason as the purpose."""
    kind = ("UNIQUE " if index.unique else "") + index.method.upper() + ", raw SQL"
    if len(index.keys) > 1:
        kind += ", composite"
    columns = _columns(index.keys)
    if index.where is not None:
        kind += ", partial"
        columns += f" WHERE {index.where}"
    migration = next(m for m in plan.migrations if m.id == index.migration)
    purpose = migration.description or migration.title
    return (index.table, index.name, columns, kind, f"{purpose} (migration {migration.id})")


def constraint_rows(plan: DatabasePlan) -> list[Row]:
    """Every constraint the DDL declares (single-column keys aside), with the plan's purposes."""
    rows: list[Row] = []
    noted: set[int] = set()
    for entity in plan.entities:
        keys = [c.name for c in entity.columns if c.primary_key]
        if len(keys) > 1:
            rows.append(_row(plan, entity, keys, "primary_key", noted, "Composite primary key"))
        for column in entity.columns:
            rows += _column_rows(plan, entity, column, noted)
        for index in plan.indexes:
            if index.table == entity.table and index.unique:
                names = [c.name for c in index.columns]
                rows.append(_row(plan, entity, names, "unique", noted, "Unique index"))

    for number, note in enumerate(plan.constraints):
        if number not in noted:
            rows.append((note.table, _columns(note.columns), _TYPES[note.type], note.purpose))
    return rows


_TYPES = {
    "primary_key": "PK",
    "unique": "UNIQUE",
    "foreign_key": "FK",
    "check": "CHECK",
    "not_null": "NOT NULL",
}


def _column_rows(plan: DatabasePlan, entity: Entity, column: Column, noted: set[int]) -> list[Row]:
    rows: list[Row] = []
    if column.unique:
        rows.append(_row(plan, entity, [column.name], "unique", noted, "No duplicate values"))
    fk = column.foreign_key
    if fk is not None:
        action = f", ON DELETE {fk.on_delete}" if fk.on_delete != "NO ACTION" else ""
        action += f", ON UPDATE {fk.on_update}" if fk.on_update != "NO ACTION" else ""
        default = f"References {fk.table}.{fk.column}{action}"
        rows.append(_row(plan, entity, [column.name], "foreign_key", noted, default))
    if column.check:
        rows.append(_row(plan, entity, [column.name], "check", noted, f"CHECK ({column.check})"))
    if column.type == "enum" and plan.overview.database == "sqlite":
        name = enum_check_name(entity.table, column.name)
        values = f"A value of enum {column.enum} (SQLite has no enum type)"
        rows.append((entity.table, f"`{name}` ({column.name})", "CHECK", values))
    return rows


def _row(
    plan: DatabasePlan,
    entity: Entity,
    columns: list[str],
    kind: str,
    noted: set[int],
    default: str,
) -> Row:
    """One constraint row: the DDL's name, and the plan's purpose when a note matches."""
    table_name = entity.table
    name = {
        "primary_key": lambda: primary_key_name(table_name),
        "unique": lambda: unique_name(table_name, columns),
        "check": lambda: check_name(table_name, columns[0]),
        "foreign_key": lambda: foreign_key_name(table_name, columns[0], _target(entity, columns)),
    }[kind]()
    description = default
    for number, note in enumerate(plan.constraints):
        if _matches(note, table_name, columns, kind):
            noted.add(number)
            description = (
                f"{note.purpose} ({default})" if kind in ("foreign_key", "check") else note.purpose
            )
            break
    return (table_name, f"`{name}` ({', '.join(columns)})", _TYPES[kind], description)


def _target(entity: Entity, columns: list[str]) -> str:
    column = next(c for c in entity.columns if c.name == columns[0])
    return column.foreign_key.table if column.foreign_key else ""


def _matches(note: ConstraintNote, table_name: str, columns: list[str], kind: str) -> bool:
    return note.table == table_name and note.columns == columns and note.type == kind


def _note_purpose(plan: DatabasePlan, table_name: str, columns: list[str], kind: str) -> str:
    for note in plan.constraints:
        if _matches(note, table_name, columns, kind):
            return note.purpose
    return ""
