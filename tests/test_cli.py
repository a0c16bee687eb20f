"""The `clearview` command end to end, as an operator runs it (real subprocesses)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from core.redis import embedded_url, ping

CLI = str(Path(sys.executable).with_name("clearview"))


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLEARVIEW_")}
    # A wide terminal, so rich does not wrap the doctor's table cells.
    return {**env, "CLEARVIEW_DATA_DIR": str(data_dir), "COLUMNS": "250", **extra}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], env=env, capture_output=True, text=True, timeout=120)


def test_embedded_serve_is_healthy_doctor_passes_and_sigterm_stops_everything(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    env = _env(data_dir)
    port = _free_port()
    server = subprocess.Popen(
        [CLI, "serve", "--no-demo", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "serve.log").open("w"),
    )
    try:
        # Polled as an orchestrator does: a server just started on a busy machine may
        # answer 503 (a check timed out) for a moment before it is ready.
        deadline = time.monotonic() + 90
        ready: httpx.Response | None = None
        while time.monotonic() < deadline:
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
                if ready.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, (tmp_path / "serve.log").read_text()[-2000:]
            time.sleep(0.3)
        assert ready is not None and ready.status_code == 200, ready and ready.text

        valkey = embedded_url(data_dir)
        assert valkey is not None and ping(valkey)

        doctor = _run("doctor", env=env)
        assert doctor.returncode == 0, doctor.stdout + doctor.stderr
        for component in ("database", "redis", "chroma", "embeddings", "llm"):
            assert component in doctor.stdout

        key = _run("apikey", "create", "--org", "acme", "--role", "employer", env=env)
        assert key.returncode == 0, key.stderr
        secret = key.stdout.strip()
        jobs = httpx.get(
            f"http://127.0.0.1:{port}/api/v1/jobs",
            headers={"Authorization": f"Bearer {secret}"},
            timeout=10,
        )
        assert jobs.status_code == 200, jobs.text
    finally:
        server.send_signal(signal.SIGTERM)
        code = server.wait(timeout=60)
    assert code == 0, (tmp_path / "serve.log").read_text()[-2000:]
    assert not ping(valkey)  # the server that started the embedded Valkey stopped it


def test_doctor_fails_when_a_required_component_is_unreachable(tmp_path: Path) -> None:
    env = _env(tmp_path / "data", CLEARVIEW_REDIS_URL=f"redis://127.0.0.1:{_free_port()}/0")
    assert _run("db", "upgrade", env=env).returncode == 0
    doctor = _run("doctor", env=env)
    assert doctor.returncode == 1
    assert "FAIL" in doctor.stdout


def test_doctor_reports_a_database_that_needs_migrating(tmp_path: Path) -> None:
    doctor = _run("doctor", env=_env(tmp_path / "data"))
    assert doctor.returncode == 1
    assert "clearview db upgrade" in doctor.stdout


def test_bad_settings_stop_the_command_naming_the_variable(tmp_path: Path) -> None:
    result = _run("doctor", env=_env(tmp_path / "data", CLEARVIEW_MODE="staging"))
    assert result.returncode == 2
    assert "CLEARVIEW_MODE" in result.stderr


@pytest.mark.parametrize("command", [["serve", "nope"], ["worker", "nope"]])
def test_unknown_service_or_worker_names_the_choices(tmp_path: Path, command: list[str]) -> None:
    result = _run(*command, env=_env(tmp_path / "data"))
    assert result.returncode == 2
    assert "outbox" in result.stderr or "jobs" in result.stderr


def _catches(pid: int, signum: int) -> bool:
    """Whether the process has installed a handler for `signum` (Linux: SigCgt)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) >> (signum - 1) & 1)
    return False


def test_sigterm_during_start_up_is_a_clean_stop(tmp_path: Path) -> None:
    # Importing the CLI's sub-commands alone takes seconds: the signal lands long before
    # the worker's event loop installs its own handling. Sent as soon as the console
    # script's first handler is in place (an event, not a guess at how long imports take).
    process = subprocess.Popen(
        [CLI, "worker", "match"],
        env=_env(tmp_path / "data"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    while process.poll() is None and not _catches(process.pid, signal.SIGTERM):
        time.sleep(0.01)
    assert process.poll() is None, "the worker was expected to be still starting"
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
