"""The generated ORM module imports, configures its mappers, and matches agent.sql's schema.

Each module runs in a fresh interpreter (SQLModel keeps one global metadata and class
registry). Both sides are compared structurally, not as DDL text: tables, columns with their
type compiled for the plan's database (CHAR lengths aside, see `type_of`), nullability, primary
keys, foreign keys (target, ON DELETE, ON UPDATE), named unique and check constraints, and
indexes (name plus the compiled CREATE INDEX). Designs are picked up by glob from
tests/data/plan_*.json and fixtures/designs/*.json.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from agent import sql
from agent.orm import orm_code
from agent.plan import DatabasePlan
from tests.orm_probe import describe

ROOT = Path(__file__).resolve().parents[1]
DESIGNS = sorted([*ROOT.glob("tests/data/plan_*.json"), *ROOT.glob("fixtures/designs/*.json")])
PROBE = ROOT / "tests" / "orm_probe.py"


def load(path: Path) -> DatabasePlan:
    return DatabasePlan.model_validate_json(path.read_text(encoding="utf-8"))


def variant(plan: DatabasePlan, **overview: Any) -> DatabasePlan:
    return plan.model_copy(update={"overview": plan.overview.model_copy(update=overview)})


def generated(module: str, dialect: str, tmp_path: Path) -> dict[str, Any]:
    """Import `module` in a fresh interpreter and describe its metadata."""
    path = tmp_path / "models.py"
    path.write_text(module, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(PROBE), str(path), dialect],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    described: dict[str, Any] = json.loads(result.stdout)
    return described


def cases() -> list[Any]:
    """Each design in its own ORM; the renderer's own test plans in both ORMs (and dialects)."""
    params = []
    for path in DESIGNS:
        own = load(path).overview.orm
        ours = path.stem.startswith("plan_")
        for orm in ("sqlmodel", "sqlalchemy") if ours else (own,):
            for dialect in (
                ("postgresql", "mysql", "sqlite") if path.stem == "plan_edges" else (None,)
            ):
                params.append(pytest.param(path, orm, dialect, id=f"{path.stem}-{orm}-{dialect}"))
    return params


@pytest.mark.parametrize(("path", "orm", "dialect"), cases())
def test_module_metadata_matches_the_ddl_schema(
    path: Path, orm: str, dialect: str | None, tmp_path: Path
) -> None:
    plan = load(path)
    plan = variant(plan, orm=orm, database=dialect or plan.overview.database)
    database = plan.overview.database

    expected = describe(sql.metadata(plan), database)
    actual = generated(orm_code(plan).module, database, tmp_path)

    assert sorted(actual) == sorted(expected)
    for table in expected:
        assert actual[table] == expected[table], table


@pytest.mark.parametrize("path", DESIGNS, ids=[p.stem for p in DESIGNS])
def test_preamble_and_class_snippets_make_up_the_module(path: Path) -> None:
    code = orm_code(load(path))

    assert set(code.classes) == {e.table for e in load(path).entities}
    pieces = [code.preamble, *code.classes.values()]
    assert sorted(code.module.strip().split("\n\n\n")) == sorted(
        "\n\n\n".join(pieces).split("\n\n\n")
    )
    assert code.module.count("\nimport sqlalchemy as sa\n") == 1


@pytest.mark.skipif(
    shutil.which("ruff", path=str(Path(sys.executable).parent)) is None, reason="ruff not installed"
)
@pytest.mark.parametrize("orm", ["sqlmodel", "sqlalchemy"])
@pytest.mark.parametrize("path", DESIGNS, ids=[p.stem for p in DESIGNS])
def test_module_is_already_ruff_formatted(path: Path, orm: str) -> None:
    module = orm_code(variant(load(path), orm=orm)).module
    ruff = str(Path(sys.executable).parent / "ruff")

    result = subprocess.run(
        [ruff, "format", "--diff", "--line-length", "100", "-"],
        input=module,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout


def test_small_plan_classes_pin_the_definition_idioms() -> None:
    code = orm_code(load(ROOT / "tests/data/plan_small.json"))
    post = code.classes["posts"]

    assert post.startswith("class Post(SQLModel, table=True):")
    assert '__tablename__ = "posts"' in post
    assert "id: UUID = Field(default_factory=uuid4, primary_key=True)" in post
    assert 'author_id: UUID = Field(foreign_key="users.id", ondelete="CASCADE")' in post
    assert "title: str = Field(max_length=200)" in post
    assert 'author: "User" = Relationship(back_populates="posts")' in post
    assert 'tags: list["Tag"] = Relationship(back_populates="posts", link_model=PostTag)' in post
    assert 'sa.UniqueConstraint("slug", name="uq_posts_slug")' in post


def test_junction_classes_come_first_in_the_module() -> None:
    module = orm_code(load(ROOT / "tests/data/plan_small.json")).module

    assert module.index("class PostTag(") < module.index("class Post(SQLModel")
