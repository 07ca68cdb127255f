"""Runs Claude Code style agent definitions through the Anthropic API, dependably.

``run(definition, workdir)`` returns a ``RunResult``; it raises ``BadInput`` for what the caller
must fix. ``python -m agent`` is the command line over the same function.
"""

from agent.loop import Budget
from agent.result import RunResult
from agent.runner import BadInput, run

__all__ = ["BadInput", "Budget", "RunResult", "run"]
