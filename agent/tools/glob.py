"""Glob: files of the workdir whose paths match a pattern, oldest modification first."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

from pydantic import Field

from agent.sandbox import ToolError, Workdir
from agent.tools.base import Tool, ToolArguments
from agent.tools.pattern import compile_glob, has_wildcard
from agent.tools.walk import walk

MAX_RESULTS = 100

DESCRIPTION = f"""Finds files in the workdir by glob pattern and returns their absolute paths.

- Patterns: `*` (within one folder), `?`, `[abc]`, `{{a,b}}` and `**` (any folders), e.g.
  "**/*.py" or "src/**/*.{{ts,tsx}}". A pattern without a folder part, like "*.md", matches
  only at the top of the searched folder.
- path is the folder to search (absolute inside the workdir, or relative); default the workdir.
- Results are sorted by modification time, oldest first; at most {MAX_RESULTS} are returned.
- `.git` folders are skipped; linked folders are not entered.
- Use Grep to search file contents."""


class GlobArguments(ToolArguments):
    pattern: Annotated[str, Field(description="The glob pattern to match file paths against")]
    path: Annotated[
        str | None,
        Field(default=None, description="The folder to search in; defaults to the workdir"),
    ] = None


class GlobTool(Tool[GlobArguments]):
    name = "Glob"
    description = DESCRIPTION
    arguments = GlobArguments

    def call(self, workdir: Workdir, arguments: GlobArguments) -> str:
        if not arguments.pattern:
            raise ToolError("Glob pattern is empty: pass a pattern such as '**/*.py'")
        base, pattern = _split(
            workdir, workdir.directory(arguments.path or None), arguments.pattern
        )
        if not base.is_dir():
            return "No files found"

        matcher = compile_glob(pattern)
        depth = None if "**" in pattern else pattern.count("/") + 1
        found = [
            entry
            for entry in walk(workdir, base, max_depth=depth)
            if matcher.fullmatch(entry.relative)
        ]
        if not found:
            return "No files found"

        found.sort(key=lambda entry: (entry.mtime, entry.relative))
        lines = [workdir.display(entry.path) for entry in found[:MAX_RESULTS]]
        if len(found) > MAX_RESULTS:
            lines.append(
                f"(Results are truncated: showing {MAX_RESULTS} of {len(found)} files. "
                "Use a more specific path or pattern.)"
            )
        return "\n".join(lines)


def _split(workdir: Workdir, base: Path, pattern: str) -> tuple[Path, str]:
    """Move the pattern's literal leading folders (or absolute prefix) into the base folder."""
    segments = pattern.split("/")
    literal = 0
    while literal < len(segments) - 1 and not has_wildcard(segments[literal]):
        literal += 1
    if literal == 0:
        return base, pattern

    prefix = "/".join(segments[:literal]) or "/"
    joined = prefix if os.path.isabs(prefix) else os.path.join(workdir.display(base), prefix)
    return workdir.resolve(joined), "/".join(segments[literal:])
