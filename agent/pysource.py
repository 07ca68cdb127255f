"""Python source helpers for generated code: string literals and line wrapping at 100 columns.

The wrapping follows the formatter's (ruff/black) layout for calls, so generated modules read
like hand-formatted ones: a call that does not fit puts its arguments on one indented line, or
one argument a line with a trailing comma when even that does not fit.
"""

from __future__ import annotations

import json

WIDTH = 100
_OPEN, _CLOSE = "([{", ")]}"


def literal(value: object) -> str:
    """A Python literal of a string, number or boolean, strings in double quotes."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def docstring(text: str) -> str:
    """A one-line docstring of `text`, triple-quoted whenever the text allows it."""
    flat = " ".join(text.split())
    if '"' in flat[-1:] or '"""' in flat or "\\" in flat:
        return literal(flat)
    return f'"""{flat}"""'


def comment(text: str, indent: int) -> list[str]:
    """`text` as `# ...` lines at `indent` columns, wrapped between words to fit WIDTH."""
    pad, lines = " " * indent + "# ", [""]
    for word in text.split():
        if lines[-1] and len(pad) + len(lines[-1]) + 1 + len(word) > WIDTH:
            lines.append("")
        lines[-1] = f"{lines[-1]} {word}" if lines[-1] else word
    return [pad + line for line in lines]


def wrap(line: str, indent: int, suffix: str = "") -> list[str]:
    """Lines of `line` (without its indent) wrapped to fit WIDTH at `indent` columns."""
    pad = " " * indent
    if indent + len(line) + len(suffix) <= WIDTH:
        return [pad + line + suffix]
    split = _last_call(line)
    if split is None:
        return [pad + line + suffix]
    head, inner, close = split

    arguments = split_arguments(inner)
    joined = ", ".join(arguments)
    if indent + 4 + len(joined) <= WIDTH and not inner.rstrip().endswith(","):
        return [pad + head, pad + "    " + joined, pad + close + suffix]
    lines = [pad + head]
    for argument in arguments:
        lines += wrap(argument, indent + 4, ",")
    return [*lines, pad + close + suffix]


def split_arguments(inner: str) -> list[str]:
    """The top-level comma-separated parts of an argument list, outside brackets and strings."""
    parts, depth, quote, start, i = [], 0, "", 0, 0
    while i < len(inner):
        char = inner[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(inner[start:i].strip())
            start = i + 1
        i += 1
    last = inner[start:].strip()
    return [*parts, last] if last else parts


def _last_call(line: str) -> tuple[str, str, str] | None:
    """Split `head(inner)` at the bracket pair that closes the line, or None when none does."""
    if not line or line[-1] not in _CLOSE:
        return None
    depth, quote, i = 0, "", len(line) - 1
    opening = _OPEN[_CLOSE.index(line[-1])]
    while i >= 0:
        char = line[i]
        if quote:
            if char == quote and (i == 0 or line[i - 1] != "\\"):
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in _CLOSE:
            depth += 1
        elif char in _OPEN:
            depth -= 1
            if depth == 0:
                if char != opening or i == len(line) - 2:
                    return None
                return line[: i + 1], line[i + 1 : -1], line[-1]
        i -= 1
    return None
