"""The outbox: events leave only after their transaction commits, and exactly once."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
import redis.asyncio as aioredis
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine

from core import bus, outbox
from core.db import session_scope
from core.engine import sessionmaker_for
from core.models import Organisation, OutboxEvent
from core.redis import close_clients, connect, redis_runtime
from core.settings import reset_settings_cache
from tests.helpers.streams import read_all


class Crash(Exception):
    """Stands for the process dying at a chosen point."""


@pytest.fixture
async def redis(
    redis_url: str, unique_name: str, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[aioredis.Redis]:
    """The machine's Redis, configured as the product's (`after_commit` publishes there)."""
    monkeypatch.setenv("CLEARVIEW_REDIS_URL", redis_url)
    reset_settings_cache()
    client = connect(redis_url)
    yield client
    async with sessionmaker_for(engine)() as session:
        event_ids = (await session.scalars(select(OutboxEvent.id))).all()
    await client.delete(unique_name, *(outbox.dedupe_key(event_id) for event_id in event_ids))
    await client.aclose()
    await close_clients()


async def entries(redis: aioredis.Redis, stream: str) -> list[dict[str, str]]:
    return [fields for _, fields in await read_all(redis, stream)]


async def unpublished(engine: AsyncEngine) -> int:
    async with sessionmaker_for(engine)() as session:
        rows = await session.scalars(select(OutboxEvent).where(OutboxEvent.published_at.is_(None)))
        return len(rows.all())


async def test_committed_event_is_published_once_and_marked(
    engine: AsyncEngine, redis: aioredis.Redis, unique_name: str
) -> None:
    async with session_scope(engine) as session:
        org = Organisation(slug="acme", name="Acme")
        session.add(org)
        await session.flush()
        outbox.enqueue(session, unique_name, {"org_id": org.id})

    assert await entries(redis, unique_name) == [{bus.FIELD: bus.encode({"org_id": org.id})}]
    await outbox.settle()  # the marking runs after the scope, off its caller's path
    assert await unpublished(engine) == 0
    assert await outbox.relay_once(redis, engine, older_than=timedelta(0)) == 0
    assert await redis.xlen(unique_name) == 1


async def test_rolled_back_transaction_publishes_nothing(
    engine: AsyncEngine, redis: aioredis.Redis, unique_name: str
) -> None:
    with pytest.raises(Crash):
        async with session_scope(engine) as session:
            session.add(Organisation(slug="acme", name="Acme"))
            outbox.enqueue(session, unique_name, {"n": 1})
            await session.flush()  # the row is written, then the unit of work fails
            raise Crash

    assert await outbox.relay_once(redis, engine, older_than=timedelta(0)) == 0
    assert await redis.exists(unique_name) == 0
    async with sessionmaker_for(engine)() as session:
        assert (await session.scalars(select(OutboxEvent))).all() == []


async def test_events_of_a_rolled_back_attempt_are_dropped_from_a_reused_session(
    engine: AsyncEngine, redis: aioredis.Redis, unique_name: str
) -> None:
    async with session_scope(engine) as session:
        outbox.enqueue(session, unique_name, {"attempt": 1})
        await session.rollback()
        outbox.enqueue(session, unique_name, {"attempt": 2})

    assert await entries(redis, unique_name) == [{bus.FIELD: bus.encode({"attempt": 2})}]


async def test_crash_after_commit_before_publish_is_published_once_by_the_relay(
    engine: AsyncEngine, redis: aioredis.Redis, unique_name: str
) -> None:
    # The transaction commits, then the process dies before `after_commit` runs.
    async with sessionmaker_for(engine)() as session:
        outbox.enqueue(session, unique_name, {"n": 1})
        await session.commit()
    assert await redis.exists(unique_name) == 0
    assert await outbox.relay_once(redis, engine) == 0  # too fresh: its own publish may come

    assert await outbox.relay_once(redis, engine, older_than=timedelta(0)) == 1
    assert await outbox.relay_once(redis, engine, older_than=timedelta(0)) == 0
    assert await entries(redis, unique_name) == [{bus.FIELD: bus.encode({"n": 1})}]
    assert await unpublished(engine) == 0


async def test_crash_between_publish_and_marking_does_not_duplicate(
    engine: AsyncEngine, redis: aioredis.Redis, unique_name: str
) -> None:
    async with sessionmaker_for(engine)() as session:
        event = outbox.enqueue(session, unique_name, {"n": 1})
        await session.commit()
    # The event reaches the stream (as `after_commit` sends it), then the process dies
    # before the row is marked published.
    first_id = await bus.publish(
        redis, event.stream, event.payload, dedupe_key=outbox.dedupe_key(event.id)
    )
    assert await unpublished(engine) == 1

    assert await outbox.relay_once(redis, engine, older_than=timedelta(0)) == 1
    assert [entry_id for entry_id, _ in await read_all(redis, unique_name)] == [first_id]
    assert await unpublished(engine) == 0


async def test_without_a_url_events_go_to_the_embedded_valkey(
    engine: AsyncEngine, unique_name: str
) -> None:
    async with redis_runtime() as url:
        async with session_scope(engine) as session:
            outbox.enqueue(session, unique_name, {"n": 1})
        client = connect(url)
        try:
            assert await entries(client, unique_name) == [{bus.FIELD: bus.encode({"n": 1})}]
        finally:
            await client.aclose()
    await outbox.settle()
    assert await unpublished(engine) == 0


@contextmanager
def markings(engine: AsyncEngine) -> Iterator[list[str]]:
    """The UPDATEs that mark outbox rows published, as `engine` runs them."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE OUTBOX"):
            seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)


async def test_concurrent_commits_are_each_published_and_all_marked(
    engine: AsyncEngine, redis: aioredis.Redis, unique_name: str
) -> None:
    async def commit(n: int) -> None:
        async with session_scope(engine) as session:
            outbox.enqueue(session, unique_name, {"n": n})

    with markings(engine) as updates:
        await asyncio.gather(*(commit(n) for n in range(16)))
        await outbox.settle()

    assert sorted(
        json.loads(fields[bus.FIELD])["n"] for fields in await entries(redis, unique_name)
    ) == list(range(16))
    assert await unpublished(engine) == 0
    assert 1 <= len(updates) <= 16


async def test_events_published_while_a_marking_runs_are_marked_by_the_next_one(
    engine: AsyncEngine, redis: aioredis.Redis, unique_name: str
) -> None:
    published = []
    for n in range(16):
        async with sessionmaker_for(engine)() as session:
            published.append(outbox.enqueue(session, unique_name, {"n": n}))
            await session.commit()

    with markings(engine) as updates:
        # As 16 `after_commit`s in a row would, before the first marking gets its turn.
        for item in published:
            outbox._marker.add(engine, [item.id])
        await outbox.settle()

    assert len(updates) == 1
    assert await unpublished(engine) == 0
