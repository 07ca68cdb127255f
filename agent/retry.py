"""The one layer that retries a failed model call, and the rules it follows.

The SDK is built with ``max_retries=0``, so every retry happens here and is logged with its
cause. What is retried: HTTP 408, 409, 429 and 5xx (529 ``overloaded_error`` included),
connection failures and timeouts, an ``error`` event inside a 200 stream, and a stream that ended
without ``message_stop``. A ``retry-after`` longer than the cap ends the retries at once: waiting
less than the server asked would only spend an attempt on a certain refusal.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import anthropic
import httpx2
import tenacity

log = logging.getLogger(__name__)

T = TypeVar("T")

RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504, 529})
RETRYABLE_ERROR_TYPES = frozenset({"overloaded_error", "api_error", "rate_limit_error"})


class IncompleteStream(Exception):
    """The event stream ended before ``message_stop``: the answer is partial and is not used."""


class RetryAfterTooLong(Exception):
    """The server asked to wait longer than the stated cap."""

    def __init__(self, seconds: float, cap: float) -> None:
        super().__init__(
            f"the API asked to retry after {seconds:g} s, more than the {cap:g} s cap; "
            "try again later or raise --retry-after-cap"
        )
        self.seconds = seconds


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry: attempts in all, backoff base and the retry-after cap."""

    attempts: int = 5
    backoff_s: float = 1.0
    backoff_max_s: float = 30.0
    retry_after_cap_s: float = 60.0


def cause_of(error: BaseException) -> str:
    """A short, secret-free name for why a call failed, for logs and the run result."""
    if isinstance(error, anthropic.APIStatusError):
        kind = _error_type(error)
        return f"HTTP {error.status_code} {kind}" if kind else f"HTTP {error.status_code}"
    if isinstance(error, anthropic.APITimeoutError | httpx2.TimeoutException):
        return "timeout"
    if isinstance(error, anthropic.APIConnectionError | httpx2.TransportError):
        return "connection error"
    if isinstance(error, IncompleteStream):
        return "stream ended without message_stop"
    return type(error).__name__


def is_retryable(error: BaseException) -> bool:
    """True for failures that a later attempt may not meet."""
    if isinstance(error, anthropic.APIStatusError):
        if error.status_code == 200:
            return _error_type(error) in RETRYABLE_ERROR_TYPES
        return error.status_code in RETRYABLE_STATUS
    if isinstance(error, anthropic.APIConnectionError):
        # A replay mismatch travels inside the SDK's connection error; it must surface, not retry.
        return error.__cause__ is None or isinstance(error.__cause__, httpx2.TransportError)
    return isinstance(error, httpx2.TransportError | IncompleteStream)


def retry_after(error: BaseException) -> float | None:
    """Seconds the server asked us to wait, from ``retry-after-ms`` or ``retry-after``."""
    if not isinstance(error, anthropic.APIStatusError):
        return None
    headers = error.response.headers
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value) * scale)
        except ValueError:
            continue
    return None


def call_with_retries(
    call: Callable[[], T],
    policy: RetryPolicy,
    on_retry: Callable[[int, str, float], None] | None = None,
) -> T:
    """Run ``call``, retrying transient failures under ``policy``; re-raise the last failure."""

    def wait(state: tenacity.RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        asked = retry_after(error) if error else None
        if asked is not None:
            if asked > policy.retry_after_cap_s:
                raise RetryAfterTooLong(asked, policy.retry_after_cap_s) from error
            return asked
        backoff = policy.backoff_s * 2 ** (state.attempt_number - 1)
        return min(policy.backoff_max_s, backoff) * random.uniform(0.5, 1.0)

    def before_sleep(state: tenacity.RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        cause = cause_of(error) if error else "unknown"
        delay = state.upcoming_sleep
        log.warning(
            "attempt %d failed (%s); retrying in %.1f s", state.attempt_number, cause, delay
        )
        if on_retry is not None:
            on_retry(state.attempt_number, cause, delay)

    retrying = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(policy.attempts),
        wait=wait,
        retry=tenacity.retry_if_exception(is_retryable),
        before_sleep=before_sleep,
        reraise=True,
    )
    return retrying(call)


def _error_type(error: anthropic.APIStatusError) -> str | None:
    body = error.body
    if isinstance(body, dict):
        inner = body.get("error")
        if isinstance(inner, dict) and isinstance(inner.get("type"), str):
            return inner["type"]
    return None
