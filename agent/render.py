"""plan/database.md from a validated DatabasePlan, in the agent definition's Output Format.

Every section derives from the one design: the Models from agent.orm, the diagram from
agent.diagram, the migrations' SQL from agent.sql for the plan's database, the Indexes and
Constraints tables from the same names the DDL uses. The output is deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from agent.diagram import entity_diagram, mermaid_er
from agent.orm import orm_code
from agent.plan import DatabasePlan, Entity, IndexRef, Query, Relationship
from agent.relations import relations
from agent.render_tables import constraint_rows, index_rows, table
from agent.sql import MigrationSQL, index_name, migrations_sql

DATABASES = {"postgresql": "PostgreSQL", "mysql": "MySQL / MariaDB", "sqlite": "SQLite"}
_PARAMETER = re.compile(r"(?<![:\w]):([A-Za-z_][A-Za-z0-9_]*)")
ORMS = {"sqlmodel": "SQLModel", "sqlalchemy": "SQLAlchemy 2.0 (declarative, `Mapped[...]`)"}
RELATION_HEADERS: tuple[str, ...] = (
    "Parent",
    "Child",
    "Kind",
    "Via",
    "Attributes",
    "ON DELETE",
    "Description",
)
SECTIONS = (
    "Overview",
    "Assumptions",
    "Models",
    "Entity Relationship Diagram",
    "Indexes",
    "Migrations",
    "Common Queries",
    "Constraints",
    "Design Decisions",
    "Cross-References",
)


def render_markdown(plan: DatabasePlan, *, model: str) -> str:
    """The whole document; `model` names the model that produced the design."""
    parts = [
        "# Database Plan",
        f"> Design by `{_flat(model)}`; the SQL, ORM classes, diagram and tables below are "
        "generated from it by code.",
        _overview(plan),
        _assumptions(plan),
        _models(plan),
        _diagram(plan),
        "## Indexes\n\n"
        + table(("Table", "Name", "Column(s)", "Type", "Purpose"), index_rows(plan)),
        _migrations(plan),
        _queries(plan),
        "## Constraints\n\n"
        + table(("Table", "Constraint", "Type", "Description"), constraint_rows(plan)),
        _decisions(plan),
        _cross_references(plan),
    ]
    return "\n\n".join(parts) + "\n"


def _flat(text: str) -> str:
    """Text on one line (headings, list items, inline values)."""
    return " ".join(text.split())


def _block(language: str, body: str) -> str:
    return f"```{language}\n{body.rstrip()}\n```"


def _bullets(items: Iterable[str], empty: str = "None recorded.") -> str:
    lines = [f"- {item}" for item in items]
    return "\n".join(lines or [f"- {empty}"])


def _overview(plan: DatabasePlan) -> str:
    overview = plan.overview
    orm = ORMS.get(overview.orm, "")
    if overview.orm == "other":
        orm = f"{_flat(overview.orm_name or '')} (models below are SQLModel, for reference)"
    lines = [
        "## Overview",
        "",
        f"**Database**: {DATABASES[overview.database]}",
        f"**ORM**: {orm}",
        f"**Naming Convention**: {_flat(overview.naming_convention)}",
    ]
    if overview.summary.strip():
        lines += ["", overview.summary.strip()]
    return "\n".join(lines)


def _assumptions(plan: DatabasePlan) -> str:
    items = [f"**{_flat(a.input)}**: {_flat(a.assumption)}" for a in plan.assumptions]
    return "## Assumptions\n\n" + _bullets(items)


def _models(plan: DatabasePlan) -> str:
    """The module's preamble, then one class per entity in import order (junctions first)."""
    code = orm_code(plan)
    parts = ["## Models", "Shared imports and types:", _block("python", code.preamble)]
    order = [line.split("(")[0].removeprefix("class ") for line in code.module.split("\n")]
    entities = sorted(plan.entities, key=lambda e: order.index(e.class_name))
    for entity in entities:
        parts.append(f"### {entity.class_name}")
        note = _entity_note(entity)
        if note:
            parts.append(note)
        parts.append(_block("python", code.classes[entity.table]))
    return "\n\n".join(parts)


def _entity_note(entity: Entity) -> str:
    where = f" (`{_flat(entity.source)}`)" if entity.source else ""
    if entity.status == "existing":
        return f"_Existing model{where}, unchanged by this plan._"
    if entity.status == "changed":
        return f"_Existing model{where}; the migrations below change it._"
    return ""


def _diagram(plan: DatabasePlan) -> str:
    headers = RELATION_HEADERS
    rows = _relations(plan)
    if not any(row[-1] for row in rows):
        headers, rows = headers[:-1], [row[:-1] for row in rows]
    return "\n\n".join(
        [
            "## Entity Relationship Diagram",
            _block("", entity_diagram(plan)),
            "Relationships as the ORM classes declare them (those the design does not list "
            "follow from its foreign keys):",
            table(headers, rows),
            "The same schema in Mermaid:",
            _block("mermaid", mermaid_er(plan)),
        ]
    )


def _relations(plan: DatabasePlan) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for rel in relations(plan):
        via = f"{rel.through} (junction)" if rel.through else f"{rel.child}.{rel.foreign_key}"
        attributes = f"{rel.parent}.{rel.parent_attribute} / {rel.child}.{rel.child_attribute}"
        kind = rel.kind.replace("_", "-")
        on_delete = _on_delete(plan, rel)
        rows.append((rel.parent, rel.child, kind, via, attributes, on_delete, rel.description))
    return rows


def _on_delete(plan: DatabasePlan, rel: Relationship) -> str:
    """What deleting a parent row does: the key's action; parent / child keys' for a link."""
    holder = plan.entity(rel.through or rel.child)
    keys = [c for c in holder.columns if c.foreign_key is not None]
    if rel.foreign_key:
        keys = [c for c in keys if c.name == rel.foreign_key]
    actions = []
    for side in (rel.parent, rel.child) if rel.through else (rel.parent,):
        key = next((c for c in keys if c.foreign_key and c.foreign_key.table == side), None)
        if key is not None and key.foreign_key is not None:
            keys.remove(key)
            actions.append(key.foreign_key.on_delete)
    return " / ".join(actions)


def _statements(statements: list[str]) -> str:
    """Statements ending in ';', tabs as spaces; a blank line around multi-line ones."""
    texts = ["\n".join(line.rstrip() for line in s.expandtabs(4).split("\n")) for s in statements]
    out = ""
    for i, text in enumerate(texts):
        if i:
            out += "\n\n" if "\n" in text or "\n" in texts[i - 1] else "\n"
        out += text.rstrip().rstrip(";") + ";"
    return out


def _migration(migration: MigrationSQL, description: str) -> str:
    parts = [f"### Migration {migration.id}: {_flat(migration.title)}"]
    if description.strip():
        parts.append(_flat(description))
    up = _statements(migration.up) if migration.up else "-- nothing to apply on this database"
    down = _statements(migration.down) if migration.down else "-- nothing to undo"
    parts += ["**Up**:", _block("sql", up), "**Down**:", _block("sql", down)]
    parts += [f"_Note: {_flat(note)}_" for note in migration.notes]
    return "\n\n".join(parts)


def _migrations(plan: DatabasePlan) -> str:
    descriptions = {m.id: m.description for m in plan.migrations}
    compiled = migrations_sql(plan, plan.overview.database)
    return "\n\n".join(["## Migrations", *(_migration(m, descriptions[m.id]) for m in compiled)])


def _index_label(plan: DatabasePlan, ref: IndexRef) -> str:
    for index in plan.indexes:
        if index.table == ref.table and [c.name for c in index.columns] == ref.columns:
            return f"`{index_name(index)}` on {ref.table} ({', '.join(ref.columns)})"
    return f"{ref.table} ({', '.join(ref.columns)}), not among the plan's indexes"


def _queries(plan: DatabasePlan) -> str:
    parts = ["## Common Queries"]
    for query in plan.queries:
        parts.append(f"### {_flat(query.name)}")
        parts.append(_block("sql", query.sql.strip().rstrip(";") + ";"))
        parameters = ", ".join(f"`:{p}`" for p in _parameters(query)) or "none"
        indexes = "; ".join(_index_label(plan, ref) for ref in query.indexes) or "primary key only"
        parts.append(f"**Parameters**: {parameters}  \n**Uses index**: {indexes}")
    if not plan.queries:
        parts.append("None recorded.")
    return "\n\n".join(parts)


def _parameters(query: Query) -> list[str]:
    """The listed parameters, or the :names of the SQL in order of first use."""
    return query.parameters or list(dict.fromkeys(_PARAMETER.findall(query.sql)))


def _decisions(plan: DatabasePlan) -> str:
    parts = ["## Design Decisions"]
    for decision in plan.decisions:
        items = [f"**{_flat(decision.decision)}**", *(_flat(r) for r in decision.rationale)]
        parts += [f"### {_flat(decision.topic)}", _bullets(items)]
    if not plan.decisions:
        parts.append("None recorded.")
    return "\n\n".join(parts)


def _cross_references(plan: DatabasePlan) -> str:
    items = [f"{_flat(r.label)}: `{_flat(r.path)}`" for r in plan.cross_references]
    return "## Cross-References\n\n" + _bullets(items)
