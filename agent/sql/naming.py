"""Derived names of indexes and constraints, kept within every database's identifier limit."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from agent.plan import IDENTIFIER_LIMIT, Index

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


def foreign_key_name(table: str, column: str, target: str) -> str:
    """Return a foreign key constraint name: fk_<table>_<column>_<target table>."""
    return shorten(f"fk_{table}_{column}_{target}")


def index_name(index: Index) -> str:
    """Return an index's name: idx_<table>_<columns>, or uq_<table>_<columns> when unique."""
    columns = [column.name for column in index.columns]
    if index.unique:
        return unique_name(index.table, columns)
    return shorten(f"idx_{index.table}_{'_'.join(columns)}")
