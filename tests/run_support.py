"""Shared parts of the robustness suites: a plain-text definition, a workdir, the stand-in wired in.

The definition has no database contract, so these suites exercise the loop, the retries and the
output rules without needing the proof.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.cli import main
from tests.standin import StandIn, answer, tool_use

FAKE_KEY = "sk-ant-test-fake-key"
OUTPUT = "out/result.md"
DOCUMENT = "# Result\n\nThe plan, in one line.\n"

DEFINITION = """---
name: plain-writer
description: Writes one markdown document from input.md.
tools: Read, Glob, Grep
model: sonnet
---
You write one short markdown document.

1. Read `input.md`
2. Output `{output}`
"""


def write_definition(folder: Path, output: str = OUTPUT, name: str = "plain-writer.md") -> Path:
    """A plain-text agent definition in ``folder`` whose output is ``output``."""
    path = folder / name
    path.write_text(DEFINITION.format(output=output), encoding="utf-8")
    return path


def make_workdir(folder: Path, task: str = "Plan a todo list API.\n") -> Path:
    """A workdir holding only ``input.md``."""
    workdir = folder / "work"
    workdir.mkdir()
    (workdir / "input.md").write_text(task, encoding="utf-8")
    return workdir


def submit(document: str = DOCUMENT, call_id: str = "toolu_submit") -> dict[str, Any]:
    """An answer step that submits ``document`` as the plain-text result."""
    return answer(tool_use(call_id, "submit_result", {"result": document}))


@contextlib.contextmanager
def serving(
    monkeypatch: pytest.MonkeyPatch, script: list[dict[str, Any]], key: str = FAKE_KEY
) -> Iterator[StandIn]:
    """The stand-in serving ``script``, with the SDK's key and base URL pointed at it."""
    with StandIn(script) as api:
        monkeypatch.setenv("ANTHROPIC_API_KEY", key)
        monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)
        yield api


def tool_results(request: dict[str, Any]) -> list[dict[str, Any]]:
    """The tool_result blocks of the newest user message of a request body."""
    last = request["messages"][-1]
    assert last["role"] == "user"
    return [block for block in last["content"] if block.get("type") == "tool_result"]


def files_under(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (relative path -> bytes), to compare before and after."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def env_for(base_url: str, key: str = FAKE_KEY) -> dict[str, str]:
    """The environment of a ``python -m agent`` subprocess talking to a stand-in."""
    keep = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("ANTHROPIC_", "AGENT_MODEL"))
    }
    return {**keep, "ANTHROPIC_API_KEY": key, "ANTHROPIC_BASE_URL": base_url}


def cli(argv: list[str]) -> int:
    """``agent.cli.main`` in this process, with pytest's own SIGTERM handler given back after."""
    previous = signal.getsignal(signal.SIGTERM)
    try:
        return main(argv)
    finally:
        signal.signal(signal.SIGTERM, previous)
