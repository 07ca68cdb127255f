"""The database design the model returns: one Pydantic object, from which code derives the rest.

The JSON Schema of `DatabasePlan` is the model's tool schema (strict-tool compatible: every
object closed, only fields without a default required, no recursion, no `oneOf`, no length or
range keywords). An optional field is left out rather than written as null: the tool schema
drops its null alternative, while validation still accepts null. Shape rules live in
validators; whether names refer to real tables, columns and indexes is the proof's business
(agent/proof).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import Field, model_validator

from agent.plan.entity import (
    Column,
    ColumnKind,
    Default,
    Entity,
    EnumType,
    ForeignKey,
    ReferentialAction,
    Relationship,
)
from agent.plan.migration import (
    Action,
    Index,
    IndexColumn,
    IndexKind,
    IndexRef,
    Migration,
    Operation,
)
from agent.plan.notes import (
    Assumption,
    ConstraintNote,
    CrossReference,
    Decision,
    Overview,
    Query,
)
from agent.plan.shape import DIALECTS, IDENTIFIER_LIMIT, Closed, Dialect, check_unique

__all__ = [
    "DIALECTS",
    "IDENTIFIER_LIMIT",
    "SCHEMA_PATH",
    "Action",
    "Assumption",
    "Column",
    "ColumnKind",
    "ConstraintNote",
    "CrossReference",
    "DatabasePlan",
    "Decision",
    "Default",
    "Dialect",
    "Entity",
    "EnumType",
    "ForeignKey",
    "Index",
    "IndexColumn",
    "IndexKind",
    "IndexRef",
    "Migration",
    "Operation",
    "Overview",
    "Query",
    "ReferentialAction",
    "Relationship",
    "schema_text",
    "write_schema",
]

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "schemas" / "database_plan.schema.json"


class DatabasePlan(Closed):
    """The whole design; every section of plan/database.md derives from it."""

    overview: Overview = Field(description="Database, ORM and naming convention.")
    enums: list[EnumType] = Field(
        default_factory=list, description="Enumerated types used by columns of type 'enum'."
    )
    entities: list[Entity] = Field(
        description="Every table of the design, including junction tables and the existing "
        "tables it references or changes."
    )
    relationships: list[Relationship] = Field(
        default_factory=list,
        description="Usually empty: code derives one-to-many relationships from the foreign "
        "keys, and many-to-many ones from junction tables whose primary key is two foreign "
        "keys. List a relationship only to name its attributes (back-references) or to "
        "describe it.",
    )
    indexes: list[Index] = Field(
        default_factory=list,
        description="Secondary indexes (not primary keys, not single-column unique "
        "constraints); names are derived by code.",
    )
    migrations: list[Migration] = Field(
        description="Ordered migrations; code writes their SQL and Down. create_table creates "
        "a new entity whole (columns, constraints, its indexes) except parts a later operation "
        "names. For an existing table use add_column for each new column (its indexes and "
        "constraints come with it), create_index for a new index on old columns, and "
        "add_constraint for a new constraint on an old column. Parts of existing or changed "
        "entities that no operation names are taken to exist already."
    )
    queries: list[Query] = Field(
        default_factory=list, description="Common queries the design serves."
    )
    constraints: list[ConstraintNote] = Field(
        default_factory=list,
        description="The important constraints with their purpose (the Constraints table).",
    )
    decisions: list[Decision] = Field(
        default_factory=list,
        description="Design decisions: soft vs hard delete, timestamps, UUID vs integer keys, "
        "cascade behaviour, denormalization.",
    )
    cross_references: list[CrossReference] = Field(
        default_factory=list, description="Related documents of the workdir."
    )
    assumptions: list[Assumption] = Field(
        default_factory=list,
        description="One entry for every missing input and every guess the design rests on.",
    )

    @model_validator(mode="after")
    def _identities(self) -> DatabasePlan:
        check_unique([e.table for e in self.entities], "entity table")
        check_unique([e.name for e in self.enums], "enum name")
        check_unique([m.id for m in self.migrations], "migration id")
        if [m.id for m in self.migrations] != sorted(m.id for m in self.migrations):
            raise ValueError("migrations are not in id order: list them as they apply")
        return self

    def entity(self, table: str) -> Entity:
        """Return the entity of `table`; KeyError when the plan has none."""
        for entity in self.entities:
            if entity.table == table:
                return entity
        raise KeyError(table)

    @classmethod
    def tool_schema(cls) -> dict[str, Any]:
        """Return the strict-tool JSON Schema of the plan (what schemas/ holds)."""
        return _lean(cls.model_json_schema())


def _lean(node: Any) -> Any:
    """Close every object; optional properties lose their null alternative (omit, not null)."""
    if isinstance(node, list):
        return [_lean(item) for item in node]
    if not isinstance(node, dict):
        return node

    result: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("title", "default"):
            continue
        if key in ("properties", "$defs"):
            result[key] = {name: _lean(item) for name, item in value.items()}
        else:
            result[key] = _lean(value)

    if "properties" in node:
        required = list(node.get("required", []))
        result["properties"] = {
            name: prop if name in required else _without_null(prop)
            for name, prop in result["properties"].items()
        }
        result["required"] = required
        result["additionalProperties"] = False
    return result


def _without_null(prop: dict[str, Any]) -> dict[str, Any]:
    """Return `prop` without its `{"type": "null"}` alternative, unwrapped when one is left."""
    if "anyOf" not in prop:
        return prop
    alternatives = [a for a in prop["anyOf"] if a != {"type": "null"}]
    rest = {key: value for key, value in prop.items() if key != "anyOf"}
    if len(alternatives) == 1:
        return {**alternatives[0], **rest}
    return {"anyOf": alternatives, **rest}


def schema_text() -> str:
    """Return the schema file's expected text."""
    return json.dumps(DatabasePlan.tool_schema(), indent=2, ensure_ascii=False) + "\n"


def write_schema(path: Path = SCHEMA_PATH) -> Path:
    """Write the JSON Schema to `path` (regenerate with `python -m agent.plan`)."""
    path.write_text(schema_text(), encoding="utf-8")
    return path
