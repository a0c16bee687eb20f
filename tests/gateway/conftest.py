"""Webhook test fixtures: a real HTTP receiver on 127.0.0.1, the webhooks worker on the
real Redis (in a consumer group of the test's own), fast retry settings, and helpers."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncEngine

from core import bus
from core.redis import close_clients, connect
from core.settings import reset_settings_cache
from tests.api.conftest import Key as Key
from tests.api.conftest import MakeKey as MakeKey
from tests.api.conftest import app as app
from tests.api.conftest import client as client
from tests.api.conftest import make_key as make_key
from workers import webhooks


@dataclass(frozen=True)
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # longer than the delivery timeout: the attempt times out


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]  # lower-cased names
    body: bytes
    at: float  # time.time() on arrival


class Receiver:
    """An HTTP server answering POSTs from a script (then 200), recording each request."""

    def __init__(self, script: list[Reply] | None = None) -> None:
        self.script = list(script or [])
        self.requests: list[Received] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                with receiver._lock:
                    receiver.requests.append(
                        Received({k.lower(): v for k, v in self.headers.items()}, body, time.time())
                    )
                    reply = receiver.script.pop(0) if receiver.script else Reply()
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                with contextlib.suppress(OSError):  # the client may have given up
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("content-length", "0")
                    self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hook"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


MakeReceiver = Callable[..., Receiver]


@pytest.fixture
def receiver_factory() -> Iterator[MakeReceiver]:
    started: list[Receiver] = []

    def _make(*script: Reply) -> Receiver:
        receiver = Receiver(list(script)).__enter__()
        started.append(receiver)
        return receiver

    yield _make
    for receiver in started:
        receiver.__exit__()


@pytest.fixture
def fast_webhooks(monkeypatch: pytest.MonkeyPatch, engine: AsyncEngine) -> None:
    """Loopback targets allowed, and retries in milliseconds instead of minutes."""
    for name, value in {
        "WEBHOOKS_ALLOW_PRIVATE": "true",
        "WEBHOOK_BACKOFF_BASE_S": "0.05",
        "WEBHOOK_BACKOFF_MAX_S": "0.4",
        "WEBHOOK_TIMEOUT_S": "0.5",
        "WEBHOOK_RETRY_POLL_S": "0.05",
        "WEBHOOK_MAX_ATTEMPTS": "5",
    }.items():
        monkeypatch.setenv(f"CLEARVIEW_{name}", value)
    reset_settings_cache()


@pytest.fixture
async def redis(
    redis_url: str, monkeypatch: pytest.MonkeyPatch, fast_webhooks: None
) -> AsyncIterator[aioredis.Redis]:
    """The real Redis, configured as the product's (the outbox publishes there)."""
    monkeypatch.setenv("CLEARVIEW_REDIS_URL", redis_url)
    reset_settings_cache()
    connection = connect(redis_url)
    yield connection
    await connection.aclose()
    await close_clients()


@pytest.fixture
async def worker(redis: aioredis.Redis, unique_name: str) -> AsyncIterator[None]:
    """The webhooks worker (consumer + retry scheduler) in a consumer group of this test.

    The stream is shared with anything else running on this Redis; a group of our own
    created at "$" sees only new entries, and entries of other tests name deliveries this
    test's database does not have (a no-op, as for a deleted subscription).
    """
    await redis.xgroup_create(bus.WEBHOOKS, unique_name, id="$", mkstream=True)
    stop = asyncio.Event()
    task = asyncio.create_task(webhooks.run(stop, group=unique_name))
    yield
    stop.set()
    await asyncio.wait_for(task, timeout=10)
    await redis.xgroup_destroy(bus.WEBHOOKS, unique_name)


async def wait_for(
    predicate: Callable[[], Awaitable[bool]], within_s: float = 10.0, what: str = "condition"
) -> None:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if await predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def subscribe(
    http: httpx.AsyncClient, key: Key, url: str, events: list[str] | None = None
) -> dict[str, Any]:
    response = await http.post(
        "/api/v1/webhooks/subscriptions",
        json={"url": url, "events": events or ["match.completed"]},
        headers=key.headers,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body
