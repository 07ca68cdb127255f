"""Read: a text file of the workdir as numbered lines, as Claude Code's Read shows them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field

from agent.sandbox import ToolError, Workdir
from agent.tools.base import Tool, ToolArguments

MAX_LINES = 2000
MAX_LINE_CHARS = 2000
MAX_WHOLE_FILE_BYTES = 256 * 1024
MAX_FILE_BYTES = 64 * 1024 * 1024

DESCRIPTION = f"""Reads a text file from the workdir and returns its lines numbered from 1.

- file_path may be absolute (inside the workdir) or relative to the workdir.
- By default up to {MAX_LINES} lines are returned from the start of the file; pass offset (the
  1-based line to start from) and limit (how many lines) to read a part of a longer file.
- A file larger than {MAX_WHOLE_FILE_BYTES // 1024} KiB cannot be read whole: pass offset and
  limit, or use Grep to find the lines you need. Files over {MAX_FILE_BYTES // 2**20} MiB are
  refused.
- Lines longer than {MAX_LINE_CHARS} characters are cut.
- Each line comes as the line number, a tab, then the text.
- Only text (UTF-8) files can be read; binary files are refused. To list a folder, use Glob."""


class ReadArguments(ToolArguments):
    file_path: Annotated[str, Field(description="The file to read (absolute or workdir-relative)")]
    offset: Annotated[
        int | None,
        Field(default=None, ge=0, description="The 1-based line number to start reading from"),
    ] = None
    limit: Annotated[
        int | None, Field(default=None, ge=1, description="The number of lines to read")
    ] = None


class ReadTool(Tool[ReadArguments]):
    name = "Read"
    description = DESCRIPTION
    arguments = ReadArguments

    def call(self, workdir: Workdir, arguments: ReadArguments) -> str:
        real = workdir.file(arguments.file_path)
        size = real.stat().st_size
        whole = arguments.offset is None and arguments.limit is None
        if size > MAX_FILE_BYTES or (whole and size > MAX_WHOLE_FILE_BYTES):
            raise ToolError(_too_large(arguments.file_path, size, whole))

        lines = _text_lines(real, arguments.file_path)
        if not lines:
            return (
                f"<system-reminder>The file {arguments.file_path} exists but is empty."
                "</system-reminder>"
            )

        start = max(arguments.offset or 1, 1)
        if start > len(lines):
            return (
                f"<system-reminder>The file {arguments.file_path} has only {len(lines)} lines, "
                f"fewer than the offset {start}: pass an offset from 1 to {len(lines)}."
                "</system-reminder>"
            )

        count = min(arguments.limit or MAX_LINES, MAX_LINES)
        shown = lines[start - 1 : start - 1 + count]
        body = "\n".join(_numbered(start + index, line) for index, line in enumerate(shown))
        end = start + len(shown) - 1
        if end < len(lines):
            body += (
                f"\n\n(Showing lines {start}-{end} of {len(lines)}; "
                f"pass offset={end + 1} to read on.)"
            )
        return body


def _numbered(number: int, line: str) -> str:
    if len(line) > MAX_LINE_CHARS:
        line = line[:MAX_LINE_CHARS] + f" [line cut at {MAX_LINE_CHARS} characters]"
    return f"{number:>6}\t{line}"


def _text_lines(real: Path, shown: str) -> list[str]:
    data = real.read_bytes()
    if b"\x00" in data:
        raise ToolError(f"{shown} is a binary file (it holds NUL bytes): Read only shows text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ToolError(
            f"{shown} is a binary file (not UTF-8 text): Read only shows text"
        ) from None

    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def _too_large(shown: str, size: int, whole: bool) -> str:
    if whole:
        return (
            f"{shown} is {size // 1024} KiB, over the {MAX_WHOLE_FILE_BYTES // 1024} KiB limit "
            "for reading a whole file: pass offset and limit to read a part, or use Grep"
        )
    return f"{shown} is {size // 2**20} MiB, over the {MAX_FILE_BYTES // 2**20} MiB limit: use Grep"
