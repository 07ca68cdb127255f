"""Read, Glob and Grep: Claude Code's names, parameters and output shapes, and every refusal."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from agent.tools import TOOLS, GrepTool, ToolError, Workdir
from agent.tools.read import MAX_WHOLE_FILE_BYTES


@pytest.fixture
def workdir(tmp_path: Path) -> Workdir:
    return Workdir(tmp_path)


def write(workdir: Workdir, relative: str, text: str | bytes, mtime: float | None = None) -> Path:
    path = workdir.real / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def run(workdir: Workdir, tool: str, **arguments: Any) -> str:
    return TOOLS[tool].run(workdir, arguments)


def refusal(workdir: Workdir, tool: str, **arguments: Any) -> str:
    with pytest.raises(ToolError) as refused:
        TOOLS[tool].run(workdir, arguments)
    return str(refused.value)


# Schemas -----------------------------------------------------------------------------------


def test_tools_carry_claude_code_names_and_parameters() -> None:
    properties = {name: set(tool.input_schema["properties"]) for name, tool in TOOLS.items()}

    assert properties == {
        "Read": {"file_path", "offset", "limit"},
        "Glob": {"pattern", "path"},
        "Grep": {
            "pattern", "path", "glob", "type", "output_mode", "-i", "-n", "-A", "-B", "-C",
            "head_limit", "multiline",
        },
    }  # fmt: skip
    assert [TOOLS[name].input_schema["required"] for name in TOOLS] == [
        ["file_path"],
        ["pattern"],
        ["pattern"],
    ]
    assert all(tool.input_schema["additionalProperties"] is False for tool in TOOLS.values())
    assert TOOLS["Read"].input_schema["properties"]["limit"] == {
        "description": "The number of lines to read",
        "minimum": 1,
        "type": "integer",
    }


def test_descriptions_state_the_limits() -> None:
    assert "2000 lines" in TOOLS["Read"].description
    assert "2000 characters" in TOOLS["Read"].description
    assert "256 KiB" in TOOLS["Read"].description
    assert "at most 100" in TOOLS["Glob"].description
    assert "500 characters" in TOOLS["Grep"].description
    assert "15 seconds" in TOOLS["Grep"].description


@pytest.mark.parametrize(
    ("tool", "arguments", "message"),
    [
        ("Read", {}, "missing required argument 'file_path'"),
        ("Read", {"file_path": "a", "bogus": 1}, "unknown argument 'bogus'"),
        ("Read", {"file_path": 7}, "file_path: Input should be a valid string"),
        ("Read", {"file_path": "a", "limit": -1}, "limit: Input should be greater than"),
        ("Read", {"file_path": "a", "offset": "3"}, "offset: Input should be a valid integer"),
        ("Glob", {"pattern": ["*"]}, "pattern: Input should be a valid string"),
        ("Grep", {"pattern": "x", "-A": -2}, "-A: Input should be greater than"),
        ("Grep", {"pattern": "x", "-i": "yes"}, "-i: Input should be a valid boolean"),
        ("Grep", {"pattern": "x", "case_insensitive": True}, "unknown argument"),
        ("Grep", {"pattern": "x", "output_mode": "lines"}, "output_mode: Input should be"),
        ("Grep", {"pattern": "x", "head_limit": True}, "head_limit: Input should be a valid"),
    ],
)
def test_bad_arguments_are_tool_errors(
    workdir: Workdir, tool: str, arguments: dict, message: str
) -> None:
    with pytest.raises(ToolError, match=f"^Invalid arguments for {tool}: .*{message}"):
        TOOLS[tool].run(workdir, arguments)


def test_arguments_that_are_no_object_are_a_tool_error(workdir: Workdir) -> None:
    with pytest.raises(ToolError, match="takes an object"):
        TOOLS["Glob"].run(workdir, ["*"])  # type: ignore[arg-type]


# Read --------------------------------------------------------------------------------------


def test_read_numbers_lines_like_claude_code(workdir: Workdir) -> None:
    write(workdir, "models.py", "class User:\r\n    id: int\n\n")

    assert run(workdir, "Read", file_path="models.py") == (
        "     1\tclass User:\n     2\t    id: int\n     3\t"
    )
    assert run(workdir, "Read", file_path=str(workdir.path / "models.py")).startswith("     1\t")


def test_read_offset_and_limit_select_lines(workdir: Workdir) -> None:
    write(workdir, "ten.txt", "".join(f"line {n}\n" for n in range(1, 11)))

    assert run(workdir, "Read", file_path="ten.txt", offset=4, limit=2) == (
        "     4\tline 4\n     5\tline 5\n\n(Showing lines 4-5 of 10; pass offset=6 to read on.)"
    )
    assert run(workdir, "Read", file_path="ten.txt", offset=9).splitlines() == [
        "     9\tline 9",
        "    10\tline 10",
    ]
    assert run(workdir, "Read", file_path="ten.txt", offset=0, limit=1).startswith("     1\t")


def test_read_caps_lines_and_line_length(workdir: Workdir) -> None:
    write(workdir, "long.txt", "x" * 2500 + "\n" + "y\n" * 2100)

    lines = run(workdir, "Read", file_path="long.txt").splitlines()

    assert lines[0] == "     1\t" + "x" * 2000 + " [line cut at 2000 characters]"
    assert lines[1999] == "  2000\ty"
    assert lines[-1] == "(Showing lines 1-2000 of 2101; pass offset=2001 to read on.)"
    assert len(run(workdir, "Read", file_path="long.txt", limit=5000).splitlines()) == 2002


def test_read_refuses_a_large_file_whole_but_reads_a_part(workdir: Workdir) -> None:
    write(workdir, "big.log", "0123456789abcdef\n" * (MAX_WHOLE_FILE_BYTES // 17 + 100))

    message = refusal(workdir, "Read", file_path="big.log")

    assert "over the 256 KiB limit" in message and "offset and limit" in message
    assert run(workdir, "Read", file_path="big.log", offset=10, limit=1) == (
        "    10\t0123456789abcdef\n\n(Showing lines 10-10 of 15520; pass offset=11 to read on.)"
    )


def test_read_notes_an_empty_file_and_an_offset_past_the_end(workdir: Workdir) -> None:
    write(workdir, "empty.md", "")
    write(workdir, "three.md", "a\nb\nc\n")

    empty = run(workdir, "Read", file_path="empty.md")
    past = run(workdir, "Read", file_path="three.md", offset=9)

    assert empty == "<system-reminder>The file empty.md exists but is empty.</system-reminder>"
    assert past.startswith("<system-reminder>") and "has only 3 lines" in past


@pytest.mark.parametrize(
    ("relative", "content", "message"),
    [
        ("missing.py", None, "^File does not exist: missing.py$"),
        ("src", "dir", "is a directory, not a file: use Glob"),
        ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00", "binary file"),
        ("latin1.txt", "caf\xe9".encode("latin-1"), "binary file .not UTF-8"),
    ],
)
def test_read_refusals(workdir: Workdir, relative: str, content: Any, message: str) -> None:
    if content == "dir":
        (workdir.real / relative).mkdir()
    elif content is not None:
        write(workdir, relative, content)

    with pytest.raises(ToolError, match=message):
        run(workdir, "Read", file_path=relative)


# Glob --------------------------------------------------------------------------------------


def test_glob_lists_absolute_paths_oldest_first_ties_by_path(workdir: Workdir) -> None:
    write(workdir, "b.py", "", mtime=2000)
    write(workdir, "a.py", "", mtime=2000)
    write(workdir, "c.py", "", mtime=1000)
    write(workdir, "notes.md", "", mtime=500)

    found = run(workdir, "Glob", pattern="*.py").splitlines()

    assert found == [str(workdir.path / name) for name in ("c.py", "a.py", "b.py")]


def test_glob_patterns(workdir: Workdir) -> None:
    for relative in ("a.ts", "web/b.tsx", "web/deep/c.ts", "web/deep/d.js", ".git/e.ts"):
        write(workdir, relative, "", mtime=1000)

    def names(**arguments: Any) -> list[str]:
        listed = run(workdir, "Glob", **arguments)
        return [] if listed == "No files found" else [Path(p).name for p in listed.splitlines()]

    assert names(pattern="**/*.ts") == ["a.ts", "c.ts"]
    assert names(pattern="**/*.{ts,tsx}") == ["a.ts", "b.tsx", "c.ts"]
    assert names(pattern="*.ts") == ["a.ts"]
    assert names(pattern="web/**") == ["b.tsx", "c.ts", "d.js"]
    assert names(pattern="*", path="web/deep") == ["c.ts", "d.js"]
    assert names(pattern=str(workdir.path / "web" / "*.tsx")) == ["b.tsx"]
    assert names(pattern="web/deep/d.js") == ["d.js"]
    assert names(pattern="**/*.rs") == []
    assert names(pattern="nowhere/**/*.ts") == []
    assert names(pattern="*.ts", path="") == ["a.ts"]


def test_file_names_that_are_not_utf8_come_out_as_valid_text(workdir: Workdir) -> None:
    (workdir.real / os.fsdecode(b"caf\xe9.md")).write_text("needle\n")

    listed = run(workdir, "Glob", pattern="*.md")
    found = run(workdir, "Grep", pattern="needle", output_mode="content")

    assert listed == str(workdir.path / "caf\\udce9.md")
    assert found == f"{workdir.path / 'caf'}\\udce9.md:1:needle"
    assert found.encode("utf-8")


def test_glob_truncates_after_100_files(workdir: Workdir) -> None:
    for number in range(130):
        write(workdir, f"m/{number:03}.sql", "", mtime=1000 + number)

    listed = run(workdir, "Glob", pattern="m/*.sql").splitlines()

    assert len(listed) == 101
    assert listed[0].endswith("000.sql") and listed[99].endswith("099.sql")
    assert listed[100] == (
        "(Results are truncated: showing 100 of 130 files. Use a more specific path or pattern.)"
    )


def test_glob_refusals(workdir: Workdir) -> None:
    write(workdir, "a.py", "")

    assert "Glob pattern is empty" in refusal(workdir, "Glob", pattern="")
    assert "not a directory" in refusal(workdir, "Glob", pattern="*", path="a.py")
    assert "does not exist" in refusal(workdir, "Glob", pattern="*", path="gone")
    assert "unclosed" in refusal(workdir, "Glob", pattern="*.{py")
    assert "outside the workdir" in refusal(workdir, "Glob", pattern="*", path="/")


# Grep --------------------------------------------------------------------------------------


@pytest.fixture
def project(workdir: Workdir) -> Workdir:
    write(workdir, "src/models.py", "import os\n\nclass User:\n    name = 'x'\n", mtime=1000)
    write(workdir, "src/views.py", "class UserView:\n    pass\n", mtime=3000)
    write(workdir, "web/app.ts", "export class UserForm {}\n", mtime=2000)
    write(workdir, "docs/notes.md", "user docs\n", mtime=500)
    write(workdir, "image.bin", b"class User\x00\x01", mtime=100)
    return workdir


def test_grep_lists_files_newest_first_by_default(project: Workdir) -> None:
    found = run(project, "Grep", pattern="class User")

    assert found.splitlines() == [
        "Found 3 files",
        str(project.path / "src/views.py"),
        str(project.path / "web/app.ts"),
        str(project.path / "src/models.py"),
    ]
    assert run(project, "Grep", pattern="no such text") == "No files found"


def test_grep_content_mode_shows_path_line_text(project: Workdir) -> None:
    models = project.path / "src/models.py"

    assert run(project, "Grep", pattern="^class", path="src/models.py", output_mode="content") == (
        f"{models}:3:class User:"
    )
    assert (
        run(
            project,
            "Grep",
            pattern="^class",
            path="src/models.py",
            output_mode="content",
            **{"-n": False},
        )
        == f"{models}:class User:"
    )
    assert run(project, "Grep", pattern="absent", output_mode="content") == "No matches found"


def test_grep_context_lines_use_dashes_and_separators(workdir: Workdir) -> None:
    write(
        workdir, "f.txt", "".join(f"{'hit' if n in (2, 9) else 'line'} {n}\n" for n in range(1, 12))
    )
    f = workdir.path / "f.txt"

    shown = run(workdir, "Grep", pattern="hit", output_mode="content", **{"-C": 1})
    after = run(workdir, "Grep", pattern="hit", output_mode="content", **{"-A": 1, "-C": 3})

    assert shown.splitlines() == [
        f"{f}-1-line 1", f"{f}:2:hit 2", f"{f}-3-line 3", "--",
        f"{f}-8-line 8", f"{f}:9:hit 9", f"{f}-10-line 10",
    ]  # fmt: skip
    assert after.splitlines() == [
        f"{f}-1-line 1", f"{f}:2:hit 2", f"{f}-3-line 3", "--",
        f"{f}-6-line 6", f"{f}-7-line 7", f"{f}-8-line 8", f"{f}:9:hit 9", f"{f}-10-line 10",
    ]  # fmt: skip


def test_grep_count_mode(project: Workdir) -> None:
    counted = run(project, "Grep", pattern="(?i)user", output_mode="count")

    assert counted.splitlines() == [
        f"{project.path / 'docs/notes.md'}:1",
        f"{project.path / 'src/models.py'}:1",
        f"{project.path / 'src/views.py'}:1",
        f"{project.path / 'web/app.ts'}:1",
        "",
        "Found 4 matching lines in 4 files",
    ]


def test_grep_filters_by_type_and_glob(project: Workdir) -> None:
    def names(**arguments: Any) -> list[str]:
        return sorted(Path(p).name for p in run(project, "Grep", **arguments).splitlines()[1:])

    assert names(pattern="User", type="py") == ["models.py", "views.py"]
    assert names(pattern="User", type="ts") == ["app.ts"]
    assert names(pattern="User", glob="*.{ts,md}", **{"-i": True}) == ["app.ts", "notes.md"]
    assert names(pattern="User", glob="src/*.py !views.py") == ["models.py"]
    assert "Unknown file type 'cobol'" in refusal(project, "Grep", pattern="x", type="cobol")


def test_grep_respects_gitignore_and_skips_git(workdir: Workdir) -> None:
    write(workdir, ".gitignore", "build/\n*.log\n!keep.log\n")
    write(workdir, "sub/.gitignore", "local.py\n")
    for relative in ("build/out.py", "a.log", "keep.log", "sub/local.py", "sub/kept.py", ".git/x"):
        write(workdir, relative, "needle\n")

    found = run(workdir, "Grep", pattern="needle").splitlines()

    assert sorted(Path(p).relative_to(workdir.path).as_posix() for p in found[1:]) == [
        "keep.log",
        "sub/kept.py",
    ]


def test_grep_flags_and_limits(workdir: Workdir) -> None:
    write(workdir, "a.sql", "CREATE TABLE users (\n  id int\n);\n" + "x" * 900 + " needle\n")

    spanning = run(
        workdir, "Grep", pattern=r"TABLE users \(.*?\);", multiline=True, output_mode="count"
    )
    single = run(workdir, "Grep", pattern=r"TABLE users \(.*?\);", output_mode="count")
    long_line = run(workdir, "Grep", pattern="needle", output_mode="content")
    limited = run(workdir, "Grep", pattern=".", output_mode="content", head_limit=2)

    assert spanning.splitlines()[0].endswith("a.sql:3")
    assert single == "No matches found"
    assert long_line.endswith(":4:" + "x" * 500 + " [cut]")
    assert limited.splitlines()[:2] == [f"{workdir.path / 'a.sql'}:1:CREATE TABLE users ("] + [
        f"{workdir.path / 'a.sql'}:2:  id int"
    ]
    assert limited.splitlines()[-1] == "(Showing the first 2 of 4 lines: head_limit=2.)"
    assert "Found 1 files" in run(workdir, "Grep", pattern="create", **{"-i": True})


def test_grep_refusals(project: Workdir) -> None:
    assert "Invalid regular expression '(': missing )" in refusal(project, "Grep", pattern="(")
    assert "Path does not exist: gone" in refusal(project, "Grep", pattern="x", path="gone")


def test_grep_stops_a_runaway_pattern_at_the_time_limit(workdir: Workdir) -> None:
    write(workdir, "src/evil.txt", "a" * 40 + "!\n")
    write(workdir, "early.txt", "aaa\n")
    started = time.monotonic()

    result = GrepTool(timeout_s=1.0).run(workdir, {"pattern": "(a+)+$", "output_mode": "content"})

    assert time.monotonic() - started < 4
    assert result.startswith(f"{workdir.path / 'early.txt'}:1:aaa")
    assert "Search stopped at the 1 s time limit" in result
