"""Command line: ``python -m agent [DEFINITION] --workdir DIR`` and ``python -m agent prove FILE``.

The product goes to stdout (the result as text, JSON or a stream of JSON events); progress goes
to stderr, one line per model turn and per tool call. Exit codes: 0 written, 1 the run failed,
2 bad invocation or bad input, 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from agent import interrupt

if TYPE_CHECKING:
    from agent.loop import Event
    from agent.result import RunResult


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv``, run, print; the single place where failures become exit codes."""
    args = list(sys.argv[1:] if argv is None else argv)
    # SIGTERM ends a run the way Ctrl-C does, so the proof database and temp files are removed.
    with interrupt.handled():
        try:
            if args[:1] == ["prove"]:
                from agent.prove_command import prove_main

                return prove_main(args[1:])
            return _run_main(args)
        except KeyboardInterrupt:
            print("interrupted; nothing was written", file=sys.stderr)
            return 130


def _run_main(argv: list[str]) -> int:
    # The SDK and the loop load here, not at import: `prove` and `--help` need neither.
    from agent.loop import Budget
    from agent.retry import RetryPolicy
    from agent.runner import BadInput, run

    parser = _parser()
    options = parser.parse_args(argv)
    _configure_logging(options.verbose)
    if options.max_turns is not None and options.max_turns < 1:
        parser.error("--max-turns must be at least 1")
    if options.timeout is not None and options.timeout <= 0:
        parser.error("--timeout must be a positive number of seconds")
    if options.retry_after_cap < 0:
        parser.error("--retry-after-cap must be zero or more seconds")

    budget = Budget(
        max_turns=Budget.max_turns if options.max_turns is None else options.max_turns,
        wall_time_s=Budget.wall_time_s if options.timeout is None else options.timeout,
    )
    show = _Progress(options.output_format, sys.stderr, sys.stdout)
    try:
        result = run(
            options.definition,
            options.workdir,
            model=options.model,
            budget=budget,
            replay=options.replay,
            record=options.record,
            dsn=options.dsn,
            retry_policy=RetryPolicy(retry_after_cap_s=options.retry_after_cap),
            on_event=show,
        )
    except BadInput as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    _print_result(result, options.output_format)
    return result.exit_code


def _parser() -> argparse.ArgumentParser:
    from agent.loop import Budget
    from agent.retry import RetryPolicy

    parser = argparse.ArgumentParser(
        prog="python -m agent",
        description="Run a Claude Code style agent definition over a workdir. "
        "`python -m agent prove FILE` proves a saved plan/database.json.",
    )
    parser.add_argument(
        "definition",
        nargs="?",
        help="agent definition file (default: the bundled prompts/planner-database.md)",
    )
    parser.add_argument("--workdir", required=True, help="the spec folder the agent works in")
    parser.add_argument("--model", help="model alias (opus, sonnet, haiku) or full id")
    parser.add_argument("--max-turns", type=int, help=f"turn budget (default {Budget.max_turns})")
    parser.add_argument("--timeout", type=float, help="wall-time budget of the run in seconds")
    parser.add_argument("--output-format", choices=("text", "json", "stream-json"), default="text")
    parser.add_argument("--dsn", help="prove on this database (postgresql://... or mysql://...)")
    parser.add_argument(
        "--retry-after-cap",
        type=float,
        default=RetryPolicy.retry_after_cap_s,
        metavar="SECONDS",
        help="longest retry-after the run waits out; a longer one ends the run "
        f"(default {RetryPolicy.retry_after_cap_s:g})",
    )
    cassette = parser.add_mutually_exclusive_group()
    cassette.add_argument("--record", metavar="FILE", help="record the API exchanges to FILE")
    cassette.add_argument("--replay", metavar="FILE", help="replay a recorded run, offline")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging on stderr")
    return parser


def _print_result(result: RunResult, output_format: str) -> None:
    if output_format == "text":
        print(result.result)
        if result.proof and result.proof.get("ran_database", True):
            verdict = "passed" if result.proof.get("passed") else "failed"
            print(
                f"proof {verdict} on {result.proof.get('database')} "
                f"in {result.proof.get('duration_s', 0):.2f} s"
            )
        for finding in result.findings:
            where = f" at {finding['path']}" if finding.get("path") else ""
            label = f"{finding.get('severity', 'error')} {finding.get('code', '')}".strip()
            print(f"- {label}{where}: {finding['message']}")
        return
    print(json.dumps(result.to_json(), ensure_ascii=False))


class _Progress:
    """Renders run events: lines on stderr, or JSON lines on stdout for stream-json."""

    def __init__(self, output_format: str, err: TextIO, out: TextIO) -> None:
        self.stream = output_format == "stream-json"
        self.err = err
        self.out = out

    def __call__(self, event: Event) -> None:
        line = describe(event)
        if line is not None:
            print(line, file=self.err, flush=True)
        if self.stream:
            print(json.dumps(stream_event(event), ensure_ascii=False), file=self.out, flush=True)


def describe(event: Event) -> str | None:
    """One progress line for an event, or None for events that need no line."""
    kind = event["type"]
    if kind == "start":
        definition, inputs = event["definition"], event["inputs"]
        missing = ", ".join(sorted(inputs.missing)) or "none"
        return (
            f"{definition.name} on {event['model']}: {len(inputs.found)} input(s) inlined, "
            f"missing: {missing}"
        )
    if kind == "turn":
        message, usage = event["message"], event["message"].usage
        return (
            f"turn {event['turn']}: in {usage.input_tokens} "
            f"(cache read {usage.cache_read_input_tokens or 0}, "
            f"write {usage.cache_creation_input_tokens or 0}) "
            f"out {usage.output_tokens}, stop {message.stop_reason}"
        )
    if kind == "tool":
        status = "error" if event["is_error"] else "ok"
        return f"  {event['name']} {_brief(event['input'])} -> {status}: {event['first_line'][:80]}"
    if kind == "result":
        verdict = event["verdict"]
        if verdict.accepted:
            return f"  submit_result #{event['attempt']}: accepted{_proof_line(verdict.proof)}"
        return (
            f"  submit_result #{event['attempt']}: rejected, {len(verdict.problems)} problem(s)"
            f"{_proof_line(verdict.proof)}"
        )
    if kind == "retry":
        cause, delay = event["cause"], event["delay_s"]
        return f"  retry after attempt {event['attempt']}: {cause}, waiting {delay:.1f} s"
    return None


def stream_event(event: Event) -> dict[str, Any]:
    """The JSON form of an event for ``--output-format stream-json``."""
    kind = event["type"]
    if kind == "start":
        return {
            "type": "system",
            "subtype": "init",
            "agent": event["definition"].name,
            "model": event["model"],
            "inputs": sorted(event["inputs"].found),
            "missing_inputs": sorted(event["inputs"].missing),
        }
    if kind == "turn":
        return {"type": "assistant", "turn": event["turn"], "message": event["message"].to_dict()}
    if kind == "result":
        verdict = event["verdict"]
        return {
            "type": "submit_result",
            "attempt": event["attempt"],
            "accepted": verdict.accepted,
            "problems": verdict.problems,
        }
    return {key: value for key, value in event.items()}


def _brief(arguments: Any) -> str:
    text = json.dumps(arguments, ensure_ascii=False)
    return text if len(text) <= 100 else text[:97] + "..."


def _proof_line(proof: dict[str, Any] | None) -> str:
    if not proof:
        return ""
    if not proof.get("ran_database", True):
        return " (static checks failed; no database was started)"
    return f" (proof on {proof.get('database')}: {proof.get('duration_s', 0):.2f} s)"


def _configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not verbose:
        # The retry line on stderr already says what the retry logger would.
        logging.getLogger("agent.retry").setLevel(logging.ERROR)
