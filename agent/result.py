"""The run result: what a pipeline reads, shaped like a headless Claude Code result.

The fields a pipeline already reads from ``claude --print --output-format json`` (``type``,
``subtype``, ``is_error``, ``duration_ms``, ``num_turns``, ``result``, ``total_cost_usd``,
``usage``, ``session_id``) plus this runner's own (``output_files``, ``findings``, ``model``,
``retries``, ``result_turns``, ``proof``, ``missing_inputs``).
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

# US dollars per million tokens (input, output), by model family, from Anthropic's public price
# list; cache writes cost 1.25 times the input price and cache reads 0.1 times.
PRICES = {"opus": (5.0, 25.0), "sonnet": (3.0, 15.0), "haiku": (1.0, 5.0)}


@dataclass
class RunResult:
    """The outcome of one run; ``subtype`` is ``success`` or the error kind."""

    subtype: str
    result: str
    model: str
    duration_ms: int = 0
    num_turns: int = 0
    result_turns: int = 0
    usage: dict[str, int] = field(default_factory=dict)
    output_files: list[str] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    missing_inputs: list[str] = field(default_factory=list)
    retries: list[dict[str, Any]] = field(default_factory=list)
    proof: dict[str, Any] | None = None
    session_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def is_error(self) -> bool:
        return self.subtype != "success"

    @property
    def exit_code(self) -> int:
        return 1 if self.is_error else 0

    @property
    def total_cost_usd(self) -> float:
        return cost_usd(self.model, self.usage)

    def to_json(self) -> dict[str, Any]:
        """The JSON object printed by ``--output-format json``."""
        body = asdict(self)
        return {
            "type": "result",
            "subtype": self.subtype,
            "is_error": self.is_error,
            "duration_ms": self.duration_ms,
            "num_turns": self.num_turns,
            "result": self.result,
            "total_cost_usd": round(self.total_cost_usd, 6),
            "usage": self.usage,
            "session_id": self.session_id,
            **{key: body[key] for key in OWN_FIELDS},
        }


OWN_FIELDS = (
    "model",
    "output_files",
    "findings",
    "missing_inputs",
    "retries",
    "result_turns",
    "proof",
)


def cost_usd(model: str, usage: dict[str, int]) -> float:
    """The price of the tokens in ``usage`` for ``model``; 0 for models without a price."""
    family = next((name for name in PRICES if name in model), None)
    if family is None:
        return 0.0
    per_input, per_output = PRICES[family]
    tokens_in = (
        usage.get("input_tokens", 0)
        + 1.25 * usage.get("cache_creation_input_tokens", 0)
        + 0.1 * usage.get("cache_read_input_tokens", 0)
    )
    return (tokens_in * per_input + usage.get("output_tokens", 0) * per_output) / 1_000_000
