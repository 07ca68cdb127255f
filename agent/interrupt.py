"""SIGINT and SIGTERM as a request to stop that cannot be lost.

The handler raises KeyboardInterrupt, which unwinds the run and removes the proof database. An
exception raised inside a garbage-collector callback is swallowed by Python, though, so the
handler also records the request, and the runner checks it before every model call and before
anything is written.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType

_requested = threading.Event()


@contextlib.contextmanager
def handled() -> Iterator[None]:
    """Route SIGINT and SIGTERM to the stop request while inside (main thread only)."""
    previous = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    hook = sys.unraisablehook
    _requested.clear()
    signal.signal(signal.SIGINT, _handle)
    signal.signal(signal.SIGTERM, _handle)
    sys.unraisablehook = _quiet_when_requested
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous[0])
        signal.signal(signal.SIGTERM, previous[1])
        sys.unraisablehook = hook
        _requested.clear()


def _quiet_when_requested(unraisable: sys.UnraisableHookArgs) -> None:
    # The swallowed KeyboardInterrupt is not lost (check() raises it again): no traceback.
    if unraisable.exc_type is not None and issubclass(unraisable.exc_type, KeyboardInterrupt):
        return
    sys.__unraisablehook__(unraisable)


def check() -> None:
    """Raise KeyboardInterrupt when a stop was requested, even if its first raise was lost."""
    if _requested.is_set():
        raise KeyboardInterrupt


def _handle(signum: int, frame: FrameType | None) -> None:
    _requested.set()
    raise KeyboardInterrupt
