"""The fixture cassettes: what the model answers in each scenario, and how the cassette is made.

Nobody here can reach the live API, so each scenario's answers are written by hand below (the
designs are in ``fixtures/designs/``). ``python -m tests.cassettes [NAME ...]`` serves them from
the loopback stand-in (``tests.standin``) in the exact wire format, and records the run through
the real SDK with ``--record``, so every request in a cassette is what the runner really sends.
Re-run it whenever the prompt, a tool description or the schema changes.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.standin import StandIn, answer, text, tool_use

ROOT = Path(__file__).resolve().parents[1]
PROJECTS = ROOT / "fixtures" / "projects"
DESIGNS = ROOT / "fixtures" / "designs"
CASSETTES = ROOT / "fixtures" / "cassettes"


@dataclass(frozen=True)
class Scenario:
    """One fixture run: the project it works on and the scripted answers of the model."""

    name: str
    project: str
    turns: int
    result_turns: int
    script: list[dict[str, Any]]


def design(name: str) -> dict[str, Any]:
    """A design of ``fixtures/designs`` as the model's submit_result input."""
    return json.loads((DESIGNS / f"{name}.json").read_text(encoding="utf-8"))


def submit(call_id: str, name: str) -> dict[str, Any]:
    return tool_use(call_id, "submit_result", design(name))


def scenarios() -> dict[str, Scenario]:
    """Every fixture scenario, by cassette name."""
    items = [
        Scenario(
            "full",
            "full",
            turns=1,
            result_turns=1,
            script=[
                answer(
                    text("Every declared input is present; the design follows the API contracts."),
                    submit("toolu_full_1", "full"),
                )
            ],
        ),
        Scenario(
            "context-only",
            "context-only",
            turns=1,
            result_turns=1,
            script=[
                {
                    "fault": "status",
                    "status": 429,
                    "error": "rate_limit_error",
                    "headers": {
                        "retry-after": "1",
                        "retry-after-ms": "150",
                        "x-should-retry": "true",
                    },
                },
                answer(
                    text("No plan/ inputs yet; I will state what I assumed for them."),
                    submit("toolu_ctx_1", "context-only"),
                ),
            ],
        ),
        Scenario(
            "input-only",
            "input-only",
            turns=1,
            result_turns=1,
            script=[answer(submit("toolu_inp_1", "input-only"))],
        ),
        Scenario(
            "existing-models",
            "existing-models",
            turns=3,
            result_turns=1,
            script=[
                answer(
                    text("The codebase analysis lists existing models; let me check the code."),
                    tool_use("toolu_ex_1", "Glob", {"pattern": "**/alembic/versions/*.py"}),
                    tool_use(
                        "toolu_ex_2",
                        "Grep",
                        {
                            "pattern": r"class \w+\(.*SQLModel",
                            "path": "src/app/models",
                            "output_mode": "content",
                            "-n": True,
                        },
                    ),
                ),
                answer(tool_use("toolu_ex_3", "Read", {"file_path": "src/app/models/project.py"})),
                answer(
                    text("users and projects exist; I extend them and add the new tables."),
                    submit("toolu_ex_4", "existing-models"),
                ),
            ],
        ),
        Scenario(
            "full-repair",
            "full",
            turns=2,
            result_turns=2,
            script=[
                answer(submit("toolu_rep_1", "full-broken")),
                answer(
                    text("I add the missing index the proof asked for."),
                    submit("toolu_rep_2", "full"),
                ),
            ],
        ),
    ]
    return {item.name: item for item in items}


def rebuild(name: str) -> Path:
    """Record the cassette of scenario ``name`` against the stand-in; return its path."""
    from agent import run
    from agent.retry import RetryPolicy

    scenario = scenarios()[name]
    cassette = CASSETTES / f"{name}.json"
    workdir = PROJECTS / scenario.project
    saved = {key: os.environ.get(key) for key in ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL")}
    with StandIn(scenario.script) as api:
        os.environ["ANTHROPIC_API_KEY"] = "recording-against-the-stand-in"
        os.environ["ANTHROPIC_BASE_URL"] = api.base_url
        try:
            result = run(None, workdir, record=cassette, retry_policy=RetryPolicy(backoff_s=0.01))
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            _restore_outputs(workdir)
    if result.is_error or result.num_turns != scenario.turns or api.leftover:
        raise SystemExit(f"{name}: recording went wrong: {result.subtype} {result.result}")
    return cassette


def _restore_outputs(workdir: Path) -> None:
    # A recording writes plan/database.md into the fixture; the fixture must stay an input.
    for relative in ("plan/database.md", "plan/database.json"):
        (workdir / relative).unlink(missing_ok=True)
    plan = workdir / "plan"
    if plan.is_dir() and not any(plan.iterdir()):
        plan.rmdir()


if __name__ == "__main__":
    for chosen in sys.argv[1:] or list(scenarios()):
        print(rebuild(chosen))
