"""The `clearview` command end to end, as an operator runs it (real subprocesses)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from core.redis import embedded_url, ping
from tests.helpers.server import clean_env, clearview_serve, free_port

CLI = str(Path(sys.executable).with_name("clearview"))


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    # A wide terminal, so rich does not wrap the doctor's table cells.
    return clean_env(CLEARVIEW_DATA_DIR=str(data_dir), COLUMNS="250", **extra)


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], env=env, capture_output=True, text=True, timeout=120)


def test_embedded_serve_is_healthy_doctor_passes_and_sigterm_stops_everything(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    env = _env(data_dir)
    with clearview_serve(tmp_path, "--no-demo", settings={"COLUMNS": "250"}) as server:
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
            f"{server.base_url}/api/v1/jobs",
            headers={"Authorization": f"Bearer {secret}"},
            timeout=10,
        )
        assert jobs.status_code == 200, jobs.text
        code = server.stop()  # SIGTERM to the server alone: it stops what it started
        assert code == 0, server.log_tail(2000)
        assert not ping(valkey)  # the server that started the embedded Valkey stopped it


def test_doctor_fails_when_a_required_component_is_unreachable(tmp_path: Path) -> None:
    env = _env(tmp_path / "data", CLEARVIEW_REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
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
