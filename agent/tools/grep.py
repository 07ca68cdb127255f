"""Grep: search file contents of the workdir with a Python regular expression."""

from __future__ import annotations

import re
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field

from agent.sandbox import ToolError, Workdir
from agent.tools.base import Tool, ToolArguments
from agent.tools.filetypes import FILE_TYPES, type_globs
from agent.tools.pattern import compile_glob
from agent.tools.search import SearchOutcome, search
from agent.tools.walk import FileEntry, GitIgnore, walk

TIMEOUT_S = 15.0
MAX_LINE_CHARS = 500
MAX_OUTPUT_CHARS = 40_000
NARROW = "narrow the path, glob or pattern"

DESCRIPTION = f"""Searches file contents in the workdir with a regular expression (Python syntax).

- pattern: the regular expression, e.g. "class \\w+Model" or "def (get|set)_".
- path: a file or folder to search (absolute inside the workdir, or relative); default the
  workdir. Files listed in `.gitignore` and `.git` folders are skipped; so are binary files.
- glob filters file names, e.g. "*.py" or "*.{{ts,tsx}}" (several separated by spaces; a leading
  "!" excludes); type filters by a file type: {", ".join(sorted(FILE_TYPES))}.
- output_mode: "files_with_matches" (default; paths, newest modification first), "content"
  (matching lines as path:line:text, with -A/-B/-C context lines as path-line-text and -n for line
  numbers, on by default) or "count" (path:count of matching lines).
- -i ignores case; multiline lets `.` match newlines and patterns span lines.
- head_limit keeps the first N lines or files of the output. Lines over {MAX_LINE_CHARS} characters
  are cut, and output beyond {MAX_OUTPUT_CHARS} characters is cut.
- A search taking longer than {TIMEOUT_S:.0f} seconds is stopped; the result says so."""

Count = Annotated[int | None, Field(default=None, ge=0)]


class GrepArguments(ToolArguments):
    pattern: Annotated[str, Field(description="The regular expression to search for")]
    path: Annotated[str | None, Field(default=None, description="File or folder to search")] = None
    glob: Annotated[str | None, Field(default=None, description="Glob filter on file names")] = None
    type: Annotated[str | None, Field(default=None, description="File type, e.g. py, ts")] = None
    output_mode: Annotated[
        Literal["content", "files_with_matches", "count"] | None,
        Field(default=None, description='Default "files_with_matches"'),
    ] = None
    case_insensitive: Annotated[
        bool | None, Field(default=None, alias="-i", description="Ignore case")
    ] = None
    line_numbers: Annotated[
        bool | None, Field(default=None, alias="-n", description="Line numbers (content mode)")
    ] = None
    after: Annotated[
        int | None, Field(default=None, ge=0, alias="-A", description="Lines after")
    ] = None
    before: Annotated[
        int | None, Field(default=None, ge=0, alias="-B", description="Lines before")
    ] = None
    context: Annotated[
        int | None, Field(default=None, ge=0, alias="-C", description="Lines before and after")
    ] = None
    head_limit: Annotated[
        int | None, Field(default=None, ge=0, description="Keep the first N entries; 0: all")
    ] = None
    multiline: Annotated[
        bool | None, Field(default=None, description="`.` matches newlines; patterns span lines")
    ] = None


class GrepTool(Tool[GrepArguments]):
    name = "Grep"
    description = DESCRIPTION
    arguments = GrepArguments

    def __init__(self, timeout_s: float = TIMEOUT_S) -> None:
        self.timeout_s = timeout_s

    def call(self, workdir: Workdir, arguments: GrepArguments) -> str:
        _compile(arguments)
        deadline = time.monotonic() + self.timeout_s
        mode = arguments.output_mode or "files_with_matches"
        files, walk_stopped = _files(workdir, arguments, deadline)
        if mode == "files_with_matches":
            files.sort(key=lambda entry: (-entry.mtime, entry.relative))
        else:
            files.sort(key=lambda entry: entry.relative)

        remaining = max(deadline - time.monotonic(), 0.05)
        outcome = search(_request(workdir, arguments, mode, files), remaining)
        if mode == "content":
            body = _content(outcome, arguments.head_limit)
        elif mode == "count":
            body = _count(workdir, outcome, files, arguments.head_limit)
        else:
            body = _files_found(workdir, outcome, files, arguments.head_limit)
        stopped = walk_stopped or outcome.stopped
        return body + (_stopped_note(self.timeout_s) if stopped else "")


def _compile(arguments: GrepArguments) -> None:
    flags = re.IGNORECASE if arguments.case_insensitive else 0
    try:
        re.compile(arguments.pattern, flags | (re.DOTALL if arguments.multiline else 0))
    except (re.error, RecursionError, OverflowError, ValueError) as error:
        raise ToolError(f"Invalid regular expression {arguments.pattern!r}: {error}") from None


def _files(
    workdir: Workdir, arguments: GrepArguments, deadline: float
) -> tuple[list[FileEntry], bool]:
    """The files to search, in walk order, and whether the walk ran out of time."""
    base = workdir.resolve(arguments.path) if arguments.path else workdir.real
    mode = _mode(base, arguments.path or str(workdir.path))
    if stat.S_ISREG(mode):
        return [FileEntry(base, base.name, base.stat().st_mtime)], False
    if not stat.S_ISDIR(mode):
        raise ToolError(f"{arguments.path} is not a regular file or folder: refused")

    keep = _name_filter(arguments)
    files: list[FileEntry] = []
    for entry in walk(workdir, base, gitignore=GitIgnore(workdir)):
        if time.monotonic() > deadline:
            return files, True
        if keep(entry.relative):
            files.append(entry)
    return files, False


def _mode(real: Path, shown: str) -> int:
    try:
        return real.stat().st_mode
    except FileNotFoundError:
        raise ToolError(f"Path does not exist: {shown}") from None


def _name_filter(arguments: GrepArguments) -> Callable[[str], bool]:
    includes: list[tuple[re.Pattern[str], bool]] = []
    excludes: list[tuple[re.Pattern[str], bool]] = []
    for pattern in (arguments.glob or "").split():
        target = excludes if pattern.startswith("!") else includes
        pattern = pattern.removeprefix("!")
        target.append((compile_glob(pattern.lstrip("/")), "/" in pattern))
    type_matchers = (
        [compile_glob(glob) for glob in type_globs(arguments.type)] if arguments.type else []
    )

    def matches(rule: tuple[re.Pattern[str], bool], relative: str) -> bool:
        # As in ripgrep, a glob without a slash is matched against the file name alone.
        return bool(rule[0].fullmatch(relative if rule[1] else relative.rsplit("/", 1)[-1]))

    def keep(relative: str) -> bool:
        name = relative.rsplit("/", 1)[-1]
        if includes and not any(matches(rule, relative) for rule in includes):
            return False
        if any(matches(rule, relative) for rule in excludes):
            return False
        return not type_matchers or any(matcher.fullmatch(name) for matcher in type_matchers)

    return keep


def _request(
    workdir: Workdir, arguments: GrepArguments, mode: str, files: list[FileEntry]
) -> dict[str, Any]:
    context = arguments.context or 0
    return {
        "pattern": arguments.pattern,
        "ignore_case": bool(arguments.case_insensitive),
        "multiline": bool(arguments.multiline),
        "mode": mode,
        "before": context if arguments.before is None else arguments.before,
        "after": context if arguments.after is None else arguments.after,
        "line_numbers": arguments.line_numbers is not False,
        "max_line_chars": MAX_LINE_CHARS,
        "max_chars": MAX_OUTPUT_CHARS,
        "files": [str(entry.path) for entry in files],
        "display": [workdir.display(entry.path) for entry in files],
    }


def _content(outcome: SearchOutcome, head_limit: int | None) -> str:
    lines = [line for found in outcome.matches for line in found.lines]
    if not lines:
        return "No matches found"
    return _limited(lines, head_limit, "lines")


def _count(
    workdir: Workdir, outcome: SearchOutcome, files: list[FileEntry], head_limit: int | None
) -> str:
    if not outcome.matches:
        return "No matches found"
    lines = [
        f"{workdir.display(files[found.file].path)}:{found.count}" for found in outcome.matches
    ]
    total = sum(found.count for found in outcome.matches)
    body = _limited(lines, head_limit, "files")
    return f"{body}\n\nFound {total} matching lines in {len(lines)} files"


def _files_found(
    workdir: Workdir, outcome: SearchOutcome, files: list[FileEntry], head_limit: int | None
) -> str:
    if not outcome.matches:
        return "No files found"
    paths = [workdir.display(files[found.file].path) for found in outcome.matches]
    return f"Found {len(paths)} files\n" + _limited(paths, head_limit, "files")


def _limited(lines: list[str], head_limit: int | None, unit: str) -> str:
    kept = lines[:head_limit] if head_limit else lines
    body = "\n".join(kept)
    if len(body) > MAX_OUTPUT_CHARS:
        body = body[:MAX_OUTPUT_CHARS].rsplit("\n", 1)[0]
        return (
            body
            + f"\n\n(Output cut at {MAX_OUTPUT_CHARS} characters: {NARROW}, or set head_limit.)"
        )
    if len(kept) < len(lines):
        body += (
            f"\n\n(Showing the first {len(kept)} of {len(lines)} {unit}: head_limit={head_limit}.)"
        )
    return body


def _stopped_note(timeout_s: float) -> str:
    return (
        f"\n\n(Search stopped at the {timeout_s:g} s time limit; results above cover only the "
        "files searched so far. Use a simpler pattern or a narrower path or glob.)"
    )
