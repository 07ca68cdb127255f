"""The declared inputs of a definition, read from the workdir and put into the first message.

Inlining what the definition says it will read lets a model that needs nothing more finish in one
turn. The inputs are read through the sandbox like any tool read, so a symbolic link that leads
out of the workdir is refused here too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.definition import AgentDefinition
from agent.sandbox import ToolError, Workdir

REQUIRED_INPUT = "input.md"
MAX_INLINE_CHARS = 100_000


class InputError(Exception):
    """The user must fix the workdir or the definition before the run can start."""


@dataclass(frozen=True)
class Inputs:
    """The declared inputs found (path -> text) and those missing or refused (path -> why)."""

    found: dict[str, str]
    missing: dict[str, str]


def read_inputs(definition: AgentDefinition, workdir: Workdir) -> Inputs:
    """Read every declared input; a missing ``input.md`` is an InputError."""
    found: dict[str, str] = {}
    missing: dict[str, str] = {}
    for declared in definition.inputs:
        why = unavailable(workdir, declared)
        if why is not None:
            missing[declared] = why
            continue
        try:
            text = workdir.file(declared).read_text(encoding="utf-8", errors="replace")
        except ToolError:
            missing[declared] = "refused by the workdir sandbox"
            continue
        except OSError as error:
            missing[declared] = f"unreadable ({error.strerror or error})"
            continue
        if len(text) > MAX_INLINE_CHARS:
            text = text[:MAX_INLINE_CHARS] + "\n[cut here; Read the file with offset for the rest]"
        found[declared] = text

    if REQUIRED_INPUT in missing:
        raise InputError(
            f"{Path(workdir.path) / REQUIRED_INPUT} is {missing[REQUIRED_INPUT]}: "
            "the run needs the task there; write it, or pass the spec folder as --workdir"
        )
    return Inputs(found, missing)


def unavailable(workdir: Workdir, declared: str) -> str | None:
    """Why a declared input cannot be read, in the user's words; None when it can."""
    path = workdir.path / declared
    if not os.path.lexists(path):
        return "missing"
    real = Path(os.path.realpath(path))
    if not workdir.contains(real):
        return "a link that leads outside the workdir (not read)"
    if real.is_dir():
        return "a folder, not a file"
    if not real.is_file():
        return "not a regular file"
    return None


def system_prompt(definition: AgentDefinition, workdir: Workdir, output: str | None) -> str:
    """The definition's prompt, then how this runner differs from Claude Code."""
    saved = (
        f"The runner writes `{output}` from your submitted result; do not try to write files."
        if output
        else "Do not try to write files."
    )
    return (
        f"{definition.prompt.strip()}\n\n"
        "## How this run works\n\n"
        f"- The working directory (the spec folder) is `{workdir.path}`. Paths may be relative "
        "to it or absolute inside it; nothing outside it can be read.\n"
        "- Your tools are read-only. " + saved + "\n"
        "- The declared inputs are already in the first message; read other files only if you "
        "need them.\n"
        "- Finish by calling `submit_result` once with the complete result. If it is not "
        "accepted you get the problems back; fix them and call it again."
    )


def first_message(inputs: Inputs) -> dict[str, Any]:
    """The first user message: every found input inlined, every missing one named."""
    blocks: list[dict[str, Any]] = []
    for path, text in inputs.found.items():
        blocks.append({"type": "text", "text": f'<input path="{path}">\n{text}\n</input>'})

    if inputs.missing:
        listed = "\n".join(f"- `{path}`: {why}" for path, why in inputs.missing.items())
        note = (
            "These declared inputs are not available (the other planners may not have written "
            "them yet). Do not wait for them: state in the result what you assumed instead of "
            f"each.\n{listed}"
        )
    else:
        note = "Every declared input is above."
    blocks.append(
        {
            "type": "text",
            "text": f"{note}\n\nDo your task now.",
            "cache_control": {"type": "ephemeral"},
        }
    )
    return {"role": "user", "content": blocks}
