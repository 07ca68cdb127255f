"""Output contracts: what a definition's final result must be, and which files it becomes.

The model hands its result to the ``submit_result`` tool. A contract gives that tool's schema,
judges a submitted result (shape first, then any deeper check such as the database proof), and
turns an accepted result into the files to write. Definitions without a contract of their own get
``TextContract``: a plain-text result written to the definition's output path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from agent.definition import AgentDefinition

SUBMIT_TOOL = "submit_result"


@dataclass
class Verdict:
    """A judged result: accepted with its value, or rejected with what to tell the model."""

    value: Any = None
    problems: list[str] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    proof: dict[str, Any] | None = None

    @property
    def accepted(self) -> bool:
        return not self.problems


class ContractFailure(Exception):
    """A result cannot be judged for a reason the model cannot fix (e.g. no proof database)."""


class Contract(Protocol):
    """The result type of a definition, its checks and its files."""

    def tool(self) -> dict[str, Any]: ...

    def judge(self, arguments: dict[str, Any]) -> Verdict: ...

    def outputs(self, value: Any, model: str) -> dict[str, str]: ...

    def summary(self, value: Any) -> str: ...


class PlainText(BaseModel):
    """The final answer of a definition without a structured output contract."""

    model_config = {"extra": "forbid"}

    result: str


@dataclass
class TextContract:
    """A plain-text result, written as it is to the definition's output path (if any)."""

    output: str | None

    def tool(self) -> dict[str, Any]:
        where = f" It is saved to `{self.output}` by the runner." if self.output else ""
        return submit_tool(
            "Submit your final answer as one markdown document." + where,
            {
                "type": "object",
                "properties": {
                    "result": {"type": "string", "description": "The whole final document."}
                },
                "required": ["result"],
                "additionalProperties": False,
            },
        )

    def judge(self, arguments: dict[str, Any]) -> Verdict:
        try:
            text = PlainText.model_validate(arguments).result
        except ValidationError as error:
            return Verdict(problems=validation_problems(error))
        if not text.strip():
            return Verdict(problems=["result: the document is empty; submit the whole document"])
        return Verdict(value=text)

    def outputs(self, value: Any, model: str) -> dict[str, str]:
        return {self.output: value if value.endswith("\n") else value + "\n"} if self.output else {}

    def summary(self, value: Any) -> str:
        return str(value)


# The API compiles strict tool schemas into a grammar and refuses one with more than 24 optional
# properties or 16 union-typed ones ("Schema is too complex for compilation"), so a larger result
# schema goes without `strict` and is held to its shape by Pydantic and the repair turns instead.
STRICT_MAX_OPTIONAL = 24
STRICT_MAX_UNIONS = 16


def submit_tool(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    """The ``submit_result`` tool for a result schema; strict when the API can compile it."""
    tool: dict[str, Any] = {
        "name": SUBMIT_TOOL,
        "description": description
        + " Call it exactly once, when the work is complete; it is the only way to finish.",
        "input_schema": schema,
    }
    optional, unions = schema_load(schema)
    if optional <= STRICT_MAX_OPTIONAL and unions <= STRICT_MAX_UNIONS:
        tool["strict"] = True
    return tool


def schema_load(node: Any) -> tuple[int, int]:
    """How many optional and how many union-typed properties a JSON Schema has, in all."""
    optional = unions = 0
    if isinstance(node, dict):
        required = set(node.get("required", ()))
        for name, value in (node.get("properties") or {}).items():
            optional += name not in required
            unions += isinstance(value, dict) and (
                "anyOf" in value or isinstance(value.get("type"), list)
            )
        for value in node.values():
            inner = schema_load(value)
            optional, unions = optional + inner[0], unions + inner[1]
    elif isinstance(node, list):
        for value in node:
            inner = schema_load(value)
            optional, unions = optional + inner[0], unions + inner[1]
    return optional, unions


def validation_problems(error: ValidationError, limit: int = 20) -> list[str]:
    """Pydantic errors as ``path: message`` lines the model can act on."""
    problems = []
    for item in error.errors()[:limit]:
        where = ".".join(str(part) for part in item["loc"]) or "(root)"
        problems.append(f"{where}: {item['msg']}")
    if len(error.errors()) > limit:
        problems.append(f"... and {len(error.errors()) - limit} more problems")
    return problems


def contract_for(definition: AgentDefinition, *, dsn: str | None = None) -> Contract:
    """The contract of a definition: the database plan for planner-database, else plain text."""
    if definition.output == "plan/database.md":
        from agent.database_contract import DatabaseContract

        return DatabaseContract(dsn=dsn)
    return TextContract(definition.output)


def dumps(value: Any) -> str:
    """Stable, readable JSON for files the next agents read."""
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"
