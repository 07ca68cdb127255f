"""plan/database.md rendering: snapshots of every design, and facts pinned beside them.

Snapshots live in tests/snapshots/NAME.md (NAME = the design file's stem): the whole document,
including each migration's SQL for the design's database. A test fails when the rendering
drifts; to accept a deliberate change, regenerate them and review the diff:

    UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest -q tests/test_render.py
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from agent import sql
from agent.orm import orm_code
from agent.plan import DatabasePlan
from agent.relations import relations
from agent.render import SECTIONS, render_markdown
from tests.test_diagram import find_boxes

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOTS = ROOT / "tests" / "snapshots"
FIXTURE_DESIGNS = sorted(ROOT.glob("fixtures/designs/*.json"))
DESIGNS = sorted([*ROOT.glob("tests/data/plan_*.json"), *FIXTURE_DESIGNS])
MODEL = "claude-opus-5-5"
IDS = [p.stem for p in DESIGNS]


def load(path: Path) -> DatabasePlan:
    return DatabasePlan.model_validate_json(path.read_text(encoding="utf-8"))


def section(markdown: str, title: str) -> str:
    """The body of one `## title` section."""
    body = markdown.split(f"\n## {title}\n", 1)[1]
    return body.split("\n## ", 1)[0]


def code_blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)\n```", text, flags=re.S)


@pytest.mark.parametrize("path", DESIGNS, ids=IDS)
def test_rendering_matches_its_snapshot(path: Path) -> None:
    markdown = render_markdown(load(path), model=MODEL)
    snapshot = SNAPSHOTS / f"{path.stem}.md"

    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        snapshot.write_text(markdown, encoding="utf-8")
    assert snapshot.exists(), f"no snapshot for {path.stem}: run with UPDATE_SNAPSHOTS=1"
    assert markdown == snapshot.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", DESIGNS, ids=IDS)
def test_sections_follow_the_output_format(path: Path) -> None:
    plan = load(path)
    markdown = render_markdown(plan, model=MODEL)

    assert markdown.startswith("# Database Plan\n")
    assert re.findall(r"^## (.+)$", markdown, flags=re.M) == list(SECTIONS)
    assert f"`{MODEL}`" in markdown.split("\n## ")[0]
    assert markdown == render_markdown(plan, model=MODEL)


@pytest.mark.parametrize("path", DESIGNS, ids=IDS)
def test_models_section_is_the_importable_module(path: Path) -> None:
    plan = load(path)
    models = section(render_markdown(plan, model=MODEL), "Models")

    headings = re.findall(r"^### (\w+)$", models, flags=re.M)
    assert sorted(headings) == sorted(e.class_name for e in plan.entities)
    assert "\n\n\n".join(code_blocks(models, "python")) + "\n" == orm_code(plan).module


@pytest.mark.parametrize("path", DESIGNS, ids=IDS)
def test_migrations_section_carries_every_statement_of_the_sql(path: Path) -> None:
    plan = load(path)
    migrations = section(render_markdown(plan, model=MODEL), "Migrations")
    compiled = sql.migrations_sql(plan, plan.overview.database)

    headings = re.findall(r"^### Migration (\d{3}): (.+)$", migrations, flags=re.M)
    assert [h[0] for h in headings] == [m.id for m in plan.migrations]
    blocks = code_blocks(migrations, "sql")
    assert len(blocks) == 2 * len(plan.migrations)
    for migration, up, down in zip(compiled, blocks[::2], blocks[1::2], strict=True):
        for statement, block in [
            *((s, up) for s in migration.up),
            *((s, down) for s in migration.down),
        ]:
            first_line = statement.expandtabs(4).split("\n")[0].rstrip().rstrip(";")
            assert first_line in block, f"migration {migration.id}: {first_line!r} missing"


@pytest.mark.parametrize("path", DESIGNS, ids=IDS)
def test_every_index_and_constraint_of_the_ddl_is_in_its_table(path: Path) -> None:
    plan = load(path)
    markdown = render_markdown(plan, model=MODEL)
    indexes, constraints = section(markdown, "Indexes"), section(markdown, "Constraints")
    metadata = sql.metadata(plan)

    for table in metadata.tables.values():
        for index in table.indexes:
            assert f"| {table.name} | {index.name} |" in indexes
        for constraint in table.constraints:
            if constraint.name and not str(constraint.name).startswith("pk_"):
                assert f"`{constraint.name}`" in constraints, constraint.name
    for raw in sql.raw_indexes(plan, plan.overview.database):
        assert f"| {raw.table} | {raw.name} |" in indexes, raw.name
    rows = [line for line in indexes.split("\n") if line.startswith("| ")]
    assert all(len(re.split(r"(?<!\\)\|", row)) == 7 for row in rows)


def test_full_design_lists_its_two_raw_sql_indexes() -> None:
    markdown = render_markdown(load(ROOT / "fixtures" / "designs" / "full.json"), model=MODEL)
    rows = [line for line in section(markdown, "Indexes").split("\n") if "raw SQL" in line]

    assert len(rows) == 2
    assert rows[0].startswith("| books | idx_books_title_lower | (lower(title)) text_pattern_ops |")
    assert rows[1].startswith("| clubs | idx_clubs_name_lower |")
    assert "WHERE deleted_at IS NULL | BTREE, raw SQL, partial |" in rows[1]


@pytest.mark.parametrize("path", DESIGNS, ids=IDS)
def test_diagram_draws_every_table_and_lists_every_foreign_key(path: Path) -> None:
    plan = load(path)
    diagram = section(render_markdown(plan, model=MODEL), "Entity Relationship Diagram")
    drawing = code_blocks(diagram, "")[0]

    assert set(find_boxes(drawing)) == {e.table for e in plan.entities}
    keys = [c for e in plan.entities for c in e.columns if c.foreign_key]
    listing = drawing.split("Relationships:\n")[1].split("\n") if keys else []
    assert len([line for line in listing if " 1──" in line]) == len(keys)
    links = [r for r in relations(plan) if r.through]
    assert len([line for line in listing if " >──< " in line]) == len(links)
    mermaid = code_blocks(diagram, "mermaid")[0]
    assert mermaid.count("--") == len(keys)


@pytest.mark.parametrize("path", DESIGNS, ids=IDS)
def test_relationship_table_has_a_row_per_relation(path: Path) -> None:
    plan = load(path)
    diagram = section(render_markdown(plan, model=MODEL), "Entity Relationship Diagram")
    rows = [line for line in diagram.split("\n") if line.startswith("| ") and "Parent" not in line]

    assert len(rows) == len(relations(plan))
    for rel, row in zip(relations(plan), rows, strict=True):
        assert f"{rel.parent}.{rel.parent_attribute} / {rel.child}.{rel.child_attribute}" in row


def comment_above(code: str, attribute: str) -> str:
    """The words of the `# ...` lines right above the class attribute `attribute`."""
    lines = code.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith(f"    {attribute}: "))
    words: list[str] = []
    while at > 0 and lines[at - 1].startswith("    # "):
        at -= 1
        words.insert(0, lines[at].removeprefix("    # "))
    return " ".join(words)


@pytest.mark.parametrize("path", DESIGNS, ids=IDS)
def test_every_column_description_is_the_comment_above_its_field(path: Path) -> None:
    plan = load(path)
    code = orm_code(plan)
    models = section(render_markdown(plan, model=MODEL), "Models")

    for entity in plan.entities:
        assert code.classes[entity.table] in models
        for column in entity.columns:
            expected = " ".join(column.description.split())
            assert comment_above(code.classes[entity.table], column.name) == expected


def test_assumptions_queries_and_decisions_come_from_the_plan() -> None:
    plan = load(ROOT / "tests/data/plan_small.json")
    markdown = render_markdown(plan, model=MODEL)

    assert "- **plan/api_contracts.md**: Missing;" in section(markdown, "Assumptions")
    queries = section(markdown, "Common Queries")
    assert queries.count("\n### ") == len(plan.queries)
    assert "`idx_posts_author_id_created_at` on posts (author_id, created_at)" in queries
    assert "**Parameters**: `:author_id`, `:limit`" in queries
    assert "### Soft delete" in section(markdown, "Design Decisions")
    assert "- Stack Analysis: `context/stack_analysis.md`" in markdown


def test_table_cells_escape_pipes_and_newlines() -> None:
    plan = load(ROOT / "tests/data/plan_edges.json")
    markdown = render_markdown(plan, model=MODEL)

    for title, cells in (("Indexes", 5), ("Constraints", 4)):
        row = next(line for line in section(markdown, title).split("\n") if "emails" in line)
        assert "No duplicate emails \\| ever" in row
        assert len(re.split(r"(?<!\\)\|", row)) == cells + 2


def test_empty_lists_say_none_recorded() -> None:
    data = load(ROOT / "tests/data/plan_small.json").model_dump()
    for key in ("assumptions", "queries", "decisions", "cross_references", "constraints"):
        data[key] = []
    markdown = render_markdown(DatabasePlan.model_validate(data), model=MODEL)

    for title in ("Assumptions", "Common Queries", "Design Decisions", "Cross-References"):
        assert "None recorded." in section(markdown, title)


@pytest.mark.parametrize("path", FIXTURE_DESIGNS, ids=[p.stem for p in FIXTURE_DESIGNS])
def test_design_json_is_at_most_half_the_markdown(path: Path) -> None:
    """The lean design (defaults left out, as the model writes it) vs its document."""
    plan = load(path)
    lean = len(plan.model_dump_json(exclude_defaults=True))
    markdown = len(render_markdown(plan, model=MODEL))

    assert lean <= 0.5 * markdown, f"{path.stem}: {lean} / {markdown} = {lean / markdown:.3f}"
