"""PostgreSQL pools: a connection that sat idle is pinged before use, so one closed by a
server restart or an idle timeout is replaced; a connection back within the second is
used as it is (no three-round-trip ping per unit of work); bursts as large as a server's
concurrent requests reuse the pool's connections."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from core import engine as engines
from core.db import session_scope
from core.engine import make_engine


async def _backend_pid(engine: AsyncEngine) -> int:
    async with session_scope(engine) as session:
        return int(await session.scalar(text("SELECT pg_backend_pid()")) or 0)


@pytest.fixture
async def dead_connection(postgres_url: str) -> AsyncIterator[tuple[AsyncEngine, int]]:
    """An engine whose one pooled connection's backend was terminated by the server (as
    by a restart), and that backend's pid."""
    pool = make_engine(postgres_url)
    admin = make_engine(postgres_url)
    pid = await _backend_pid(pool)
    async with admin.connect() as connection:
        await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    yield pool, pid
    await pool.dispose()
    await admin.dispose()


async def test_an_idle_connection_closed_by_the_server_is_replaced(
    dead_connection: tuple[AsyncEngine, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    pool, dead = dead_connection
    monkeypatch.setattr(engines, "PING_AFTER_IDLE_S", 0.0)  # every checkout counts as idle

    assert await _backend_pid(pool) not in (0, dead)


async def test_a_connection_back_within_the_second_is_not_pinged(
    dead_connection: tuple[AsyncEngine, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    pool, dead = dead_connection
    monkeypatch.setattr(engines, "PING_AFTER_IDLE_S", 3600.0)

    # Unpinged, the dead connection is used, fails, and is dropped from the pool...
    with pytest.raises(DBAPIError):
        await _backend_pid(pool)
    # ...so the next unit of work gets a new one.
    assert await _backend_pid(pool) not in (0, dead)


async def test_repeated_bursts_within_the_pool_reuse_their_connections(postgres_url: str) -> None:
    # A server under 32 concurrent requests: with a pool smaller than that, connections
    # returned past its size were closed and opened again by the next burst.
    pool = make_engine(postgres_url)
    opened = 0

    def count(*_: object) -> None:
        nonlocal opened
        opened += 1

    event.listen(pool.sync_engine, "connect", count)
    size = 32
    holding = 0
    all_holding, release = asyncio.Event(), asyncio.Event()

    async def unit_of_work() -> None:
        nonlocal holding
        async with session_scope(pool) as session:
            await session.execute(text("SELECT 1"))
            holding += 1
            if holding == size:
                all_holding.set()
            await release.wait()  # the whole burst holds a connection at once

    try:
        for _ in range(3):
            holding = 0
            all_holding.clear()
            release.clear()
            burst = [asyncio.create_task(unit_of_work()) for _ in range(size)]
            await all_holding.wait()
            release.set()
            await asyncio.gather(*burst)
        assert opened == size
    finally:
        await pool.dispose()
