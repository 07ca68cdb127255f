"""What every tool shares: a Pydantic model of its arguments, the schema derived from it, run()."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from agent.sandbox import ToolError, Workdir

Arguments = TypeVar("Arguments", bound=BaseModel)


class ToolArguments(BaseModel):
    """Base of every argument model: strict types, no unknown keys, Claude Code's names."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=False)


class Tool(ABC, Generic[Arguments]):
    """A read-only tool the model may call; `run` returns text or raises ToolError."""

    name: ClassVar[str]
    description: ClassVar[str]
    arguments: ClassVar[type[BaseModel]]

    @property
    def input_schema(self) -> dict[str, Any]:
        """The JSON Schema the Messages API gets, with Claude Code's parameter names."""
        schema = self.arguments.model_json_schema(by_alias=True)
        return _clean(schema)

    def run(self, workdir: Workdir, arguments: dict[str, Any]) -> str:
        """Validate `arguments`, then call the tool; any expected failure is a ToolError."""
        parsed = self.parse(arguments)
        try:
            output = self.call(workdir, parsed)
        except OSError as error:
            raise ToolError(f"{self.name} failed: {error.strerror or error}") from None

        # File names that are not UTF-8 arrive as lone surrogates, which no JSON body may carry.
        return output.encode("utf-8", "backslashreplace").decode("utf-8")

    def parse(self, arguments: dict[str, Any]) -> Arguments:
        """Turn the model's argument dict into the tool's model or raise a one-line ToolError."""
        if not isinstance(arguments, dict):
            raise ToolError(f"{self.name} takes an object of arguments, got {type(arguments)}")
        try:
            return self.arguments.model_validate(arguments)  # type: ignore[return-value]
        except ValidationError as error:
            problems = "; ".join(_problem(item) for item in error.errors())
            raise ToolError(f"Invalid arguments for {self.name}: {problems}") from None

    @abstractmethod
    def call(self, workdir: Workdir, arguments: Arguments) -> str:
        """Do the tool's work on validated arguments."""


def _problem(item: Any) -> str:
    where = ".".join(str(part) for part in item["loc"]) or "arguments"
    if item["type"] == "extra_forbidden":
        return f"unknown argument {where!r}"
    if item["type"] == "missing":
        return f"missing required argument {where!r}"
    return f"{where}: {item['msg']}"


def _clean(node: Any) -> Any:
    """Drop Pydantic's titles and `null` alternatives so the schema reads like Claude Code's."""
    if isinstance(node, list):
        return [_clean(item) for item in node]
    if not isinstance(node, dict):
        return node

    options = node.get("anyOf")
    if isinstance(options, list):
        kept = [option for option in options if option != {"type": "null"}]
        if len(kept) == 1:
            node = {**{k: v for k, v in node.items() if k != "anyOf"}, **kept[0]}
    return {
        key: _clean(value)
        for key, value in node.items()
        if key != "title" and not (key == "default" and value is None)
    }
