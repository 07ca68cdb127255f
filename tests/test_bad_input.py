"""Bad input through the command line: one line naming the thing and the fix, exit 2, no writes.

Every case runs with a stand-in listening, so a case that wrongly reached the model would show
as a request.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.run_support import cli, make_workdir, serving, write_definition

Case = Callable[[Path], list[str]]


def plain(tmp_path: Path) -> tuple[Path, Path]:
    return write_definition(tmp_path), make_workdir(tmp_path)


def missing_workdir(tmp_path: Path) -> list[str]:
    definition = write_definition(tmp_path)
    return [str(definition), "--workdir", str(tmp_path / "no-such-spec")]


def workdir_is_a_file(tmp_path: Path) -> list[str]:
    definition = write_definition(tmp_path)
    (tmp_path / "spec.txt").write_text("not a folder\n")
    return [str(definition), "--workdir", str(tmp_path / "spec.txt")]


def missing_input(tmp_path: Path) -> list[str]:
    definition, workdir = plain(tmp_path)
    (workdir / "input.md").unlink()
    return [str(definition), "--workdir", str(workdir)]


def missing_definition(tmp_path: Path) -> list[str]:
    workdir = make_workdir(tmp_path)
    return [str(tmp_path / "no-such-agent.md"), "--workdir", str(workdir)]


def no_frontmatter(tmp_path: Path) -> list[str]:
    definition, workdir = plain(tmp_path)
    definition.write_text("You write a document.\n\n1. Read `input.md`\n2. Output `out/r.md`\n")
    return [str(definition), "--workdir", str(workdir)]


def broken_yaml(tmp_path: Path) -> list[str]:
    definition, workdir = plain(tmp_path)
    definition.write_text("---\nname: writer\ntools:\n  - Read\n - Glob\n---\n1. Read `input.md`\n")
    return [str(definition), "--workdir", str(workdir)]


def unknown_model_in_definition(tmp_path: Path) -> list[str]:
    definition, workdir = plain(tmp_path)
    definition.write_text(definition.read_text().replace("model: sonnet", "model: gpt-4"))
    return [str(definition), "--workdir", str(workdir)]


def unknown_model_option(tmp_path: Path) -> list[str]:
    definition, workdir = plain(tmp_path)
    return [str(definition), "--workdir", str(workdir), "--model", "bogus"]


def output_outside(tmp_path: Path) -> list[str]:
    definition = write_definition(tmp_path, output="../escape.md")
    return [str(definition), "--workdir", str(make_workdir(tmp_path))]


def unreadable_definition(tmp_path: Path) -> list[str]:
    definition, workdir = plain(tmp_path)
    definition.chmod(0)
    return [str(definition), "--workdir", str(workdir)]


def unreadable_input(tmp_path: Path) -> list[str]:
    definition, workdir = plain(tmp_path)
    (workdir / "input.md").chmod(0)
    return [str(definition), "--workdir", str(workdir)]


def missing_cassette(tmp_path: Path) -> list[str]:
    definition, workdir = plain(tmp_path)
    return [str(definition), "--workdir", str(workdir), "--replay", str(tmp_path / "no.json")]


def not_as_root() -> pytest.MarkDecorator:
    return pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 file anyway")


CASES = [
    pytest.param(missing_workdir, ("no-such-spec", "--workdir"), id="missing-workdir"),
    pytest.param(workdir_is_a_file, ("spec.txt", "not a folder"), id="workdir-is-a-file"),
    pytest.param(missing_input, ("input.md", "missing", "write it"), id="missing-input"),
    pytest.param(missing_definition, ("no-such-agent.md", "check the path"), id="no-definition"),
    pytest.param(no_frontmatter, ("no frontmatter", "begin the file with '---'"), id="no-yaml"),
    pytest.param(broken_yaml, ("not valid YAML", "line 4", "quote"), id="broken-yaml"),
    pytest.param(
        unknown_model_in_definition, ("unknown model 'gpt-4'", "use opus"), id="model-alias"
    ),
    pytest.param(unknown_model_option, ("--model", "unknown model 'bogus'"), id="model-option"),
    pytest.param(
        output_outside,
        ("'../escape.md'", "outside the workdir", "use a relative path"),
        id="output-outside",
    ),
    pytest.param(
        unreadable_definition,
        ("plain-writer.md", "Permission denied"),
        id="unreadable-definition",
        marks=not_as_root(),
    ),
    pytest.param(
        unreadable_input,
        ("input.md", "Permission denied"),
        id="unreadable-input",
        marks=not_as_root(),
    ),
    pytest.param(missing_cassette, ("no.json", "--replay"), id="missing-cassette"),
]


@pytest.mark.parametrize(("case", "expected"), CASES)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    case: Case,
    expected: tuple[str, ...],
) -> None:
    argv = case(tmp_path)
    before = snapshot(tmp_path)
    with serving(monkeypatch, []) as api:
        code = cli(argv)

    captured = capsys.readouterr()
    assert code == 2
    assert_one_line(captured.err, expected)
    assert captured.out == ""
    assert api.requests == []
    assert snapshot(tmp_path) == before


def test_no_api_key_without_replay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    definition, workdir = plain(tmp_path)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)
    before = snapshot(tmp_path)

    code = cli([str(definition), "--workdir", str(workdir)])

    captured = capsys.readouterr()
    assert code == 2
    assert_one_line(captured.err, ("no API key", "ANTHROPIC_API_KEY", "--replay"))
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    "argv",
    [["--max-turns", "0"], [], ["--output-format", "yaml"]],
    ids=["max-turns-0", "no-workdir-option", "unknown-format"],
)
def test_a_bad_command_line_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    workdir = make_workdir(tmp_path)
    if argv:
        argv = [*argv, "--workdir", str(workdir)]

    with pytest.raises(SystemExit) as exit_:
        cli(argv)

    assert exit_.value.code == 2
    assert "error:" in capsys.readouterr().err
    assert sorted(path.name for path in workdir.iterdir()) == ["input.md"]


def assert_one_line(stderr: str, expected: tuple[str, ...]) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    for part in expected:
        assert part in lines[0]
    assert "Traceback" not in stderr


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every path below ``folder``: files with their bytes, folders as None."""
    found: dict[str, bytes | None] = {}
    for path in sorted(folder.rglob("*")):
        relative = str(path.relative_to(folder))
        if path.is_file() and os.access(path, os.R_OK):
            found[relative] = path.read_bytes()
        else:
            found[relative] = None
    return found
