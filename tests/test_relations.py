"""Relationships derived from foreign keys: kinds, names, coverage by listed ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agent.orm import orm_code
from agent.plan import DatabasePlan
from agent.relations import relations
from tests.test_orm import generated

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_DESIGNS = sorted(ROOT.glob("fixtures/designs/*.json"))


def key(name: str, table: str | None = None, **extra: Any) -> dict[str, Any]:
    column: dict[str, Any] = {"name": name, "type": "uuid", **extra}
    if table:
        column["foreign_key"] = {"table": table, "on_delete": "CASCADE"}
    return column


def entity(table: str, class_name: str, *columns: dict[str, Any]) -> dict[str, Any]:
    return {"table": table, "class_name": class_name, "columns": list(columns)}


def plan(*entities: dict[str, Any], listed: list[dict[str, Any]] | None = None) -> DatabasePlan:
    migrations = [{"id": "001", "title": "Create", "operations": []}]
    migrations[0]["operations"] = [
        {"action": "create_table", "table": e["table"]} for e in entities
    ]
    return DatabasePlan.model_validate(
        {
            "overview": {"database": "postgresql"},
            "entities": list(entities),
            "relationships": listed or [],
            "migrations": migrations,
        }
    )


USERS = entity("users", "User", key("id", primary_key=True))
TAGS = entity("tags", "Tag", key("id", primary_key=True))
STAMP = {"name": "created_at", "type": "timestamp"}


def shape(design: DatabasePlan) -> list[tuple[str | None, ...]]:
    return [
        (
            r.kind,
            r.parent,
            r.child,
            r.foreign_key or r.through,
            r.parent_attribute,
            r.child_attribute,
        )
        for r in relations(design)
    ]


def test_a_foreign_key_gives_one_to_many_named_after_column_and_table() -> None:
    posts = entity("posts", "Post", key("id", primary_key=True), key("author_id", "users"))

    assert shape(plan(USERS, posts)) == [
        ("one_to_many", "users", "posts", "author_id", "posts", "author")
    ]


def test_a_unique_key_gives_one_to_one_named_after_the_class() -> None:
    profiles = entity(
        "user_profiles",
        "UserProfile",
        key("id", primary_key=True),
        key("user_id", "users", unique=True),
    )

    assert shape(plan(USERS, profiles)) == [
        ("one_to_one", "users", "user_profiles", "user_id", "user_profile", "user")
    ]


def test_a_pure_link_table_gives_many_to_many() -> None:
    posts = entity("posts", "Post", key("id", primary_key=True))
    link = entity(
        "post_tags",
        "PostTag",
        key("post_id", "posts", primary_key=True),
        key("tag_id", "tags", primary_key=True),
        STAMP,
    )

    assert shape(plan(posts, TAGS, link)) == [
        ("many_to_many", "posts", "tags", "post_tags", "tags", "posts")
    ]


def test_a_link_table_with_data_is_an_entity_with_two_parents() -> None:
    clubs = entity("clubs", "Club", key("id", primary_key=True))
    memberships = entity(
        "memberships",
        "Membership",
        key("club_id", "clubs", primary_key=True),
        key("user_id", "users", primary_key=True),
        {"name": "role", "type": "string", "length": 20},
    )

    assert shape(plan(USERS, clubs, memberships)) == [
        ("one_to_many", "clubs", "memberships", "club_id", "memberships", "club"),
        ("one_to_many", "users", "memberships", "user_id", "memberships", "user"),
    ]


def test_two_keys_to_one_parent_and_name_clashes_get_distinct_names() -> None:
    posts = entity(
        "posts",
        "Post",
        key("id", primary_key=True),
        key("author_id", "users"),
        key("reviewed_by", "users", nullable=True),
        {"name": "author", "type": "text"},
    )

    assert shape(plan(USERS, posts)) == [
        ("one_to_many", "users", "posts", "author_id", "author_user_posts", "author_user"),
        (
            "one_to_many",
            "users",
            "posts",
            "reviewed_by",
            "reviewed_by_user_posts",
            "reviewed_by_user",
        ),
    ]


def test_a_listed_relationship_covers_its_key_and_keeps_its_names() -> None:
    posts = entity("posts", "Post", key("id", primary_key=True), key("author_id", "users"))
    listed = {
        "kind": "one_to_many",
        "parent": "users",
        "child": "posts",
        "foreign_key": "author_id",
        "parent_attribute": "writings",
        "child_attribute": "writer",
    }

    assert shape(plan(USERS, posts, listed=[listed])) == [
        ("one_to_many", "users", "posts", "author_id", "writings", "writer")
    ]


@pytest.mark.parametrize("path", FIXTURE_DESIGNS, ids=[p.stem for p in FIXTURE_DESIGNS])
def test_every_foreign_key_of_a_fixture_design_is_one_relation(path: Path) -> None:
    design = DatabasePlan.model_validate_json(path.read_text(encoding="utf-8"))
    found = relations(design)
    links = {r.through for r in found if r.through}

    keys = [(e.table, c.name) for e in design.entities for c in e.columns if c.foreign_key]
    direct = [(r.child, r.foreign_key) for r in found if r.foreign_key]
    via_link = [k for k in keys if k[0] in links and k not in direct]
    assert sorted(direct + via_link) == sorted(keys)
    assert len(set(direct)) == len(direct)
    for table in {r.parent for r in found} | {r.child for r in found}:
        names = [r.parent_attribute for r in found if r.parent == table]
        names += [r.child_attribute for r in found if r.child == table]
        assert len(set(names)) == len(names), table


@pytest.mark.parametrize("orm", ["sqlmodel", "sqlalchemy"])
def test_derived_relationships_configure_in_both_orms(orm: str, tmp_path: Path) -> None:
    edges = DatabasePlan.model_validate_json((ROOT / "tests/data/plan_edges.json").read_text())
    bare = edges.model_copy(
        update={"relationships": [], "overview": edges.overview.model_copy(update={"orm": orm})}
    )

    assert len(relations(bare)) == 5
    described = generated(orm_code(bare).module, "postgresql", tmp_path)
    assert set(described) == {e.table for e in bare.entities}
