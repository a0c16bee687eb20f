"""A handler that runs longer than the reclaim idle time keeps its entry: no other
consumer takes it over, and it is not counted as another delivery."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from core import bus
from core.redis import connect

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
