"""Webhook test fixtures: a real HTTP receiver on 127.0.0.1, the webhooks worker on the
real Redis (in a consumer group of the test's own) and fast retry settings."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncEngine

from core import bus
from core.redis import close_clients, connect
from core.settings import reset_settings_cache
from tests.helpers.webhooks import MakeReceiver, Receiver, Reply
from workers import webhooks


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
        # Long enough for a loopback answer on a busy machine (0.5 s was not: an attempt
        # timed out); the test about timeouts sets its own.
        "WEBHOOK_TIMEOUT_S": "5",
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
