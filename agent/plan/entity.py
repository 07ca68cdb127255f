"""Entities, their columns and enumerated types, and the relationships between entities."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from agent.plan.shape import Closed, check_identifier, check_text

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


class EnumType(Closed):
    name: str = Field(
        description="Type name in snake_case (e.g. 'post_status'); on PostgreSQL it becomes "
        "CREATE TYPE <name> AS ENUM."
    )
    values: list[str] = Field(description="Allowed values, in order (e.g. ['draft', 'published']).")
    description: str = Field(default="", description="What the values mean, in one line.")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_identifier(value, "enum name")

    @field_validator("values")
    @classmethod
    def _values(cls, values: list[str]) -> list[str]:
        if not values:
            raise ValueError("enum has no values: list at least one")
        if len(set(values)) != len(values):
            raise ValueError(f"enum values repeat: {values}")
        for value in values:
            check_text(value, "enum value")
        return values


class Default(Closed):
    kind: Literal["value", "now", "new_uuid"] = Field(
        description="'value': the literal in value; 'now': the current timestamp "
        "(CURRENT_TIMESTAMP); 'new_uuid': a fresh UUID (gen_random_uuid() on PostgreSQL, "
        "filled by the ORM elsewhere)."
    )
    value: str | int | float | bool | None = Field(
        default=None,
        description="The literal default when kind is 'value', as JSON: a string "
        "without SQL quotes, a number or a boolean. Omitted for 'now' and 'new_uuid'.",
    )

    @model_validator(mode="after")
    def _value_matches_kind(self) -> Default:
        if self.kind == "value" and self.value is None:
            raise ValueError("default kind 'value' needs a value: give it, or leave default out")
        if self.kind != "value" and self.value is not None:
            raise ValueError(f"default kind {self.kind!r} takes no value: leave value out")
        return self


class ForeignKey(Closed):
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
        return check_identifier(value, "foreign key target")


class Column(Closed):
    name: str = Field(description="Column name, snake_case.")
    type: ColumnKind = Field(
        description="Logical type. 'string' needs length; 'numeric' needs precision and scale; "
        "'enum' needs enum (a name from the plan's enums); 'timestamp' is always with time "
        "zone (UTC); 'json' is JSONB on PostgreSQL; 'uuid' is native on PostgreSQL, CHAR(32) "
        "of hex digits elsewhere."
    )
    length: int | None = Field(
        default=None, description="Maximum length for 'string' (VARCHAR); omitted otherwise."
    )
    precision: int | None = Field(
        default=None, description="Total digits for 'numeric' (e.g. 12); omitted otherwise."
    )
    scale: int | None = Field(
        default=None,
        description="Digits after the point for 'numeric' (e.g. 2); omitted otherwise.",
    )
    enum: str | None = Field(
        default=None,
        description="For type 'enum': the name of an entry of enums; omitted otherwise.",
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
        default=None, description="Server-side default; omitted for none."
    )
    check: str | None = Field(
        default=None,
        description="CHECK constraint as a portable SQL boolean expression over this table's "
        "columns (e.g. 'price >= 0'), named ck_<table>_<column>; omitted for none.",
    )
    foreign_key: ForeignKey | None = Field(
        default=None,
        description="The referenced table and column with ON DELETE / ON UPDATE actions; "
        "omitted when this column references nothing.",
    )
    description: str = Field(
        default="",
        description="What the column holds, in a few words; shown in the document's Models "
        "section. Give it only where the name does not say it all.",
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_identifier(value, "column name")

    @model_validator(mode="after")
    def _type_parameters(self) -> Column:
        where = f"column {self.name!r}"
        for problem in _type_problems(self):
            raise ValueError(f"{where}: {problem}")
        if self.check is not None:
            check_text(self.check, f"{where}: check")
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


class Entity(Closed):
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
        "(e.g. 'app/models/user.py'); omitted for new ones.",
    )
    columns: list[Column] = Field(
        description="All columns in display order: primary key first, then fields, foreign "
        "keys, then created_at / updated_at (and is_active for soft delete)."
    )

    @field_validator("table")
    @classmethod
    def _table(cls, value: str) -> str:
        return check_identifier(value, "table name")

    @field_validator("class_name")
    @classmethod
    def _class_name(cls, value: str) -> str:
        return check_identifier(value, "class name")

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


class Relationship(Closed):
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
        description="Column of child that references parent (one_to_one, one_to_many); "
        "omitted for many_to_many.",
    )
    through: str | None = Field(
        default=None,
        description="Junction table for many_to_many (an entity with a foreign key to each "
        "side); omitted otherwise.",
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
            raise ValueError(f"{label}: through goes with many_to_many only; leave it out")
        if self.kind != "many_to_many" and not self.foreign_key:
            raise ValueError(f"{label}: {self.kind} needs foreign_key (the child's column)")
        for value in (self.parent, self.child, self.parent_attribute, self.child_attribute):
            check_identifier(value, f"{label}: name")
        return self
