"""Every fixture cassette replays to a written, proven plan, in-process and from the CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from agent import run
from agent.cassette import load
from agent.plan import DatabasePlan
from tests.cassettes import CASSETTES, PROJECTS, scenarios

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "schemas" / "database_plan.schema.json").read_text())
SECTIONS = [
    "## Overview",
    "## Models",
    "## Entity Relationship Diagram",
    "## Indexes",
    "## Migrations",
    "## Common Queries",
    "## Constraints",
    "## Design Decisions",
    "## Cross-References",
]
SCENARIOS = sorted(scenarios())


def copy_project(name: str, tmp_path: Path) -> Path:
    workdir = tmp_path / name
    shutil.copytree(PROJECTS / name, workdir)
    return workdir


@pytest.mark.parametrize("name", SCENARIOS)
def test_replayed_run_writes_a_proven_plan(name: str, tmp_path: Path) -> None:
    scenario = scenarios()[name]
    workdir = copy_project(scenario.project, tmp_path)

    result = run(None, workdir, replay=CASSETTES / f"{name}.json")

    assert result.subtype == "success", result.result
    assert result.num_turns == scenario.turns
    assert result.result_turns == scenario.result_turns
    assert result.proof is not None and result.proof["passed"]
    markdown = (workdir / "plan" / "database.md").read_text()
    positions = [markdown.index(section) for section in SECTIONS]
    assert positions == sorted(positions)

    design = json.loads((workdir / "plan" / "database.json").read_text())
    jsonschema.validate(design, SCHEMA)
    plan = DatabasePlan.model_validate(design)
    assert [m.id for m in plan.migrations] == sorted(m.id for m in plan.migrations)
    assert sorted(result.output_files) == sorted(
        str(workdir / "plan" / f) for f in ("database.json", "database.md")
    )


def test_missing_inputs_are_named_and_assumed(tmp_path: Path) -> None:
    workdir = copy_project("context-only", tmp_path)

    result = run(None, workdir, replay=CASSETTES / "context-only.json")

    assert result.missing_inputs == ["plan/api_contracts.md", "plan/architecture.md"]
    assumed = {
        a["input"]
        for a in json.loads((workdir / "plan/database.json").read_text())["assumptions"]
        if a.get("input")
    }
    assert {"plan/api_contracts.md", "plan/architecture.md"} <= assumed


def test_429_is_retried_once_and_counted(tmp_path: Path) -> None:
    workdir = copy_project("context-only", tmp_path)

    result = run(None, workdir, replay=CASSETTES / "context-only.json")

    assert [(r["attempt"], r["cause"]) for r in result.retries] == [
        (1, "HTTP 429 rate_limit_error")
    ]


def test_first_request_carries_inputs_tools_and_streams() -> None:
    first = load(CASSETTES / "full.json")[0]["request"]["body"]

    assert first["stream"] is True
    tools = {tool["name"]: tool for tool in first["tools"]}
    assert list(tools) == ["Read", "Glob", "Grep", "submit_result"]
    assert set(tools["Read"]["input_schema"]["properties"]) == {"file_path", "offset", "limit"}
    assert set(tools["Glob"]["input_schema"]["properties"]) == {"pattern", "path"}
    grep = {"pattern", "path", "glob", "type", "output_mode", "-i", "-n", "-A", "-B", "-C"}
    assert set(tools["Grep"]["input_schema"]["properties"]) == grep | {"head_limit", "multiline"}
    # The design schema has more optional properties than a strict grammar may (24): it goes
    # without `strict`, closed objects and Pydantic holding it to its shape.
    assert "strict" not in tools["submit_result"]
    assert tools["submit_result"]["input_schema"]["additionalProperties"] is False

    blocks = first["messages"][0]["content"]
    inlined = "".join(block["text"] for block in blocks)
    for declared in ("input.md", "plan/api_contracts.md", "plan/architecture.md"):
        assert f'<input path="{declared}">' in inlined
        assert (PROJECTS / "full" / declared).read_text() in inlined
    assert blocks[-1]["cache_control"] == {"type": "ephemeral"}


def test_repair_cassette_sends_the_findings_back(tmp_path: Path) -> None:
    exchanges = load(CASSETTES / "full-repair.json")
    second = exchanges[1]["request"]["body"]["messages"][-1]["content"][0]

    assert second["type"] == "tool_result" and second["is_error"] is True
    assert second["content"].splitlines()[1:] == [
        "- error fk-unindexed at entities[6].columns[1].foreign_key: no index leads with "
        "reading_progress.book_id: add an index on (book_id, ...) so joins and cascades do not "
        "scan reading_progress"
    ]


def test_cli_replays_from_outside_the_repository(tmp_path: Path) -> None:
    workdir = copy_project("full", tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}

    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "agent",
            "--workdir",
            str(workdir),
            "--replay",
            str(CASSETTES / "full.json"),
            "--output-format",
            "json",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert completed.returncode == 0, completed.stderr
    payload = json.loads(completed.stdout)
    assert payload["type"] == "result" and payload["subtype"] == "success"
    assert payload["is_error"] is False and payload["num_turns"] == 1
    assert payload["model"] == "claude-opus-5-5"
    assert "turn 1:" in completed.stderr
    assert (workdir / "plan" / "database.md").is_file()


def test_replay_names_the_field_that_differs(tmp_path: Path) -> None:
    workdir = copy_project("full", tmp_path)

    result = run(None, workdir, model="sonnet", replay=CASSETTES / "full.json")

    assert result.subtype == "error_replay"
    assert "body.model" in result.result
    assert not (workdir / "plan" / "database.md").exists()


def test_replay_fails_when_exchanges_are_left_over(tmp_path: Path) -> None:
    workdir = copy_project("full", tmp_path)
    cassette = json.loads((CASSETTES / "full.json").read_text())
    cassette["exchanges"].append(cassette["exchanges"][-1])
    padded = tmp_path / "padded.json"
    padded.write_text(json.dumps(cassette))

    result = run(None, workdir, replay=padded)

    assert result.subtype == "error_replay"
    assert "1 recorded exchange(s)" in result.result
    assert not (workdir / "plan" / "database.md").exists()


def test_cassettes_hold_no_credentials_or_host_paths() -> None:
    for cassette in sorted(CASSETTES.glob("*.json")):
        body = cassette.read_text()
        assert "x-api-key" not in body.lower() and "authorization" not in body.lower()
        assert "recording-against-the-stand-in" not in body
        assert str(ROOT) not in body
