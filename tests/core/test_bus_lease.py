"""A handler that runs longer than the reclaim idle time keeps its entry: no other
consumer takes it over, and it is not counted as another delivery. A handler that
returns while its lease is being renewed is acknowledged, whatever the renewal does."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as aioredis

from core import bus
from core.redis import connect
from tests.helpers.waits import eventually

GROUP = "lease"
CLAIM_IDLE_MS = 300


@pytest.fixture
async def redis(redis_url: str, unique_name: str) -> AsyncIterator[aioredis.Redis]:
    client = connect(redis_url)
    yield client
    await client.delete(unique_name, bus.dead_letter_stream(unique_name))
    await client.aclose()


async def test_a_long_handler_keeps_its_entry(redis: aioredis.Redis, unique_name: str) -> None:
    started, release = asyncio.Event(), asyncio.Event()
    handled: list[str] = []

    async def slow(message: bus.Message) -> None:
        started.set()
        await release.wait()
        handled.append(message.id)

    async def stolen(message: bus.Message) -> None:
        handled.append(f"stolen {message.id}")

    owner = bus.Consumer(
        redis, unique_name, GROUP, slow, name="owner", claim_idle_ms=CLAIM_IDLE_MS, block_ms=50
    )
    other = bus.Consumer(
        redis, unique_name, GROUP, stolen, name="other", claim_idle_ms=CLAIM_IDLE_MS
    )
    await owner.ensure_group()
    entry_id = await bus.publish(redis, unique_name, {"task_id": "t1"})
    stop = asyncio.Event()
    running = asyncio.create_task(owner.run(stop))
    await asyncio.wait_for(started.wait(), 30)
    # Let several reclaim idle periods pass while the handler runs (the time passing is
    # what is under test), trying to take the entry over after each.
    for _ in range(5):
        await asyncio.sleep(CLAIM_IDLE_MS / 1000)
        assert await other.reclaim() == 0
    [pending] = await redis.xpending_range(unique_name, GROUP, min="-", max="+", count=10)
    assert (pending["consumer"], pending["times_delivered"]) == ("owner", 1)

    release.set()
    stop.set()
    await asyncio.wait_for(running, 30)
    assert handled == [entry_id]
    assert await redis.xpending_range(unique_name, GROUP, min="-", max="+", count=10) == []
    assert await redis.xlen(bus.dead_letter_stream(unique_name)) == 0


class _CancellationLosingClient(aioredis.Redis):
    """A client whose XCLAIM finishes even when cancelled meanwhile, as any redis-py
    command may on Python 3.11: a cancellation landing as the write completes is lost in
    `asyncio.wait_for`, which redis-py sends every command through."""

    claiming: asyncio.Event

    async def xclaim(self, *args: Any, **kwargs: Any) -> Any:
        self.claiming.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(0.2)  # the cancellation lands here, and is lost
        return await super().xclaim(*args, **kwargs)


async def test_a_handler_returns_when_its_lease_renewal_misses_the_cancellation(
    redis_url: str, unique_name: str
) -> None:
    client = _CancellationLosingClient.from_url(redis_url, decode_responses=True)
    assert isinstance(client, _CancellationLosingClient)
    client.claiming = asyncio.Event()
    handled: list[str] = []

    async def handle(message: bus.Message) -> None:
        await client.claiming.wait()  # return while a renewal is in flight
        handled.append(message.id)

    consumer = bus.Consumer(
        client, unique_name, GROUP, handle, claim_idle_ms=100, block_ms=50, shutdown_grace_s=1
    )
    await consumer.ensure_group()
    entry_id = await bus.publish(client, unique_name, {"task_id": "t1"})
    stop = asyncio.Event()
    running = asyncio.create_task(consumer.run(stop))
    try:
        await eventually(lambda: handled == [entry_id])
        # The renewal loop that missed its cancellation never ended, and the handled
        # entry was never acknowledged.
        await eventually(lambda: _no_pending(client, unique_name))
    finally:
        stop.set()
        await asyncio.wait_for(running, 30)
        await client.delete(unique_name)
        await client.aclose()


async def _no_pending(redis: aioredis.Redis, stream: str) -> bool:
    return not await redis.xpending_range(stream, GROUP, min="-", max="+", count=1)
