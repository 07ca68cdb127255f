"""Walking a folder of the workdir: regular files only, never out through a link, never `.git`.

Symbolic links to files are listed (under the link's own path) when their target is a regular
file inside the workdir; linked folders are not entered, as ripgrep does without `-L`, which also
keeps a link loop from walking forever. `.gitignore` files are honoured when asked.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pathspec

from agent.sandbox import Workdir

SKIPPED_DIRS = frozenset({".git"})


@dataclass(frozen=True)
class FileEntry:
    """One file found by a walk: its path (a link's own), its path under the walk base, mtime."""

    path: Path
    relative: str
    mtime: float


class GitIgnore:
    """The `.gitignore` rules in force for a folder and its parents, innermost rule winning."""

    def __init__(self, workdir: Workdir) -> None:
        self.workdir = workdir
        self.specs: dict[Path, pathspec.GitIgnoreSpec | None] = {}

    def ignored(self, real: Path, is_dir: bool) -> bool:
        """Tell whether the innermost matching rule of any enclosing `.gitignore` ignores `real`."""
        verdict: bool | None = None
        for folder in self._folders(real.parent):
            spec = self._spec(folder)
            if spec is None:
                continue
            relative = real.relative_to(folder).as_posix() + ("/" if is_dir else "")
            include = spec.check_file(relative).include
            if include is not None:
                verdict = include
        return bool(verdict)

    def _folders(self, folder: Path) -> list[Path]:
        chain = [folder]
        while chain[-1] != self.workdir.real and self.workdir.real in chain[-1].parents:
            chain.append(chain[-1].parent)
        return chain[::-1]

    def _spec(self, folder: Path) -> pathspec.GitIgnoreSpec | None:
        if folder not in self.specs:
            self.specs[folder] = _load_spec(folder / ".gitignore")
        return self.specs[folder]


def walk(
    workdir: Workdir,
    base: Path,
    *,
    gitignore: GitIgnore | None = None,
    max_depth: int | None = None,
) -> Iterator[FileEntry]:
    """Yield the regular files under `base` (a real folder inside the workdir), depth first."""
    pending: list[tuple[Path, int]] = [(base, 1)]
    while pending:
        folder, depth = pending.pop()
        for entry in _entries(folder):
            real = Path(entry.path)
            if entry.is_dir(follow_symlinks=False):
                if entry.name in SKIPPED_DIRS or (max_depth is not None and depth >= max_depth):
                    continue
                if gitignore is None or not gitignore.ignored(real, is_dir=True):
                    pending.append((real, depth + 1))
                continue

            found = _regular_file(workdir, entry)
            if found is None or (gitignore is not None and gitignore.ignored(real, is_dir=False)):
                continue
            yield FileEntry(real, real.relative_to(base).as_posix(), found.st_mtime)


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as entries:
            return sorted(entries, key=lambda entry: entry.name)
    except OSError:
        return []


def _regular_file(workdir: Workdir, entry: os.DirEntry[str]) -> os.stat_result | None:
    try:
        if entry.is_symlink():
            if not workdir.contains(Path(os.path.realpath(entry.path))):
                return None
            info = os.stat(entry.path)
        else:
            info = entry.stat(follow_symlinks=False)
    except (OSError, ValueError):
        return None
    return info if stat.S_ISREG(info.st_mode) else None


def _load_spec(path: Path) -> pathspec.GitIgnoreSpec | None:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return pathspec.GitIgnoreSpec.from_lines(lines) if lines else None
