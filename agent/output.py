"""Writing a run's files: all or nothing, atomically, one run per workdir at a time.

Every file is first written to a temporary file in its own folder, flushed to disk, and only
then renamed over the old one, so a reader sees either the old file or the new one, never half.
The workdir lock is an advisory ``flock`` on the folder itself, so nothing extra is left behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


class WorkdirBusy(Exception):
    """Another run holds the workdir."""


class OutputPathError(Exception):
    """An output path would land outside the workdir."""


@contextlib.contextmanager
def workdir_lock(workdir: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``workdir`` for the length of a run, or fail at once."""
    handle = os.open(workdir, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WorkdirBusy(
                f"another run is using {workdir}; wait for it to finish or use another workdir"
            ) from None
        yield
    finally:
        os.close(handle)


def target(workdir: Path, relative: str) -> Path:
    """The absolute path of an output, refused when it escapes the workdir."""
    root = workdir.resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise OutputPathError(f"output path {relative} is outside the workdir {root}")
    return path


def write_outputs(workdir: Path, files: dict[str, str]) -> list[str]:
    """Write every file atomically; nothing is renamed into place unless all were staged."""
    staged: list[tuple[str, Path]] = []
    try:
        for relative, text in files.items():
            path = target(workdir, relative)
            path.parent.mkdir(parents=True, exist_ok=True)
            staged.append((_stage(path, text), path))
        for temporary, path in staged:
            os.replace(temporary, path)
    finally:
        for temporary, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
    return [str(path) for _, path in staged]


def _stage(path: Path, text: str) -> str:
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
    ) as handle:
        handle.write(text)
        handle.flush()
        os.chmod(handle.fileno(), file_mode(path))
        os.fsync(handle.fileno())
    return handle.name


def file_mode(path: Path) -> int:
    """The mode a replaced file keeps, or what the umask gives a new file (not mkstemp's 0600)."""
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
