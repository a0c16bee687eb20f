"""A real `clearview serve` for the UI tests: one process per test module.

The server gets its own data dir (SQLite, Chroma, uploads) and the test Redis; the test
process reaches the same database through `server.use_database()` to arrange data and
check what the UI did.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from core.redis import embedded_url
from core.settings import reset_settings_cache

CLEARVIEW = Path(sys.executable).with_name("clearview")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "ui"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    base_url: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    log_path: Path

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

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]


def start_server(
    tmp: Path,
    model_cache_dir: Path,
    *,
    demo: bool,
    timeout: float,
    env: dict[str, str] | None = None,
) -> Iterator[Server]:
    """A `clearview serve` of its own: data dir, SQLite and, as in the product's embedded
    mode, its own Valkey, so no other server's workers take its stream entries."""
    port = _free_port()
    data_dir = tmp / "data"
    extra = env or {}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLEARVIEW_", "CHAINLIT_"))}
    env.update(
        CLEARVIEW_DATA_DIR=str(data_dir),
        CLEARVIEW_MODE="dev",
        CLEARVIEW_MODEL_CACHE_DIR=str(model_cache_dir),
    )
    env.update(extra)
    log_path = tmp / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(CLEARVIEW), "serve", "--port", str(port), "--demo" if demo else "--no-demo"],
            env=env,
            cwd=tmp,  # no stray .env from the checkout
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(f"http://127.0.0.1:{port}", data_dir, process, log_path)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited ({process.returncode}):\n{server.log_tail()}")
            try:
                if httpx.get(f"{server.base_url}/chat/", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server not up after {timeout:.0f}s:\n{server.log_tail()}")
            time.sleep(0.5)
        yield server
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failed UI test's report ends with its server's log tail: what the browser could
    not show (a worker's error, a request that never came) is there."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    server = getattr(item, "funcargs", {}).get("server")
    if report.failed and isinstance(server, Server):
        report.sections.append(("clearview serve log (tail)", server.log_tail(6000)))
