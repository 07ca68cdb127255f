"""Generated agent files: the loader either returns a named definition or raises DefinitionError."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.definition import AgentDefinition, DefinitionError, load_definition, parse_definition

FAST = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
PATH = Path("fuzz.md")

KEYS = st.sampled_from(["name", "description", "tools", "model", "color", "x-y", "user"])
SPECIAL = ":#{}[],&*!|>'\"%@`-?\\\t <>\n"
VALUE_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"])
    | st.sampled_from(SPECIAL),
    max_size=40,
)
VALUES = st.one_of(
    VALUE_TEXT,
    st.sampled_from(["opus", "inherit", "claude-x", "Read, Grep", "[Read, Grep]", "[]", '""']),
    st.sampled_from(["|", ">", "- Read", "!!binary x", "*a", "&a b", "2024-13-45", "1e999"]),
)
BODY_LINES = st.one_of(
    st.text(max_size=30),
    st.builds(
        "{}{} `{}`".format,
        st.sampled_from(["", "1. ", "- ", "**"]),
        st.sampled_from(["Read", "Output", "Save to", "read"]),
        st.text(alphabet=st.sampled_from("ab./\\~:-_ `"), min_size=1, max_size=12),
    ),
)
SCALARS = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=9)
)
YAML_VALUES = (
    SCALARS | st.lists(SCALARS, max_size=3) | st.dictionaries(st.text(max_size=5), SCALARS)
)


def check(text: str) -> AgentDefinition | None:
    """Parse text; only DefinitionError may escape, with a one-line message."""
    try:
        definition = parse_definition(text, PATH)
    except DefinitionError as error:
        assert "\n" not in str(error) and str(error)
        return None

    assert definition.name.strip() == definition.name != ""
    assert definition.output is None or not definition.output.startswith(("/", "~"))
    assert all(not p.startswith("/") and ".." not in p.split("/") for p in definition.inputs)
    return definition


@settings(FAST, max_examples=800)
@given(st.text())
def test_arbitrary_text(text: str) -> None:
    check(text)


@settings(FAST, max_examples=800)
@given(
    st.sampled_from(["name: fuzz\n", "name: 'a: b'\n", "name: a: b\n", ""]),
    st.lists(st.tuples(KEYS, st.sampled_from([": ", ":", " : ", ":\n  "]), VALUES), max_size=5),
    st.sampled_from(["---\n", "---\r\n", "\ufeff---\n", "--- \n"]),
    st.sampled_from(["---\n", "---\n", "---\n", "--- \n", "--\n"]),
    st.lists(BODY_LINES, max_size=6),
)
def test_frontmatter_ish_text(
    name: str, entries: list[tuple[str, str, str]], opening: str, closing: str, body: list[str]
) -> None:
    frontmatter = name + "".join(f"{key}{sep}{value}\n" for key, sep, value in entries)
    check(opening + frontmatter + closing + "\n".join(body))


@settings(FAST, max_examples=600)
@given(
    st.text(min_size=1, max_size=30).filter(str.strip),
    st.dictionaries(st.text(max_size=12), YAML_VALUES, max_size=4),
)
def test_any_mapping_with_a_name_loads(name: str, others: dict[str, Any]) -> None:
    others = {k: v for k, v in others.items() if k not in {"name", "tools", "model", "description"}}
    text = "---\n" + yaml.safe_dump({"name": name, **others}) + "---\nbody\n"

    definition = check(text)

    # A "---" line inside the YAML ends the frontmatter early, as it does in Claude Code.
    if not any(line.rstrip() == "---" for line in text.splitlines()[1:-2]):
        assert definition is not None and definition.name == name.strip()
        assert definition.extra == others


@settings(FAST, max_examples=400)
@given(st.binary(max_size=200) | st.text().map(lambda t: ("---\nname: b\n---\n" + t).encode()))
def test_arbitrary_bytes_in_a_file(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "agent.md"
        path.write_bytes(data)
        try:
            definition = load_definition(path)
        except DefinitionError as error:
            assert "\n" not in str(error) and str(path) in str(error)
        else:
            assert definition.name.strip() != ""
