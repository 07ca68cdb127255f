"""Model clients: one method, ``turn(request) -> Message``, behind which the API is called.

``AnthropicModel`` is the real client: the official SDK, streamed, with every retry owned by
``agent.retry``. Replay and record are the same client over another HTTP transport
(``agent.cassette``), so tests walk the exact code path of a live run.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import anthropic
import httpx2
from anthropic.types import Message

from agent.cassette import RecordingTransport, ReplayTransport
from agent.retry import IncompleteStream, RetryPolicy, call_with_retries

log = logging.getLogger(__name__)

REPLAY_BASE_URL = "http://replay.invalid"
REPLAY_API_KEY = "replay-no-key"


class ModelClient(Protocol):
    """Anything that answers one Messages API request with one complete message."""

    name: str

    def turn(self, request: dict[str, Any]) -> Message: ...


@dataclass
class Retry:
    """One retry taken by the client: which attempt failed, why, and how long it waited."""

    attempt: int
    cause: str
    delay_s: float


@dataclass
class AnthropicModel:
    """The Messages API through the official SDK, streamed, retried by one policy."""

    client: anthropic.Anthropic
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    name: str = "anthropic"
    retries: list[Retry] = field(default_factory=list)
    on_retry: Callable[[Retry], None] | None = None

    def turn(self, request: dict[str, Any]) -> Message:
        """Send one request, stream the answer to its end, retrying transient failures."""
        return call_with_retries(lambda: self._stream(request), self.policy, self._note_retry)

    def _stream(self, request: dict[str, Any]) -> Message:
        with self.client.messages.stream(**request) as stream:
            message = stream.get_final_message()
        if message.stop_reason is None:
            raise IncompleteStream("the event stream ended before message_stop")
        return message

    def _note_retry(self, attempt: int, cause: str, delay: float) -> None:
        retry = Retry(attempt, cause, delay)
        self.retries.append(retry)
        if self.on_retry is not None:
            self.on_retry(retry)


def anthropic_model(
    *,
    workdir: Path,
    replay: Path | None = None,
    record: Path | None = None,
    api_key: str | None = None,
    base_url: str | None = None,
    timeout_s: float = 600.0,
    policy: RetryPolicy | None = None,
) -> tuple[AnthropicModel, ReplayTransport | RecordingTransport | None]:
    """The real client, live, recording or replaying; returns the cassette transport too."""
    transport: ReplayTransport | RecordingTransport | None = None
    if replay is not None:
        transport = ReplayTransport(replay, workdir)
        api_key, base_url = REPLAY_API_KEY, REPLAY_BASE_URL
    elif record is not None:
        transport = RecordingTransport(record, workdir)

    http_client = httpx2.Client(transport=transport) if transport is not None else None
    client = anthropic.Anthropic(
        api_key=api_key if api_key is not None else os.environ.get("ANTHROPIC_API_KEY"),
        base_url=base_url,
        max_retries=0,
        timeout=timeout_s,
        http_client=http_client,
    )
    return AnthropicModel(client=client, policy=policy or RetryPolicy()), transport
