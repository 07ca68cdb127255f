"""Runs Claude Code style agent definitions through the Anthropic API, dependably.

``run(definition, workdir)`` returns a ``RunResult``; it raises ``BadInput`` for what the caller
must fix. ``python -m agent`` is the command line over the same function.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent.loop import Budget
    from agent.result import RunResult
    from agent.runner import BadInput, run

__all__ = ["BadInput", "Budget", "RunResult", "run"]


def __getattr__(name: str) -> Any:
    # Loaded on first use, so `agent.plan` or `agent.proof` alone do not import the SDK.
    if name in ("BadInput", "run"):
        from agent import runner

        return getattr(runner, name)
    if name == "Budget":
        from agent.loop import Budget

        return Budget
    if name == "RunResult":
        from agent.result import RunResult

        return RunResult
    raise AttributeError(f"module 'agent' has no attribute {name!r}")
