"""The pipeline's other agents run through the same loop, with a plain-text result.

Each definition of the real pipeline (read in place from ../shared/corpus) is run against the
loopback stand-in: the model submits a document, and the runner must write it where the
definition says, having inlined the declared inputs that exist and named those that do not.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agent import run
from agent.definition import DefinitionError, load_definition
from tests.run_support import serving, submit

PIPELINE = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "pipeline" / "raw" / "agents"
AGENTS = sorted(PIPELINE.glob("*.md")) if PIPELINE.is_dir() else []


def runnable() -> list[Path]:
    """The pipeline agents that load and name an output file (planner-database has its own)."""
    found = []
    for path in AGENTS:
        try:
            definition = load_definition(path)
        except DefinitionError:
            continue
        if definition.output and definition.output != "plan/database.md":
            found.append(path)
    return found


@pytest.mark.skipif(not AGENTS, reason=f"pipeline corpus absent at {PIPELINE}")
def test_every_pipeline_agent_with_an_output_is_runnable() -> None:
    names = [path.stem for path in runnable()]

    assert len(names) == 14
    assert "planner_api" in names and "architecture_reviewer" in names


ABSENT = pytest.param(None, marks=pytest.mark.skip(reason=f"pipeline corpus absent at {PIPELINE}"))


@pytest.mark.parametrize(
    "path", runnable() or [ABSENT], ids=lambda path: path.stem if path else "absent"
)
def test_plain_text_result_lands_at_the_declared_output(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    definition = load_definition(path)
    workdir = tmp_path / "spec"
    (workdir / "context").mkdir(parents=True)
    (workdir / "input.md").write_text("Crear API REST para una biblioteca\n")
    (workdir / "context" / "classification.json").write_text('{"has_code": false}\n')
    document = f"# {definition.name}\n\nWritten through the runner.\n"

    with serving(monkeypatch, [submit(document)]) as api:
        result = run(path, workdir)

    assert result.subtype == "success", result.result
    assert result.num_turns == 1
    assert (workdir / definition.output).read_text() == document
    first = "".join(block["text"] for block in api.requests[0]["messages"][0]["content"])
    declared = set(definition.inputs)
    assert ('<input path="input.md">' in first) == ("input.md" in declared)
    missing = declared - {"input.md", "context/classification.json"}
    assert sorted(result.missing_inputs) == sorted(missing)
    assert [tool["name"] for tool in api.requests[0]["tools"]][-1] == "submit_result"
