"""Model misbehaviour: what goes back to the model, what is bounded, and how each run ends.

The model's side is scripted in the stand-in; what the runner answered is read back from the next
request body the stand-in received.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from agent import Budget, run
from agent.contract import STRICT_MAX_OPTIONAL, STRICT_MAX_UNIONS, schema_load, submit_tool
from agent.database_contract import DatabaseContract
from agent.retry import RetryPolicy
from tests.run_support import (
    DOCUMENT,
    OUTPUT,
    cli,
    files_under,
    make_workdir,
    serving,
    submit,
    tool_results,
    write_definition,
)
from tests.standin import answer, text, tool_use

ROOT = Path(__file__).resolve().parents[1]
FAST = RetryPolicy(attempts=2, backoff_s=0.01)
MARKER = "marker-only-in-notes-4d2a"


@pytest.fixture
def agent_files(tmp_path: Path) -> tuple[Path, Path]:
    definition = write_definition(tmp_path)
    workdir = make_workdir(tmp_path)
    (workdir / "notes.md").write_text(f"{MARKER}\n")
    return definition, workdir


def run_script(
    monkeypatch: pytest.MonkeyPatch,
    agent_files: tuple[Path, Path],
    script: list[dict[str, Any]],
    budget: Budget | None = None,
    events: list[dict[str, Any]] | None = None,
) -> tuple[Any, Any]:
    definition, workdir = agent_files
    with serving(monkeypatch, script) as api:
        result = run(
            definition,
            workdir,
            budget=budget,
            retry_policy=FAST,
            timeout_s=2.0,
            on_event=events.append if events is not None else None,
        )
    return result, api


def test_bad_tool_calls_come_back_as_errors(
    monkeypatch: pytest.MonkeyPatch, agent_files: tuple[Path, Path]
) -> None:
    calls = answer(
        tool_use("t_unknown", "Bash", {"command": "cat notes.md"}),
        tool_use("t_missing", "Read", {}),
        tool_use("t_extra", "Read", {"file_path": "notes.md", "bogus": 1}),
        tool_use("t_type", "Read", {"file_path": 5}),
        tool_use("t_glob_type", "Glob", {"pattern": ["*.md"]}),
        tool_use("t_good", "Read", {"file_path": "notes.md"}),
    )
    result, api = run_script(monkeypatch, agent_files, [calls, submit()])

    assert result.subtype == "success"
    assert len(api.requests) == 2
    replies = tool_results(api.requests[1])
    assert [reply["tool_use_id"] for reply in replies] == [
        "t_unknown",
        "t_missing",
        "t_extra",
        "t_type",
        "t_glob_type",
        "t_good",
    ]
    assert [reply.get("is_error", False) for reply in replies] == [True] * 5 + [False]
    assert replies[0]["content"].startswith("Unknown tool 'Bash'")
    assert "submit_result" in replies[0]["content"]
    assert "missing required argument 'file_path'" in replies[1]["content"]
    assert "unknown argument 'bogus'" in replies[2]["content"]
    assert "file_path" in replies[3]["content"] and "string" in replies[3]["content"]
    assert "pattern" in replies[4]["content"]
    # Only the well-formed call ran, so the file's text appears once, in its own result.
    assert MARKER in replies[5]["content"]
    assert all(MARKER not in reply["content"] for reply in replies[:5])


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        ({"text": DOCUMENT}, "result: Field required"),
        ({"result": DOCUMENT, "title": "x"}, "title: Extra inputs are not permitted"),
        ({"result": 5}, "result: Input should be a valid string"),
        ({"result": "  \n"}, "result: the document is empty"),
    ],
    ids=["missing", "extra", "wrong-type", "empty"],
)
def test_an_invalid_result_is_repaired(
    monkeypatch: pytest.MonkeyPatch,
    agent_files: tuple[Path, Path],
    arguments: dict[str, Any],
    problem: str,
) -> None:
    wrong = answer(tool_use("t_wrong", "submit_result", arguments))
    result, api = run_script(monkeypatch, agent_files, [wrong, submit()])

    assert result.subtype == "success"
    assert result.result_turns == 2
    (reply,) = tool_results(api.requests[1])
    assert reply["tool_use_id"] == "t_wrong"
    assert reply["is_error"] is True
    assert problem in reply["content"]
    assert (agent_files[1] / OUTPUT).read_text() == DOCUMENT


def test_an_invalid_result_is_repaired_a_bounded_number_of_times(
    monkeypatch: pytest.MonkeyPatch, agent_files: tuple[Path, Path]
) -> None:
    before = files_under(agent_files[1])
    wrong = answer(tool_use("t_wrong", "submit_result", {"text": "no"}))
    script = [wrong, wrong, wrong, submit()]
    result, api = run_script(monkeypatch, agent_files, script, Budget(max_repairs=2))

    assert result.subtype == "error_invalid_result"
    assert result.exit_code == 1
    assert "2 repair turns" in result.result
    assert len(api.requests) == 3
    assert api.leftover == 1
    assert result.result_turns == 3
    assert {finding["message"] for finding in result.findings} >= {"result: Field required"}
    assert files_under(agent_files[1]) == before


def test_an_answer_without_tool_or_result_is_nudged(
    monkeypatch: pytest.MonkeyPatch, agent_files: tuple[Path, Path]
) -> None:
    chatty = answer(text("Here is the plan: a todo table."))
    result, api = run_script(monkeypatch, agent_files, [chatty, submit()])

    assert result.subtype == "success"
    assert result.num_turns == 2
    nudge = api.requests[1]["messages"][-1]["content"]
    assert len(nudge) == 1
    assert nudge[0]["type"] == "text"
    assert "`submit_result`" in nudge[0]["text"]


def test_nudges_are_bounded(
    monkeypatch: pytest.MonkeyPatch, agent_files: tuple[Path, Path]
) -> None:
    chatty = answer(text("Still thinking."))
    script = [chatty, chatty, chatty, submit()]
    result, api = run_script(monkeypatch, agent_files, script, Budget(max_repairs=2))

    assert result.subtype == "error_invalid_result"
    assert result.exit_code == 1
    assert len(api.requests) == 3
    assert not (agent_files[1] / OUTPUT).exists()


def test_a_turn_cut_by_max_tokens_runs_no_tool(
    monkeypatch: pytest.MonkeyPatch, agent_files: tuple[Path, Path]
) -> None:
    cut = answer(
        tool_use("t_read", "Read", {"file_path": "notes.md"}),
        tool_use("t_submit", "submit_result", {"result": "# Half a docu"}),
        stop_reason="max_tokens",
    )
    events: list[dict[str, Any]] = []
    result, api = run_script(monkeypatch, agent_files, [cut, submit()], events=events)

    assert result.subtype == "success"
    assert [event["type"] for event in events if event["type"] in ("tool", "result")] == ["result"]
    assert result.result_turns == 1
    replies = tool_results(api.requests[1])
    assert [reply["tool_use_id"] for reply in replies] == ["t_read", "t_submit"]
    assert all(reply["is_error"] for reply in replies)
    assert all(reply["content"].startswith("Not run") for reply in replies)
    assert MARKER not in json.dumps(api.requests)
    assert (agent_files[1] / OUTPUT).read_text() == DOCUMENT


def test_a_refusal_ends_the_run(
    monkeypatch: pytest.MonkeyPatch, agent_files: tuple[Path, Path]
) -> None:
    before = files_under(agent_files[1])
    refusal = answer(
        text("I will not do that."),
        tool_use("t_read", "Read", {"file_path": "notes.md"}),
        stop_reason="refusal",
    )
    events: list[dict[str, Any]] = []
    result, api = run_script(monkeypatch, agent_files, [refusal, submit()], events=events)

    assert result.subtype == "error_refusal"
    assert result.exit_code == 1
    assert result.num_turns == 1
    assert len(api.requests) == 1
    assert not [event for event in events if event["type"] == "tool"]
    assert files_under(agent_files[1]) == before


def test_the_turn_budget(monkeypatch: pytest.MonkeyPatch, agent_files: tuple[Path, Path]) -> None:
    look = answer(tool_use("t_glob", "Glob", {"pattern": "*.md"}))
    result, api = run_script(monkeypatch, agent_files, [look] * 3 + [submit()], Budget(max_turns=2))

    assert result.subtype == "error_max_turns"
    assert result.exit_code == 1
    assert result.num_turns == 2
    assert len(api.requests) == 2
    assert "2 turns" in result.result
    assert not (agent_files[1] / OUTPUT).exists()


def test_the_output_token_budget(
    monkeypatch: pytest.MonkeyPatch, agent_files: tuple[Path, Path]
) -> None:
    wordy = answer(text("word " * 200), tool_use("t_glob", "Glob", {"pattern": "*.md"}))
    budget = Budget(max_output_tokens=50, max_tokens_per_turn=1000)
    result, api = run_script(monkeypatch, agent_files, [wordy, submit()], budget)

    assert result.subtype == "error_max_output_tokens"
    assert result.exit_code == 1
    assert len(api.requests) == 1
    assert api.requests[0]["max_tokens"] == 50
    assert result.usage["output_tokens"] >= 50
    assert "budget 50" in result.result
    assert not (agent_files[1] / OUTPUT).exists()


def test_the_wall_time_budget(
    monkeypatch: pytest.MonkeyPatch, agent_files: tuple[Path, Path]
) -> None:
    wait = {
        "fault": "status",
        "status": 429,
        "error": "rate_limit_error",
        "headers": {"retry-after-ms": "300"},
    }
    look = answer(tool_use("t_glob", "Glob", {"pattern": "*.md"}))
    result, api = run_script(
        monkeypatch, agent_files, [wait, look, submit()], Budget(wall_time_s=0.2)
    )

    assert result.subtype == "error_wall_time"
    assert result.exit_code == 1
    assert result.num_turns == 1
    assert len(api.requests) == 2
    assert "0.2 s" in result.result
    assert not (agent_files[1] / OUTPUT).exists()


@pytest.mark.parametrize(
    ("script", "extra", "kind"),
    [
        ([answer(text("No."), stop_reason="refusal")], [], "error_refusal"),
        (
            [answer(tool_use("t", "Glob", {"pattern": "*"}))] * 2,
            ["--max-turns", "1"],
            "error_max_turns",
        ),
        ([answer(tool_use("t", "submit_result", {"x": 1}))] * 4, [], "error_invalid_result"),
        (
            [answer(tool_use("t", "Nope", {}))] + [answer(text("hm"))] * 4,
            [],
            "error_invalid_result",
        ),
    ],
    ids=["refusal", "max-turns", "invalid-result", "unknown-tool-then-chatter"],
)
def test_the_command_line_ends_a_failed_run_without_traceback(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    agent_files: tuple[Path, Path],
    script: list[dict[str, Any]],
    extra: list[str],
    kind: str,
) -> None:
    definition, workdir = agent_files
    argv = [str(definition), "--workdir", str(workdir), "--output-format", "json", *extra]
    with serving(monkeypatch, script):
        code = cli(argv)

    captured = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in captured.err
    printed = json.loads(captured.out)
    assert printed["subtype"] == kind
    assert printed["is_error"] is True
    assert not (workdir / OUTPUT).exists()


def test_a_design_that_keeps_failing_the_proof_ends_as_invalid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    designs = ROOT / "fixtures" / "designs"

    # full-broken is full without the index on reading_progress.book_id: the proof refuses it.
    broken = json.loads((designs / "full-broken.json").read_text())
    design = json.loads((designs / "full.json").read_text())
    workdir = tmp_path / "work"
    shutil.copytree(ROOT / "fixtures" / "projects" / "full", workdir)
    before = files_under(workdir)
    attempt = answer(tool_use("t_plan", "submit_result", broken))
    script = [attempt, attempt, attempt, answer(tool_use("t_good", "submit_result", design))]

    with serving(monkeypatch, script) as api:
        result = run(
            ROOT / "prompts" / "planner-database.md",
            workdir,
            budget=Budget(max_repairs=2),
            retry_policy=FAST,
            timeout_s=5.0,
        )

    assert result.subtype == "error_invalid_result", result.result
    assert result.exit_code == 1
    assert len(api.requests) == 3
    assert "fk-unindexed" in {finding.get("code") for finding in result.findings}
    (reply,) = tool_results(api.requests[1])
    assert reply["is_error"] is True
    assert "reading_progress.book_id" in reply["content"]
    assert files_under(workdir) == before


def test_submit_tool_is_strict_only_within_the_api_grammar_limits() -> None:
    small = {
        "type": "object",
        "properties": {"result": {"type": "string"}},
        "required": ["result"],
        "additionalProperties": False,
    }
    many = {
        "type": "object",
        "properties": {f"p{i}": {"type": "string"} for i in range(STRICT_MAX_OPTIONAL + 1)},
        "required": [],
        "additionalProperties": False,
    }
    unions = {
        "type": "object",
        "properties": {
            f"u{i}": {"anyOf": [{"type": "string"}, {"type": "integer"}]}
            for i in range(STRICT_MAX_UNIONS + 1)
        },
        "required": [f"u{i}" for i in range(STRICT_MAX_UNIONS + 1)],
        "additionalProperties": False,
    }

    assert schema_load(small) == (0, 0) and submit_tool("d", small)["strict"] is True
    assert schema_load(many) == (STRICT_MAX_OPTIONAL + 1, 0)
    assert "strict" not in submit_tool("d", many)
    assert "strict" not in submit_tool("d", unions)
    assert "strict" not in DatabaseContract().tool()
