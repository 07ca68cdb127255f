"""Cassettes: the HTTP exchanges of a run with the Messages API, recorded and replayed.

A cassette is a JSON file ``{"format", "exchanges": [{"request", "response"}]}``. A request keeps
its method, path and JSON body; a response keeps its status, a few headers and its body (parsed
JSON, or the raw event-stream text). No request header is stored, so neither ``x-api-key`` nor
``authorization`` can reach a cassette. The workdir's absolute path is stored as ``${WORKDIR}`` so
that a cassette replays from any checkout.

Replay sits under the real SDK as its HTTP transport, so the SDK parses, streams and retries
exactly as it does live, and no socket is opened.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import httpx2

from agent.output import file_mode

FORMAT = "planner-agent-cassette/1"
WORKDIR_TOKEN = "${WORKDIR}"
KEPT_RESPONSE_HEADERS = ("content-type", "retry-after", "retry-after-ms", "x-should-retry")


class CassetteError(Exception):
    """A cassette cannot be read, or the run does not match what it recorded."""


class ReplayMismatch(CassetteError):
    """A request differs from the recorded one, or asks for more than was recorded."""


def load(path: Path) -> list[dict[str, Any]]:
    """The exchanges of the cassette at ``path``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CassetteError(f"cassette {path} does not exist; check the --replay path") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CassetteError(
            f"cassette {path} is not readable JSON ({error}); re-record it"
        ) from None

    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CassetteError(f"cassette {path} is not in the {FORMAT} format; re-record it")
    exchanges = data.get("exchanges")
    if not isinstance(exchanges, list):
        raise CassetteError(f"cassette {path} has no 'exchanges' list; re-record it")
    return exchanges


class ReplayTransport(httpx2.BaseTransport):
    """Answers each request with the next recorded response, after checking it is the same."""

    def __init__(self, path: Path, workdir: Path) -> None:
        self.path = path
        self._workdir = str(workdir)
        self._exchanges = load(path)
        self._next = 0

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        if self._next >= len(self._exchanges):
            raise ReplayMismatch(
                f"request {self._next + 1} was not recorded in {self.path} "
                f"(it holds {len(self._exchanges)}); re-record the cassette"
            )
        exchange = _expand(self._exchanges[self._next], self._workdir)
        self._next += 1

        recorded = exchange["request"]
        body = json.loads(request.read() or b"null")
        where = first_difference(recorded.get("body"), body, "body")
        if where is None and recorded.get("path", request.url.path) != request.url.path:
            where = "path"
        if where is not None:
            raise ReplayMismatch(
                f"request {self._next} differs from {self.path} at {where}; "
                "re-record the cassette if the change is intended"
            )
        return _response(exchange["response"], request)

    def leftover(self) -> int:
        """How many recorded exchanges the run did not use."""
        return len(self._exchanges) - self._next

    def check_exhausted(self) -> None:
        """Fail when the run ended before using every recorded exchange."""
        if self.leftover():
            raise ReplayMismatch(
                f"{self.leftover()} recorded exchange(s) in {self.path} were not used; "
                "the run took a different path than the recording"
            )


class RecordingTransport(httpx2.BaseTransport):
    """Passes each request to the real transport and keeps the exchange for the cassette."""

    def __init__(self, path: Path, workdir: Path, inner: httpx2.BaseTransport | None = None):
        self.path = path
        self._workdir = str(workdir)
        self._inner = inner or httpx2.HTTPTransport()
        self.exchanges: list[dict[str, Any]] = []

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.read() or b"null")
        response = self._inner.handle_request(request)
        content = response.read()

        content_type = response.headers.get("content-type", "")
        text = content.decode("utf-8", errors="replace")
        stored: Any = json.loads(text) if "json" in content_type and text.strip() else text
        headers = {k: response.headers[k] for k in KEPT_RESPONSE_HEADERS if k in response.headers}
        exchange = {
            "request": {"method": request.method, "path": request.url.path, "body": body},
            "response": {"status": response.status_code, "headers": headers, "body": stored},
        }
        self.exchanges.append(_shrink(exchange, self._workdir))
        self.save()
        # The body is already decoded, so the headers that describe its encoding no longer hold.
        passed = [
            (name, value)
            for name, value in response.headers.items()
            if name.lower() not in ("content-encoding", "content-length", "transfer-encoding")
        ]
        return httpx2.Response(
            response.status_code, headers=passed, content=content, request=request
        )

    def save(self) -> None:
        """Write the cassette so far, atomically (a run cut short still leaves its exchanges)."""
        text = json.dumps({"format": FORMAT, "exchanges": self.exchanges}, indent=1)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=self.path.parent, delete=False, suffix=".tmp"
        ) as handle:
            handle.write(text + "\n")
            os.chmod(handle.fileno(), file_mode(self.path))
        os.replace(handle.name, self.path)


def first_difference(expected: Any, actual: Any, where: str) -> str | None:
    """The path of the first place where two JSON values differ, or None when equal."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in sorted(set(expected) | set(actual)):
            if key not in expected or key not in actual:
                return f"{where}.{key}"
            found = first_difference(expected[key], actual[key], f"{where}.{key}")
            if found:
                return found
        return None
    if isinstance(expected, list) and isinstance(actual, list):
        for index, (left, right) in enumerate(zip(expected, actual, strict=False)):
            found = first_difference(left, right, f"{where}[{index}]")
            if found:
                return found
        return None if len(expected) == len(actual) else f"{where} (length)"
    return None if expected == actual and type(expected) is type(actual) else where


def _response(recorded: dict[str, Any], request: httpx2.Request) -> httpx2.Response:
    body = recorded.get("body", "")
    content = body if isinstance(body, str) else json.dumps(body)
    headers = dict(recorded.get("headers") or {})
    if not isinstance(body, str):
        headers.setdefault("content-type", "application/json")
    return httpx2.Response(
        int(recorded["status"]), headers=headers, content=content.encode(), request=request
    )


def _shrink(exchange: dict[str, Any], workdir: str) -> dict[str, Any]:
    return _replace_strings(exchange, workdir, WORKDIR_TOKEN)


def _expand(exchange: dict[str, Any], workdir: str) -> dict[str, Any]:
    return _replace_strings(exchange, WORKDIR_TOKEN, workdir)


def _replace_strings(value: Any, old: str, new: str) -> Any:
    # SSE bodies hold the path JSON-escaped; a plain path has nothing to escape, so one replace
    # covers both the parsed and the raw forms.
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, list):
        return [_replace_strings(item, old, new) for item in value]
    if isinstance(value, dict):
        return {key: _replace_strings(item, old, new) for key, item in value.items()}
    return value
