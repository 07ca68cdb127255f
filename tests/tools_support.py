"""A workdir with every kind of escape route in it, and a secret file just outside it."""

from __future__ import annotations

import os
from pathlib import Path

SECRET = "s3cr3t-OUTSIDE-the-workdir-7f1c"


def build_escape_workdir(base: Path) -> Path:
    """Make `base/outside/secret.txt` and `base/workdir` whose links lead out to it."""
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(f"token={SECRET}\nclass Secret: {SECRET}\n")
    (base / "secret-next-to-workdir.txt").write_text(SECRET + "\n")

    workdir = base / "workdir"
    (workdir / "src" / "models").mkdir(parents=True)
    (workdir / ".git").mkdir()
    (workdir / ".git" / "config").write_text("class GitConfig: pass\n")
    (workdir / "src" / "models" / "user.py").write_text("class User:\n    id: int\n")
    (workdir / "src" / "app.py").write_text("from models.user import User\n")
    (workdir / "README.md").write_text("# Project\nclass docs\n")

    os.symlink(outside / "secret.txt", workdir / "secret-link.txt")
    os.symlink(outside, workdir / "outside-link")
    os.symlink(base / "secret-next-to-workdir.txt", workdir / "src" / "next.py")
    os.symlink("/proc/self/environ", workdir / "environ")
    os.symlink("/dev/zero", workdir / "zero")
    os.symlink("models/user.py", workdir / "src" / "user-link.py")
    os.symlink("loop-b", workdir / "loop-a")
    os.symlink("loop-a", workdir / "loop-b")
    return workdir
