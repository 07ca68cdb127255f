"""The command line's product on stdout: text, stream-json, and the `prove` subcommand."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from agent.cli import main
from tests.cassettes import CASSETTES, DESIGNS, PROJECTS


@pytest.fixture
def full(tmp_path: Path) -> Path:
    workdir = tmp_path / "full"
    shutil.copytree(PROJECTS / "full", workdir)
    return workdir


def test_text_output_is_the_summary_and_the_proof(
    full: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--workdir", str(full), "--replay", str(CASSETTES / "full.json")])

    out, err = capsys.readouterr()
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("Wrote plan/database.md and plan/database.json: 7 tables")
    assert lines[1].startswith("proof passed on embedded PostgreSQL")
    assert err.splitlines()[0].startswith("planner-database on claude-opus-5-5")
    assert "turn 1: in " in err and "stop tool_use" in err


def test_stream_json_prints_one_event_per_line(
    full: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "--workdir",
            str(full),
            "--replay",
            str(CASSETTES / "full-repair.json"),
            "--output-format",
            "stream-json",
        ]
    )

    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0
    assert [event["type"] for event in events] == [
        "system",
        "assistant",
        "submit_result",
        "assistant",
        "submit_result",
        "result",
    ]
    assert events[0]["missing_inputs"] == []
    assert [event["accepted"] for event in events if event["type"] == "submit_result"] == [
        False,
        True,
    ]
    assert "fk-unindexed" in events[2]["problems"][0]
    assert events[-1]["num_turns"] == 2 and events[-1]["result_turns"] == 2


def test_prove_passes_a_good_design(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["prove", str(DESIGNS / "input-only.json")])

    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines()[-1].startswith("proof passed on SQLite")


def test_prove_fails_a_broken_design_with_its_finding(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["prove", str(DESIGNS / "full-broken.json"), "--output-format", "json"])

    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert report["passed"] is False
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert [(f["code"], f["path"]) for f in errors] == [
        ("fk-unindexed", "entities[6].columns[1].foreign_key")
    ]


def test_prove_on_another_dialect(capsys: pytest.CaptureFixture[str]) -> None:
    passed = main(["prove", str(DESIGNS / "existing-models.json"), "--dialect", "sqlite"])
    first = capsys.readouterr().out.splitlines()

    # The prefix search of `full` rests on a PostgreSQL expression index that SQLite lacks.
    failed = main(["prove", str(DESIGNS / "full.json"), "--dialect", "sqlite"])
    second = capsys.readouterr().out.splitlines()

    assert passed == 0 and first[-1].startswith("proof passed on SQLite")
    assert first[0].startswith("warning identifier-reserved at entities[1].columns[2].name")
    assert failed == 1 and second[-1].startswith("proof failed on SQLite")
    assert second[0].startswith("error query-uncovered at queries[0].sql")


@pytest.mark.parametrize(
    ("content", "expected"),
    [(None, "cannot read"), ("{not json", "is not a valid design"), ('{"overview": {}}', "valid")],
)
def test_prove_refuses_what_is_not_a_design(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, expected: str
) -> None:
    design = tmp_path / "database.json"
    if content is not None:
        design.write_text(content)

    code = main(["prove", str(design)])

    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert expected in err and str(design) in err


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--dsn", "foo://x"], "--dsn: unknown database DSN scheme 'foo'"),
        (["--record", "/proc/cassette.json"], "cannot write the cassette /proc/cassette.json"),
    ],
)
def test_bad_destinations_are_refused_before_any_call(
    full: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    extra: list[str],
    expected: str,
) -> None:
    # Port 9 (discard) is closed here: a call that slipped through would fail as error_api.
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-unused")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")

    code = main(["--workdir", str(full), *extra])

    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: ") and expected in err
    assert not (full / "plan" / "database.md").exists()


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--timeout", "-5"], "--timeout must be a positive number"),
        (["--timeout", "0"], "--timeout must be a positive number"),
        (["--retry-after-cap", "-1"], "--retry-after-cap must be zero or more"),
        (["--max-turns", "0"], "--max-turns must be at least 1"),
    ],
)
def test_bad_numbers_are_usage_errors(
    full: Path, capsys: pytest.CaptureFixture[str], extra: list[str], expected: str
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--workdir", str(full), *extra])

    assert exit_.value.code == 2
    assert expected in capsys.readouterr().err


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda path: path.mkdir(), "is a folder, not a file"),
        (lambda path: path.symlink_to("/etc/hostname"), "leads outside the workdir"),
        # A FIFO would block a reader forever; even root cannot read it as a file.
        (lambda path: os.mkfifo(path), "is not a regular file"),
    ],
)
def test_an_unusable_input_md_is_named_in_user_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Any, expected: str
) -> None:
    make(tmp_path / "input.md")

    code = main(["--workdir", str(tmp_path), "--replay", str(CASSETTES / "full.json")])

    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert err.startswith(f"error: {tmp_path / 'input.md'} ") and expected in err
    assert "Glob" not in err and "Read" not in err


def test_a_proof_database_that_cannot_start_ends_the_run(
    full: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dsn = "postgresql://postgres@127.0.0.1:1/postgres"

    code = main(
        ["--workdir", str(full), "--replay", str(CASSETTES / "full.json"), "--dsn", dsn]
        + ["--output-format", "json"]
    )

    result = json.loads(capsys.readouterr().out)
    assert code == 1
    assert result["subtype"] == "error_proof_unavailable"
    assert "\n" not in result["result"] and "127.0.0.1" in result["result"]
    assert result["num_turns"] == 1
    assert not (full / "plan" / "database.md").exists()
