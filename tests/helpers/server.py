"""Start a server for a test and wait until it is ready: the one place that does it.

- `clearview_serve(...)`: `clearview serve ARGS` in a subprocess of its own session, on a
  free port, ready once its `/readyz` answers 200 (the app, its lifespan and any demo
  data are up); stopped with SIGTERM, and its process group killed on teardown so no
  child (the embedded Valkey, a worker) outlives the test.
- `serve_process(...)`: the same for any other server command (e.g. `chroma run`).
- `serve_in_thread(app)`: an ASGI app under uvicorn in a thread of this process, on a free
  port, ready once uvicorn has bound its socket.

Readiness is an event the server reports (a probe's 200, uvicorn's `started`); the short
pause between two probes only spaces the polls.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest
import uvicorn

from core.redis import embedded_url
from core.settings import reset_settings_cache

CLEARVIEW = Path(sys.executable).with_name("clearview")
# Screenshots and logs of the browser tests, kept by CI.
UI_ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "ui"
POLL_S = 0.2


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(**settings: str) -> dict[str, str]:
    """This process's environment without its CLEARVIEW_* and CHAINLIT_* settings (a test's
    own data dir or mode must not leak into the child), plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLEARVIEW_", "CHAINLIT_"))}
    return {**env, **settings}


def run_clearview(
    *args: str, env: Mapping[str, str], stdin: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`clearview ARGS` run to its end with `env` alone; its output captured as text."""
    return subprocess.run(
        [str(CLEARVIEW), *args],
        env=dict(env),
        input=stdin,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


@dataclass
class ServerProcess:
    """A server command running in a session of its own, its output in `log_path`."""

    process: subprocess.Popen[bytes]
    log_path: Path

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]

    async def wait_for_log(self, line: str, times: int = 1) -> None:
        """Until the server has logged `line` (an event it reports, read from its log as
        it is written) `times` times; bound it with `asyncio.timeout`."""
        while True:  # a file has no change notification here: read it as it grows
            if self.log_path.read_text(errors="replace").count(line) >= times:
                return
            await asyncio.sleep(0.05)

    def wait_ready(self, url: str, timeout: float) -> None:
        """Until `url` answers 200; fails early, with the log, if the server exits."""
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited ({self.process.returncode}):\n{self.log_tail()}")
            with contextlib.suppress(httpx.TransportError):
                # A server just started on a busy machine may answer 503 (a check timed
                # out) for a moment before it is ready.
                if httpx.get(url, timeout=5).status_code == 200:
                    return
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} not ready after {timeout:.0f}s:\n{self.log_tail()}")
            time.sleep(POLL_S)

    def stop(self, timeout: float = 60) -> int:
        """SIGTERM to the server alone (it stops what it started) and its exit status;
        the whole process group is killed if it does not stop within `timeout`."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill_group()
            return self.process.wait(timeout=10)

    def kill_group(self) -> None:
        """SIGKILL to whatever is left of the server's session (children included)."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)


@contextlib.contextmanager
def serve_process(
    command: Sequence[str],
    *,
    ready_url: str,
    log_path: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 90,
) -> Iterator[ServerProcess]:
    """Runs `command`, yields once `ready_url` answers 200, stops it on exit."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            list(command),
            env=None if env is None else dict(env),
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    server = ServerProcess(process, log_path)
    try:
        server.wait_ready(ready_url, timeout)
        yield server
    finally:
        server.stop()
        server.kill_group()


@dataclass
class Server(ServerProcess):
    """A running `clearview serve`."""

    base_url: str
    data_dir: Path
    env: dict[str, str]

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """`clearview ARGS` with the server's settings (its data dir, mode, mail server),
        as the operator of this deployment runs it."""
        return run_clearview(*args, env=self.env, stdin=stdin, cwd=self.data_dir.parent)

    def use_database(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Point this test's settings at the server's data dir (same SQLite file)."""
        monkeypatch.setenv("CLEARVIEW_DATA_DIR", str(self.data_dir))
        reset_settings_cache()

    @property
    def redis_url(self) -> str:
        """The server's own embedded Valkey (its streams and chat channels)."""
        url = embedded_url(self.data_dir)
        assert url is not None, "the server has not started its embedded Valkey"
        return url


@contextlib.contextmanager
def clearview_serve(
    work_dir: Path,
    *args: str,
    settings: Mapping[str, str] | None = None,
    timeout: float = 90,
    port: int | None = None,
) -> Iterator[Server]:
    """`clearview serve ARGS` with its data dir in `work_dir/data` (SQLite, Chroma and, as
    in the product's embedded mode, its own Valkey), run from `work_dir` (no stray .env
    from the checkout), with only the CLEARVIEW_* `settings` given, on `port` (default a
    free one); log in `work_dir/serve.log`."""
    port = port or free_port()
    data_dir = work_dir / "data"
    env = clean_env(CLEARVIEW_DATA_DIR=str(data_dir), **(settings or {}))
    base_url = f"http://127.0.0.1:{port}"
    with serve_process(
        [str(CLEARVIEW), "serve", *args, "--port", str(port)],
        ready_url=f"{base_url}/readyz",
        log_path=work_dir / "serve.log",
        env=env,
        cwd=work_dir,
        timeout=timeout,
    ) as started:
        yield Server(started.process, started.log_path, base_url, data_dir, env)


@contextlib.contextmanager
def serve_in_thread(
    app: Any, *, lifespan: Literal["auto", "on", "off"] = "on", timeout: float = 20
) -> Iterator[str]:
    """`app` under uvicorn on 127.0.0.1 in a thread with its own event loop; yields its
    base URL once uvicorn has started (lifespan included), stops it on exit."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan=lifespan)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        assert thread.is_alive(), "uvicorn exited"
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
