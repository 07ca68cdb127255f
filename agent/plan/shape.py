"""Shape rules shared by the parts of the design: identifiers, visible text, closed objects."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

Dialect = Literal["postgresql", "mysql", "sqlite"]
DIALECTS: tuple[Dialect, ...] = ("postgresql", "mysql", "sqlite")

IDENTIFIER_LIMIT = 63

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def check_identifier(value: str, what: str) -> str:
    """Return `value` when it is a plain SQL identifier of at most 63 characters."""
    if not _IDENTIFIER.match(value):
        raise ValueError(
            f"{what} {value!r} is not a plain identifier: use letters, digits and underscores, "
            "starting with a letter or underscore"
        )
    if len(value) > IDENTIFIER_LIMIT:
        raise ValueError(
            f"{what} {value!r} has {len(value)} characters: "
            f"shorten it to {IDENTIFIER_LIMIT} or less"
        )
    return value


def check_text(value: str, what: str) -> str:
    """Return `value` when it has visible characters."""
    if not value.strip():
        raise ValueError(f"{what} is empty: write it out")
    return value


class Closed(BaseModel):
    """A frozen object that refuses unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def check_unique(values: list[str], what: str) -> None:
    """Raise when a value appears more than once in `values`."""
    repeated = sorted({value for value in values if values.count(value) > 1})
    if repeated:
        raise ValueError(f"{what} appears more than once: {', '.join(repeated)}")
