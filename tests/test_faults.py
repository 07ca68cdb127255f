"""API faults through the loopback stand-in: each one retried once by one layer, or failed clearly.

Every run goes through the real SDK over HTTP to the stand-in, so the SDK's parsing and streaming
and the runner's retry layer are the code under test.
"""

from __future__ import annotations

import json
import socket
import struct
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from agent import run
from agent.retry import RetryPolicy
from tests import standin
from tests.run_support import (
    DOCUMENT,
    OUTPUT,
    cli,
    files_under,
    make_workdir,
    serving,
    submit,
    write_definition,
)
from tests.standin import answer, event_stream, text, tool_use

FAST = RetryPolicy(attempts=5, backoff_s=0.01, backoff_max_s=0.05)
TIMEOUT_S = 1.0

RATE_LIMITED = {
    "fault": "status",
    "status": 429,
    "error": "rate_limit_error",
    "headers": {"retry-after-ms": "20"},
}
OVERLOADED = {"fault": "status", "status": 529, "error": "overloaded_error"}
SERVER_ERROR = {"fault": "status", "status": 500, "error": "api_error"}
RESET = {"fault": "reset"}
SLOW = {"fault": "slow", "seconds": 2.5}
STREAM_ERROR = {"fault": "stream_error", "error": "overloaded_error"}
TRUNCATED = {"fault": "truncated"}

READ_INPUT = answer(tool_use("toolu_read", "Read", {"file_path": "input.md"}))


def clean_script() -> list[dict[str, Any]]:
    return [READ_INPUT, submit()]


def faulty_script() -> list[dict[str, Any]]:
    """The clean script with every fault on its way: three before turn 1, four before turn 2."""
    return [
        RATE_LIMITED,
        OVERLOADED,
        SERVER_ERROR,
        READ_INPUT,
        RESET,
        SLOW,
        STREAM_ERROR,
        TRUNCATED,
        submit(),
    ]


def run_plain(folder: Path, policy: RetryPolicy = FAST) -> tuple[Any, Path]:
    folder.mkdir()
    definition = write_definition(folder)
    workdir = make_workdir(folder)
    result = run(definition, workdir, retry_policy=policy, timeout_s=TIMEOUT_S)
    return result, workdir


def test_every_fault_on_the_way_ends_with_the_clean_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serving(monkeypatch, clean_script()) as api:
        clean, clean_workdir = run_plain(tmp_path / "a")
    assert clean.subtype == "success"
    assert clean.retries == []
    assert len(api.requests) == 2

    with serving(monkeypatch, faulty_script()) as api:
        faulty, faulty_workdir = run_plain(tmp_path / "b")
    assert faulty.subtype == "success", faulty.result
    assert faulty.exit_code == 0
    assert api.leftover == 0
    assert len(api.requests) == 9

    written = (faulty_workdir / OUTPUT).read_bytes()
    assert written == (clean_workdir / OUTPUT).read_bytes() == DOCUMENT.encode()
    assert faulty.num_turns == clean.num_turns == 2
    # Failed attempts spend no tokens of the run: the usage is that of the two good answers.
    assert faulty.usage == clean.usage

    causes = [(retry["attempt"], retry["cause"]) for retry in faulty.retries]
    assert causes == [
        (1, "HTTP 429 rate_limit_error"),
        (2, "HTTP 529 overloaded_error"),
        (3, "HTTP 500 api_error"),
        (1, "connection error"),
        (2, "timeout"),
        (3, "HTTP 200 overloaded_error"),
        (4, "stream ended without message_stop"),
    ]
    assert faulty.retries[0]["delay_s"] == pytest.approx(0.02)
    assert faulty.to_json()["retries"] == faulty.retries


def test_a_retried_turn_sends_the_same_request_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serving(monkeypatch, faulty_script()) as api:
        result, _ = run_plain(tmp_path / "b")

    assert result.subtype == "success"
    first_turn, second_turn = api.requests[:4], api.requests[4:]
    assert all(request == first_turn[0] for request in first_turn)
    assert all(request == second_turn[0] for request in second_turn)
    assert len(second_turn[0]["messages"]) == 3


@pytest.mark.parametrize(
    ("fault", "cause"),
    [
        (OVERLOADED, "HTTP 529 overloaded_error"),
        (SERVER_ERROR, "HTTP 500 api_error"),
        (RESET, "connection error"),
        (SLOW, "timeout"),
        (STREAM_ERROR, "HTTP 200 overloaded_error"),
        (TRUNCATED, "stream ended without message_stop"),
    ],
    ids=["529", "500", "reset", "slow", "stream-error", "truncated"],
)
def test_retries_run_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: dict[str, Any], cause: str
) -> None:
    policy = RetryPolicy(attempts=3, backoff_s=0.01, backoff_max_s=0.02)
    (tmp_path / "a").mkdir()
    definition = write_definition(tmp_path / "a")
    workdir = make_workdir(tmp_path / "a")
    (workdir / "out").mkdir()
    (workdir / OUTPUT).write_text("# The previous result\n")
    before = files_under(tmp_path)

    with serving(monkeypatch, [fault] * 3 + [submit()]) as api:
        result = run(definition, workdir, retry_policy=policy, timeout_s=TIMEOUT_S)

    assert result.exit_code == 1
    assert result.subtype == "error_api"
    # The API's own message follows the cause when it says more than the error type.
    detail = ": Overloaded" if fault is STREAM_ERROR else ""
    assert result.result == f"the Messages API call failed after retries: {cause}{detail}"
    assert [retry["cause"] for retry in result.retries] == [cause, cause]
    assert len(api.requests) == 3
    assert api.leftover == 1
    assert result.output_files == []
    assert files_under(tmp_path) == before


@pytest.mark.parametrize(("status", "error"), [(400, "invalid_request_error"), (401, "auth")])
def test_a_status_that_cannot_heal_is_not_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, status: int, error: str
) -> None:
    fault = {"fault": "status", "status": status, "error": error}
    with serving(monkeypatch, [fault, submit()]) as api:
        result, workdir = run_plain(tmp_path / "a")

    assert result.subtype == "error_api"
    assert result.result.endswith(f"HTTP {status} {error}")
    assert result.retries == []
    assert len(api.requests) == 1
    assert not (workdir / OUTPUT).exists()


def test_retry_after_above_the_cap_fails_fast(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = {
        "fault": "status",
        "status": 429,
        "error": "rate_limit_error",
        "headers": {"retry-after": "30"},
    }
    policy = RetryPolicy(attempts=5, backoff_s=0.01, retry_after_cap_s=1.0)
    with serving(monkeypatch, [asked, submit()]) as api:
        started = time.monotonic()
        result, workdir = run_plain(tmp_path / "a", policy)
        elapsed = time.monotonic() - started

    assert elapsed < 5.0
    assert result.exit_code == 1
    assert result.subtype == "error_api"
    assert "30 s" in result.result
    assert "1 s cap" in result.result
    assert result.retries == []
    assert len(api.requests) == 1
    assert not (workdir / OUTPUT).exists()


def test_retry_after_within_the_cap_is_waited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = {
        "fault": "status",
        "status": 429,
        "error": "rate_limit_error",
        "headers": {"retry-after-ms": "300"},
    }
    with serving(monkeypatch, [asked, submit()]):
        started = time.monotonic()
        result, _ = run_plain(tmp_path / "a")
        elapsed = time.monotonic() - started

    assert result.subtype == "success"
    assert elapsed >= 0.3
    assert result.retries == [
        {"attempt": 1, "cause": "HTTP 429 rate_limit_error", "delay_s": pytest.approx(0.3)}
    ]


def test_the_fix_named_by_the_cap_message_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    definition = write_definition(tmp_path)
    workdir = make_workdir(tmp_path)
    asked = {
        "fault": "status",
        "status": 429,
        "error": "rate_limit_error",
        "headers": {"retry-after": "0.5"},
    }
    argv = [str(definition), "--workdir", str(workdir), "--output-format", "json"]

    with serving(monkeypatch, [asked, submit()]):
        refused = cli([*argv, "--retry-after-cap", "0.2"])
    printed = json.loads(capsys.readouterr().out)
    assert refused == 1
    assert printed["subtype"] == "error_api"
    assert "0.2 s cap" in printed["result"]
    assert "--retry-after-cap" in printed["result"]

    with serving(monkeypatch, [asked, submit()]):
        waited = cli([*argv, "--retry-after-cap", "1"])
    printed = json.loads(capsys.readouterr().out)
    assert waited == 0
    assert printed["retries"] == [
        {"attempt": 1, "cause": "HTTP 429 rate_limit_error", "delay_s": pytest.approx(0.5)}
    ]


def test_the_command_line_shows_each_retry_with_its_cause(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    definition = write_definition(tmp_path)
    workdir = make_workdir(tmp_path)
    argv = [str(definition), "--workdir", str(workdir), "--output-format", "json"]
    with serving(monkeypatch, [RATE_LIMITED, submit()]):
        code = cli(argv)

    captured = capsys.readouterr()
    assert code == 0
    assert "retry after attempt 1: HTTP 429 rate_limit_error, waiting 0.0 s" in captured.err
    printed = json.loads(captured.out)
    assert printed["subtype"] == "success"
    assert [retry["cause"] for retry in printed["retries"]] == ["HTTP 429 rate_limit_error"]
    assert (workdir / OUTPUT).read_text() == DOCUMENT


CUT_MID_STREAM = {"fault": "cut_mid_stream"}
serve_plain = standin.serve


def serve_with_cuts(
    handler: BaseHTTPRequestHandler, step: dict[str, Any], request: dict[str, Any], turn: int
) -> None:
    """The stand-in's ``serve`` plus one fault: a 200 stream whose connection drops midway."""
    if step.get("fault") != "cut_mid_stream":
        serve_plain(handler, step, request, turn)
        return
    body = event_stream(answer(text("Reading the inputs " * 40)), request, turn).encode()
    handler.send_response(200)
    handler.send_header("content-type", "text/event-stream")
    handler.send_header("content-length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body[: len(body) // 3])
    handler.wfile.flush()
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()
    handler.close_connection = True


def test_a_connection_dropped_mid_stream_is_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(standin, "serve", serve_with_cuts)
    with serving(monkeypatch, [CUT_MID_STREAM, submit()]) as api:
        result, workdir = run_plain(tmp_path / "a")

    assert result.subtype == "success"
    assert [retry["cause"] for retry in result.retries] == ["connection error"]
    assert len(api.requests) == 2
    assert (workdir / OUTPUT).read_text() == DOCUMENT


def test_connections_dropped_mid_stream_until_retries_run_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(standin, "serve", serve_with_cuts)
    policy = RetryPolicy(attempts=2, backoff_s=0.01)
    with serving(monkeypatch, [CUT_MID_STREAM, CUT_MID_STREAM, submit()]):
        result, workdir = run_plain(tmp_path / "a", policy)

    assert result.subtype == "error_api"
    assert result.exit_code == 1
    assert result.result.startswith("the Messages API call failed after retries: ")
    assert [retry["cause"] for retry in result.retries] == ["connection error"]
    assert not (workdir / OUTPUT).exists()
