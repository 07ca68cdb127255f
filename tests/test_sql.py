"""SQL written from a design: order, exact reverse, names, quoting, and a run on SQLite."""

from __future__ import annotations

import copy
import json
import re
import sqlite3
import uuid
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from agent.plan import DIALECTS, DatabasePlan, Dialect
from agent.proof import prove
from agent.proof.server import EmbeddedPostgres
from agent.sql import (
    PlanSQLError,
    baseline_sql,
    derived_names,
    index_name,
    metadata,
    migrations_sql,
    shorten,
)

SMALL = Path(__file__).parent / "data" / "plan_small.json"
NULLS = {"column": None, "columns": None, "constraint": None, "dialect": None}


def small_data() -> dict[str, Any]:
    return json.loads(SMALL.read_text(encoding="utf-8"))


def small() -> DatabasePlan:
    return DatabasePlan.model_validate(small_data())


def all_new() -> DatabasePlan:
    """The small design with users created by migration 001 instead of existing."""
    data = small_data()
    data["entities"][0]["status"] = "new"
    data["entities"][0]["source"] = None
    data["migrations"][0]["operations"].insert(0, {"action": "create_table", "table": "users"})
    return DatabasePlan.model_validate(data)


CREATES = {
    "table": r"^CREATE TABLE (?P<name>\S+)",
    "index": r"^CREATE (?:UNIQUE )?INDEX (?:CONCURRENTLY )?(?P<name>\S+) ON (?P<table>\S+)",
    "type": r"^CREATE TYPE (?P<name>\S+)",
    "column": r"^ALTER TABLE (?P<table>\S+) ADD COLUMN (?P<name>\S+)",
    "constraint": r"^ALTER TABLE (?P<table>\S+) ADD CONSTRAINT (?P<name>\S+)",
}
DROPS = {
    "table": r"^DROP TABLE (?P<name>\S+)",
    "index": r"^DROP INDEX (?:CONCURRENTLY )?(?P<name>\S+)",
    "type": r"^DROP TYPE (?P<name>\S+)",
    "column": r"^ALTER TABLE \S+ DROP COLUMN (?P<name>\S+)",
    "constraint": r"^ALTER TABLE \S+ DROP (?:CONSTRAINT|CHECK|FOREIGN KEY|INDEX) (?P<name>\S+)",
}


def _match(patterns: dict[str, str], statement: str) -> tuple[str, str, str] | None:
    for kind, pattern in patterns.items():
        match = re.match(pattern, statement)
        if match:
            return kind, match["name"], match.groupdict().get("table") or match["name"]
    return None


def created(statement: str) -> tuple[str, str] | None:
    """Return (kind, name) of the object a CREATE / ADD statement makes."""
    found = _match(CREATES, statement)
    return found[:2] if found else None


def dropped(statement: str) -> tuple[str, str] | None:
    """Return (kind, name) of the object a DROP statement removes."""
    found = _match(DROPS, statement)
    return found[:2] if found else None


@pytest.mark.parametrize("dialect", DIALECTS)
def test_small_plan_compiles_with_pinned_statements(dialect: Dialect) -> None:
    migrations = migrations_sql(small(), dialect)

    first = [created(s) for s in migrations[0].up]
    tables = [name for kind, name in filter(None, first) if kind == "table"]
    assert tables == ["posts", "tags", "post_tags"]
    assert ("index", "idx_posts_created_at") in first
    assert ("index", "idx_post_tags_tag_id") in first
    assert (("type", "post_status") in first) == (dialect == "postgresql")
    assert [m.id for m in migrations] == ["001", "002"]
    assert not any(s.endswith(";") for m in migrations for s in m.up + m.down)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_down_is_the_exact_reverse_of_up(dialect: Dialect) -> None:
    for migration in migrations_sql(all_new(), dialect):
        made = [m for m in map(partial(_match, CREATES), migration.up) if m]
        new_tables = {name for kind, name, _ in made if kind == "table"}
        # What lives on a table this migration creates goes with the table's DROP.
        expected = [m[:2] for m in made if m[0] == "table" or m[2] not in new_tables]
        undone = [dropped(s) for s in migration.down if dropped(s)]

        assert undone == list(reversed(expected)), migration.id


def test_raw_steps_run_only_on_their_database() -> None:
    pg = migrations_sql(small(), "postgresql")[1]
    lite = migrations_sql(small(), "sqlite")[1]

    assert "COMMENT ON COLUMN users.bio IS 'Short profile text'" in pg.up
    assert pg.down.index("COMMENT ON COLUMN users.bio IS NULL") < pg.down.index(
        "ALTER TABLE users DROP COLUMN bio"
    )
    assert not any(s.startswith("COMMENT") for s in lite.up + lite.down)
    assert lite.notes == ["migration 002: raw SQL for postgresql skipped on sqlite"]
    assert "UPDATE users SET bio = '' WHERE bio IS NULL" in lite.up


def test_postgresql_types_defaults_and_partial_index() -> None:
    up = "\n".join(migrations_sql(small(), "postgresql")[0].up)

    assert "id UUID DEFAULT gen_random_uuid() NOT NULL" in up
    assert "extra JSONB" in up
    assert "created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL" in up
    assert "status post_status DEFAULT 'draft' NOT NULL" in up
    assert "WHERE is_active = true" in up
    assert "ON DELETE CASCADE" in up


def test_mysql_and_sqlite_leave_uuids_to_the_orm() -> None:
    mysql = migrations_sql(small(), "mysql")[0]
    lite = "\n".join(migrations_sql(small(), "sqlite")[0].up)

    # SQLAlchemy's Uuid, as the ORM classes declare it: 32 hex digits, no hyphens.
    assert "id CHAR(32) NOT NULL," in "\n".join(mysql.up)
    assert "DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)" in "\n".join(mysql.up)
    assert "gen_random_uuid" not in lite
    assert mysql.notes == [
        "index idx_posts_created_at: MySQL has no partial indexes; covers all rows"
    ]


def test_baseline_holds_existing_tables_before_their_changes() -> None:
    statements = baseline_sql(small(), "postgresql")

    assert [created(s) for s in statements] == [("table", "users")]
    assert " bio " not in statements[0]
    assert "uq_users_email UNIQUE (email)" in statements[0]
    assert baseline_sql(all_new(), "postgresql") == []


def test_metadata_is_the_final_schema() -> None:
    md = metadata(small())

    assert sorted(md.tables) == ["post_tags", "posts", "tags", "users"]
    assert "bio" in md.tables["users"].c
    assert [c.name for c in md.tables["post_tags"].primary_key] == ["post_id", "tag_id"]
    assert {i.name for i in md.tables["posts"].indexes} == {
        "idx_posts_author_id_created_at",
        "idx_posts_created_at",
    }


def apply(connection: sqlite3.Connection, statements: list[str]) -> None:
    for statement in statements:
        connection.execute(statement)


def schema_of(connection: sqlite3.Connection) -> list[tuple[str, str]]:
    rows = connection.execute("SELECT type, name FROM sqlite_master ORDER BY type, name")
    return [(kind, name) for kind, name in rows if not name.startswith("sqlite_autoindex")]


def test_sqlite_ups_then_downs_leave_no_tables() -> None:
    migrations = migrations_sql(all_new(), "sqlite")
    connection = sqlite3.connect(":memory:")
    connection.execute("PRAGMA foreign_keys = ON")

    for migration in migrations:
        apply(connection, migration.up)
    assert ("index", "idx_users_created_at") in schema_of(connection)
    assert len([k for k, _ in schema_of(connection) if k == "table"]) == 4

    for migration in reversed(migrations):
        apply(connection, migration.down)
    assert schema_of(connection) == []


def test_sqlite_downs_leave_the_baseline() -> None:
    plan = small()
    connection = sqlite3.connect(":memory:")
    apply(connection, baseline_sql(plan, "sqlite"))
    baseline = schema_of(connection)

    migrations = migrations_sql(plan, "sqlite")
    for migration in migrations:
        apply(connection, migration.up)
    assert [r[1] for r in connection.execute("PRAGMA table_info(users)")][-1] == "bio"
    for migration in reversed(migrations):
        apply(connection, migration.down)

    assert schema_of(connection) == baseline == [("table", "users")]


def test_sqlite_cascade_deletes_dependent_rows() -> None:
    connection = sqlite3.connect(":memory:")
    connection.execute("PRAGMA foreign_keys = ON")
    for migration in migrations_sql(all_new(), "sqlite"):
        apply(connection, migration.up)

    connection.execute("INSERT INTO users (id, email, name) VALUES ('u1', 'a@b.c', 'A')")
    connection.execute(
        "INSERT INTO posts (id, author_id, title, slug, body) VALUES ('p1', 'u1', 'T', 't', 'B')"
    )
    connection.execute("DELETE FROM users WHERE id = 'u1'")

    assert connection.execute("SELECT count(*) FROM posts").fetchone() == (0,)
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
        connection.execute(
            "INSERT INTO posts (id, author_id, title, slug, body, score) "
            "VALUES ('p2', 'u9', 'T', 's', 'B', -1)"
        )


def long_plan() -> DatabasePlan:
    table = "t" * 60 + "abc"
    data = small_data()
    data["entities"] = [
        {
            "table": table,
            "class_name": "Long",
            "columns": [
                {"name": "id", "type": "integer", "primary_key": True},
                {"name": "a" * 40, "type": "integer", "unique": True, "check": f"{'a' * 40} > 0"},
                {"name": "b" * 40, "type": "integer"},
                {
                    "name": "parent_id",
                    "type": "integer",
                    "nullable": True,
                    "foreign_key": {"table": table, "on_delete": "SET NULL"},
                },
            ],
        }
    ]
    data["enums"] = []
    data["relationships"] = data["queries"] = data["constraints"] = []
    data["indexes"] = [
        {"table": table, "columns": [{"name": "a" * 40}, {"name": "b" * 40}]},
        {"table": table, "columns": [{"name": "b" * 40}, {"name": "a" * 40}]},
    ]
    data["migrations"] = [
        {"id": "001", "title": "Long", "operations": [{"action": "create_table", "table": table}]}
    ]
    return DatabasePlan.model_validate(data)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_long_names_are_shortened_within_limits(dialect: Dialect) -> None:
    plan = long_plan()
    statements = migrations_sql(plan, dialect)[0].up
    names = re.findall(r"CONSTRAINT (\S+)|INDEX (\S+)", "\n".join(statements))
    flat = [a or b for a, b in names]

    assert len(flat) == 6
    assert all(len(name.strip('`"')) <= 63 for name in flat)
    assert len(set(flat)) == 6
    assert index_name(plan.indexes[0]) != index_name(plan.indexes[1])
    assert index_name(plan.indexes[0]) == index_name(long_plan().indexes[0])
    assert shorten("x" * 80) == shorten("x" * 80) != shorten("x" * 81)


def test_long_names_apply_on_sqlite() -> None:
    connection = sqlite3.connect(":memory:")
    migration = migrations_sql(long_plan(), "sqlite")[0]

    apply(connection, migration.up)
    apply(connection, migration.down)

    assert schema_of(connection) == []


def reserved_plan() -> DatabasePlan:
    data = copy.deepcopy(small_data())
    data["enums"] = []
    data["relationships"] = data["queries"] = data["constraints"] = []
    data["entities"] = [
        {
            "table": "user",
            "class_name": "User",
            "columns": [{"name": "id", "type": "uuid", "primary_key": True}],
        },
        {
            "table": "order",
            "class_name": "Order",
            "columns": [
                {"name": "id", "type": "uuid", "primary_key": True},
                {"name": "user", "type": "uuid", "foreign_key": {"table": "user"}},
                {"name": "group", "type": "string", "length": 20},
            ],
        },
    ]
    data["indexes"] = [{"table": "order", "columns": [{"name": "group"}]}]
    data["migrations"] = [
        {
            "id": "001",
            "title": "Reserved",
            "operations": [
                {"action": "create_table", "table": "order"},
                {"action": "create_table", "table": "user"},
            ],
        }
    ]
    return DatabasePlan.model_validate(data)


@pytest.mark.parametrize(
    ("dialect", "user"), [("postgresql", '"user"'), ("mysql", "user"), ("sqlite", "user")]
)
def test_reserved_words_are_quoted(dialect: Dialect, user: str) -> None:
    up = migrations_sql(reserved_plan(), dialect)[0].up
    quote = "`" if dialect == "mysql" else '"'

    # `user` is reserved only on PostgreSQL; `order` and `group` everywhere.
    assert up[0].startswith(f"CREATE TABLE {user} (")
    assert up[1].startswith(f"CREATE TABLE {quote}order{quote} (")
    assert f"\t{user} " in up[1]
    assert f"REFERENCES {user} (id)" in up[1]
    assert up[2] == f"CREATE INDEX idx_order_group ON {quote}order{quote} ({quote}group{quote})"


def test_reserved_names_apply_on_sqlite() -> None:
    connection = sqlite3.connect(":memory:")
    migration = migrations_sql(reserved_plan(), "sqlite")[0]

    apply(connection, migration.up)
    assert ("table", "order") in schema_of(connection)
    apply(connection, migration.down)

    assert schema_of(connection) == []


def with_operations(*operations: dict[str, Any]) -> DatabasePlan:
    data = small_data()
    data["migrations"].append({"id": "003", "title": "More", "operations": list(operations)})
    return DatabasePlan.model_validate(data)


def test_add_constraint_on_an_existing_table() -> None:
    data = small_data()
    data["entities"][0]["columns"][2]["check"] = "length(name) > 0"
    data["migrations"].append(
        {
            "id": "003",
            "title": "Check names",
            "operations": [
                {
                    "action": "add_constraint",
                    "table": "users",
                    "column": "name",
                    "constraint": "check",
                }
            ],
        }
    )
    plan = DatabasePlan.model_validate(data)

    pg = migrations_sql(plan, "postgresql")[2]
    # NOT VALID then VALIDATE: the old rows are checked under a lock that lets writes go on.
    assert pg.up == [
        "ALTER TABLE users ADD CONSTRAINT ck_users_name CHECK (length(name) > 0) NOT VALID",
        "ALTER TABLE users VALIDATE CONSTRAINT ck_users_name",
    ]
    assert pg.down == ["ALTER TABLE users DROP CONSTRAINT ck_users_name"]
    assert migrations_sql(plan, "mysql")[2].up == [
        "ALTER TABLE users ADD CONSTRAINT ck_users_name CHECK (length(name) > 0)"
    ]
    assert "CHECK" not in baseline_sql(plan, "postgresql")[0]
    with pytest.raises(PlanSQLError, match="SQLite cannot add a check constraint"):
        migrations_sql(plan, "sqlite")


def test_add_column_with_foreign_key_inlines_it_on_sqlite() -> None:
    data = small_data()
    data["entities"][0]["columns"].append(
        {
            "name": "best_post_id",
            "type": "uuid",
            "nullable": True,
            "unique": True,
            "foreign_key": {"table": "posts", "on_delete": "SET NULL"},
        }
    )
    data["migrations"].append(
        {
            "id": "003",
            "title": "Best post",
            "operations": [{"action": "add_column", "table": "users", "column": "best_post_id"}],
        }
    )
    plan = DatabasePlan.model_validate(data)

    lite = migrations_sql(plan, "sqlite")[2]
    pg = migrations_sql(plan, "postgresql")[2]

    assert lite.up[0].endswith(
        "CONSTRAINT fk_users_best_post_id_posts REFERENCES posts (id) ON DELETE SET NULL"
    )
    assert lite.up[1] == "CREATE UNIQUE INDEX uq_users_best_post_id ON users (best_post_id)"
    assert pg.up == [
        "ALTER TABLE users ADD COLUMN best_post_id UUID",
        "CREATE UNIQUE INDEX CONCURRENTLY uq_users_best_post_id ON users (best_post_id)",
        "ALTER TABLE users ADD CONSTRAINT uq_users_best_post_id UNIQUE USING INDEX "
        "uq_users_best_post_id",
        "ALTER TABLE users ADD CONSTRAINT fk_users_best_post_id_posts FOREIGN KEY(best_post_id) "
        "REFERENCES posts (id) ON DELETE SET NULL NOT VALID",
        "ALTER TABLE users VALIDATE CONSTRAINT fk_users_best_post_id_posts",
    ]
    assert pg.down == [
        "ALTER TABLE users DROP CONSTRAINT fk_users_best_post_id_posts",
        "ALTER TABLE users DROP CONSTRAINT uq_users_best_post_id",
        "ALTER TABLE users DROP COLUMN best_post_id",
    ]
    assert len(pg.notes) == 2
    connection = sqlite3.connect(":memory:")
    apply(connection, baseline_sql(plan, "sqlite"))
    for migration in migrations_sql(plan, "sqlite"):
        apply(connection, migration.up)
    assert "best_post_id" in [r[1] for r in connection.execute("PRAGMA table_info(users)")]


def test_operations_naming_unknown_parts_fail_clearly() -> None:
    with pytest.raises(PlanSQLError, match="add_column users.nope: the entity has no such column"):
        migrations_sql(
            with_operations({"action": "add_column", "table": "users", "column": "nope"}), "sqlite"
        )
    with pytest.raises(PlanSQLError, match="create_table users: the table exists already"):
        migrations_sql(with_operations({"action": "create_table", "table": "users"}), "sqlite")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_derived_names_are_the_names_in_the_sql(dialect: Dialect) -> None:
    plan = small()
    sql = "\n".join(baseline_sql(plan, dialect) + migrations_sql(plan, dialect)[0].up)
    sql += "\n" + "\n".join(migrations_sql(plan, dialect)[1].up)
    found = re.findall(r"CONSTRAINT (\w+)|INDEX (?:CONCURRENTLY )?(\w+)", sql)
    in_sql = {a or b for a, b in found}

    names = derived_names(plan, dialect)

    assert {n.name for n in names} == in_sql
    # SQLite alone needs a CHECK to keep posts.status among its enum's values.
    assert len(names) == (16 if dialect == "sqlite" else 15)
    assert ("ck_posts_status_enum" in in_sql) == (dialect == "sqlite")
    assert [n.kind for n in names].count("foreign_key") == 3


def test_enum_of_a_column_added_in_the_creating_migration_lives_with_its_table() -> None:
    data = small_data()
    data["enums"].append({"name": "link_state", "values": ["a", "b"]})
    data["entities"][2]["columns"].append(
        {"name": "state", "type": "enum", "enum": "link_state", "nullable": True}
    )
    data["migrations"][0]["operations"].append(
        {"action": "add_column", "table": "post_tags", "column": "state"}
    )
    migration = migrations_sql(DatabasePlan.model_validate(data), "postgresql")[0]

    made = [created(s) for s in migration.up]
    undone = [dropped(s) for s in migration.down]

    assert made.index(("type", "link_state")) < made.index(("table", "post_tags"))
    assert made[-1] == ("column", "state")
    assert undone.index(("table", "post_tags")) < undone.index(("type", "link_state"))
    assert ("column", "state") not in undone


def test_an_index_nobody_names_arrives_with_its_last_column() -> None:
    data = small_data()
    data["indexes"].append({"table": "users", "columns": [{"name": "name"}, {"name": "bio"}]})
    plan = DatabasePlan.model_validate(data)

    up = migrations_sql(plan, "sqlite")[1].up
    down = migrations_sql(plan, "sqlite")[1].down

    assert up[0] == "ALTER TABLE users ADD COLUMN bio TEXT"
    assert up[1] == "CREATE INDEX idx_users_name_bio ON users (name, bio)"
    assert down[-2:] == ["DROP INDEX idx_users_name_bio", "ALTER TABLE users DROP COLUMN bio"]
    assert "idx_users_name_bio" not in "\n".join(baseline_sql(plan, "sqlite"))


@pytest.fixture(scope="module")
def embedded() -> Iterator[str]:
    """The DSN of one embedded PostgreSQL server for this module's proofs."""
    with EmbeddedPostgres() as server:
        yield server.dsn


def live_changes() -> DatabasePlan:
    """The small design, then a migration that changes the existing users table in every way."""
    data = small_data()
    users = data["entities"][0]["columns"]
    users[2]["unique"] = True
    users.append(
        {"name": "karma", "type": "integer", "default": {"kind": "value", "value": 0}}
        | {"check": "karma >= 0"}
    )
    users.append(
        {
            "name": "best_post_id",
            "type": "uuid",
            "nullable": True,
            "foreign_key": {"table": "posts", "on_delete": "SET NULL"},
        }
    )
    data["indexes"] += [
        {"table": "users", "columns": [{"name": "email"}, {"name": "name"}], "unique": True}
        | {"purpose": "One account per email and name"},
        {"table": "users", "columns": [{"name": "best_post_id"}], "purpose": "Post deletes"},
    ]
    data["migrations"].append(
        {
            "id": "003",
            "title": "Karma, best post, unique names",
            "operations": [
                {"action": "add_column", "table": "users", "column": "karma"},
                {"action": "add_column", "table": "users", "column": "best_post_id"},
                {"action": "add_constraint", "table": "users", "column": "name"}
                | {"constraint": "unique"},
                {"action": "create_index", "table": "users", "columns": ["email", "name"]},
            ],
        }
    )
    return DatabasePlan.model_validate(data)


@pytest.mark.parametrize("plan", [small, live_changes], ids=["small", "live-changes"])
def test_changes_to_existing_tables_pass_the_live_lint(embedded: str, plan: Any) -> None:
    design = plan()
    report = prove(design, dsn=embedded)
    codes = {f.code for f in report.findings}

    assert report.passed, [str(f) for f in report.findings]
    assert not codes & {"live-unsafe", "lint-unavailable"}
    up = "\n".join(m for migration in migrations_sql(design, "postgresql") for m in migration.up)
    assert "CREATE INDEX CONCURRENTLY idx_users_created_at ON users (created_at)" in up


def test_live_changes_statements_and_notes() -> None:
    migration = migrations_sql(live_changes(), "postgresql")[2]

    assert migration.up[0] == "ALTER TABLE users ADD COLUMN karma INTEGER DEFAULT 0 NOT NULL"
    assert "CREATE UNIQUE INDEX CONCURRENTLY uq_users_email_name ON users (email, name)" in (
        migration.up
    )
    assert migration.down[0] == "DROP INDEX CONCURRENTLY uq_users_email_name"
    # The two indexes and the unique constraint's index; the foreign key and check validate.
    assert sum("outside a transaction" in note for note in migration.notes) == 3
    assert sum("NOT VALID" in s for s in migration.up) == 2


def with_user_tier() -> DatabasePlan:
    """The small design, plus an enum column added to the existing users table."""
    data = small_data()
    data["enums"].append({"name": "user_tier", "values": ["free", "paid"]})
    data["entities"][0]["columns"].append(
        {"name": "tier", "type": "enum", "enum": "user_tier"}
        | {"default": {"kind": "value", "value": "free"}}
    )
    data["migrations"].append(
        {
            "id": "003",
            "title": "Tiers",
            "operations": [{"action": "add_column", "table": "users", "column": "tier"}],
        }
    )
    return DatabasePlan.model_validate(data)


def test_sqlite_enforces_enum_values_with_a_named_check() -> None:
    plan = with_user_tier()
    connection = sqlite3.connect(":memory:")
    apply(connection, baseline_sql(plan, "sqlite"))
    migrations = migrations_sql(plan, "sqlite")
    for migration in migrations:
        apply(connection, migration.up)

    connection.execute("INSERT INTO users (id, email, name) VALUES ('u1', 'a@b.c', 'A')")
    post = "INSERT INTO posts (id, author_id, title, slug, body, status) VALUES "
    connection.execute(post + "('p1', 'u1', 'T', 't', 'B', 'published')")
    with pytest.raises(sqlite3.IntegrityError, match="ck_posts_status_enum"):
        connection.execute(post + "('p2', 'u1', 'T', 's', 'B', 'deleted')")
    with pytest.raises(sqlite3.IntegrityError, match="ck_users_tier_enum"):
        connection.execute("UPDATE users SET tier = 'gold'")

    for migration in reversed(migrations):
        apply(connection, migration.down)
    assert schema_of(connection) == [("table", "users")]
    assert migrations[2].up == [
        "ALTER TABLE users ADD COLUMN tier VARCHAR(4) DEFAULT 'free' NOT NULL "
        "CONSTRAINT ck_users_tier_enum CHECK (tier IN ('free', 'paid'))"
    ]


def test_enum_checks_only_where_no_enum_type_exists() -> None:
    plan = with_user_tier()

    mysql = migrations_sql(plan, "mysql")[2].up
    pg = migrations_sql(plan, "postgresql")[2].up

    assert mysql == [
        "ALTER TABLE users ADD COLUMN tier ENUM('free','paid') NOT NULL DEFAULT 'free'"
    ]
    assert pg[0] == "CREATE TYPE user_tier AS ENUM ('free', 'paid')"
    assert not any("_enum" in s for s in mysql + pg)


def test_uuid_keys_are_stored_as_the_orm_binds_them() -> None:
    plan = all_new()
    users = metadata(plan, "sqlite").tables["users"]
    engine = sa.create_engine("sqlite://")
    ours, theirs = uuid.uuid4(), uuid.uuid4()

    with engine.begin() as connection:
        for migration in migrations_sql(plan, "sqlite"):
            for statement in migration.up:
                connection.exec_driver_sql(statement)
        connection.execute(users.insert().values(id=ours, email="a@b.c", name="A"))
        connection.exec_driver_sql(
            f"INSERT INTO users (id, email, name) VALUES ('{theirs.hex}', 'b@c.d', 'B')"
        )
        stored = connection.exec_driver_sql("SELECT id FROM users WHERE name = 'A'").scalar_one()
        found = connection.execute(sa.select(users.c.email).where(users.c.id == theirs))

        assert stored == ours.hex
        assert found.scalar_one() == "b@c.d"
    for dialect in ("mysql", "sqlite"):
        assert "\tid CHAR(32) NOT NULL" in migrations_sql(all_new(), dialect)[0].up[0]
