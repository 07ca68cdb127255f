"""Agent definitions: a Claude Code style markdown file (YAML frontmatter + prompt) as one object.

Parsing follows Claude Code rather than strict YAML: the frontmatter must open the file, and a
frontmatter that YAML refuses is tried once more with its troublesome top-level values quoted.
Every way a file can be wrong ends in ``DefinitionError`` (a user error, exit 2), never another
exception.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

logger = logging.getLogger(__name__)

MODEL_ALIASES = {
    "opus": "claude-opus-5-5",
    "sonnet": "claude-sonnet-5-5",
    "haiku": "claude-haiku-5-5",
    "fable": "claude-fable-5-2",
}
DEFAULT_ALIAS = "sonnet"
KNOWN_KEYS = ("name", "description", "tools", "model")
ACCEPTED_MODELS = ", ".join([*MODEL_ALIASES, "inherit"]) + " or a full model id (claude-...)"

_FRONTMATTER = re.compile(r"---[ \t]*\n(.*?)^---[ \t]*(?:\n|\Z)", re.DOTALL | re.MULTILINE)
_TOP_LEVEL = re.compile(r"^([A-Za-z_][\w-]*):[ \t]+(\S(?:.*\S)?)[ \t]*$", re.MULTILINE)
_MODEL_ID = re.compile(r"claude-[a-z0-9][\w.@-]*", re.IGNORECASE)
_TOOL = re.compile(r"[^\s,()\[\]]+(?:\([^)]*\))?")

_STEP = r"^[ \t]*(?:(?:\d+[.)]|[-*+])[ \t]+)?(?:\*\*)?"
_TICKED = r"`[^`\n]+`"
_RUN = rf"{_TICKED}(?:(?:,?[ \t]*(?:and|&)|,)[ \t]*{_TICKED})*"
_READ = re.compile(rf"{_STEP}Read[ \t]+({_RUN})", re.IGNORECASE | re.MULTILINE)
_OUTPUT = re.compile(
    rf"{_STEP}(?:Output(?:[ \t]+to)?|Save[ \t]+to)[ \t]+`([^`\n]+)`", re.IGNORECASE | re.MULTILINE
)
_FILE_PATH = re.compile(r"(?:[\w@+.-]+/)*[\w@+.-]*\.\w+")


class DefinitionError(Exception):
    """The agent definition cannot be used as written; the user must fix the file (exit 2)."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))


@dataclass(frozen=True)
class AgentDefinition:
    """One agent file: frontmatter fields, the prompt body, and the files the body names."""

    path: Path
    name: str
    description: str
    tools: tuple[str, ...] | None
    model: str | None
    prompt: str
    inputs: tuple[str, ...] = ()
    output: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


def load_definition(path: str | os.PathLike[str]) -> AgentDefinition:
    """Read and validate an agent file; any problem raises DefinitionError naming the file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise DefinitionError(
            f"{path}: cannot read the agent definition ({reason}); check the path"
        ) from None

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DefinitionError(
            f"{path}: not UTF-8 text (bad byte at offset {error.start}); save the file as UTF-8"
        ) from None
    return parse_definition(text, path)


def parse_definition(text: str, path: Path) -> AgentDefinition:
    """Build the definition from the text of an agent file; path is only used in messages."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    match = _FRONTMATTER.match(text)
    if match is None and re.match(r"---[ \t]*\n", text):
        raise DefinitionError(f"{path}: frontmatter is not closed; add a '---' line after it")
    if match is None:
        raise DefinitionError(
            f"{path}: no frontmatter; begin the file with '---', 'name: my-agent' and '---' lines"
        )

    frontmatter = _parse_frontmatter(match.group(1), path)
    name = frontmatter.get("name")
    if not isinstance(name, str) or not name.strip():
        raise DefinitionError(
            f"{path}: frontmatter needs a 'name' (text, got {name!r:.40}); add 'name: my-agent'"
        )

    description = _description(frontmatter.get("description"), path)
    tools = _tools(frontmatter.get("tools"), path)
    model = _model(frontmatter.get("model"), path)
    body = text[match.end() :].strip()
    warnings: list[str] = []
    inputs, output = _read_steps(body, path, warnings)
    if output is None:
        # The pipeline's reviewers name their report in an `output` key instead of the body.
        output = _frontmatter_output(frontmatter.get("output"), path)

    extra = {str(key): value for key, value in frontmatter.items() if key not in KNOWN_KEYS}
    unused = [key for key in extra if key != "output" or output != extra[key]]
    if unused:
        warnings.append(f"{path}: frontmatter keys not used by this runner: {', '.join(unused)}")
    for warning in warnings:
        logger.warning("%s", warning)

    return AgentDefinition(
        path=path,
        name=name.strip(),
        description=description,
        tools=tools,
        model=model,
        prompt=body,
        inputs=inputs,
        output=output,
        extra=extra,
        warnings=tuple(warnings),
    )


def resolve_model(
    model: str | None, override: str | None = None, environ: Mapping[str, str] | None = None
) -> str:
    """The API model id: the override, else AGENT_MODEL, else the definition's model.

    An alias maps through AGENT_MODEL_<ALIAS> when set, else MODEL_ALIASES; ``inherit`` and no
    model mean the default alias.
    """
    env = os.environ if environ is None else environ
    sources = [("--model", override), ("AGENT_MODEL", env.get("AGENT_MODEL")), ("model", model)]
    source, chosen = next(
        ((label, value.strip()) for label, value in sources if value and value.strip()),
        ("default", DEFAULT_ALIAS),
    )

    alias = DEFAULT_ALIAS if chosen.lower() == "inherit" else chosen.lower()
    if alias in MODEL_ALIASES:
        return env.get(f"AGENT_MODEL_{alias.upper()}") or MODEL_ALIASES[alias]
    if _MODEL_ID.fullmatch(chosen):
        return chosen
    raise DefinitionError(f"{source}: unknown model {chosen!r}; use {ACCEPTED_MODELS}")


def _parse_frontmatter(source: str, path: Path) -> dict[Any, Any]:
    """The frontmatter as a mapping; YAML that fails is retried once with values quoted."""
    try:
        parsed = _yaml(source)
    except DefinitionError:
        retry = _TOP_LEVEL.sub(_quote_if_needed, source)
        try:
            parsed = _yaml(retry)
        except DefinitionError as error:
            raise DefinitionError(
                f"{path}: frontmatter is not valid YAML ({error}); quote the value on that line"
            ) from None

    if not isinstance(parsed, dict):
        raise DefinitionError(
            f"{path}: frontmatter is {type(parsed).__name__}, not 'key: value' lines; "
            "write it as 'name: my-agent' and 'description: ...' lines"
        )
    return parsed


def _yaml(source: str) -> Any:
    """Safe YAML, with every parser failure (bad dates and deep nesting too) as one error."""
    try:
        return yaml.load(source, Loader=yaml.CSafeLoader)
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else "?"
        raise DefinitionError(f"{error.problem or error.context} at line {line}") from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as error:
        raise DefinitionError(type(error).__name__) from None


def _quote_if_needed(match: re.Match[str]) -> str:
    """Single-quote a top-level value that does not parse on its own line (Claude Code's retry)."""
    key, value = match.groups()
    try:
        _yaml(match.group(0))
    except DefinitionError:
        return f"{key}: '" + value.replace("'", "''") + "'"
    return match.group(0)


def _description(value: Any, path: Path) -> str:
    """The description as text; plain scalars (numbers, dates) are taken as written."""
    if value is None:
        return ""
    if isinstance(value, list | dict):
        raise DefinitionError(f"{path}: 'description' must be text; quote it")
    return str(value).strip()


def _tools(value: Any, path: Path) -> tuple[str, ...] | None:
    """Tool names from a comma/space string or a list; None (absent) means every tool."""
    if value is None:
        return None
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise DefinitionError(
            f"{path}: 'tools' must be names like 'Read, Glob, Grep' or a list of names, "
            f"got {value!r:.40}"
        )
    names = (name for item in items for name in _TOOL.findall(item))
    return tuple(dict.fromkeys(names))


def _model(value: Any, path: Path) -> str | None:
    """The model as written (blank means none), checked to be an alias, inherit or a model id."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and (
        value.strip().lower() in {*MODEL_ALIASES, "inherit"} or _MODEL_ID.fullmatch(value.strip())
    ):
        return value.strip()
    raise DefinitionError(f"{path}: unknown model {value!r:.60}; use {ACCEPTED_MODELS}")


def _read_steps(body: str, path: Path, warnings: list[str]) -> tuple[tuple[str, ...], str | None]:
    """The files the body says to read (in order, once each) and the file it says to write."""
    inputs: dict[str, None] = {}
    for run in _READ.findall(body):
        for candidate in re.findall(r"`([^`\n]+)`", run):
            if _outside(candidate):
                warnings.append(f"{path}: input {candidate!r} is outside the workdir; not read")
            elif _FILE_PATH.fullmatch(candidate):
                inputs.setdefault(str(PurePosixPath(candidate)), None)

    outputs = list(dict.fromkeys(_OUTPUT.findall(body)))
    for candidate in outputs:
        if _outside(candidate):
            raise DefinitionError(
                f"{path}: output {candidate!r} is outside the workdir; "
                "use a relative path such as plan/database.md"
            )
    files = list(dict.fromkeys(str(PurePosixPath(c)) for c in outputs if _FILE_PATH.fullmatch(c)))
    if len(files) > 1:
        warnings.append(f"{path}: several outputs declared ({', '.join(files)}); using {files[0]}")
    return tuple(inputs), files[0] if files else None


def _frontmatter_output(value: object, path: Path) -> str | None:
    """The output path an ``output:`` frontmatter key names, when the body names none."""
    if not isinstance(value, str) or not _FILE_PATH.fullmatch(value.strip()):
        return None
    if _outside(value.strip()):
        raise DefinitionError(
            f"{path}: output {value!r} is outside the workdir; "
            "use a relative path such as reports/review.json"
        )
    return str(PurePosixPath(value.strip()))


def _outside(candidate: str) -> bool:
    """True for absolute, home-relative, drive-letter or '..' paths."""
    drive = re.match(r"[A-Za-z]:", candidate) is not None
    return candidate.startswith(("/", "\\", "~")) or drive or ".." in re.split(r"[/\\]", candidate)
