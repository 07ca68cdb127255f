"""Grep's matching, run as a separate script so a runaway regular expression can be killed.

Python's `re` cannot be interrupted inside a thread, so the parent starts this file with
`python -I -S`, writes one JSON request on stdin and reads one JSON line per file with
matches; it kills the process at its time limit and keeps the lines already written. This file
imports only the standard library so that it starts in milliseconds.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

MAX_FILE_BYTES = 20 * 1024 * 1024


def main() -> None:
    """Answer one request from stdin; each file with matches becomes one JSON line on stdout."""
    request = json.loads(sys.stdin.read())
    flags = re.IGNORECASE if request["ignore_case"] else 0
    if request["multiline"]:
        flags |= re.MULTILINE | re.DOTALL
    regex = re.compile(request["pattern"], flags)

    budget = request["max_chars"]
    for index, path in enumerate(request["files"]):
        lines = _lines(path)
        if lines is None:
            continue
        matched = _matched(regex, lines, request["multiline"])
        if not matched:
            continue

        found: dict[str, Any] = {"file": index, "count": len(matched)}
        if request["mode"] == "content":
            found["lines"] = _content(request, request["display"][index], lines, matched)
            budget -= sum(len(line) for line in found["lines"])
        sys.stdout.write(json.dumps(found) + "\n")
        sys.stdout.flush()
        if budget <= 0:
            break


def _lines(path: str) -> list[str] | None:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None
    if len(data) > MAX_FILE_BYTES or b"\x00" in data:
        return None

    lines = data.decode("utf-8", errors="replace").split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def _matched(regex: re.Pattern[str], lines: list[str], multiline: bool) -> list[int]:
    """The 0-based indexes of matching lines; a multiline match marks every line it spans."""
    if not multiline:
        return [index for index, line in enumerate(lines) if regex.search(line)]

    text = "\n".join(lines)
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    marked: set[int] = set()
    for match in regex.finditer(text):
        first = _line_of(starts, match.start())
        last = _line_of(starts, max(match.end() - 1, match.start()))
        marked.update(range(first, last + 1))
    return sorted(marked)


def _line_of(starts: list[int], offset: int) -> int:
    low, high = 0, len(starts) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if starts[middle] <= offset:
            low = middle
        else:
            high = middle - 1
    return low


def _content(request: dict[str, Any], path: str, lines: list[str], matched: list[int]) -> list[str]:
    """ripgrep's layout: `path:N:text` for matches, `path-N-text` for context, `--` between."""
    before, after, numbers = request["before"], request["after"], request["line_numbers"]
    hits = set(matched)
    shown: list[int] = []
    for index in matched:
        for near in range(max(index - before, 0), min(index + after, len(lines) - 1) + 1):
            if not shown or near > shown[-1]:
                shown.append(near)

    out: list[str] = []
    cut = request["max_line_chars"]
    for position, index in enumerate(shown):
        if position and index != shown[position - 1] + 1:
            out.append("--")
        mark = ":" if index in hits else "-"
        text = lines[index] if len(lines[index]) <= cut else lines[index][:cut] + " [cut]"
        number = f"{index + 1}{mark}" if numbers else ""
        out.append(f"{path}{mark}{number}{text}")
    return out


if __name__ == "__main__":
    main()
