"""The workdir sandbox: nothing outside the workdir is ever read, listed or searched."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from agent.tools import TOOLS, ToolError, Workdir
from tests.tools_support import SECRET, build_escape_workdir


@pytest.fixture
def workdir(tmp_path: Path) -> Workdir:
    return Workdir(build_escape_workdir(tmp_path))


def test_relative_and_absolute_paths_resolve_inside(workdir: Workdir) -> None:
    expected = workdir.real / "src" / "app.py"

    assert workdir.resolve("src/app.py") == expected
    assert workdir.resolve(str(workdir.path / "src" / "app.py")) == expected
    assert workdir.resolve("src/models/../app.py") == expected
    assert workdir.display(expected) == str(workdir.path / "src" / "app.py")


def test_link_inside_the_workdir_is_followed(workdir: Workdir) -> None:
    assert workdir.resolve("src/user-link.py") == workdir.real / "src" / "models" / "user.py"


@pytest.mark.parametrize(
    "path",
    [
        "..",
        "../outside/secret.txt",
        "src/../../outside/secret.txt",
        "src/models/../../../../../../etc/passwd",
        "/etc/passwd",
        "/",
        "secret-link.txt",
        "outside-link/secret.txt",
        "src/next.py",
        "/proc/self/environ",
        "environ",
        "/dev/zero",
        "zero",
    ],
)
def test_paths_leading_outside_are_refused(workdir: Workdir, path: str) -> None:
    with pytest.raises(ToolError, match="outside the workdir"):
        workdir.resolve(path)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("src/app.py\x00.txt", "NUL byte"),
        ("a" * 10_000, "10000 characters"),
        ("bad\ud800name", "not valid Unicode"),
        ("", "empty"),
    ],
)
def test_malformed_paths_are_refused(workdir: Workdir, path: str, message: str) -> None:
    with pytest.raises(ToolError, match=message):
        workdir.resolve(path)


def test_link_loop_is_a_tool_error(workdir: Workdir) -> None:
    with pytest.raises(ToolError):
        workdir.file("loop-a")


def test_fifo_inside_the_workdir_is_refused(workdir: Workdir) -> None:
    os.mkfifo(workdir.real / "pipe")

    with pytest.raises(ToolError, match="not a regular file"):
        workdir.file("pipe")


@pytest.mark.parametrize("root", ["/", "/proc", "/dev"])
def test_a_workdir_that_is_too_broad_is_refused(root: str) -> None:
    with pytest.raises(ValueError, match="too broad"):
        Workdir(root)


def test_a_workdir_that_is_no_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a directory"):
        Workdir(tmp_path / "missing")


def test_a_linked_workdir_shows_its_own_path(tmp_path: Path) -> None:
    real = build_escape_workdir(tmp_path)
    os.symlink(real, tmp_path / "alias")
    workdir = Workdir(tmp_path / "alias")

    assert TOOLS["Glob"].run(workdir, {"pattern": "**/app.py"}) == str(
        tmp_path / "alias" / "src" / "app.py"
    )
    assert "1\tfrom models" in TOOLS["Read"].run(workdir, {"file_path": str(real / "src/app.py")})


ESCAPES: list[tuple[str, dict[str, Any]]] = [
    ("Read", {"file_path": "../outside/secret.txt"}),
    ("Read", {"file_path": "../../../../../../../../etc/passwd"}),
    ("Read", {"file_path": "secret-link.txt"}),
    ("Read", {"file_path": "outside-link/secret.txt"}),
    ("Read", {"file_path": "/proc/self/environ"}),
    ("Read", {"file_path": "/dev/zero"}),
    ("Read", {"file_path": "zero"}),
    ("Read", {"file_path": "x" * 10_000}),
    ("Read", {"file_path": "README.md\x00"}),
    ("Glob", {"pattern": "*", "path": "/"}),
    ("Glob", {"pattern": "/etc/*"}),
    ("Glob", {"pattern": "../outside/*"}),
    ("Glob", {"pattern": "**/*", "path": "outside-link"}),
    ("Grep", {"pattern": "root", "path": "/etc"}),
    ("Grep", {"pattern": "s3cr3t", "path": ".."}),
    ("Grep", {"pattern": "s3cr3t", "path": "secret-link.txt"}),
    ("Grep", {"pattern": "PATH", "path": "/proc/self/environ"}),
]


@pytest.mark.parametrize(("tool", "arguments"), ESCAPES)
def test_every_escape_is_a_tool_error(workdir: Workdir, tool: str, arguments: dict) -> None:
    with pytest.raises(ToolError) as refused:
        TOOLS[tool].run(workdir, arguments)

    assert SECRET not in str(refused.value)


def test_listings_never_show_links_leading_outside(workdir: Workdir) -> None:
    listed = TOOLS["Glob"].run(workdir, {"pattern": "**/*"}).splitlines()
    found = TOOLS["Grep"].run(workdir, {"pattern": "."}).splitlines()

    names = {Path(line).name for line in listed}
    assert names == {"README.md", "app.py", "user.py", "user-link.py"}
    assert {Path(line).name for line in found[1:]} == names
    assert found[0] == "Found 4 files"


def test_no_byte_of_the_outside_secret_reaches_any_output(tmp_path: Path) -> None:
    workdir = Workdir(build_escape_workdir(tmp_path))
    calls: list[tuple[str, dict[str, Any]]] = [
        ("Glob", {"pattern": "**"}),
        ("Glob", {"pattern": "**/*.txt"}),
        ("Glob", {"pattern": "*", "path": "src"}),
        ("Grep", {"pattern": "s3cr3t", "output_mode": "content"}),
        ("Grep", {"pattern": "class", "output_mode": "content", "-C": 5}),
        ("Grep", {"pattern": ".", "output_mode": "count"}),
        ("Grep", {"pattern": "token=.*", "multiline": True}),
        ("Read", {"file_path": "README.md"}),
        ("Read", {"file_path": "src/user-link.py"}),
        *ESCAPES,
    ]
    outputs, refusals = [], []
    for tool, arguments in calls:
        try:
            outputs.append(TOOLS[tool].run(workdir, arguments))
        except ToolError as error:
            refusals.append(str(error))

    assert len(outputs) == 9 and len(refusals) == len(ESCAPES)
    leaked = [text for text in outputs + refusals if SECRET in text or "token=" in text]
    assert leaked == []
