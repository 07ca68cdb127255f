"""The relationships of a plan: those the design lists, and those its foreign keys imply.

A foreign key that no listed relationship covers gives a one-to-many (one-to-one when the
column is unique or the whole primary key) from the referenced table to the table holding
the key. A pure link table gives a many-to-many between the two tables it links: its primary
key is exactly two foreign keys to two different tables, and its other columns are only
timestamps. A link table that carries data (a role, a status, a foreign key more) stays an
entity of its own: each of its keys gives a one-to-many, the association-object pattern.
A listed relationship covers its foreign key, or, for many-to-many, its junction's keys.

Derived names: the child's attribute is the key column without `_id` (`author_id` ->
`author`); the parent's is the child's table (`posts`), or the child class in snake case for
one-to-one (`profile`). Names that clash on a class get the other side's name appended,
then a number, in plan order, so the result is deterministic.
"""

from __future__ import annotations

import re
from collections import Counter

from agent.plan import Column, DatabasePlan, Entity, Relationship

TIMESTAMP_TYPES = ("timestamp",)


def relations(plan: DatabasePlan) -> list[Relationship]:
    """The listed relationships, then the derived ones in entity and column order."""
    tables = {e.table for e in plan.entities}
    listed = [r for r in plan.relationships if r.parent in tables and r.child in tables]
    covered = _covered(plan, listed)
    taken = _taken(plan, listed)

    derived: list[Relationship] = []
    for entity in plan.entities:
        link = _link_keys(entity, tables)
        if link and not covered & {(entity.table, c.name) for c in link}:
            derived.append(_many_to_many(plan, entity, link, taken))
            covered |= {(entity.table, c.name) for c in link}
        for column in entity.columns:
            fk = column.foreign_key
            if fk is None or fk.table not in tables or (entity.table, column.name) in covered:
                continue
            derived.append(_one_to_many(plan, entity, column, taken))
    return listed + derived


def link_tables(plan: DatabasePlan) -> set[str]:
    """Tables that join a many-to-many relationship (their classes must come first)."""
    return {r.through for r in relations(plan) if r.through}


def snake(class_name: str) -> str:
    """`ClubMembership` -> `club_membership`."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", class_name).lower()


def _covered(plan: DatabasePlan, listed: list[Relationship]) -> set[tuple[str, str]]:
    """(table, column) of every foreign key a listed relationship already stands for."""
    covered = set()
    for rel in listed:
        if rel.foreign_key:
            covered.add((rel.child, rel.foreign_key))
        if rel.through:
            covered |= {(rel.through, c.name) for c in junction_keys(plan, rel)}
    return covered


def junction_keys(plan: DatabasePlan, rel: Relationship) -> list[Column]:
    """The junction's key columns toward the two sides (primary key columns preferred)."""
    assert rel.through is not None
    columns = plan.entity(rel.through).columns
    ends = [c for c in columns if c.foreign_key and c.foreign_key.table in (rel.parent, rel.child)]
    keys = [c for c in ends if c.primary_key]
    return keys if len(keys) >= 2 else ends


def _taken(plan: DatabasePlan, listed: list[Relationship]) -> dict[str, set[str]]:
    """Attribute names already used on each table: its columns and listed relationships."""
    taken = {e.table: {c.name for c in e.columns} for e in plan.entities}
    for rel in listed:
        taken[rel.parent].add(rel.parent_attribute)
        taken[rel.child].add(rel.child_attribute)
    return taken


def _link_keys(entity: Entity, tables: set[str]) -> list[Column]:
    """The two key columns of a pure link table, or [] when `entity` is not one."""
    keys = [c for c in entity.columns if c.primary_key]
    targets = [c.foreign_key.table for c in keys if c.foreign_key]
    if len(keys) != 2 or len(targets) != 2 or len(set(targets)) != 2:
        return []
    if not set(targets) <= tables:
        return []
    others = [c for c in entity.columns if not c.primary_key]
    if any(c.type not in TIMESTAMP_TYPES or c.foreign_key for c in others):
        return []
    return keys


def _claim(taken: dict[str, set[str]], table: str, name: str, other: str) -> str:
    """`name` on `table` if free, else `name_other`, else with a number; marked as taken."""
    names = taken[table]
    candidate = name if name not in names else f"{name}_{other}"
    number = 2
    while candidate in names:
        candidate, number = f"{name}_{other}_{number}", number + 1
    names.add(candidate)
    return candidate


def _many_to_many(
    plan: DatabasePlan, junction: Entity, keys: list[Column], taken: dict[str, set[str]]
) -> Relationship:
    parent, child = (k.foreign_key.table for k in keys if k.foreign_key)
    return Relationship(
        kind="many_to_many",
        parent=parent,
        child=child,
        through=junction.table,
        parent_attribute=_claim(taken, parent, child, junction.table),
        child_attribute=_claim(taken, child, parent, junction.table),
    )


def _one_to_many(
    plan: DatabasePlan, entity: Entity, column: Column, taken: dict[str, set[str]]
) -> Relationship:
    assert column.foreign_key is not None
    parent = column.foreign_key.table
    keys = [c.name for c in entity.columns if c.primary_key]
    single = column.unique or keys == [column.name]

    base = column.name.removesuffix("_id")
    if base == column.name:
        base = f"{column.name}_{snake(plan.entity(parent).class_name)}"
    child_attribute = _claim(taken, entity.table, base, snake(plan.entity(parent).class_name))

    siblings = Counter(c.foreign_key.table for c in entity.columns if c.foreign_key)
    plural = snake(entity.class_name) if single else entity.table
    name = f"{child_attribute}_{plural}" if siblings[parent] > 1 else plural
    return Relationship(
        kind="one_to_one" if single else "one_to_many",
        parent=parent,
        child=entity.table,
        foreign_key=column.name,
        parent_attribute=_claim(taken, parent, name, child_attribute),
        child_attribute=child_attribute,
    )
