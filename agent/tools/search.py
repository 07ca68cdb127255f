"""Running Grep's worker script under a time limit and collecting what it found."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.sandbox import ToolError

WORKER = Path(__file__).with_name("grep_worker.py")


@dataclass
class FileMatches:
    """The matches of one file: its index in the request, matching line count, output lines."""

    file: int
    count: int
    lines: list[str] = field(default_factory=list)


@dataclass
class SearchOutcome:
    """What the worker reported before it finished or was stopped at the time limit."""

    matches: list[FileMatches]
    stopped: bool


def search(request: dict[str, Any], timeout_s: float) -> SearchOutcome:
    """Run the worker on `request`; stop it after `timeout_s` seconds, keeping partial results."""
    command = [sys.executable, "-I", "-S", str(WORKER)]
    payload = json.dumps(request).encode("ascii")
    with subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        try:
            stdout, stderr = process.communicate(payload, timeout=timeout_s)
            stopped = False
        except subprocess.TimeoutExpired:
            process.kill()
            stdout, stderr = process.communicate()
            stopped = True

    if not stopped and process.returncode != 0:
        reason = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        raise ToolError(f"Grep search failed: {reason[0]}")
    return SearchOutcome(_parse(stdout), stopped)


def _parse(stdout: bytes) -> list[FileMatches]:
    matches = []
    for line in stdout.decode("ascii", "replace").splitlines():
        try:
            found = json.loads(line)
        except json.JSONDecodeError:
            # A line cut short by the kill at the time limit carries nothing usable.
            continue
        matches.append(FileMatches(found["file"], found["count"], found.get("lines", [])))
    return matches
