"""Live safety under squawk: blocking changes to existing tables fail, style rules only note."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from agent.proof import ProofReport, prove
from agent.proof.lint import severity_of, squawk_binary
from agent.proof.server import EmbeddedPostgres
from tests.proof_support import column, good_design, op, plan_of, raw

pytestmark = pytest.mark.skipif(squawk_binary() is None, reason="squawk is not installed")


@pytest.fixture(scope="module")
def embedded() -> Iterator[EmbeddedPostgres]:
    """One embedded server for this module; each proof gets its own scratch database."""
    with EmbeddedPostgres() as server:
        yield server


def found(report: ProofReport) -> list[tuple[str, str, str]]:
    return [(f.code, f.path, f.severity) for f in report.findings]


def with_step(step: dict[str, Any]) -> dict[str, Any]:
    """Return the good design whose last migration (on the existing posts) also runs `step`."""
    data = good_design()
    data["migrations"][2]["operations"].append(step)
    return data


@pytest.mark.parametrize(
    ("step", "rule"),
    [
        (
            raw("CREATE INDEX idx_posts_title ON posts (title)", "DROP INDEX idx_posts_title"),
            "require-concurrent-index-creation",
        ),
        (
            raw(
                "ALTER TABLE posts ALTER COLUMN summary TYPE text",
                "ALTER TABLE posts ALTER COLUMN summary TYPE text",
            ),
            "changing-column-type",
        ),
    ],
    ids=["index-without-concurrently", "column-type-change"],
)
def test_blocking_statement_on_existing_table_fails_the_proof(
    embedded: EmbeddedPostgres, step: dict[str, Any], rule: str
) -> None:
    report = prove(plan_of(with_step(step)), dsn=embedded.dsn)
    assert found(report) == [("live-unsafe", "migrations[2].up[1]", "error")], found(report)
    assert f"squawk {rule}:" in report.findings[0].message
    assert not report.passed


def test_style_rule_on_existing_table_is_a_note_that_passes(embedded: EmbeddedPostgres) -> None:
    data = with_step(op("add_column", table="posts", column="subtitle"))
    data["entities"][1]["columns"].append(column("subtitle", "string", length=80, nullable=True))
    report = prove(plan_of(data), dsn=embedded.dsn)
    assert found(report) == [("live-style", "migrations[2].up[1]", "note")], found(report)
    assert "squawk prefer-text-field:" in report.findings[0].message
    assert report.passed


def test_concurrent_index_on_existing_table_is_not_flagged(embedded: EmbeddedPostgres) -> None:
    step = raw(
        "CREATE INDEX CONCURRENTLY idx_posts_title ON posts (title)",
        "DROP INDEX CONCURRENTLY idx_posts_title",
    )
    report = prove(plan_of(with_step(step)), dsn=embedded.dsn)
    assert found(report) == [], found(report)


def test_rules_outside_the_map_warn() -> None:
    assert severity_of("require-concurrent-index-creation") == "error"
    assert severity_of("prefer-text-field") == "note"
    assert severity_of("a-rule-squawk-adds-later") == "warning"
