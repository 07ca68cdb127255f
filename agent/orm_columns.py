"""Column attributes and table arguments of the generated ORM classes.

Types follow agent.sql's DDL: VARCHAR(n), NUMERIC(p, s), timestamps with time zone, JSONB on
PostgreSQL, named enum types. Unique and check constraints and indexes are spelled out in
`__table_args__` with the names agent.sql.naming gives them, so the ORM metadata and the
migrations name every constraint alike. Defaults are Python-side (the DDL carries the server
defaults).
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field

from agent.plan import Column, DatabasePlan, Entity, EnumType, ForeignKey
from agent.pysource import literal
from agent.sql.naming import check_name, enum_check_name, index_name, unique_name

_PYTHON_TYPES = {
    "uuid": "UUID",
    "text": "str",
    "string": "str",
    "integer": "int",
    "bigint": "int",
    "boolean": "bool",
    "numeric": "Decimal",
    "float": "float",
    "timestamp": "datetime",
    "date": "date",
    "json": "dict[str, Any]",
}
_TYPE_IMPORTS = {
    "UUID": ("uuid", "UUID"),
    "Decimal": ("decimal", "Decimal"),
    "datetime": ("datetime", "datetime"),
    "date": ("datetime", "date"),
    "dict[str, Any]": ("typing", "Any"),
}
_STANDARD = {"uuid", "decimal", "datetime", "typing", "enum"}
_SQLMODEL_ACTIONS = ("CASCADE", "SET NULL", "RESTRICT", "NO ACTION")


@dataclass
class Imports:
    """`from module import name` lines gathered while rendering, standard library first."""

    names: dict[str, set[str]] = field(default_factory=dict)

    def need(self, module: str, *names: str) -> None:
        self.names.setdefault(module, set()).update(names)

    def render(self) -> str:
        lines = {m: f"from {m} import {', '.join(sorted(n))}" for m, n in self.names.items()}
        standard = sorted(line for m, line in lines.items() if m.split(".")[0] in _STANDARD)
        library = sorted(line for m, line in lines.items() if m.split(".")[0] not in _STANDARD)
        head = "\n".join(standard) + "\n\n" if standard else ""
        return head + "import sqlalchemy as sa\n" + "\n".join(library)


def enum_class_name(enum: EnumType) -> str:
    """`post_status` -> `PostStatus`."""
    return "".join(part.capitalize() for part in enum.name.split("_"))


def member(value: str) -> str:
    """A Python name for an enum value; equal to the value whenever the value allows it."""
    name = re.sub(r"\W", "_", value)
    if not name or name[0].isdigit() or keyword.iskeyword(name):
        name = "_" + name
    return name


def table_args(plan: DatabasePlan, entity: Entity) -> list[str]:
    """Named unique and check constraints, then the plan's indexes on this table."""
    args = []
    for column in entity.columns:
        if column.unique:
            name = unique_name(entity.table, [column.name])
            args.append(f"sa.UniqueConstraint({literal(column.name)}, name={literal(name)})")
        if column.check:
            name = check_name(entity.table, column.name)
            args.append(f"sa.CheckConstraint({literal(column.check)}, name={literal(name)})")

    for index in plan.indexes:
        if index.table != entity.table:
            continue
        parts = [literal(index_name(index))]
        for item in index.columns:
            desc = item.order == "desc"
            parts.append(f"sa.text({literal(item.name + ' DESC')})" if desc else literal(item.name))
        if index.unique:
            parts.append("unique=True")
        if index.kind != "btree":
            parts.append(f"postgresql_using={literal(index.kind)}")
        if index.where:
            where = f"sa.text({literal(index.where)})"
            parts += [f"postgresql_where={where}", f"sqlite_where={where}"]
        args.append(f"sa.Index({', '.join(parts)})")
    return args


def attribute(
    plan: DatabasePlan, entity: Entity, column: Column, flavour: str, imports: Imports
) -> str:
    """One column as a class attribute: `name: T = Field(...)` or `mapped_column(...)`."""
    annotation = _python_type(plan, column, imports)
    if column.nullable:
        annotation += " | None"
    sa_type = _sa_type(plan, entity, column, imports)
    default = _default(plan, column, imports)
    fk = column.foreign_key

    if flavour == "sqlalchemy":
        args = [a for a in (sa_type, fk and _foreign_key_arg(fk)) if a]
        if column.primary_key:
            args.append("primary_key=True")
        if default and default != "default=None":
            args.append(default.replace("default_factory=", "default="))
        return f"{column.name}: Mapped[{annotation}] = mapped_column({', '.join(args)})"

    args = [default] if default else []
    single_key = [c.name for c in entity.columns if c.primary_key] == [column.name]
    if column.primary_key and column.type == "integer" and default is None and single_key:
        annotation, args = "int | None", ["default=None"]
    if column.primary_key:
        args.append("primary_key=True")
    if fk is not None and fk.on_update == "NO ACTION" and fk.on_delete in _SQLMODEL_ACTIONS:
        args.append(f"foreign_key={literal(f'{fk.table}.{fk.column}')}")
        if fk.on_delete != "NO ACTION":
            args.append(f"ondelete={literal(fk.on_delete)}")
    elif fk is not None:
        args.append(f"sa_column_args=[{_foreign_key_arg(fk)}]")
    if column.type == "string":
        args.append(f"max_length={column.length}")
    elif column.type == "numeric":
        args += [f"max_digits={column.precision}", f"decimal_places={column.scale}"]
    elif sa_type:
        args.append(f"sa_type={sa_type}")
    return f"{column.name}: {annotation} = Field({', '.join(args)})"


def _enum(plan: DatabasePlan, column: Column) -> EnumType:
    return next(e for e in plan.enums if e.name == column.enum)


def _python_type(plan: DatabasePlan, column: Column, imports: Imports) -> str:
    if column.type == "enum":
        return enum_class_name(_enum(plan, column))
    annotation = _PYTHON_TYPES[column.type]
    if annotation in _TYPE_IMPORTS:
        imports.need(*_TYPE_IMPORTS[annotation])
    return annotation


def _sa_type(plan: DatabasePlan, entity: Entity, column: Column, imports: Imports) -> str | None:
    """The SQLAlchemy type expression, or None when the annotation alone maps it correctly."""
    if column.type == "enum":
        enum = _enum(plan, column)
        name, extra = enum.name, ""
        if plan.overview.database == "sqlite":
            # SQLite has no enum type: a VARCHAR whose named CHECK lists the values, as in the DDL.
            name = enum_check_name(entity.table, column.name)
            extra = ", native_enum=False, create_constraint=True"
        if any(member(value) != value for value in enum.values):
            extra += ", values_callable=lambda members: [m.value for m in members]"
        return f"sa.Enum({enum_class_name(enum)}, name={literal(name)}{extra})"
    if column.type == "timestamp" and plan.overview.database == "mysql":
        # MySQL DATETIME keeps no zone; agent.sql stores UTC with microseconds there.
        imports.need("sqlalchemy.dialects", "mysql")
        return "mysql.DATETIME(fsp=6)"
    if column.type == "json" and plan.overview.database == "postgresql":
        imports.need("sqlalchemy.dialects.postgresql", "JSONB")
        return "JSONB"
    return {
        "text": "sa.Text",
        "bigint": "sa.BigInteger",
        "float": "sa.Double",
        "json": "sa.JSON",
        "timestamp": "sa.DateTime(timezone=True)",
        "string": f"sa.String({column.length})",
        "numeric": f"sa.Numeric({column.precision}, {column.scale})",
    }.get(column.type)


def _default(plan: DatabasePlan, column: Column, imports: Imports) -> str | None:
    """The Python-side default as keyword source: `default=...` or `default_factory=...`."""
    if column.default is None:
        return "default=None" if column.nullable else None
    if column.default.kind == "new_uuid":
        imports.need("uuid", "uuid4")
        return "default_factory=uuid4"
    if column.default.kind == "now":
        return "default_factory=utc_now"

    value = column.default.value
    if column.type == "enum":
        return f"default={enum_class_name(_enum(plan, column))}.{member(str(value))}"
    if column.type == "numeric":
        return f"default=Decimal({literal(str(value))})"
    if column.type == "json":
        return "default_factory=list" if str(value).startswith("[") else "default_factory=dict"
    return f"default={literal(value)}"


def _foreign_key_arg(fk: ForeignKey) -> str:
    args = [literal(f"{fk.table}.{fk.column}")]
    if fk.on_delete != "NO ACTION":
        args.append(f"ondelete={literal(fk.on_delete)}")
    if fk.on_update != "NO ACTION":
        args.append(f"onupdate={literal(fk.on_update)}")
    return f"sa.ForeignKey({', '.join(args)})"
