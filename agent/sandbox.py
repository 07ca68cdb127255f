"""The workdir sandbox: every path a tool touches is resolved here and refused if it leaves.

A path is refused when it is not text a filesystem can take (NUL bytes, lone surrogates, too
long), when its real location (after following every symbolic link) lies outside the workdir,
or when it lands in a pseudo filesystem such as /proc or /dev.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_PATH_CHARS = 4096
PSEUDO_ROOTS = (Path("/proc"), Path("/sys"), Path("/dev"))


class ToolError(Exception):
    """A failure the model can fix by calling the tool differently; sent back as is_error."""


class Workdir:
    """One folder the tools may read; `resolve` maps model paths into it or refuses them."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(os.path.abspath(path))
        self.real = Path(os.path.realpath(path))
        if not self.real.is_dir():
            raise ValueError(f"workdir {self.path} is not a directory: pass an existing folder")
        if self.real == Path(self.real.anchor) or _is_pseudo(self.real):
            raise ValueError(f"workdir {self.path} is too broad: pass a project folder")

    def __repr__(self) -> str:
        return f"Workdir({str(self.path)!r})"

    def resolve(self, path: str) -> Path:
        """Return the real path of `path` (relative to the workdir or absolute inside it)."""
        checked = _check_text(path)
        candidate = Path(checked) if os.path.isabs(checked) else self.path / checked
        try:
            real = Path(os.path.realpath(candidate))
        except (OSError, ValueError) as error:
            raise ToolError(f"Path {path!r} cannot be resolved: {error}") from None

        if not self.contains(real):
            raise ToolError(
                f"Path {path} is outside the workdir {self.path}: "
                "only files inside the workdir can be read"
            )
        return real

    def contains(self, real: Path) -> bool:
        """Tell whether an already real path lies inside the workdir and no pseudo filesystem."""
        inside = real == self.real or self.real in real.parents
        return inside and not _is_pseudo(real)

    def display(self, real: Path) -> str:
        """The absolute path the model sees for a real path inside the workdir."""
        return str(self.path / real.relative_to(self.real))

    def file(self, path: str) -> Path:
        """Resolve `path` and require an existing regular file."""
        real = self.resolve(path)
        mode = _mode(real, path)
        if stat.S_ISDIR(mode):
            raise ToolError(
                f"{path} is a directory, not a file: use Glob to list its files, then Read one"
            )
        if not stat.S_ISREG(mode):
            raise ToolError(f"{path} is not a regular file (device, pipe or socket): refused")
        return real

    def directory(self, path: str | None) -> Path:
        """Resolve `path` (default: the workdir itself) and require an existing directory."""
        real = self.real if path is None else self.resolve(path)
        if not stat.S_ISDIR(_mode(real, path or str(self.path))):
            raise ToolError(f"{path} is not a directory: pass a folder inside the workdir")
        return real


def _check_text(path: str) -> str:
    if not isinstance(path, str) or not path:
        raise ToolError("Path is empty: pass a file path inside the workdir")
    if "\x00" in path:
        raise ToolError("Path contains a NUL byte: pass a plain file path")
    if len(path) > MAX_PATH_CHARS:
        raise ToolError(f"Path is {len(path)} characters long; the limit is {MAX_PATH_CHARS}")
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        raise ToolError("Path is not valid Unicode text: pass a plain file path") from None
    return path


def _mode(real: Path, shown: str) -> int:
    try:
        return real.stat().st_mode
    except FileNotFoundError:
        raise ToolError(f"File does not exist: {shown}") from None
    except OSError as error:
        raise ToolError(f"Cannot access {shown}: {error.strerror or error}") from None


def _is_pseudo(real: Path) -> bool:
    return any(real == root or root in real.parents for root in PSEUDO_ROOTS)
