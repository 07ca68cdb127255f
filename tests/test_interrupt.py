"""Nothing lost: an existing output survives failed and interrupted runs, and runs do not collide.

The interrupted runs are real ``python -m agent`` processes talking to the stand-in; the signal
is sent once the stand-in holds their request (or once the proof database is up).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from agent import Budget, run
from agent.retry import RetryPolicy
from tests.run_support import (
    DOCUMENT,
    OUTPUT,
    cli,
    env_for,
    files_under,
    make_workdir,
    serving,
    submit,
    write_definition,
)
from tests.standin import StandIn, answer, text, tool_use

ROOT = Path(__file__).resolve().parents[1]
OLD = b"# The result of an earlier run\n\nKeep me.\n"
FAST = RetryPolicy(attempts=2, backoff_s=0.01)
SLOW_FOREVER = {"fault": "slow", "seconds": 20}


@pytest.fixture
def agent_files(tmp_path: Path) -> tuple[Path, Path]:
    """A definition and a workdir whose output file already exists from an earlier run."""
    definition = write_definition(tmp_path)
    workdir = make_workdir(tmp_path)
    (workdir / "out").mkdir()
    (workdir / OUTPUT).write_bytes(OLD)
    return definition, workdir


def fingerprint(path: Path) -> tuple[bytes, int, int]:
    """Bytes, inode and modification time: a rewrite with the same bytes would still show."""
    status = path.stat()
    return path.read_bytes(), status.st_ino, status.st_mtime_ns


@pytest.mark.parametrize(
    "script",
    [
        [answer(text("No."), stop_reason="refusal")],
        [{"fault": "status", "status": 529, "error": "overloaded_error"}] * 2,
        [answer(tool_use("t", "submit_result", {"text": "x"}))] * 2,
    ],
    ids=["refusal", "retries-run-out", "invalid-result"],
)
def test_a_failed_run_leaves_the_old_output(
    monkeypatch: pytest.MonkeyPatch,
    agent_files: tuple[Path, Path],
    script: list[dict[str, Any]],
) -> None:
    definition, workdir = agent_files
    before = fingerprint(workdir / OUTPUT)
    with serving(monkeypatch, script):
        result = run(
            definition, workdir, budget=Budget(max_repairs=1), retry_policy=FAST, timeout_s=2
        )

    assert result.exit_code == 1
    assert fingerprint(workdir / OUTPUT) == before
    assert sorted(files_under(workdir)) == ["input.md", OUTPUT]


def start_agent(argv: list[str], base_url: str, extra_env: dict[str, str] | None = None) -> Any:
    return subprocess.Popen(
        [sys.executable, "-m", "agent", *argv],
        cwd=ROOT,
        env={**env_for(base_url), **(extra_env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def asked(api: StandIn) -> bool:
    return len(api.requests) == 1


def wait_for(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


SIGNALS = (signal.SIGINT, signal.SIGTERM)


def with_old_output(folder: Path) -> tuple[Path, Path]:
    folder.mkdir()
    definition = write_definition(folder)
    workdir = make_workdir(folder)
    (workdir / "out").mkdir()
    (workdir / OUTPUT).write_bytes(OLD)
    return definition, workdir


def test_a_signal_during_the_model_call_keeps_the_old_output(tmp_path: Path) -> None:
    # One process per signal, side by side: the start of Python and the SDK is most of the time.
    runs = {signum: with_old_output(tmp_path / signum.name) for signum in SIGNALS}
    before = {signum: fingerprint(workdir / OUTPUT) for signum, (_, workdir) in runs.items()}
    ended: dict[signal.Signals, tuple[int, str, str]] = {}
    with StandIn([SLOW_FOREVER]) as first, StandIn([SLOW_FOREVER]) as second:
        apis = dict(zip(SIGNALS, (first, second), strict=True))
        processes = {
            signum: start_agent([str(definition), "--workdir", str(workdir)], apis[signum].base_url)
            for signum, (definition, workdir) in runs.items()
        }
        try:
            for signum, process in processes.items():
                wait_for(partial(asked, apis[signum]), 30, "the model request")
                process.send_signal(signum)
            for signum, process in processes.items():
                out, err = process.communicate(timeout=15)
                ended[signum] = (process.returncode, out, err)
        finally:
            for process in processes.values():
                process.kill()

    for signum, (code, out, err) in ended.items():
        workdir = runs[signum][1]
        assert code == 130, (signum, err)
        assert "interrupted; nothing was written" in err
        assert "Traceback" not in err
        assert out == ""
        assert fingerprint(workdir / OUTPUT) == before[signum]
        assert sorted(files_under(workdir)) == ["input.md", OUTPUT]


@pytest.fixture
def private_tmp() -> Iterator[Path]:
    """A temporary folder for the run's TMPDIR; the proof server's user must be able to enter."""
    folder = Path(tempfile.mkdtemp(prefix="interrupt-test-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_a_signal_during_the_proof_leaves_no_database_behind(
    tmp_path: Path, private_tmp: Path
) -> None:
    import psutil

    design = json.loads((ROOT / "fixtures" / "designs" / "full.json").read_text())
    # A last migration that only waits keeps the proof busy after its server is ready, so the
    # signal lands inside the proof however fast the rest of it runs.
    pause = {"action": "raw_sql", "dialect": "postgresql", "sql": "SELECT pg_sleep(4)"}
    design["migrations"].append(
        {
            "id": "999",
            "title": "Wait (test only)",
            "description": "Keeps the proof running while the test signals it",
            "operations": [{**pause, "down_sql": "SELECT 1"}],
        }
    )
    runs: dict[signal.Signals, tuple[Path, Path]] = {}
    for signum in SIGNALS:
        name = signum.name
        workdir = tmp_path / name
        shutil.copytree(ROOT / "fixtures" / "projects" / "full", workdir)
        (workdir / "plan" / "database.md").write_bytes(OLD)
        temporary = private_tmp / name
        temporary.mkdir(mode=0o755)
        runs[signum] = (workdir, temporary)
    before = {signum: files_under(workdir) for signum, (workdir, _) in runs.items()}
    script = [answer(tool_use("t_plan", "submit_result", design))]

    ended: dict[signal.Signals, tuple[int, str, list[Any]]] = {}
    with StandIn(list(script)) as first, StandIn(list(script)) as second:
        apis = dict(zip(SIGNALS, (first, second), strict=True))
        processes = {
            signum: start_agent(
                [str(ROOT / "prompts" / "planner-database.md"), "--workdir", str(workdir)],
                apis[signum].base_url,
                {"TMPDIR": str(temporary)},
            )
            for signum, (workdir, temporary) in runs.items()
        }
        try:
            servers = signal_when_serving(psutil, processes, runs)
            for signum, process in processes.items():
                _, err = process.communicate(timeout=30)
                ended[signum] = (process.returncode, err, servers[signum])
        finally:
            for process in processes.values():
                process.kill()

    for signum, (code, err, signalled) in ended.items():
        workdir, temporary = runs[signum]
        assert signalled, "no proof server was seen"
        assert code == 130, (signum, err)
        assert "interrupted; nothing was written" in err
        assert "Traceback" not in err
        wait_for(partial(none_alive, psutil, signalled), 5, "the proof's servers to stop")
        assert list(temporary.iterdir()) == [], sorted(map(str, temporary.rglob("*")))[:20]
        assert files_under(workdir) == before[signum]


def signal_when_serving(
    psutil: Any, processes: dict[signal.Signals, Any], runs: dict[signal.Signals, tuple[Path, Path]]
) -> dict[signal.Signals, list[Any]]:
    """Signal each process once its proof server is ready; its ``postgres`` processes then.

    Waiting for the server itself (a direct child, not initdb's bootstrap) puts the signal
    inside the proof proper. The processes run side by side, so all are watched at once.
    """
    servers: dict[signal.Signals, list[Any]] = {}

    def all_signalled() -> bool:
        for signum, process in processes.items():
            if signum in servers:
                continue
            assert process.poll() is None, "the run ended before its proof server was seen"
            if serving_proof(psutil, process.pid, runs[signum][1]):
                servers[signum] = postgres_under(psutil, process.pid, recursive=True)
                process.send_signal(signum)
        return len(servers) == len(processes)

    wait_for(all_signalled, 60, "the proof's postgres servers")
    return servers


def serving_proof(psutil: Any, pid: int, temporary: Path) -> bool:
    pid_files = list(temporary.glob("proof-pg-*/data/postmaster.pid"))
    try:
        lines = pid_files[0].read_text().splitlines() if pid_files else []
    except OSError:
        return False
    ready = len(lines) >= 8 and lines[7].strip() == "ready"
    return ready and bool(postgres_under(psutil, pid, recursive=False))


def postgres_under(psutil: Any, pid: int, *, recursive: bool) -> list[Any]:
    found = []
    for child in psutil.Process(pid).children(recursive=recursive):
        try:
            if child.name() == "postgres":
                found.append(child)
        except psutil.NoSuchProcess:
            continue
    return found


def none_alive(psutil: Any, processes: list[Any]) -> bool:
    return not any(alive(psutil, process) for process in processes)


def alive(psutil: Any, process: Any) -> bool:
    try:
        return bool(process.is_running() and process.status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return False


def test_two_runs_on_one_workdir(
    monkeypatch: pytest.MonkeyPatch, agent_files: tuple[Path, Path]
) -> None:
    definition, workdir = agent_files
    first: dict[str, Any] = {}
    script = [{"fault": "slow", "seconds": 2}, submit()]

    with serving(monkeypatch, script) as api:
        thread = threading.Thread(
            target=lambda: first.setdefault(
                "result", run(definition, workdir, retry_policy=FAST, timeout_s=1.0)
            )
        )
        thread.start()
        wait_for(lambda: len(api.requests) == 1, 10, "the first run's request")
        second = run(definition, workdir, retry_policy=FAST, timeout_s=1.0)
        old_while_first_runs = (workdir / OUTPUT).read_bytes()
        thread.join(timeout=20)

    assert second.subtype == "error_workdir_busy"
    assert second.exit_code == 1
    assert str(workdir) in second.result
    assert second.num_turns == 0
    assert old_while_first_runs == OLD

    assert first["result"].subtype == "success"
    assert len(api.requests) == 2
    assert (workdir / OUTPUT).read_text() == DOCUMENT
    assert sorted(files_under(workdir)) == ["input.md", OUTPUT]


def test_a_second_run_is_refused_while_a_process_holds_the_workdir(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    agent_files: tuple[Path, Path],
) -> None:
    definition, workdir = agent_files
    before = fingerprint(workdir / OUTPUT)
    argv = [str(definition), "--workdir", str(workdir), "--output-format", "json"]
    with serving(monkeypatch, [SLOW_FOREVER]) as api:
        holder = start_agent(argv, api.base_url)
        try:
            wait_for(lambda: len(api.requests) == 1, 30, "the first run's request")
            code = cli(argv)
            holder.send_signal(signal.SIGTERM)
            holder.communicate(timeout=15)
        finally:
            holder.kill()

    assert code == 1
    printed = json.loads(capsys.readouterr().out)
    assert printed["subtype"] == "error_workdir_busy"
    assert "another run is using" in printed["result"]
    assert len(api.requests) == 1
    assert holder.returncode == 130
    assert fingerprint(workdir / OUTPUT) == before
    assert os.listdir(workdir / "out") == ["result.md"]
