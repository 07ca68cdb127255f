"""Glob patterns as Claude Code's tools take them: `*`, `?`, `[...]`, `{a,b}` and `**`."""

from __future__ import annotations

import re

from agent.sandbox import ToolError

MAX_PATTERN_CHARS = 1024
WILDCARDS = frozenset("*?[{")
CLASS_ESCAPES = frozenset("\\[]&~|^")


def compile_glob(pattern: str) -> re.Pattern[str]:
    """Compile a glob over `/`-separated relative paths; `*` stays within one folder."""
    if len(pattern) > MAX_PATTERN_CHARS:
        raise ToolError(f"Glob pattern is {len(pattern)} characters; the limit is 1024")

    segments = [segment for segment in pattern.split("/") if segment not in ("", ".")]
    parts: list[str] = []
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == "**":
            # Consecutive `**` segments mean the same thing; merging them keeps matching linear.
            if parts and parts[-1] in ("(?:.*/)?", ".*"):
                continue
            parts.append(".*" if last else "(?:.*/)?")
        else:
            parts.append(_segment(segment) + ("" if last else "/"))
    try:
        return re.compile("".join(parts), re.DOTALL)
    except re.error as error:
        raise ToolError(f"Invalid glob pattern {pattern!r}: {error}") from None


def has_wildcard(segment: str) -> bool:
    """Tell whether a path segment holds any glob syntax."""
    return any(char in WILDCARDS for char in segment)


def _segment(segment: str) -> str:
    out: list[str] = []
    depth = 0
    index = 0
    while index < len(segment):
        char = segment[index]
        index += 1
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            index = _char_class(segment, index, out)
        elif char == "{":
            depth += 1
            out.append("(?:")
        elif char == "}" and depth:
            depth -= 1
            out.append(")")
        elif char == "," and depth:
            out.append("|")
        elif char == "\\" and index < len(segment):
            out.append(re.escape(segment[index]))
            index += 1
        else:
            out.append(re.escape(char))
    if depth:
        raise ToolError(
            f"Glob pattern segment {segment!r} has an unclosed '{{': close it with '}}'"
        )
    return "".join(out)


def _char_class(segment: str, start: int, out: list[str]) -> int:
    end = segment.find("]", start + 1 if segment[start : start + 1] in ("!", "^") else start)
    if end == -1 or end == start:
        out.append(re.escape("["))
        return start
    body = segment[start:end]
    negate = body[:1] in ("!", "^")
    members = (body[1:] if negate else body).replace("/", "")
    escaped = "".join("\\" + char if char in CLASS_ESCAPES else char for char in members)
    if not escaped:
        out.append("[^/]" if negate else "(?!)")
    else:
        out.append(("[^/" if negate else "[") + escaped + "]")
    return end + 1
