"""Loading agent definitions: the product's prompt, pipeline agents, 397 public files, errors."""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

import pytest

from agent.definition import DefinitionError, load_definition, parse_definition, resolve_model

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
AGENTS = CORPUS / "agents"
PIPELINE = CORPUS / "pipeline" / "raw" / "agents"

needs_agents = pytest.mark.skipif(not AGENTS.is_dir(), reason=f"agent corpus absent at {AGENTS}")
needs_pipeline = pytest.mark.skipif(not PIPELINE.is_dir(), reason=f"pipeline absent at {PIPELINE}")

SEED_INPUTS = (
    "input.md",
    "plan/api_contracts.md",
    "plan/architecture.md",
    "context/stack_analysis.md",
    "context/codebase_analysis.md",
)


def write(tmp_path: Path, text: str, name: str = "agent.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def refused(path: Path) -> str:
    """The message of the DefinitionError that loading path must raise (checked to be one line)."""
    with pytest.raises(DefinitionError) as caught:
        load_definition(path)
    message = str(caught.value)
    assert "\n" not in message and str(path) in message
    return message


def test_product_prompt_loads_with_its_tools_model_inputs_and_output() -> None:
    definition = load_definition(ROOT / "prompts" / "planner-database.md")

    assert definition.name == "planner-database"
    assert definition.tools == ("Read", "Glob", "Grep")
    assert definition.model == "opus"
    assert resolve_model(definition.model, environ={}) == "claude-opus-5-5"
    assert definition.inputs == SEED_INPUTS
    assert definition.output == "plan/database.md"
    assert definition.description.startswith("Database designer")
    assert definition.prompt.startswith("# Planner: Database Designer")
    assert (definition.extra, definition.warnings) == ({}, ())


@needs_pipeline
@pytest.mark.parametrize(
    ("file", "inputs", "output"),
    [
        ("planner_database.md", SEED_INPUTS, "plan/database.md"),
        (
            "planner_api.md",
            ("input.md", "plan/architecture.md", "context/stack_analysis.md")
            + ("context/codebase_analysis.md",),
            "plan/api_contracts.md",
        ),
        # "Read ALL files in `plan/` directory" names a folder, not a file.
        (
            "planner_consolidator.md",
            ("input.md", "context/classification.json"),
            "plan/IMPLEMENTATION_PLAN.md",
        ),
        # Its steps say "Verify `context/classification.json`", which is not a Read step.
        ("explorer_codebase.md", ("input.md",), "context/codebase_analysis.md"),
        ("explorer_stack.md", (), "context/stack_analysis.md"),
        # The reviewers name their report only in an `output:` frontmatter key.
        ("architecture_reviewer.md", (), "reports/architecture_review.json"),
    ],
)
def test_pipeline_agents_declare_their_inputs_and_output(
    file: str, inputs: tuple[str, ...], output: str | None
) -> None:
    definition = load_definition(PIPELINE / file)

    assert definition.inputs == inputs
    assert definition.output == output


@needs_pipeline
def test_pipeline_agents_load_except_the_one_without_frontmatter() -> None:
    loaded, refusals = [], []
    for path in sorted(PIPELINE.glob("*.md")):
        try:
            loaded.append(load_definition(path))
        except DefinitionError:
            refusals.append(path.name)

    assert (len(loaded), refusals) == (17, ["browser_tester.md"])
    assert Counter(d.model for d in loaded) == {"opus": 17}
    reviewer = next(d for d in loaded if d.name == "architecture-reviewer")
    assert reviewer.tools == ("Read", "Glob", "Grep", "Bash")
    assert reviewer.extra["output"] == "reports/architecture_review.json"
    assert reviewer.output == "reports/architecture_review.json"
    assert "permissionMode" in reviewer.warnings[0]


# Claude Code itself drops the frontmatter of these 11: their descriptions run on over unindented
# lines such as "<commentary>", which no YAML parser accepts even after quoting each value.
RUN_ON_DESCRIPTIONS = [
    "design/brand-guardian.md",
    "design/ux-researcher.md",
    "design/visual-storyteller.md",
    "studio-operations/analytics-reporter.md",
    "studio-operations/finance-tracker.md",
    "studio-operations/infrastructure-maintainer.md",
    "studio-operations/legal-compliance-checker.md",
    "testing/api-tester.md",
    "testing/performance-benchmarker.md",
    "testing/test-results-analyzer.md",
    "testing/workflow-optimizer.md",
]
NO_FRONTMATTER = [
    "marketing/content-creator.md",
    "marketing/growth-hacker.md",
    "marketing/instagram-curator.md",
    "marketing/reddit-community-builder.md",
    "marketing/twitter-engager.md",
]


@needs_agents
def test_public_corpus_loads_every_file_with_usable_frontmatter() -> None:
    loaded, refusals = [], {}
    for path in sorted(AGENTS.rglob("*.md")):
        if path.name == "MANIFEST.md":
            continue
        try:
            loaded.append(load_definition(path))
        except DefinitionError as error:
            refusals[path.relative_to(AGENTS / "contains-studio-agents").as_posix()] = str(error)

    sources = Counter(d.path.relative_to(AGENTS).parts[0] for d in loaded)
    assert (len(loaded), len(refusals)) == (381, 16)
    assert sources == {
        "voltagent-awesome-claude-code-subagents": 158,
        "wshobson-agents": 202,
        "contains-studio-agents": 21,
    }
    assert sorted(refusals) == sorted(NO_FRONTMATTER + RUN_ON_DESCRIPTIONS)
    assert all("no frontmatter" in refusals[name] for name in NO_FRONTMATTER)
    assert all("not valid YAML" in refusals[name] for name in RUN_ON_DESCRIPTIONS)

    assert all(d.name.strip() == d.name != "" for d in loaded)
    assert Counter(d.tools is None for d in loaded) == {True: 188, False: 193}
    assert Counter(d.model for d in loaded) == {
        "sonnet": 176,
        "inherit": 77,
        "opus": 54,
        "haiku": 43,
        None: 29,
        "fable": 2,
    }
    assert sum(1 for d in loaded if d.warnings) == 30


@needs_agents
def test_public_corpus_files_that_only_claude_code_style_quoting_can_read() -> None:
    joker = load_definition(AGENTS / "contains-studio-agents" / "bonus" / "joker.md")
    assert joker.tools == ("Write",)
    assert joker.description.count("<example>") == 2
    assert joker.extra == {"color": "yellow"}

    growth = AGENTS / "voltagent-awesome-claude-code-subagents" / "categories"
    loops = load_definition(growth / "08-business-product" / "growth-loops.md")
    assert "Triggers on: 'growth loop'" in loops.description
    assert loops.tools is not None and "WebSearch" in loops.tools

    plugins = AGENTS / "wshobson-agents" / "plugins"
    arm = load_definition(
        plugins / "arm-cortex-microcontrollers" / "agents" / "arm-cortex-expert.md"
    )
    assert arm.tools == ()


def test_bom_and_crlf_are_tolerated(tmp_path: Path) -> None:
    text = "\ufeff---\r\nname: crlf\r\ntools: Read\r\n---\r\n1. Read `input.md`\r\n"
    definition = load_definition(write(tmp_path, text))

    assert (definition.name, definition.tools, definition.inputs) == (
        "crlf",
        ("Read",),
        ("input.md",),
    )
    assert "\r" not in definition.prompt


@pytest.mark.parametrize(
    "line",
    [
        'description: He said "stop": now',
        "description: It's a path: C:\\temp\\x and a # sign",
        'description: Examples:\\n\\n<example>\\nuser: "hi" {x} [y] & *z',
    ],
)
def test_values_yaml_refuses_are_quoted_and_kept_exactly(tmp_path: Path, line: str) -> None:
    definition = load_definition(write(tmp_path, f"---\nname: q\n{line}\n---\nbody\n"))

    assert definition.description == line.removeprefix("description: ")


@pytest.mark.parametrize(
    ("tools", "expected"),
    [
        ("tools: Read, Glob, Grep", ("Read", "Glob", "Grep")),
        ("tools: Read Glob  Grep", ("Read", "Glob", "Grep")),
        ("tools: [Read, Grep, Read]", ("Read", "Grep")),
        ("tools:\n  - Read\n  - Bash(git diff:*)", ("Read", "Bash(git diff:*)")),
        ('tools: ""', ()),
        ("tools: []", ()),
        ("tools:", None),
        ("", None),
    ],
)
def test_tools_forms(tmp_path: Path, tools: str, expected: tuple[str, ...] | None) -> None:
    definition = load_definition(write(tmp_path, f"---\nname: t\n{tools}\n---\n"))

    assert definition.tools == expected


@pytest.mark.parametrize("model", ["opus", "sonnet", "haiku", "fable", "inherit", "claude-x-1"])
def test_accepted_models_are_kept_as_written(tmp_path: Path, model: str) -> None:
    assert load_definition(write(tmp_path, f"---\nname: m\nmodel: {model}\n---\n")).model == model


def test_absent_or_blank_model_means_the_default(tmp_path: Path) -> None:
    blank = load_definition(write(tmp_path, "---\nname: m\nmodel: ''\n---\n"))
    absent = load_definition(write(tmp_path, "---\nname: m\n---\n", "absent.md"))

    assert blank.model is None and absent.model is None
    assert resolve_model(blank.model, environ={}) == "claude-sonnet-5-5"


@pytest.mark.parametrize("model", ["gpt-4o", "opus-4", "5", "[opus]"])
def test_unknown_model_names_the_value_and_the_accepted_ones(tmp_path: Path, model: str) -> None:
    message = refused(write(tmp_path, f"---\nname: m\nmodel: {model}\n---\n"))

    assert "unknown model" in message
    assert "opus, sonnet, haiku, fable, inherit" in message and "claude-" in message


def test_a_value_yaml_cannot_construct_is_retried_as_text(tmp_path: Path) -> None:
    definition = load_definition(write(tmp_path, "---\nname: d\ncreated: 2024-13-45\n---\n"))

    assert definition.extra == {"created": "2024-13-45"}


def test_unknown_keys_are_kept_and_warned(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = write(tmp_path, "---\nname: x\ncolor: red\nmaxTurns: 3\n---\n")
    with caplog.at_level(logging.WARNING, logger="agent.definition"):
        definition = load_definition(path)

    assert definition.extra == {"color": "red", "maxTurns": 3}
    assert len(definition.warnings) == 1 and "color, maxTurns" in definition.warnings[0]
    assert [r.getMessage() for r in caplog.records] == list(definition.warnings)


def test_inputs_keep_order_once_each_and_only_relative_files(tmp_path: Path) -> None:
    body = (
        "1. Read `input.md` first\n"
        "2. Read `./plan/a.md` and `plan/b.md`, then think\n"
        "- **Read** nothing; Read `input.md` again is prose, not a step\n"
        "3. Read `input.md` again\n"
        "4. Read ALL files in `plan/` directory\n"
        "5. Read `/etc/passwd` and `../secret.md`\n"
        "6. Read the `README` and `notes.txt`\n"
        "Then read `later.md` mid-sentence.\n"
    )
    definition = load_definition(write(tmp_path, f"---\nname: r\n---\n{body}"))

    assert definition.inputs == ("input.md", "plan/a.md", "plan/b.md")
    assert len(definition.warnings) == 2 and "outside the workdir" in definition.warnings[0]


@pytest.mark.parametrize(
    ("body", "output"),
    [
        ("9. Output `plan/database.md`\n", "plan/database.md"),
        ("Save to `./out/report.json`:\n", "out/report.json"),
        ("Output the answer as `JSON`\n", None),
        ("No declared output.\n", None),
    ],
)
def test_output_path(tmp_path: Path, body: str, output: str | None) -> None:
    assert load_definition(write(tmp_path, f"---\nname: o\n---\n{body}")).output == output


def test_two_different_outputs_use_the_first_and_warn(tmp_path: Path) -> None:
    path = write(
        tmp_path, "---\nname: o\n---\n1. Output `a.md`\n\nSave to `b.md`\nSave to `a.md`\n"
    )
    definition = load_definition(path)

    assert definition.output == "a.md"
    assert len(definition.warnings) == 1 and "a.md, b.md" in definition.warnings[0]


@pytest.mark.parametrize("target", ["/tmp/plan.md", "../plan.md", "plan/../../x.md", "~/x.md"])
def test_output_outside_the_workdir_is_refused(tmp_path: Path, target: str) -> None:
    message = refused(write(tmp_path, f"---\nname: o\n---\n1. Output `{target}`\n"))

    assert repr(target) in message and "outside the workdir" in message


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("# Agent\nno frontmatter here\n", "no frontmatter"),
        ("\n---\nname: late\n---\n", "no frontmatter"),
        ("---\nname: open\n", "not closed"),
        ("---\nname: x\ndescription: a\n<example>\nb: c\n---\n", "not valid YAML"),
        ("---\n- name\n- list\n---\n", "not 'key: value' lines"),
        ("---\njust text\n---\n", "not 'key: value' lines"),
        ("---\n---\nbody\n", "not 'key: value' lines"),
        ("---\ndescription: nameless\n---\n", "needs a 'name'"),
        ("---\nname: 12\n---\n", "needs a 'name'"),
        ("---\nname: [a, b]\n---\n", "needs a 'name'"),
        ("---\nname: '  '\n---\n", "needs a 'name'"),
        ("---\nname: x\ntools: {Read: true}\n---\n", "'tools' must be"),
        ("---\nname: x\ntools: [Read, 3]\n---\n", "'tools' must be"),
        ("---\nname: x\ndescription: [a]\n---\n", "'description' must be text"),
    ],
)
def test_broken_definitions_raise_one_line_errors(tmp_path: Path, text: str, says: str) -> None:
    assert says in refused(write(tmp_path, text))


def test_unreadable_paths_raise_definition_error(tmp_path: Path) -> None:
    (tmp_path / "latin1.md").write_bytes(b"---\nname: caf\xe9\n---\n")

    assert "cannot read" in refused(tmp_path / "missing.md")
    assert "cannot read" in refused(tmp_path)
    assert "not UTF-8" in refused(tmp_path / "latin1.md")


def test_parse_definition_needs_no_file() -> None:
    definition = parse_definition("---\nname: inline\n---\nRead `a.md`\n", Path("inline.md"))

    assert (definition.name, definition.inputs, definition.path) == (
        "inline",
        ("a.md",),
        Path("inline.md"),
    )


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("opus", "claude-opus-5-5"),
        ("sonnet", "claude-sonnet-5-5"),
        ("haiku", "claude-haiku-5-5"),
        ("fable", "claude-fable-5-2"),
        ("inherit", "claude-sonnet-5-5"),
        (None, "claude-sonnet-5-5"),
        ("claude-opus-4-1-20250805", "claude-opus-4-1-20250805"),
    ],
)
def test_resolve_model_aliases(model: str | None, expected: str) -> None:
    assert resolve_model(model, environ={}) == expected


def test_resolve_model_override_then_environment_then_definition() -> None:
    env = {"AGENT_MODEL": "haiku", "AGENT_MODEL_OPUS": "claude-opus-pinned"}

    assert resolve_model("sonnet", override="opus", environ=env) == "claude-opus-pinned"
    assert resolve_model("sonnet", environ=env) == "claude-haiku-5-5"
    assert resolve_model("opus", environ={"AGENT_MODEL_OPUS": "claude-opus-pinned"}) == (
        "claude-opus-pinned"
    )
    assert resolve_model("opus", environ={"AGENT_MODEL": "", "AGENT_MODEL_OPUS": ""}) == (
        "claude-opus-5-5"
    )
    assert resolve_model("opus", override="claude-haiku-4-5", environ={}) == "claude-haiku-4-5"


def test_resolve_model_reads_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENT_MODEL_SONNET", "claude-sonnet-from-env")

    assert resolve_model("sonnet") == "claude-sonnet-from-env"


@pytest.mark.parametrize(
    ("kwargs", "source"),
    [
        ({"override": "gpt-5"}, "--model"),
        ({"environ": {"AGENT_MODEL": "mythos"}}, "AGENT_MODEL"),
    ],
)
def test_resolve_model_refuses_unknown_names(kwargs: dict, source: str) -> None:
    with pytest.raises(DefinitionError, match=f"{source}: unknown model") as caught:
        resolve_model("opus", **{"environ": {}, **kwargs})

    assert "opus, sonnet, haiku, fable, inherit" in str(caught.value)
