"""sqlglot without its stderr warnings: a statement it only reads as an opaque Command is
reported by the caller (a finding, a skipped raw step), so the library's own line is noise."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator


@contextlib.contextmanager
def quiet_sqlglot() -> Iterator[None]:
    """Raise sqlglot's logger to ERROR while inside."""
    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)
