"""Describe a metadata structurally; run as a script, it imports a generated ORM module first.

`python tests/orm_probe.py MODELS.py DIALECT` prints the JSON description of the module's
metadata (SQLModel.metadata or Base.metadata) after configuring every mapper. It imports only
SQLAlchemy (and what the module imports), so a fresh interpreter starts fast.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite

DIALECTS = {
    "postgresql": postgresql.dialect(),
    "mysql": mysql.dialect(),
    "sqlite": sqlite.dialect(),
}


def type_of(column: sa.Column[Any], dialect: str) -> str:
    """The compiled type; CHAR lengths dropped (UUIDs are CHAR(32) in the ORM, CHAR(36) in DDL)."""
    compiled = column.type.compile(dialect=DIALECTS[dialect])
    return re.sub(r"^CHAR\(\d+\)$", "CHAR", compiled)


def describe(metadata: sa.MetaData, dialect: str) -> dict[str, Any]:
    """A JSON-able structural description of every table in `metadata`."""
    compile_index = sa.schema.CreateIndex
    tables = {}
    for table in metadata.sorted_tables:
        constraints = table.constraints
        tables[table.name] = {
            "columns": {c.name: [type_of(c, dialect), c.nullable] for c in table.columns},
            "primary_key": [c.name for c in table.primary_key.columns],
            "foreign_keys": sorted(
                [e.parent.name, e.target_fullname, e.ondelete, e.onupdate]
                for e in table.foreign_keys
            ),
            "uniques": sorted(
                [c.name, sorted(col.name for col in c.columns)]
                for c in constraints
                if isinstance(c, sa.UniqueConstraint)
            ),
            "checks": sorted(
                [c.name, str(c.sqltext)] for c in constraints if isinstance(c, sa.CheckConstraint)
            ),
            "indexes": sorted(
                [i.name, str(compile_index(i).compile(dialect=DIALECTS[dialect]))]
                for i in table.indexes
            ),
        }
    return tables


def main(path: str, dialect: str) -> None:
    spec = importlib.util.spec_from_file_location("generated_models", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["generated_models"] = module
    spec.loader.exec_module(module)

    sa.orm.configure_mappers()
    holder = getattr(module, "Base", None) or module.SQLModel
    print(json.dumps(describe(holder.metadata, dialect)))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
