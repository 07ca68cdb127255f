"""ORM classes of a plan as Python source: SQLModel, or SQLAlchemy 2.0 declarative.

One render gives the whole module (imports once, enums, classes) and the snippet of each class
for the document; the preamble and the snippets joined are the module, so the code shown in
plan/database.md is the code the tests import. A plan whose ORM is 'other' gets SQLModel
classes as the reference model.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.orm_columns import Imports, attribute, enum_class_name, member, table_args
from agent.plan import Column, DatabasePlan, Entity, EnumType, Relationship
from agent.pysource import WIDTH, comment, docstring, literal, wrap
from agent.relations import relations


@dataclass(frozen=True)
class OrmCode:
    """A rendered ORM module: its preamble, one class snippet per table, the whole source."""

    flavour: str
    preamble: str
    classes: dict[str, str]
    module: str


def orm_code(plan: DatabasePlan) -> OrmCode:
    """Render the plan's entities as an importable module, SQLAlchemy when the plan says so."""
    flavour = "sqlalchemy" if plan.overview.orm == "sqlalchemy" else "sqlmodel"
    imports = Imports()
    rels = relations(plan)
    classes = {e.table: _class_source(plan, rels, e, flavour, imports) for e in plan.entities}

    blocks = [_enum_source(enum) for enum in plan.enums]
    if plan.enums:
        imports.need("enum", "Enum")
    if any("=utc_now" in source for source in classes.values()):
        imports.need("datetime", "UTC")
        blocks.append("def utc_now() -> datetime:\n    return datetime.now(UTC)")
    if flavour == "sqlalchemy":
        blocks.append("class Base(DeclarativeBase):\n    pass")
    preamble = "\n\n\n".join([imports.render(), *blocks])

    ordered = [classes[table] for table in _module_order(plan, rels)]
    module = "\n\n\n".join([preamble, *ordered]) + "\n"
    return OrmCode(flavour, preamble, classes, module)


def _module_order(plan: DatabasePlan, rels: list[Relationship]) -> list[str]:
    """Junction tables first: link_model= names their class when the module is imported."""
    through = {r.through for r in rels if r.through}
    firsts = [e.table for e in plan.entities if e.table in through]
    return firsts + [e.table for e in plan.entities if e.table not in through]


def _enum_source(enum: EnumType) -> str:
    members = [f"    {member(value)} = {literal(value)}" for value in enum.values]
    doc = f"    {docstring(enum.description)}\n\n" if enum.description else ""
    return f"class {enum_class_name(enum)}(str, Enum):\n{doc}" + "\n".join(members)


def _class_source(
    plan: DatabasePlan, rels: list[Relationship], entity: Entity, flavour: str, imports: Imports
) -> str:
    if flavour == "sqlmodel":
        imports.need("sqlmodel", "Field", "SQLModel")
        lines = [f"class {entity.class_name}(SQLModel, table=True):"]
    else:
        imports.need("sqlalchemy.orm", "DeclarativeBase", "Mapped", "mapped_column")
        lines = [f"class {entity.class_name}(Base):"]
    if entity.description:
        lines += [f"    {docstring(entity.description)}", ""]
    lines.append(f"    __tablename__ = {literal(entity.table)}")

    arguments = table_args(plan, entity)
    single = f"    __table_args__ = ({arguments[0]},)" if len(arguments) == 1 else ""
    if single and len(single) <= WIDTH:
        lines.append(single)
    elif arguments:
        lines.append("    __table_args__ = (")
        for argument in arguments:
            lines += wrap(argument, 8, ",")
        lines.append("    )")
    lines.append("")

    for column in entity.columns:
        if column.description.strip():
            lines += comment(column.description, 4)
        lines += wrap(attribute(plan, entity, column, flavour, imports), 4)
    ends = _relationships(plan, rels, entity, flavour)
    if ends:
        module, name = ("sqlmodel", "Relationship")
        if flavour == "sqlalchemy":
            module, name = ("sqlalchemy.orm", "relationship")
        imports.need(module, name)
        if any("Optional[" in line for line in ends):
            imports.need("typing", "Optional")
        lines.append("")
        for line in ends:
            lines += wrap(line, 4)
    return "\n".join(lines)


def _relationships(
    plan: DatabasePlan, rels: list[Relationship], entity: Entity, flavour: str
) -> list[str]:
    """The relationship attributes of one class, from both ends of each relationship."""
    lines = []
    for rel in rels:
        if rel.parent == entity.table:
            lines.append(_relationship(plan, rel, parent_side=True, flavour=flavour))
        if rel.child == entity.table:
            lines.append(_relationship(plan, rel, parent_side=False, flavour=flavour))
    return lines


def _relationship(plan: DatabasePlan, rel: Relationship, *, parent_side: bool, flavour: str) -> str:
    """One end of a relationship; string annotations because the other class may come later."""
    parent, child = plan.entity(rel.parent).class_name, plan.entity(rel.child).class_name
    attribute_name = rel.parent_attribute if parent_side else rel.child_attribute
    other = rel.child_attribute if parent_side else rel.parent_attribute
    target = child if parent_side else parent

    if rel.kind == "many_to_many" or (parent_side and rel.kind == "one_to_many"):
        annotation = f'list["{target}"]'
    elif parent_side or _fk_column(plan, rel).nullable:
        annotation = f'Optional["{target}"]'
    else:
        annotation = f'"{target}"'

    options = _options(plan, rel, parent_side)
    kwargs = [f"back_populates={literal(other)}"]
    if flavour == "sqlmodel":
        if rel.through:
            kwargs.append(f"link_model={plan.entity(rel.through).class_name}")
        if options:
            pairs = ", ".join(f"{literal(key)}: {value}" for key, value in options)
            kwargs.append(f"sa_relationship_kwargs={{{pairs}}}")
        return f"{attribute_name}: {annotation} = Relationship({', '.join(kwargs)})"

    if rel.through:
        kwargs.append(f"secondary={literal(rel.through)}")
    kwargs += [f"{key}={value}" for key, value in options]
    return f"{attribute_name}: Mapped[{annotation}] = relationship({', '.join(kwargs)})"


def _fk_column(plan: DatabasePlan, rel: Relationship) -> Column:
    return next(c for c in plan.entity(rel.child).columns if c.name == rel.foreign_key)


def _options(plan: DatabasePlan, rel: Relationship, parent_side: bool) -> list[tuple[str, str]]:
    """uselist for one-to-one, foreign_keys when two keys join the pair, remote_side for self."""
    options = []
    if rel.kind == "one_to_one" and parent_side:
        options.append(("uselist", "False"))
    if rel.kind == "many_to_many":
        return options

    child = plan.entity(rel.child)
    fk = _fk_column(plan, rel).foreign_key
    joining = [c for c in child.columns if c.foreign_key and c.foreign_key.table == rel.parent]
    if len(joining) > 1:
        options.append(("foreign_keys", literal(f"[{child.class_name}.{rel.foreign_key}]")))
    if rel.parent == rel.child and not parent_side and fk is not None:
        options.append(("remote_side", literal(f"{child.class_name}.{fk.column}")))
    return options
