"""The database design the model returns: one Pydantic object, from which code derives the rest.

The JSON Schema of `DatabasePlan` is the model's tool schema (strict-tool compatible: every
object closed, every property required, optional values nullable, no recursion, no `oneOf`,
no length or range keywords). Shape rules live in validators; whether names refer to real
tables, columns and indexes is the proof's business (agent/proof).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Dialect = Literal["postgresql", "mysql", "sqlite"]
DIALECTS: tuple[Dialect, ...] = ("postgresql", "mysql", "sqlite")

ColumnKind = Literal[
    "uuid",
    "text",
    "string",
    "integer",
    "bigint",
    "boolean",
    "numeric",
    "float",
    "timestamp",
    "date",
    "json",
    "enum",
]
ReferentialAction = Literal["CASCADE", "SET NULL", "RESTRICT", "NO ACTION", "SET DEFAULT"]
IndexKind = Literal["btree", "hash", "gin", "gist", "brin"]

IDENTIFIER_LIMIT = 63
SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schemas" / "database_plan.schema.json"

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_MIGRATION_ID = re.compile(r"^[0-9]{3}$")


def _check_identifier(value: str, what: str) -> str:
    """Return `value` when it is a plain SQL identifier of at most 63 characters."""
    if not _IDENTIFIER.match(value):
        raise ValueError(
            f"{what} {value!r} is not a plain identifier: use letters, digits and underscores, "
            "starting with a letter or underscore"
        )
    if len(value) > IDENTIFIER_LIMIT:
        raise ValueError(
            f"{what} {value!r} has {len(value)} characters: "
            f"shorten it to {IDENTIFIER_LIMIT} or less"
        )
    return value


def _check_text(value: str, what: str) -> str:
    """Return `value` when it has visible characters."""
    if not value.strip():
        raise ValueError(f"{what} is empty: write it out")
    return value


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Overview(_Closed):
    database: Dialect = Field(
        description="Target database. 'mysql' also covers MariaDB. Take it from "
        "context/stack_analysis.md or the existing code; PostgreSQL when nothing says."
    )
    orm: Literal["sqlmodel", "sqlalchemy", "other"] = Field(
        default="sqlmodel",
        description="ORM the models are written for: 'sqlmodel' (default), 'sqlalchemy' "
        "(2.0 declarative, Mapped[...]), or 'other' with its name in orm_name.",
    )
    orm_name: str | None = Field(
        default=None,
        description="Name of the ORM when orm is 'other' (e.g. 'Prisma', 'Django ORM'); "
        "null otherwise.",
    )
    naming_convention: str = Field(
        default="snake_case tables (plural), snake_case columns",
        description="Naming convention for tables and columns, following the existing code "
        "(e.g. 'snake_case tables, plural names').",
    )
    summary: str = Field(
        default="",
        description="Two or three sentences: what the schema stores and what it adds.",
    )

    @model_validator(mode="after")
    def _orm_name_matches(self) -> Overview:
        if self.orm == "other" and not (self.orm_name or "").strip():
            raise ValueError("orm is 'other' but orm_name is empty: name the ORM")
        return self


class EnumType(_Closed):
    name: str = Field(
        description="Type name in snake_case (e.g. 'post_status'); on PostgreSQL it becomes "
        "CREATE TYPE <name> AS ENUM."
    )
    values: list[str] = Field(description="Allowed values, in order (e.g. ['draft', 'published']).")
    description: str = Field(default="", description="What the values mean, in one line.")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _check_identifier(value, "enum name")

    @field_validator("values")
    @classmethod
    def _values(cls, values: list[str]) -> list[str]:
        if not values:
            raise ValueError("enum has no values: list at least one")
        if len(set(values)) != len(values):
            raise ValueError(f"enum values repeat: {values}")
        for value in values:
            _check_text(value, "enum value")
        return values


class Default(_Closed):
    kind: Literal["value", "now", "new_uuid"] = Field(
        description="'value': the literal in value; 'now': the current timestamp "
        "(CURRENT_TIMESTAMP); 'new_uuid': a fresh UUID (gen_random_uuid() on PostgreSQL, "
        "filled by the ORM elsewhere)."
    )
    value: str | int | float | bool | None = Field(
        default=None,
        description="The literal default when kind is 'value', as JSON: a string "
        "without SQL quotes, a number or a boolean. Null for 'now' and 'new_uuid'.",
    )

    @model_validator(mode="after")
    def _value_matches_kind(self) -> Default:
        if self.kind == "value" and self.value is None:
            raise ValueError("default kind 'value' needs a value: give it, or set default to null")
        if self.kind != "value" and self.value is not None:
            raise ValueError(f"default kind {self.kind!r} takes no value: set value to null")
        return self


class ForeignKey(_Closed):
    table: str = Field(description="Referenced table.")
    column: str = Field(default="id", description="Referenced column, usually its primary key.")
    on_delete: ReferentialAction = Field(
        default="NO ACTION",
        description="CASCADE for dependent rows, SET NULL for optional references (the column "
        "must be nullable), RESTRICT for critical references.",
    )
    on_update: ReferentialAction = Field(
        default="NO ACTION", description="Usually NO ACTION (keys do not change)."
    )

    @field_validator("table", "column")
    @classmethod
    def _names(cls, value: str) -> str:
        return _check_identifier(value, "foreign key target")


class Column(_Closed):
    name: str = Field(description="Column name, snake_case.")
    type: ColumnKind = Field(
        description="Logical type. 'string' needs length; 'numeric' needs precision and scale; "
        "'enum' needs enum (a name from the plan's enums); 'timestamp' is always with time "
        "zone (UTC); 'json' is JSONB on PostgreSQL; 'uuid' is native on PostgreSQL, CHAR(36) "
        "elsewhere."
    )
    length: int | None = Field(
        default=None, description="Maximum length for 'string' (VARCHAR); null otherwise."
    )
    precision: int | None = Field(
        default=None, description="Total digits for 'numeric' (e.g. 12); null otherwise."
    )
    scale: int | None = Field(
        default=None, description="Digits after the point for 'numeric' (e.g. 2); null otherwise."
    )
    enum: str | None = Field(
        default=None, description="For type 'enum': the name of an entry of enums; null otherwise."
    )
    nullable: bool = Field(
        default=False, description="True when the column may hold NULL (optional data)."
    )
    primary_key: bool = Field(
        default=False,
        description="True for primary key columns; several columns flagged form a composite "
        "key (e.g. a junction table's two foreign keys).",
    )
    unique: bool = Field(
        default=False,
        description="True for a single-column UNIQUE constraint (named uq_<table>_<column>). "
        "For uniqueness over several columns use a unique index.",
    )
    default: Default | None = Field(
        default=None, description="Server-side default, or null for none."
    )
    check: str | None = Field(
        default=None,
        description="CHECK constraint as a portable SQL boolean expression over this table's "
        "columns (e.g. 'price >= 0'), named ck_<table>_<column>; null for none.",
    )
    foreign_key: ForeignKey | None = Field(
        default=None,
        description="The referenced table and column with ON DELETE / ON UPDATE actions; null "
        "when this column references nothing.",
    )
    description: str = Field(default="", description="What the column holds, in a few words.")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _check_identifier(value, "column name")

    @model_validator(mode="after")
    def _type_parameters(self) -> Column:
        where = f"column {self.name!r}"
        for problem in _type_problems(self):
            raise ValueError(f"{where}: {problem}")
        if self.check is not None:
            _check_text(self.check, f"{where}: check")
        return self


_DEFAULT_TYPES = {"now": ("timestamp", "date"), "new_uuid": ("uuid",)}


def _type_problems(column: Column) -> list[str]:
    """Return what is wrong with the type parameters and default of `column`."""
    problems = []
    if (column.type == "string") != (column.length is not None):
        problems.append("length goes with type 'string' and only with it")
    elif column.length is not None and column.length < 1:
        problems.append(f"length {column.length} must be at least 1")

    precision, scale = column.precision, column.scale
    numeric = precision is not None and scale is not None
    if (column.type == "numeric") != numeric:
        problems.append("precision and scale go with type 'numeric' and only with it")
    elif (
        precision is not None
        and scale is not None
        and not (precision >= 1 and precision >= scale >= 0)
    ):
        problems.append(
            f"numeric({precision}, {scale}) needs precision >= 1 and 0 <= scale <= precision"
        )

    if (column.type == "enum") != bool(column.enum):
        problems.append("enum names a type for type 'enum' and only for it")
    kind = column.default.kind if column.default else "value"
    if kind in _DEFAULT_TYPES and column.type not in _DEFAULT_TYPES[kind]:
        problems.append(f"default {kind!r} needs type {' or '.join(_DEFAULT_TYPES[kind])}")
    return problems


class Entity(_Closed):
    table: str = Field(description="Table name, following the naming convention.")
    class_name: str = Field(description="ORM class name, PascalCase singular (e.g. 'BlogPost').")
    description: str = Field(default="", description="What one row is, in one line.")
    status: Literal["new", "existing", "changed"] = Field(
        default="new",
        description="'new': created by this plan; 'existing': already in the codebase and "
        "unchanged; 'changed': already in the codebase, and migrations add columns, indexes "
        "or constraints to it (list all its columns, old and new).",
    )
    source: str | None = Field(
        default=None,
        description="For existing or changed entities: the file that defines the model today "
        "(e.g. 'app/models/user.py'); null for new ones.",
    )
    columns: list[Column] = Field(
        description="All columns in display order: primary key first, then fields, foreign "
        "keys, then created_at / updated_at (and is_active for soft delete)."
    )

    @field_validator("table")
    @classmethod
    def _table(cls, value: str) -> str:
        return _check_identifier(value, "table name")

    @field_validator("class_name")
    @classmethod
    def _class_name(cls, value: str) -> str:
        return _check_identifier(value, "class name")

    @model_validator(mode="after")
    def _columns(self) -> Entity:
        if not self.columns:
            raise ValueError(f"entity {self.table!r} has no columns: list them")
        names = [column.name for column in self.columns]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"entity {self.table!r} lists columns twice: {', '.join(repeated)}")
        if not any(column.primary_key for column in self.columns):
            raise ValueError(f"entity {self.table!r} has no primary key: flag its key column(s)")
        return self


class Relationship(_Closed):
    kind: Literal["one_to_one", "one_to_many", "many_to_many"] = Field(
        description="Cardinality seen from parent to child."
    )
    parent: str = Field(
        description="Table on the 'one' side (for many_to_many: either side, the other is child)."
    )
    child: str = Field(
        description="Table on the 'many' side, which holds the foreign key for one_to_one and "
        "one_to_many."
    )
    foreign_key: str | None = Field(
        default=None,
        description="Column of child that references parent (one_to_one, one_to_many); null "
        "for many_to_many.",
    )
    through: str | None = Field(
        default=None,
        description="Junction table for many_to_many (an entity with a foreign key to each "
        "side); null otherwise.",
    )
    parent_attribute: str = Field(
        description="Attribute on the parent class (e.g. 'posts'); back_populates of the child's."
    )
    child_attribute: str = Field(
        description="Attribute on the child class (e.g. 'author'); back_populates of the parent's."
    )
    description: str = Field(default="", description="The relationship and its cascade, briefly.")

    @model_validator(mode="after")
    def _shape(self) -> Relationship:
        label = f"relationship {self.parent} -> {self.child}"
        if self.kind == "many_to_many" and not self.through:
            raise ValueError(f"{label}: many_to_many needs a through (junction) table")
        if self.kind != "many_to_many" and self.through:
            raise ValueError(f"{label}: through goes with many_to_many only; set it to null")
        if self.kind != "many_to_many" and not self.foreign_key:
            raise ValueError(f"{label}: {self.kind} needs foreign_key (the child's column)")
        for value in (self.parent, self.child, self.parent_attribute, self.child_attribute):
            _check_identifier(value, f"{label}: name")
        return self


class IndexColumn(_Closed):
    name: str = Field(description="Column name.")
    order: Literal["asc", "desc"] = Field(default="asc", description="Sort order in the index.")


class Index(_Closed):
    table: str = Field(description="Table the index is on.")
    columns: list[IndexColumn] = Field(
        description="Indexed columns in order (the leading column serves prefix lookups)."
    )
    kind: IndexKind = Field(
        default="btree",
        description="Access method. btree almost always; hash for equality-only lookups; "
        "gin for json / arrays / full text; gist and brin rarely. Non-btree kinds apply on "
        "PostgreSQL only (other databases use their default).",
    )
    unique: bool = Field(default=False, description="True for a unique index (uq_ prefix).")
    where: str | None = Field(
        default=None,
        description="Partial index condition as a SQL boolean expression (e.g. "
        "'is_active = true'), PostgreSQL and SQLite only; null for a full index.",
    )
    purpose: str = Field(default="", description="The query this index serves, in a few words.")

    @model_validator(mode="after")
    def _shape(self) -> Index:
        _check_identifier(self.table, "index table")
        if not self.columns:
            raise ValueError(f"index on {self.table!r} has no columns: list them")
        for column in self.columns:
            _check_identifier(column.name, f"index on {self.table!r}: column")
        if self.where is not None:
            _check_text(self.where, f"index on {self.table!r}: where")
        return self


class IndexRef(_Closed):
    table: str = Field(description="Table of the index.")
    columns: list[str] = Field(description="Column names of the index, in its order.")


Action = Literal["create_table", "add_column", "create_index", "add_constraint", "raw_sql"]

_NEEDS: dict[str, tuple[str, ...]] = {
    "create_table": ("table",),
    "add_column": ("table", "column"),
    "create_index": ("table", "columns"),
    "add_constraint": ("table", "column", "constraint"),
    "raw_sql": ("dialect", "sql", "down_sql"),
}
_OPTIONAL_FIELDS = ("table", "column", "columns", "constraint", "dialect", "sql", "down_sql")


class Operation(_Closed):
    action: Action = Field(
        description="'create_table' creates an entity with its columns, constraints and "
        "indexes, except those a later operation adds; 'add_column' adds one column of an "
        "entity (with its constraints) to a table that exists; 'create_index' creates one "
        "index of the plan's indexes; 'add_constraint' adds a column's unique, check or "
        "foreign key constraint to a table that exists; 'raw_sql' runs SQL the other actions "
        "cannot express (an extension, a trigger, a data backfill) with its own down_sql. "
        "Code writes the SQL and the Down of all actions but raw_sql."
    )
    table: str | None = Field(
        default=None, description="Table, for every action but raw_sql; null for raw_sql."
    )
    column: str | None = Field(
        default=None, description="Column, for add_column and add_constraint; null otherwise."
    )
    columns: list[str] | None = Field(
        default=None,
        description="For create_index: the index's column names in order, identifying an "
        "entry of indexes on that table; null otherwise.",
    )
    constraint: Literal["unique", "check", "foreign_key"] | None = Field(
        default=None,
        description="For add_constraint: which constraint of the column to add; null otherwise.",
    )
    dialect: Literal["postgresql", "mysql", "sqlite", "any"] | None = Field(
        default=None,
        description="For raw_sql: the database the SQL is written for ('any' if portable); "
        "the step is skipped on other databases. Null otherwise.",
    )
    sql: str | None = Field(
        default=None,
        description="For raw_sql: the Up statement(s), separated by ';'; null otherwise.",
    )
    down_sql: str | None = Field(
        default=None,
        description="For raw_sql: the statement(s) that undo sql (may be empty when nothing "
        "needs undoing, e.g. a backfill of a column the Down drops); null otherwise.",
    )

    @model_validator(mode="after")
    def _fields_match_action(self) -> Operation:
        needed = _NEEDS[self.action]
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise ValueError(f"operation {self.action} needs {', '.join(missing)}")
        extra = [n for n in _OPTIONAL_FIELDS if n not in needed and getattr(self, n) is not None]
        if extra:
            raise ValueError(f"operation {self.action} takes no {', '.join(extra)}: set to null")
        if self.action == "create_index" and not self.columns:
            raise ValueError("operation create_index has an empty columns list")
        if self.action == "raw_sql":
            _check_text(self.sql or "", "raw_sql sql")
        return self


class Migration(_Closed):
    id: str = Field(description="Three-digit sequence number: '001', '002', ... in apply order.")
    title: str = Field(description="Short title, e.g. 'Create users table'.")
    description: str = Field(default="", description="Why this migration exists, in one line.")
    operations: list[Operation] = Field(
        description="Steps in apply order; tables before the tables that reference them. The "
        "Down runs the reverse."
    )

    @model_validator(mode="after")
    def _shape(self) -> Migration:
        if not _MIGRATION_ID.match(self.id):
            raise ValueError(f"migration id {self.id!r} must be three digits like '001'")
        _check_text(self.title, f"migration {self.id} title")
        if not self.operations:
            raise ValueError(f"migration {self.id} has no operations: list them")
        return self


class Query(_Closed):
    name: str = Field(description="What the query does, e.g. 'List a user's posts'.")
    sql: str = Field(description="The SQL for the target database, with named parameters as :name.")
    parameters: list[str] = Field(
        default_factory=list, description="Parameter names used in sql, without the colon."
    )
    indexes: list[IndexRef] = Field(
        default_factory=list,
        description="Indexes of the plan the query relies on (empty when the primary key is "
        "enough).",
    )


class ConstraintNote(_Closed):
    table: str = Field(description="Table of the constraint.")
    columns: list[str] = Field(description="Column(s) the constraint is on.")
    type: Literal["primary_key", "unique", "foreign_key", "check", "not_null"] = Field(
        description="Kind of constraint, as declared on the columns or by a unique index."
    )
    purpose: str = Field(description="Why it exists, e.g. 'No duplicate emails'.")


class Decision(_Closed):
    topic: str = Field(
        description="e.g. 'Soft delete', 'Timestamps', 'UUIDs vs integers', 'Cascade behavior', "
        "'Denormalization'."
    )
    decision: str = Field(description="What was chosen, in one sentence.")
    rationale: list[str] = Field(description="Reasons, one short bullet each.")


class CrossReference(_Closed):
    label: str = Field(description="e.g. 'API Contracts'.")
    path: str = Field(description="Path relative to the workdir, e.g. 'plan/api_contracts.md'.")


class Assumption(_Closed):
    input: str = Field(description="The missing or silent input, e.g. 'plan/architecture.md'.")
    assumption: str = Field(description="What the design assumes in its place.")


class DatabasePlan(_Closed):
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
        default_factory=list, description="Relationships between entities, with back-references."
    )
    indexes: list[Index] = Field(
        default_factory=list,
        description="Secondary indexes (not primary keys, not single-column unique "
        "constraints); names are derived by code.",
    )
    migrations: list[Migration] = Field(
        description="Ordered migrations. Every new table, added column, index and constraint "
        "is created by exactly one operation (create_table covers what no later operation "
        "names); parts of existing entities that no operation names already exist."
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
        _unique([e.table for e in self.entities], "entity table")
        _unique([e.name for e in self.enums], "enum name")
        _unique([m.id for m in self.migrations], "migration id")
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
        return _strict(cls.model_json_schema())


def _unique(values: list[str], what: str) -> None:
    repeated = sorted({value for value in values if values.count(value) > 1})
    if repeated:
        raise ValueError(f"{what} appears more than once: {', '.join(repeated)}")


def _strict(node: Any) -> Any:
    """Close every object and require every property (optional values are nullable)."""
    if isinstance(node, list):
        return [_strict(item) for item in node]
    if not isinstance(node, dict):
        return node

    result: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("title", "default"):
            continue
        if key in ("properties", "$defs"):
            result[key] = {name: _strict(item) for name, item in value.items()}
        else:
            result[key] = _strict(value)

    if "properties" in node:
        result["required"] = list(node["properties"])
        result["additionalProperties"] = False
    return result


def schema_text() -> str:
    """Return the schema file's expected text."""
    return json.dumps(DatabasePlan.tool_schema(), indent=2, ensure_ascii=False) + "\n"


def write_schema(path: Path = SCHEMA_PATH) -> Path:
    """Write the JSON Schema to `path` (regenerate with `python -m agent.plan`)."""
    path.write_text(schema_text(), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write_schema())
