"""A loopback stand-in for the Messages API: scripted answers as event streams, and faults.

It is a real HTTP server on 127.0.0.1 (a thread of the test process), so the SDK, its streaming
parser and the runner's retries all run for real. A script is a list of steps; each step is
either an answer (a message: content blocks, stop reason, usage) or a fault served in its place:

- ``{"fault": "status", "status": 429, "error": "rate_limit_error", "headers": {...}}``
- ``{"fault": "reset"}``: the connection is closed without a response;
- ``{"fault": "slow", "seconds": s}``: silence for ``s`` seconds, then the connection closes;
- ``{"fault": "stream_error", "error": "overloaded_error"}``: a 200 stream with ``event: error``;
- ``{"fault": "truncated"}``: a 200 stream that stops before ``message_stop``.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODEL = "claude-opus-5-5"


def text(value: str) -> dict[str, Any]:
    """A text content block."""
    return {"type": "text", "text": value}


def tool_use(call_id: str, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """A tool_use content block."""
    return {"type": "tool_use", "id": call_id, "name": name, "input": arguments}


def answer(*content: dict[str, Any], stop_reason: str | None = None) -> dict[str, Any]:
    """An answer step; the stop reason defaults to tool_use when a tool is called."""
    calls = any(block["type"] == "tool_use" for block in content)
    return {
        "content": list(content),
        "stop_reason": stop_reason or ("tool_use" if calls else "end_turn"),
    }


def usage_for(request: dict[str, Any], content: list[dict[str, Any]], turn: int) -> dict[str, int]:
    """Plausible, deterministic usage: about four characters a token, the prefix cached."""
    prompt = len(json.dumps(request)) // 4
    prefix = len(json.dumps([request.get("tools"), request.get("system")])) // 4
    output = max(1, len(json.dumps(content)) // 4)
    first = turn == 1
    return {
        "input_tokens": max(1, prompt - prefix),
        "cache_creation_input_tokens": prefix if first else 0,
        "cache_read_input_tokens": 0 if first else prefix,
        "output_tokens": output,
    }


def event_stream(
    step: dict[str, Any], request: dict[str, Any], turn: int, *, cut: bool = False
) -> str:
    """The event-stream body of an answer, as the API sends it (``cut`` drops the ending)."""
    usage = usage_for(request, step["content"], turn)
    start_usage = {**usage, "output_tokens": 1}
    message = {
        "id": f"msg_standin_{turn:04d}",
        "type": "message",
        "role": "assistant",
        "model": request.get("model", MODEL),
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": start_usage,
    }
    events = [("message_start", {"type": "message_start", "message": message}), _ping()]
    for index, block in enumerate(step["content"]):
        events += _block_events(index, block)
    delta = {"stop_reason": step["stop_reason"], "stop_sequence": None}
    events.append(("message_delta", {"type": "message_delta", "delta": delta, "usage": usage}))
    events.append(("message_stop", {"type": "message_stop"}))
    if cut:
        events = events[:-2]
    return "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in events)


def _ping() -> tuple[str, dict[str, Any]]:
    return ("ping", {"type": "ping"})


def _block_events(index: int, block: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    if block["type"] == "text":
        start = {"type": "text", "text": ""}
        deltas = [{"type": "text_delta", "text": part} for part in _chunks(block["text"], 60)]
    else:
        start = {**block, "input": {}}
        document = json.dumps(block["input"])
        deltas = [{"type": "input_json_delta", "partial_json": ""}]
        deltas += [{"type": "input_json_delta", "partial_json": p} for p in _chunks(document, 400)]
    events = [
        (
            "content_block_start",
            {"type": "content_block_start", "index": index, "content_block": start},
        )
    ]
    events += [
        ("content_block_delta", {"type": "content_block_delta", "index": index, "delta": d})
        for d in deltas
    ]
    events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    return events


def _chunks(value: str, size: int) -> list[str]:
    return [value[i : i + size] for i in range(0, len(value), size)] or [""]


class StandIn:
    """The server: ``with StandIn(script) as api: ... api.base_url ... api.requests``."""

    def __init__(self, script: list[dict[str, Any]]) -> None:
        self.script = list(script)
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.turn = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def leftover(self) -> int:
        return len(self.script)

    def __enter__(self) -> StandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def next_step(self, request: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        with self._lock:
            self.requests.append(request)
            self.headers.append(headers)
            if not self.script:
                return {"fault": "status", "status": 500, "error": "api_error"}
            step = self.script.pop(0)
            if "fault" not in step or step["fault"] == "truncated":
                self.turn += 1
            return step

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                request = json.loads(self.rfile.read(length) or b"{}")
                step = standin.next_step(request, dict(self.headers.items()))
                serve(self, step, request, standin.turn)

        return Handler


def serve(
    handler: BaseHTTPRequestHandler, step: dict[str, Any], request: dict[str, Any], turn: int
) -> None:
    """Write one step to the socket: an event stream, an error, or a broken connection."""
    fault = step.get("fault")
    if fault == "reset":
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.connection.close()
        handler.close_connection = True
        return
    if fault == "slow":
        time.sleep(step.get("seconds", 5))
        handler.close_connection = True
        return
    if fault == "status":
        body = {
            "type": "error",
            "error": {"type": step["error"], "message": step["error"]},
            "request_id": "req_standin",
        }
        _send(
            handler, step["status"], "application/json", json.dumps(body), step.get("headers", {})
        )
        return
    if fault == "stream_error":
        start = event_stream(answer(text("")), request, turn).split("\n\n")[0] + "\n\n"
        error = {
            "type": "error",
            "error": {"type": step["error"], "message": "Overloaded", "details": None},
            "request_id": "req_standin",
        }
        _send(
            handler,
            200,
            "text/event-stream",
            start + f"event: error\ndata: {json.dumps(error)}\n\n",
        )
        return
    if fault == "truncated":
        step = answer(*step.get("content", [text("Reading the inputs now")]))
    body = event_stream(step, request, turn, cut=fault == "truncated")
    _send(handler, 200, "text/event-stream; charset=utf-8", body)


def _send(
    handler: BaseHTTPRequestHandler,
    status: int,
    content_type: str,
    body: str,
    headers: dict[str, str] | None = None,
) -> None:
    data = body.encode()
    handler.send_response(status)
    handler.send_header("content-type", content_type)
    handler.send_header("content-length", str(len(data)))
    handler.send_header("request-id", "req_standin")
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(data)
    handler.wfile.flush()
