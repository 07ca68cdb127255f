"""Generated arguments for Read, Glob and Grep: only ToolError may escape, no secret leaks out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.tools import TOOLS, GrepTool, ToolError, Workdir
from tests.tools_support import SECRET, build_escape_workdir

FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)

SEGMENTS = [
    "..", ".", "", "src", "models", "user.py", "README.md", "secret-link.txt", "outside-link",
    "secret.txt", "next.py", "environ", "zero", "loop-a", "etc", "proc", "self", "dev", "*", "**",
    "*.py", "{a,b}", "[!x]", "\x00", "\ud800", "~", "a" * 300,
]  # fmt: skip


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Workdir:
    return Workdir(build_escape_workdir(tmp_path_factory.mktemp("fuzz")))


def paths(root: Path) -> st.SearchStrategy[str]:
    """Paths built from risky segments, absolute (inside, beside or far from root) or relative."""
    joined = st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=8).map("/".join)
    prefixes = st.sampled_from(["", "/", f"{root}/", f"{root.parent}/", "/proc/self/", "/dev/"])
    built = st.tuples(prefixes, joined).map("".join)
    return st.one_of(built, st.text(max_size=60), st.just("x" * 10_000))


VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
COUNTS = st.one_of(st.integers(min_value=-5, max_value=3000), VALUES)
FLAGS = st.one_of(st.booleans(), VALUES)
EXTRA_KEYS = st.dictionaries(st.text(max_size=12), VALUES, max_size=2)


def arguments(required: dict[str, Any], optional: dict[str, Any]) -> st.SearchStrategy[dict]:
    """Dicts with maybe the required keys, some optional keys, and sometimes unknown keys."""
    named = st.fixed_dictionaries({}, optional={**required, **optional})
    return st.one_of(named, st.tuples(named, EXTRA_KEYS).map(lambda pair: {**pair[1], **pair[0]}))


def check(workdir: Workdir, tool: Any, generated: dict) -> None:
    try:
        output = tool.run(workdir, generated)
    except ToolError as error:
        output = str(error)
    assert SECRET not in output
    assert "token=" not in output


def test_read_takes_any_arguments(workdir: Workdir) -> None:
    lines = st.integers(min_value=-2, max_value=50)
    typed = st.fixed_dictionaries(
        {"file_path": paths(workdir.path)}, optional={"offset": lines, "limit": lines}
    )
    messy = arguments(
        {"file_path": st.one_of(paths(workdir.path), VALUES)}, {"offset": COUNTS, "limit": COUNTS}
    )

    @settings(FUZZ, max_examples=600)
    @given(st.one_of(typed, messy))
    def read(generated: dict) -> None:
        check(workdir, TOOLS["Read"], generated)

    read()


def test_glob_takes_any_arguments(workdir: Workdir) -> None:
    typed = st.fixed_dictionaries(
        {"pattern": paths(workdir.path)}, optional={"path": paths(workdir.path)}
    )
    messy = arguments(
        {"pattern": st.one_of(paths(workdir.path), VALUES)},
        {"path": st.one_of(paths(workdir.path), VALUES)},
    )

    @settings(FUZZ, max_examples=600)
    @given(st.one_of(typed, messy))
    def glob(generated: dict) -> None:
        check(workdir, TOOLS["Glob"], generated)

    glob()


REGEXES = st.one_of(
    st.sampled_from(["class", "s3cr3t", "token", ".", "(", "x{2,", "", r"^\w+ \w+:$", "(?s).*"]),
    st.text(max_size=10),
)
SMALL = st.integers(min_value=0, max_value=4)
GREP_TYPED = {
    "glob": st.sampled_from(["*.py", "*.{py,md}", "!*.md", "src/**", "[", "*.txt", "**/*"]),
    "type": st.sampled_from(["py", "md", "rust", "nope"]),
    "output_mode": st.sampled_from(["content", "files_with_matches", "count"]),
    "-i": st.booleans(),
    "-n": st.booleans(),
    "-A": SMALL,
    "-B": SMALL,
    "-C": SMALL,
    "head_limit": st.integers(min_value=0, max_value=20),
    "multiline": st.booleans(),
}
GREP_MESSY = {key: st.one_of(strategy, VALUES) for key, strategy in GREP_TYPED.items()}


def test_grep_arguments_are_validated() -> None:
    strategy = arguments({"pattern": st.one_of(REGEXES, VALUES)}, GREP_MESSY)

    @settings(FUZZ, max_examples=600)
    @given(strategy)
    def parse(generated: dict) -> None:
        try:
            parsed = TOOLS["Grep"].parse(generated)
        except ToolError as error:
            assert str(error).startswith("Invalid arguments for Grep: ")
            return
        assert isinstance(parsed.pattern, str) and set(generated) <= set(GREP_TYPED) | {"pattern"}

    parse()


def test_grep_takes_any_arguments(workdir: Workdir) -> None:
    grep = GrepTool(timeout_s=2.0)
    where = st.one_of(st.sampled_from(["src", "README.md", "."]), paths(workdir.path))
    typed = st.fixed_dictionaries({"pattern": REGEXES}, optional={"path": where, **GREP_TYPED})
    messy = arguments({"pattern": st.one_of(REGEXES, VALUES)}, {"path": where, **GREP_MESSY})

    @settings(FUZZ, max_examples=250)
    @given(st.one_of(typed, typed, messy))
    def search(generated: dict) -> None:
        check(workdir, grep, generated)

    search()


def test_resolve_keeps_every_path_inside(workdir: Workdir) -> None:
    @settings(FUZZ, max_examples=600)
    @given(paths(workdir.path))
    def resolve(path: str) -> None:
        try:
            real = workdir.resolve(path)
        except ToolError:
            return
        assert real == workdir.real or workdir.real in real.parents

    resolve()
