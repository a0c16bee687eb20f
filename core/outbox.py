"""Transactional outbox: an event is published only once the transaction behind it commits.

    async with session_scope() as session:
        task = await service.create_task(session, ...)
        outbox.enqueue(session, bus.MATCH, {"task_id": task.id})
    # committed; `session_scope` has now called `after_commit`, which published the event

`enqueue` writes an `OutboxEvent` row in the caller's transaction, so the event and the
change that caused it commit (or roll back) together. `after_commit` publishes right
away, and marks the rows published soon after, together with those of other commits
(`_Marker`); if the process dies before that, `relay` publishes the row a few seconds
later.
Each row is published under the dedupe key `outbox:<id>`, atomically with its XADD, so a
row published but not yet marked (a crash in between) is not published twice.
"""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError
from sqlalchemy import delete, event, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Session

from core import bus
from core.batches import chunks
from core.engine import get_engine, sessionmaker_for
from core.errors import Unavailable
from core.models import OutboxEvent, new_id, utcnow
from core.redis import RedisUnavailable, bounded, get_redis, outage_left

log = logging.getLogger(__name__)

# Key in `Session.info`: events added in the open transaction.
_PENDING = "outbox.pending"
# Dedupe keys must outlive any gap between a publish and the relay's retry of it.
DEDUPE_TTL_S = 86_400


def dedupe_key(event_id: str) -> str:
    return f"outbox:{event_id}"


@dataclass(frozen=True, slots=True)
class Event:
    """What is published for an outbox row (plain values: no ORM access after commit)."""

    id: str
    stream: str
    payload: dict[str, Any]


def enqueue(session: AsyncSession, stream: str, payload: dict[str, Any]) -> Event:
    """Add an event to `stream` in the caller's transaction; published after commit.

    While Redis is known not to answer (`core.redis.outage_left`), raises `Unavailable`
    (503 with Retry-After) before anything is written: the work the event asks for could
    not start, and the client learns when to try again instead of waiting."""
    left = outage_left()
    if left:
        retry = math.ceil(left)
        raise Unavailable(
            f"background processing is not answering; retry in {retry} s",
            headers={"Retry-After": str(retry)},
        )
    item = Event(new_id(), stream, payload)
    session.add(OutboxEvent(id=item.id, stream=stream, payload=payload))
    if _PENDING not in session.info:
        # A caller may roll back and go on with the same session: the events of the
        # attempt that rolled back refer to rows that no longer exist.
        event.listen(session.sync_session, "after_rollback", discard, once=True)
    session.info.setdefault(_PENDING, []).append(item)
    return item


def discard(session: AsyncSession | Session) -> None:
    """Forget the events of a transaction that rolled back (called by `session_scope`):
    they refer to rows that no longer exist."""
    session.info.pop(_PENDING, None)


async def after_commit(session: AsyncSession) -> None:
    """Publish the events of `session`'s committed transaction (called by `session_scope`).

    Never raises for an unavailable Redis or database: the commit has happened, and the
    relay publishes (or marks) what is left without duplicating anything.
    """
    events: list[Event] = session.info.pop(_PENDING, [])
    if not events:
        return
    engine = session.bind if isinstance(session.bind, AsyncEngine) else get_engine()
    try:
        async with bounded():
            await send(get_redis(), events)
    except (RedisError, RedisUnavailable, OSError) as exc:
        log.warning("outbox: %d event(s) left for the relay (%s)", len(events), type(exc).__name__)
        return
    _marker.add(engine, [item.id for item in events])


async def send(redis: aioredis.Redis, events: list[Event]) -> None:
    """Publish `events`, each at most once whoever else tries: one pipeline of XADDs."""
    outgoing = [bus.Outgoing(item.stream, item.payload, dedupe_key(item.id)) for item in events]
    await bus.publish_once_many(redis, outgoing, dedupe_ttl_s=DEDUPE_TTL_S)


async def mark_published(engine: AsyncEngine, event_ids: list[str]) -> None:
    """One UPDATE that commits by itself. A lost marking only makes the relay publish the
    rows again, which their dedupe keys turn into no-ops."""
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(
            update(OutboxEvent).where(OutboxEvent.id.in_(event_ids)).values(published_at=utcnow())
        )


async def publish(redis: aioredis.Redis, engine: AsyncEngine, events: list[Event]) -> None:
    """Publish `events`, then mark them published: two round trips, however many."""
    await send(redis, events)
    await mark_published(engine, [item.id for item in events])


class _Marker:
    """Marks the events `after_commit` published, off the committing caller's path and
    together: one UPDATE in flight per engine, and the ids published meanwhile wait for
    the next one (a server committing 16 requests at once marks them in one or two, not
    16 statements, each with its own pool checkout)."""

    def __init__(self) -> None:
        self._waiting: dict[AsyncEngine, list[str]] = {}
        self._running: dict[AsyncEngine, asyncio.Task[None]] = {}

    def add(self, engine: AsyncEngine, event_ids: list[str]) -> None:
        self._waiting.setdefault(engine, []).extend(event_ids)
        running = self._running.get(engine)
        loop = asyncio.get_running_loop()
        # A task of a loop that closed (a test's) never runs again: start a new one.
        if running is None or running.done() or running.get_loop() is not loop:
            self._running[engine] = loop.create_task(self._mark(engine))

    async def _mark(self, engine: AsyncEngine) -> None:
        try:
            while event_ids := self._waiting.pop(engine, None):
                try:
                    for part in chunks(event_ids):
                        await mark_published(engine, list(part))
                except (SQLAlchemyError, OSError) as exc:
                    log.warning(
                        "outbox: %d published event(s) left unmarked for the relay (%s)",
                        len(event_ids),
                        type(exc).__name__,
                    )
        except asyncio.CancelledError:
            self._waiting.pop(engine, None)  # its loop is closing: the relay marks them
            raise
        finally:
            if self._running.get(engine) is asyncio.current_task():
                del self._running[engine]

    async def settle(self) -> None:
        """Wait until what was published so far is marked (before disposing engines)."""
        loop = asyncio.get_running_loop()
        for task in list(self._running.values()):
            if task.get_loop() is loop and not task.done():
                await task


_marker = _Marker()


async def settle() -> None:
    """Wait for the markings `after_commit` left running (see `_Marker`)."""
    await _marker.settle()


async def relay_once(
    redis: aioredis.Redis,
    engine: AsyncEngine,
    *,
    older_than: timedelta = timedelta(seconds=5),
    limit: int = 500,
    retention: timedelta = timedelta(days=7),
) -> int:
    """Publish unpublished rows older than `older_than`; returns how many.

    `older_than` leaves fresh rows to their own `after_commit`. Several relays (one per
    server process) may run at once: the dedupe key keeps each event single.
    """
    now = utcnow()
    async with sessionmaker_for(engine)() as session:
        rows = await session.execute(
            select(OutboxEvent.id, OutboxEvent.stream, OutboxEvent.payload)
            .where(OutboxEvent.published_at.is_(None), OutboxEvent.created_at < now - older_than)
            .order_by(OutboxEvent.created_at)
            .limit(limit)
        )
        events = [Event(*row) for row in rows]
    if events:
        await publish(redis, engine, events)
        log.info("outbox relay published %d event(s)", len(events))
    async with sessionmaker_for(engine).begin() as session:
        await session.execute(delete(OutboxEvent).where(OutboxEvent.published_at < now - retention))
    return len(events)


async def relay(
    redis: aioredis.Redis, engine: AsyncEngine, stop: asyncio.Event, *, interval_s: float = 2.0
) -> None:
    """Run `relay_once` every `interval_s` until `stop` is set; outages are retried."""
    while not stop.is_set():
        try:
            while await relay_once(redis, engine) > 0 and not stop.is_set():
                pass  # a backlog: keep going without waiting
        except (RedisError, SQLAlchemyError, OSError) as exc:
            log.warning("outbox relay: %s; retrying in %.0fs", type(exc).__name__, interval_s)
        await bus.sleep_until(stop, interval_s)
