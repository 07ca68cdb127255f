"""Catalog snapshots: what a database holds, read from its own catalog, in one comparable shape.

A snapshot keeps tables (columns, keys, foreign keys, checks), indexes, enum types and the
other objects a migration can leave behind (sequences, functions, triggers, views,
extensions). `entries()` flattens it to `kind name -> description` so two snapshots compare
by plain equality, and `differences()` says what changed in words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.proof.database import Database


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    type: str
    nullable: bool
    default: str | None
    generated: bool = False

    def describe(self) -> str:
        text = f"{self.type} {'NULL' if self.nullable else 'NOT NULL'}"
        if self.default is not None:
            text += f" DEFAULT {self.default}"
        return text + (" GENERATED" if self.generated else "")


@dataclass(frozen=True)
class ForeignKeyInfo:
    name: str
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    on_delete: str

    def describe(self) -> str:
        return (
            f"({', '.join(self.columns)}) -> {self.ref_table}({', '.join(self.ref_columns)}) "
            f"ON DELETE {self.on_delete}"
        )


@dataclass(frozen=True)
class IndexInfo:
    name: str
    table: str
    columns: tuple[str | None, ...]
    unique: bool
    primary: bool
    definition: str

    @property
    def partial(self) -> bool:
        """True for an index over the rows a WHERE predicate selects."""
        return " where " in self.definition.lower()

    @property
    def leading(self) -> str | None:
        """Return the first key column, None for an expression."""
        return self.columns[0] if self.columns else None


@dataclass
class TableInfo:
    name: str
    columns: dict[str, ColumnInfo] = field(default_factory=dict)
    primary_key: tuple[str, ...] = ()
    foreign_keys: list[ForeignKeyInfo] = field(default_factory=list)
    uniques: dict[str, tuple[str, ...]] = field(default_factory=dict)
    checks: dict[str, str] = field(default_factory=dict)

    def unique_sets(self, indexes: dict[str, IndexInfo]) -> list[tuple[str, ...]]:
        """Return every column set that must hold distinct values, keys included."""
        sets = [self.primary_key] if self.primary_key else []
        sets += list(self.uniques.values())
        for index in indexes.values():
            if index.table == self.name and index.unique and None not in index.columns:
                sets.append(tuple(c for c in index.columns if c is not None))
        return sets


@dataclass
class Catalog:
    tables: dict[str, TableInfo] = field(default_factory=dict)
    indexes: dict[str, IndexInfo] = field(default_factory=dict)  # by "table.name"
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    objects: dict[str, str] = field(default_factory=dict)

    def entries(self) -> dict[str, str]:
        """Return every object as `kind name -> description`, for comparison."""
        flat: dict[str, str] = {}
        for table in self.tables.values():
            flat[f"table {table.name}"] = f"primary key ({', '.join(table.primary_key)})"
            for column in table.columns.values():
                flat[f"column {table.name}.{column.name}"] = column.describe()
            for fk in table.foreign_keys:
                flat[f"foreign key {table.name}.{fk.name}"] = fk.describe()
            for name, columns in table.uniques.items():
                flat[f"unique constraint {table.name}.{name}"] = ", ".join(columns)
            for name, definition in table.checks.items():
                flat[f"check {table.name}.{name}"] = definition
        for index in self.indexes.values():
            flat[f"index {index.table}.{index.name}"] = index.definition
        for name, labels in self.enums.items():
            flat[f"enum type {name}"] = ", ".join(labels)
        flat.update(self.objects)
        return flat

    def index_named(self, name: str) -> IndexInfo | None:
        """Return the index called `name` on any table (PostgreSQL names are schema-wide)."""
        return next((index for index in self.indexes.values() if index.name == name), None)

    def enum_of(self, type_name: str) -> tuple[str, ...] | None:
        """Return the labels of a column type that is an enum, else None."""
        bare = type_name.strip('"').split(".")[-1]
        if bare in self.enums:
            return self.enums[bare]
        lowered = type_name.lower()
        if lowered.startswith("enum(") and type_name.endswith(")"):
            return tuple(label.strip().strip("'") for label in type_name[5:-1].split(","))
        return None


def differences(expected: Catalog, actual: Catalog) -> list[str]:
    """Return what `actual` has that `expected` lacks, lacks, or holds differently."""
    want, have = expected.entries(), actual.entries()
    lines = [f"{key} is missing" for key in want if key not in have]
    lines += [f"{key} is left over" for key in have if key not in want]
    lines += [
        f"{key} is {have[key]!r}, expected {want[key]!r}"
        for key in want
        if key in have and have[key] != want[key]
    ]
    return lines


def snapshot(database: Database) -> Catalog:
    """Read the catalog of the connected database."""
    if database.dialect == "postgresql":
        from agent.proof.catalog_postgres import snapshot_postgres

        return snapshot_postgres(database)
    if database.dialect == "mysql":
        from agent.proof.catalog_mysql import snapshot_mysql

        return snapshot_mysql(database)
    from agent.proof.catalog_sqlite import snapshot_sqlite

    return snapshot_sqlite(database)
