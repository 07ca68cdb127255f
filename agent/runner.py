"""``run``: one agent definition over one workdir, from loading to the written files.

Bad input (a broken definition, a missing workdir or ``input.md``, no credentials) raises
``BadInput`` before any model call. Everything after that ends in a ``RunResult``: files are
written only when the contract accepted a result, and never otherwise.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import anthropic
import httpx2

from agent import interrupt
from agent.cassette import CassetteError, RecordingTransport, ReplayTransport
from agent.contract import Contract, ContractFailure, contract_for
from agent.definition import AgentDefinition, DefinitionError, load_definition, resolve_model
from agent.inputs import InputError, Inputs, first_message, read_inputs, system_prompt
from agent.loop import Budget, Conversation, Event, RunFailure, run_loop
from agent.model import AnthropicModel, ModelClient, anthropic_model
from agent.output import OutputPathError, WorkdirBusy, target, workdir_lock, write_outputs
from agent.result import RunResult
from agent.retry import IncompleteStream, RetryAfterTooLong, RetryPolicy, cause_of
from agent.sandbox import Workdir
from agent.tools import TOOLS

log = logging.getLogger(__name__)

DEFAULT_DEFINITION = "planner-database.md"


class BadInput(Exception):
    """The user must fix the invocation, the definition or the workdir (exit code 2)."""


def default_definition() -> Path:
    """The bundled planner-database definition, in an installed wheel or a source checkout."""
    package = Path(__file__).resolve().parent
    for folder in (package / "_data" / "prompts", package.parent / "prompts"):
        if (folder / DEFAULT_DEFINITION).is_file():
            return folder / DEFAULT_DEFINITION
    raise BadInput("the bundled prompts/planner-database.md is missing; reinstall the package")


def run(
    definition: str | os.PathLike[str] | None = None,
    workdir: str | os.PathLike[str] = ".",
    *,
    model: str | None = None,
    budget: Budget | None = None,
    replay: str | os.PathLike[str] | None = None,
    record: str | os.PathLike[str] | None = None,
    dsn: str | None = None,
    client: ModelClient | None = None,
    retry_policy: RetryPolicy | None = None,
    timeout_s: float = 600.0,
    on_event: Callable[[Event], None] | None = None,
) -> RunResult:
    """Run ``definition`` over ``workdir``; raise BadInput for what the user must fix."""
    started = time.monotonic()
    emit = on_event or (lambda event: None)
    loaded, sandbox, inputs = _prepare(definition, workdir)
    model_id = _model_id(loaded, model)
    _check_destinations(dsn, _path(record))
    contract = contract_for(loaded, dsn=dsn)

    transport: ReplayTransport | RecordingTransport | None = None
    if client is None:
        client, transport = _client(sandbox, _path(replay), _path(record), retry_policy, timeout_s)
    if isinstance(client, AnthropicModel):
        client.on_retry = lambda retry: emit({"type": "retry", **asdict(retry)})

    tools = _tools(loaded)
    request = _request(loaded, sandbox, model_id, tools, contract)
    conversation = Conversation(request=request, messages=[first_message(inputs)])
    emit({"type": "start", "definition": loaded, "model": model_id, "inputs": inputs})

    result = RunResult(subtype="success", result="", model=model_id)
    result.missing_inputs = sorted(inputs.missing)
    try:
        with workdir_lock(sandbox.path):
            verdict = run_loop(
                conversation,
                client=client,
                contract=contract,
                workdir=sandbox,
                tools=tools,
                budget=budget or Budget(),
                emit=emit,
            )
            if isinstance(transport, ReplayTransport):
                transport.check_exhausted()
            files = contract.outputs(verdict.value, model_id)
            interrupt.check()
            result.output_files = write_outputs(sandbox.path, files)
            result.result = contract.summary(verdict.value)
    except RUN_FAILURES as error:
        _fail(result, *_failure(error))

    _finish(result, conversation, client, started)
    return result


RUN_FAILURES = (
    WorkdirBusy,
    RunFailure,
    ContractFailure,
    CassetteError,
    RetryAfterTooLong,
    anthropic.APIError,
    httpx2.TransportError,
    IncompleteStream,
)


def _failure(error: Exception) -> tuple[str, str]:
    """The error kind and message of a run that ended without a written result."""
    if isinstance(error, RunFailure):
        return error.kind, str(error)
    if isinstance(error, WorkdirBusy):
        return "error_workdir_busy", str(error)
    if isinstance(error, ContractFailure):
        return "error_proof_unavailable", str(error)
    if isinstance(error, CassetteError):
        return "error_replay", str(error)
    if isinstance(error, RetryAfterTooLong):
        return "error_api", str(error)
    if isinstance(error.__cause__, CassetteError):
        # A replay mismatch reaches us wrapped in the SDK's connection error.
        return "error_replay", str(error.__cause__)
    detail = ""
    if isinstance(error, anthropic.APIStatusError) and isinstance(error.body, dict):
        inner = error.body.get("error")
        if isinstance(inner, dict):
            message = inner.get("message")
            if isinstance(message, str) and message != inner.get("type"):
                detail = f": {message[:300]}"
    return "error_api", f"the Messages API call failed after retries: {cause_of(error)}{detail}"


def _prepare(
    definition: str | os.PathLike[str] | None, workdir: str | os.PathLike[str]
) -> tuple[AgentDefinition, Workdir, Inputs]:
    """Load the definition, open the workdir, read the inputs: everything the user must fix."""
    loaded = _load(definition)
    sandbox = _workdir(workdir)
    inputs = _inputs(loaded, sandbox)
    if loaded.output is not None:
        _check_output(sandbox, loaded.output)
    return loaded, sandbox, inputs


def _request(
    definition: AgentDefinition,
    workdir: Workdir,
    model_id: str,
    tools: tuple[str, ...],
    contract: Contract,
) -> dict[str, Any]:
    """The part of every request that stays the same for the whole run."""
    return {
        "model": model_id,
        "system": system_prompt(definition, workdir, definition.output),
        "tools": [*(tool_definition(name) for name in tools), contract.tool()],
        "tool_choice": {"type": "auto"},
    }


def _check_destinations(dsn: str | None, record: Path | None) -> None:
    """Refuse a DSN of an unknown kind or a cassette path that cannot be written, up front."""
    if dsn is not None:
        from agent.proof import ProofUnavailable
        from agent.proof.database import dialect_of

        try:
            dialect_of(dsn)
        except ProofUnavailable as error:
            raise BadInput(f"--dsn: {error}") from None
    if record is not None:
        try:
            if record.is_dir():
                raise IsADirectoryError(record)
            record.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=record.parent):
                pass
        except OSError:
            raise BadInput(
                f"cannot write the cassette {record}; pass --record a file in a writable folder"
            ) from None


def _path(value: str | os.PathLike[str] | None) -> Path | None:
    return Path(value) if value is not None else None


def tool_definition(name: str) -> dict[str, Any]:
    """A read-only tool as the Messages API takes it."""
    tool = TOOLS[name]
    return {"name": tool.name, "description": tool.description, "input_schema": tool.input_schema}


def _tools(definition: AgentDefinition) -> tuple[str, ...]:
    """The definition's tools that this runner has (absent means all of them, empty none)."""
    if definition.tools is None:
        return tuple(TOOLS)
    lacking = [name for name in definition.tools if name not in TOOLS]
    if lacking:
        log.warning(
            "%s asks for tools this runner does not have (%s); it runs with the read-only ones",
            definition.name,
            ", ".join(lacking),
        )
    return tuple(name for name in definition.tools if name in TOOLS)


def _load(definition: str | os.PathLike[str] | None) -> AgentDefinition:
    path = Path(definition) if definition is not None else default_definition()
    try:
        return load_definition(path)
    except DefinitionError as error:
        raise BadInput(str(error)) from None


def _workdir(workdir: str | os.PathLike[str]) -> Workdir:
    if not Path(workdir).exists():
        raise BadInput(f"workdir {workdir} does not exist; pass the spec folder as --workdir")
    if not Path(workdir).is_dir():
        raise BadInput(f"workdir {workdir} is not a folder; pass the spec folder as --workdir")
    try:
        return Workdir(workdir)
    except ValueError as error:
        raise BadInput(str(error)) from None


def _model_id(definition: AgentDefinition, override: str | None) -> str:
    try:
        return resolve_model(definition.model, override)
    except DefinitionError as error:
        raise BadInput(str(error)) from None


def _inputs(definition: AgentDefinition, workdir: Workdir) -> Inputs:
    try:
        return read_inputs(definition, workdir)
    except InputError as error:
        raise BadInput(str(error)) from None


def _check_output(workdir: Workdir, output: str) -> None:
    try:
        target(workdir.path, output)
    except OutputPathError as error:
        raise BadInput(f"{error}; fix the Output path in the definition") from None


def _client(
    workdir: Workdir,
    replay: Path | None,
    record: Path | None,
    policy: RetryPolicy | None,
    timeout_s: float,
) -> tuple[ModelClient, ReplayTransport | RecordingTransport | None]:
    has_key = bool(os.environ.get("ANTHROPIC_API_KEY") or os.environ.get("ANTHROPIC_AUTH_TOKEN"))
    if replay is None and not has_key:
        raise BadInput(
            "no API key: set ANTHROPIC_API_KEY (and ANTHROPIC_BASE_URL for another endpoint), "
            "or pass --replay CASSETTE to replay a recorded run"
        )
    try:
        return anthropic_model(
            workdir=workdir.path, replay=replay, record=record, timeout_s=timeout_s, policy=policy
        )
    except CassetteError as error:
        raise BadInput(str(error)) from None


def _fail(result: RunResult, kind: str, message: str) -> None:
    log.error("%s", message)
    result.subtype = kind
    result.result = message


def _finish(
    result: RunResult, conversation: Conversation, client: ModelClient, started: float
) -> None:
    usage = conversation.usage
    result.num_turns = conversation.turns
    result.result_turns = conversation.result_turns
    result.usage = asdict(usage)
    result.duration_ms = int((time.monotonic() - started) * 1000)
    if isinstance(client, AnthropicModel):
        result.retries = [asdict(retry) for retry in client.retries]
    if conversation.verdicts:
        last = conversation.verdicts[-1]
        result.findings = last.findings or [{"message": problem} for problem in last.problems]
        result.proof = last.proof
