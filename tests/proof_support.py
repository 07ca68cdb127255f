"""A small good design for the proof tests, and the mutations that break it one way each."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from agent.plan import DatabasePlan


def column(name: str, type_: str = "text", **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, **extra}


def op(action: str, **fields: Any) -> dict[str, Any]:
    return {"action": action, **fields}


def raw(sql: str, down: str, dialect: str = "postgresql") -> dict[str, Any]:
    return op("raw_sql", dialect=dialect, sql=sql, down_sql=down)


NOW = {"kind": "now", "value": None}
NEW_UUID = {"kind": "new_uuid", "value": None}


def good_design(database: str = "postgresql") -> dict[str, Any]:
    """Return a blog design that passes the proof on every dialect."""
    return {
        "overview": {"database": database},
        "enums": [{"name": "post_status", "values": ["draft", "published"]}],
        "entities": [
            {
                "table": "users",
                "class_name": "User",
                "columns": [
                    column("id", "uuid", primary_key=True, default=NEW_UUID),
                    column("email", "string", length=120, unique=True),
                    column("is_active", "boolean", default={"kind": "value", "value": True}),
                    column("created_at", "timestamp", default=NOW),
                ],
            },
            {
                "table": "posts",
                "class_name": "Post",
                "columns": [
                    column("id", "uuid", primary_key=True, default=NEW_UUID),
                    column(
                        "author_id",
                        "uuid",
                        foreign_key={"table": "users", "column": "id", "on_delete": "CASCADE"},
                    ),
                    column("title", "string", length=200),
                    column("status", "enum", enum="post_status"),
                    column("score", "integer", check="score BETWEEN 0 AND 10"),
                    column("summary", "text", nullable=True),
                    column("created_at", "timestamp", default=NOW),
                ],
            },
            {
                "table": "tags",
                "class_name": "Tag",
                "columns": [
                    column("id", "bigint", primary_key=True),
                    column("name", "string", length=40, unique=True),
                ],
            },
            {
                "table": "post_tags",
                "class_name": "PostTag",
                "columns": [
                    column(
                        "post_id",
                        "uuid",
                        primary_key=True,
                        foreign_key={"table": "posts", "column": "id", "on_delete": "CASCADE"},
                    ),
                    column(
                        "tag_id",
                        "bigint",
                        primary_key=True,
                        foreign_key={"table": "tags", "column": "id", "on_delete": "CASCADE"},
                    ),
                ],
            },
        ],
        "indexes": [
            index("posts", ["author_id", "created_at"], "A user's posts, newest first"),
            index("post_tags", ["tag_id"], "Posts of a tag"),
        ],
        "migrations": [
            {
                "id": "001",
                "title": "Create users",
                "operations": [op("create_table", table="users")],
            },
            {
                "id": "002",
                "title": "Create posts and tags",
                "operations": [
                    op("create_table", table="posts"),
                    op("create_table", table="tags"),
                    op("create_table", table="post_tags"),
                    raw(
                        "CREATE INDEX idx_posts_title_lower ON posts (lower(title))",
                        "DROP INDEX idx_posts_title_lower",
                    ),
                ],
            },
            {
                "id": "003",
                "title": "Add post summaries",
                "operations": [op("add_column", table="posts", column="summary")],
            },
        ],
        "queries": [
            query("SELECT * FROM users WHERE email = :email", ["email"]),
            query(
                "SELECT * FROM posts WHERE author_id = :author_id ORDER BY created_at DESC "
                "LIMIT :limit",
                ["author_id", "limit"],
            ),
            query(
                "SELECT p.id, p.title FROM posts p JOIN post_tags pt ON pt.post_id = p.id "
                "WHERE pt.tag_id = :tag_id",
                ["tag_id"],
            ),
            query("SELECT * FROM posts WHERE id = :id", ["id"]),
        ],
    }


def index(table: str, columns: list[str], purpose: str, **extra: Any) -> dict[str, Any]:
    return {"table": table, "columns": [{"name": c} for c in columns], "purpose": purpose, **extra}


def query(sql: str, parameters: list[str]) -> dict[str, Any]:
    return {"name": sql[:40], "sql": sql, "parameters": parameters}


def plan_of(data: dict[str, Any]) -> DatabasePlan:
    return DatabasePlan.model_validate(data)


def broken(defect: str) -> tuple[DatabasePlan, str]:
    """Return the good design with one defect, and the finding code it must raise."""
    data = copy.deepcopy(good_design())
    migrations, queries = data["migrations"], data["queries"]
    if defect == "fk-to-later-table":
        migrations[1]["operations"].remove(op("create_table", table="tags"))
        migrations.append(
            {"id": "004", "title": "Tags", "operations": [op("create_table", table="tags")]}
        )
        return plan_of(data), "migration-order"
    if defect == "down-forgets-index":
        # On a table that outlives the Down (a Down that drops the table drops its indexes).
        migrations[2]["operations"].append(
            raw(
                "CREATE INDEX CONCURRENTLY idx_posts_summary_lower ON posts (lower(summary));"
                "CREATE INDEX CONCURRENTLY idx_posts_title_upper ON posts (upper(title))",
                "DROP INDEX CONCURRENTLY idx_posts_summary_lower",
            )
        )
        return plan_of(data), "down-incomplete"
    if defect == "down-forgets-enum":
        migrations[2]["operations"].append(
            raw(
                "CREATE TYPE post_mood AS ENUM ('calm', 'loud');"
                "COMMENT ON TYPE post_mood IS 'Tone of a post'",
                "COMMENT ON TYPE post_mood IS NULL",
            )
        )
        return plan_of(data), "down-incomplete"
    if defect == "not-null-without-default":
        data["entities"][0]["columns"].append(column("nickname", "string", length=30))
        migrations[2]["operations"].append(op("add_column", table="users", column="nickname"))
        return plan_of(data), "migration-failed"
    if defect == "unique-index-never-created":
        data["entities"].append(
            {
                "table": "audit_events",
                "class_name": "AuditEvent",
                "columns": [
                    column("id", "bigint", primary_key=True),
                    column("kind", "string", length=30),
                ],
            }
        )
        data["indexes"].append(index("audit_events", ["kind"], "One event per kind", unique=True))
        migrations[2]["operations"].append(
            raw(
                "CREATE TABLE audit_events (id bigint PRIMARY KEY, kind varchar(30) NOT NULL)",
                "DROP TABLE audit_events",
            )
        )
        return plan_of(data), "index-not-created"
    if defect == "query-unknown-column":
        queries.append(query("SELECT id FROM posts WHERE headline = :headline", ["headline"]))
        return plan_of(data), "query-unknown-column"
    if defect == "query-without-index":
        queries.append(query("SELECT id FROM posts WHERE title = :title", ["title"]))
        return plan_of(data), "query-uncovered"
    if defect == "raw-without-down":
        migrations[2]["operations"].append(
            raw("CREATE INDEX idx_posts_summary ON posts (summary)", "")
        )
        return plan_of(data), "raw-down-missing"
    raise KeyError(defect)


DEFECTS = (
    "fk-to-later-table",
    "down-forgets-index",
    "down-forgets-enum",
    "not-null-without-default",
    "unique-index-never-created",
    "query-unknown-column",
    "query-without-index",
    "raw-without-down",
)


@dataclass(frozen=True)
class Expected:
    """The one finding a static defect must raise, and the dialect the checks run for."""

    code: str
    path: str
    severity: str = "error"
    dialect: str = "postgresql"


def static_broken(defect: str) -> tuple[DatabasePlan, Expected]:
    """Return the good design with one defect the static checks alone must find."""
    expected = STATIC_DEFECTS[defect]
    data = copy.deepcopy(good_design(expected.dialect))
    _, posts, tags, post_tags = (entity["columns"] for entity in data["entities"])
    odd_query = {
        "query-syntax": "SELECT id FROM posts WHERE",
        "query-unterminated-mysql": "SELECT id FROM posts WHERE title = 'open",
        "query-vacuum": "VACUUM posts",
        "query-show": "SHOW search_path",
        "query-listen": "LISTEN post_events",
        "query-with-merge": "WITH fresh AS (SELECT id FROM tags) "
        "MERGE INTO tags t USING fresh f ON t.id = f.id WHEN MATCHED THEN DELETE",
        "query-show-mysql": "SHOW TABLES",
        "query-two-statements-mysql": "SELECT id FROM tags; SELECT id FROM posts",
        "query-unknown-table": "SELECT id FROM comments WHERE post_id = :post_id",
    }
    if defect in odd_query:
        data["queries"].append(query(odd_query[defect], []))
    elif defect == "fk-type-mismatch":
        posts[1]["type"] = "bigint"
    elif defect == "fk-target-table-missing":
        post_tags[1]["foreign_key"]["table"] = "labels"
    elif defect == "fk-target-column-missing":
        posts[1]["foreign_key"]["column"] = "uid"
    elif defect == "index-purpose-missing":
        data["indexes"][1]["purpose"] = "  "
    elif defect == "mysql-text-default":
        posts[5]["default"] = {"kind": "value", "value": "no summary yet"}
    elif defect == "identifier-reserved":
        tags.append(column("order", "integer", nullable=True))
    return plan_of(data), expected


STATIC_DEFECTS = {
    "fk-type-mismatch": Expected("fk-type-mismatch", "entities[1].columns[1].foreign_key"),
    "fk-target-table-missing": Expected("fk-target-missing", "entities[3].columns[1].foreign_key"),
    "fk-target-column-missing": Expected("fk-target-missing", "entities[1].columns[1].foreign_key"),
    "index-purpose-missing": Expected("index-purpose-missing", "indexes[1]"),
    "query-syntax": Expected("query-parse-error", "queries[4].sql"),
    "query-unterminated-mysql": Expected("query-parse-error", "queries[4].sql", dialect="mysql"),
    "query-two-statements-mysql": Expected("query-parse-error", "queries[4].sql", dialect="mysql"),
    "query-vacuum": Expected("query-not-dml", "queries[4].sql"),
    "query-show": Expected("query-not-dml", "queries[4].sql"),
    "query-listen": Expected("query-not-dml", "queries[4].sql"),
    "query-with-merge": Expected("query-not-dml", "queries[4].sql"),
    "query-show-mysql": Expected("query-not-dml", "queries[4].sql", dialect="mysql"),
    "query-unknown-table": Expected("query-unknown-table", "queries[4].sql"),
    "mysql-text-default": Expected(
        "mysql-text-default", "entities[1].columns[5].default", dialect="mysql"
    ),
    "identifier-reserved": Expected(
        "identifier-reserved", "entities[2].columns[2].name", severity="warning"
    ),
}
