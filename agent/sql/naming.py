"""Derived names of indexes and constraints, kept within every database's identifier limit."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from agent.plan import IDENTIFIER_LIMIT, DatabasePlan, Dialect, Index

_HASH_LENGTH = 8


def shorten(name: str, limit: int = IDENTIFIER_LIMIT) -> str:
    """Return `name`, or a prefix plus a hash suffix of it when it exceeds `limit`."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:_HASH_LENGTH]
    return f"{name[: limit - _HASH_LENGTH - 1]}_{digest}"


def primary_key_name(table: str) -> str:
    """Return the primary key constraint name: pk_<table>."""
    return shorten(f"pk_{table}")


def unique_name(table: str, columns: Iterable[str]) -> str:
    """Return a unique constraint or unique index name: uq_<table>_<columns>."""
    return shorten(f"uq_{table}_{'_'.join(columns)}")


def check_name(table: str, column: str) -> str:
    """Return a check constraint name: ck_<table>_<column>."""
    return shorten(f"ck_{table}_{column}")


def enum_check_name(table: str, column: str) -> str:
    """Return the name of the CHECK that keeps an enum column in range: ck_<table>_<column>_enum."""
    return shorten(f"ck_{table}_{column}_enum")


def foreign_key_name(table: str, column: str, target: str) -> str:
    """Return a foreign key constraint name: fk_<table>_<column>_<target table>."""
    return shorten(f"fk_{table}_{column}_{target}")


def index_name(index: Index) -> str:
    """Return an index's name: idx_<table>_<columns>, or uq_<table>_<columns> when unique."""
    columns = [column.name for column in index.columns]
    if index.unique:
        return unique_name(index.table, columns)
    return shorten(f"idx_{index.table}_{'_'.join(columns)}")


@dataclass(frozen=True)
class DerivedName:
    """One named object of the design: its table, kind, columns and derived name."""

    table: str
    kind: str
    columns: tuple[str, ...]
    name: str


def derived_names(plan: DatabasePlan, dialect: Dialect | None = None) -> list[DerivedName]:
    """Return every constraint and index name the design derives on `dialect`, table by table."""
    # Only SQLite lacks an enum type, so only there does a CHECK keep enum columns in range.
    enum_checks = (dialect or plan.overview.database) == "sqlite"
    names: list[DerivedName] = []
    for entity in plan.entities:
        table = entity.table
        keys = tuple(c.name for c in entity.columns if c.primary_key)
        names.append(DerivedName(table, "primary_key", keys, primary_key_name(table)))
        for c in entity.columns:
            if c.unique:
                names.append(DerivedName(table, "unique", (c.name,), unique_name(table, [c.name])))
            if c.check is not None:
                names.append(DerivedName(table, "check", (c.name,), check_name(table, c.name)))
            if c.type == "enum" and enum_checks:
                name = enum_check_name(table, c.name)
                names.append(DerivedName(table, "check", (c.name,), name))
            if c.foreign_key is not None:
                name = foreign_key_name(table, c.name, c.foreign_key.table)
                names.append(DerivedName(table, "foreign_key", (c.name,), name))
        for index in plan.indexes:
            if index.table == table:
                columns = tuple(column.name for column in index.columns)
                names.append(DerivedName(table, "index", columns, index_name(index)))
    return names
