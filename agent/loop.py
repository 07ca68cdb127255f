"""The tool-use loop: turns with the model until a result is accepted or a budget runs out.

Each turn sends the whole conversation, streams the answer, and answers every tool call of the
turn in one user message, in order. Read-only tools run in the sandbox; ``submit_result`` goes to
the contract, whose rejections (a schema error, a failed proof) go back to the model as
``is_error`` results a bounded number of times. A turn cut by ``max_tokens`` or ended by a refusal
never has its tool calls run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from anthropic.types import Message

from agent import interrupt
from agent.contract import SUBMIT_TOOL, Contract, Verdict
from agent.model import ModelClient
from agent.sandbox import ToolError, Workdir
from agent.tools import TOOLS

log = logging.getLogger(__name__)

Event = dict[str, Any]


@dataclass(frozen=True)
class Budget:
    """Limits of one run; each ends the run with its own error kind when reached."""

    max_turns: int = 30
    max_output_tokens: int = 150_000
    max_tokens_per_turn: int = 32_000
    wall_time_s: float = 1800.0
    max_repairs: int = 3


class RunFailure(Exception):
    """The run ended without an accepted result; ``kind`` is the result's error subtype."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass
class Usage:
    """Token counts of a run, summed over its turns."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0

    def add(self, message: Message) -> None:
        usage = message.usage
        self.input_tokens += usage.input_tokens
        self.output_tokens += usage.output_tokens
        self.cache_creation_input_tokens += usage.cache_creation_input_tokens or 0
        self.cache_read_input_tokens += usage.cache_read_input_tokens or 0


@dataclass
class Conversation:
    """What a run has said and spent so far."""

    request: dict[str, Any]
    messages: list[dict[str, Any]]
    started: float = field(default_factory=time.monotonic)
    turns: int = 0
    result_turns: int = 0
    repairs: int = 0
    usage: Usage = field(default_factory=Usage)
    verdicts: list[Verdict] = field(default_factory=list)


def run_loop(
    conversation: Conversation,
    *,
    client: ModelClient,
    contract: Contract,
    workdir: Workdir,
    tools: tuple[str, ...],
    budget: Budget,
    emit: Callable[[Event], None],
) -> Verdict:
    """Drive turns until the contract accepts a result; raise RunFailure otherwise."""
    while True:
        interrupt.check()
        check_budget(conversation, budget)
        message = client.turn(next_request(conversation, budget))
        conversation.turns += 1
        conversation.usage.add(message)
        blocks = assistant_blocks(message)
        log.debug("turn %d answer: %s", conversation.turns, blocks)
        conversation.messages.append({"role": "assistant", "content": blocks})
        emit({"type": "turn", "turn": conversation.turns, "message": message})

        if message.stop_reason == "refusal":
            raise RunFailure("error_refusal", "the model refused the task (stop_reason refusal)")

        replies, verdict = answer(message, conversation, contract, workdir, tools, emit)
        if verdict is not None and verdict.accepted:
            return verdict

        if conversation.repairs > budget.max_repairs:
            raise RunFailure(
                "error_invalid_result",
                f"no acceptable result after {budget.max_repairs} repair turns; "
                "see the findings of the last attempt",
            )
        conversation.messages.append({"role": "user", "content": replies})


def check_budget(conversation: Conversation, budget: Budget) -> None:
    """Stop before a call that would exceed the run's turn, token or time budget."""
    if conversation.turns >= budget.max_turns:
        raise RunFailure("error_max_turns", f"reached the limit of {budget.max_turns} turns")
    if conversation.usage.output_tokens >= budget.max_output_tokens:
        raise RunFailure(
            "error_max_output_tokens",
            f"spent {conversation.usage.output_tokens} output tokens "
            f"(budget {budget.max_output_tokens})",
        )
    if time.monotonic() - conversation.started >= budget.wall_time_s:
        raise RunFailure("error_wall_time", f"ran longer than {budget.wall_time_s:g} s")


def next_request(conversation: Conversation, budget: Budget) -> dict[str, Any]:
    """The request of the next turn: the fixed part, the history, a bounded max_tokens."""
    left = budget.max_output_tokens - conversation.usage.output_tokens
    messages = with_moving_breakpoint(conversation.messages)
    return {
        **conversation.request,
        "max_tokens": max(1, min(budget.max_tokens_per_turn, left)),
        "messages": messages,
    }


def answer(
    message: Message,
    conversation: Conversation,
    contract: Contract,
    workdir: Workdir,
    tools: tuple[str, ...],
    emit: Callable[[Event], None],
) -> tuple[list[dict[str, Any]], Verdict | None]:
    """The user reply to one assistant turn, and the verdict if a result was submitted."""
    calls = [block for block in message.content if block.type == "tool_use"]
    if message.stop_reason == "max_tokens":
        conversation.repairs += 1
        note = (
            "Not run: your turn was cut by the max_tokens limit before this call was complete. "
            "Send a shorter answer (fewer words in descriptions), then call it again."
        )
        if not calls:
            return [{"type": "text", "text": note}], None
        return [tool_result(call.id, note, is_error=True) for call in calls], None

    if not calls:
        conversation.repairs += 1
        nudge = f"Your work ends only when you call `{SUBMIT_TOOL}` with the complete result."
        return [{"type": "text", "text": nudge}], None

    replies: list[dict[str, Any]] = []
    for call in calls:
        if call.name == SUBMIT_TOOL:
            verdict = judge(call.input, conversation, contract, emit)
            if verdict.accepted:
                return [], verdict
            replies.append(tool_result(call.id, rejection(verdict), is_error=True))
            continue
        replies.append(run_tool(call.id, call.name, call.input, workdir, tools, emit))
    return replies, None


def judge(
    arguments: object, conversation: Conversation, contract: Contract, emit: Callable[[Event], None]
) -> Verdict:
    """Ask the contract about a submitted result; count a rejection as a repair."""
    conversation.result_turns += 1
    if not isinstance(arguments, dict):
        verdict = Verdict(problems=["the result must be a JSON object matching the tool schema"])
    else:
        verdict = contract.judge(arguments)
    conversation.verdicts.append(verdict)
    if not verdict.accepted:
        conversation.repairs += 1
    emit({"type": "result", "attempt": conversation.result_turns, "verdict": verdict})
    return verdict


def run_tool(
    call_id: str,
    name: str,
    arguments: object,
    workdir: Workdir,
    tools: tuple[str, ...],
    emit: Callable[[Event], None],
) -> dict[str, Any]:
    """Run one read-only tool call; every failure becomes an is_error result for the model."""
    started = time.monotonic()
    if name not in tools or name not in TOOLS:
        available = ", ".join([*tools, SUBMIT_TOOL])
        text, is_error = f"Unknown tool {name!r}; the tools of this run are: {available}", True
    else:
        try:
            text, is_error = TOOLS[name].run(workdir, arguments), False  # type: ignore[arg-type]
        except ToolError as error:
            text, is_error = str(error), True
    log.debug("%s %s -> %s", name, arguments, text)
    emit(
        {
            "type": "tool",
            "name": name,
            "input": arguments,
            "is_error": is_error,
            "chars": len(text),
            "first_line": text.splitlines()[0] if text else "",
            "duration_s": time.monotonic() - started,
        }
    )
    return tool_result(call_id, text, is_error=is_error)


def tool_result(call_id: str, text: str, *, is_error: bool) -> dict[str, Any]:
    """A tool_result block; the API refuses empty content, so emptiness is said in words."""
    block: dict[str, Any] = {
        "type": "tool_result",
        "tool_use_id": call_id,
        "content": text or "(no output)",
    }
    if is_error:
        block["is_error"] = True
    return block


def rejection(verdict: Verdict) -> str:
    """What the model reads when its result is not accepted."""
    lines = ["The result was not accepted. Fix every problem below and call submit_result again."]
    lines += [f"- {problem}" for problem in verdict.problems]
    return "\n".join(lines)


def assistant_blocks(message: Message) -> list[dict[str, Any]]:
    """The assistant turn as request blocks, keeping only what the API takes back."""
    blocks: list[dict[str, Any]] = []
    for block in message.content:
        if block.type == "text":
            blocks.append({"type": "text", "text": block.text})
        elif block.type == "tool_use":
            arguments = block.input if isinstance(block.input, dict) else {}
            blocks.append(
                {"type": "tool_use", "id": block.id, "name": block.name, "input": arguments}
            )
    return blocks or [{"type": "text", "text": "(empty turn)"}]


def with_moving_breakpoint(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Copy of the history with a cache breakpoint on the newest user turn, so it is reused."""
    if len(messages) < 3 or messages[-1]["role"] != "user":
        return messages
    last = messages[-1]
    content = list(last["content"])
    content[-1] = {**content[-1], "cache_control": {"type": "ephemeral"}}
    return [*messages[:-1], {"role": "user", "content": content}]
