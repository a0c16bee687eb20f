"""The event bus: Redis Streams with consumer groups, delivered at least once.

The contract every worker relies on (DESIGN.md, "Events"):

- Events are small JSON dicts of ids, stored in one field of a stream entry. Code that
  changes the database publishes through `core.outbox`, so an event exists only once the
  transaction that caused it has committed.
- A `Consumer` reads new entries with XREADGROUP and acknowledges an entry only after its
  handler returned; the handler commits its own transaction, and `once()` makes its side
  effects idempotent, because an entry may be delivered again.
- Entries left pending by a consumer that died, or by a handler that failed, are taken over
  with XAUTOCLAIM once idle for `claim_idle_ms` (the cursor is followed to the end).
- After `max_deliveries` deliveries without success an entry moves to `<stream>:dead` with
  its error and is acknowledged in its source stream; an `on_dead_letter` callback, if
  given, is awaited first (e.g. to mark the task the entry stood for as failed).
- Stopping lets the handler in flight finish (within a grace period); entries not finished
  stay pending for another consumer. A lost connection is retried with exponential back-off;
  nothing is acknowledged that was not handled.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import ProcessedMessage, utcnow
from core.settings import get_settings

log = logging.getLogger(__name__)

# --- Stream names: the one place that spells them. -------------------------------------
REWRITE = "cv:rewrite"  # rewrite a resume with the LLM
MATCH = "cv:match"  # match a resume against jobs, or a job against candidates
INDEX = "cv:index"  # embed a resume or job into Chroma
NOTIFY = "cv:notify"  # tell a chat session that its task finished
WEBHOOKS = "cv:webhooks"  # deliver an event to an organisation's webhook subscriptions
STREAMS = (REWRITE, MATCH, INDEX, NOTIFY, WEBHOOKS)


def dead_letter_stream(stream: str) -> str:
    """Where entries of `stream` go after their last failed delivery."""
    return f"{stream}:dead"


# The entry field holding the JSON payload.
FIELD = "data"
# Streams keep acknowledged entries until trimmed; cap them (approximately, which is cheap)
# far above any backlog a worker fleet should carry, so memory stays bounded.
MAXLEN = 1_000_000
# Reconnect back-off when Redis goes away, in seconds.
BACKOFF_MIN, BACKOFF_MAX = 0.1, 5.0
# Redis errors that mean "the server is away for now" rather than "this request is wrong".
# redis-py reports BusyLoadingError (a restarted server reading its AOF) as a ConnectionError.
TRANSIENT_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)


def encode(payload: dict[str, Any]) -> str:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True)


# Publish at most once per dedupe key: the key and the entry are written atomically, so a
# retry after a crash between XADD and the caller's bookkeeping returns the first entry's id.
_PUBLISH_ONCE = """
local done = redis.call('GET', KEYS[2])
if done then return done end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', ARGV[1], ARGV[2])
redis.call('SET', KEYS[2], id, 'EX', ARGV[4])
return id
"""


async def publish(
    redis: aioredis.Redis,
    stream: str,
    payload: dict[str, Any],
    *,
    dedupe_key: str | None = None,
    dedupe_ttl_s: int = 86_400,
) -> str:
    """Append `payload` to `stream`; returns the entry id.

    Application code publishes through `core.outbox.enqueue` instead, so that nothing is
    published for a transaction that rolls back. With `dedupe_key`, a second publish with
    the same key within `dedupe_ttl_s` adds nothing and returns the first entry's id.
    """
    data = encode(payload)
    if dedupe_key is None:
        entry_id = await redis.xadd(stream, {FIELD: data}, maxlen=MAXLEN, approximate=True)
    else:
        script = redis.register_script(_PUBLISH_ONCE)
        entry_id = await script(keys=[stream, dedupe_key], args=[FIELD, data, MAXLEN, dedupe_ttl_s])
    return str(entry_id)


@dataclass(frozen=True, slots=True)
class Message:
    stream: str
    id: str
    payload: dict[str, Any]
    deliveries: int  # 1 on the first delivery; grows each time the entry is reclaimed


Handler = Callable[[Message], Awaitable[None]]
# Told about an entry (and its last error) just before it moves to the dead-letter stream,
# so the work it stood for can be marked failed where users look (e.g. a task's status).
DeadLetterHandler = Callable[[Message, str], Awaitable[None]]
T = TypeVar("T")


def default_consumer_name() -> str:
    """Unique per process, so a restarted worker never inherits a dead one's entries."""
    return f"{socket.gethostname()}-{os.getpid()}"


def stop_on_signals(stop: asyncio.Event) -> None:
    """Set `stop` on SIGTERM / SIGINT, so a worker finishes its handler before exiting."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)


class Consumer:
    """One member of a consumer group: reads, reclaims, handles, acknowledges.

    Run it with `await consumer.run(stop_event)`; any number of consumers (in any number
    of processes) with the same `group` share the stream's work. `max_deliveries` and
    `claim_idle_ms` default to `CLEARVIEW_STREAM_MAX_DELIVERIES` / `_CLAIM_IDLE_MS`.
    """

    def __init__(
        self,
        redis: aioredis.Redis,
        stream: str,
        group: str,
        handler: Handler,
        *,
        name: str | None = None,
        max_deliveries: int | None = None,
        claim_idle_ms: int | None = None,
        batch: int = 32,
        block_ms: int = 2_000,
        shutdown_grace_s: float = 30.0,
        on_dead_letter: DeadLetterHandler | None = None,
    ) -> None:
        self.redis = redis
        self.stream = stream
        self.group = group
        self.handler = handler
        self.name = name or default_consumer_name()
        settings = get_settings()
        self.max_deliveries = max_deliveries or settings.stream_max_deliveries
        self.claim_idle_ms = claim_idle_ms or settings.stream_claim_idle_ms
        self.batch = batch
        self.block_ms = block_ms
        self.shutdown_grace_s = shutdown_grace_s
        self.on_dead_letter = on_dead_letter
        # Look for abandoned entries twice per idle period: an entry waits at most ~1.5x
        # claim_idle_ms (failed handlers are retried at that pace, too).
        self.claim_interval_s = max(self.claim_idle_ms / 2000, 0.05)
        # True only while waiting (on a read or a back-off sleep): the moments when
        # stopping may cancel the loop without interrupting a handler or an ack.
        self._waiting = False

    async def ensure_group(self) -> None:
        # Start at "0", not "$": events published before the first worker ever started
        # (the outbox may run first) must not be skipped.
        try:
            await self.redis.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until `stop` is set, then return once the handler in flight is done."""
        work = asyncio.create_task(self._loop(stop))
        stopping = asyncio.create_task(stop.wait())
        try:
            await asyncio.wait({work, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if not work.done() and not self._waiting:
                await asyncio.wait({work}, timeout=self.shutdown_grace_s)
            if not work.done():
                # Waiting for entries, or the grace period ran out: what was read but not
                # acknowledged stays pending and is reclaimed by another consumer.
                work.cancel()
                await asyncio.wait({work})
                if not work.cancelled():
                    work.result()
            else:
                work.result()  # a bug in the loop surfaces here
        finally:
            stopping.cancel()
            work.cancel()

    async def _loop(self, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        backoff = BACKOFF_MIN
        group_ready = False
        next_claim = 0.0
        while not stop.is_set():
            try:
                if not group_ready:
                    await self.ensure_group()
                    group_ready = True
                if loop.time() >= next_claim:
                    await self.reclaim(stop)
                    next_claim = loop.time() + self.claim_interval_s
                for entry_id, fields in await self._wait(self._read()):
                    if stop.is_set():
                        break  # unhandled entries stay pending
                    await self._process(entry_id, fields, deliveries=1)
                backoff = BACKOFF_MIN
            except TRANSIENT_ERRORS as exc:
                log.warning(
                    "%s/%s: redis unavailable (%s); retrying in %.1fs",
                    self.stream, self.group, type(exc).__name__, backoff,
                )  # fmt: skip
                await self._wait(sleep_until(stop, backoff))
                backoff = min(backoff * 2, BACKOFF_MAX)
            except ResponseError as exc:
                # The group is gone: a server restarted without persistence (NOGROUP), or
                # the stream deleted while we were blocked on it (UNBLOCKED). Recreate it.
                if not str(exc).startswith(("NOGROUP", "UNBLOCKED")):
                    raise
                group_ready = False

    async def _wait(self, awaitable: Awaitable[T]) -> T:
        self._waiting = True
        try:
            return await awaitable
        finally:
            self._waiting = False

    async def _read(self) -> list[tuple[str, dict[str, str]]]:
        reply: Any = await self.redis.xreadgroup(
            self.group, self.name, {self.stream: ">"}, count=self.batch, block=self.block_ms
        )
        # RESP2 gives [[stream, entries]], RESP3 {stream: [entries]}.
        if isinstance(reply, dict):
            return list(reply.get(self.stream, [[]])[0])
        return list(reply[0][1]) if reply else []

    async def reclaim(self, stop: asyncio.Event | None = None) -> int:
        """Take over and handle entries idle longer than `claim_idle_ms`; returns how many.

        XAUTOCLAIM returns at most `batch` entries per call and a cursor; the cursor is
        followed until it comes back to "0-0", so no stale entry is left behind however
        long the pending list.
        """
        cursor, handled = "0-0", 0
        while True:
            reply = await self.redis.xautoclaim(
                self.stream, self.group, self.name, self.claim_idle_ms, cursor, count=self.batch
            )
            cursor, entries = reply[0], reply[1]
            # Redis >= 7 adds the ids of entries trimmed away while pending (they leave the
            # pending list by themselves); Redis 6.2 returns them as empty entries instead.
            if len(reply) > 2 and reply[2]:
                log.warning(
                    "%s/%s: %d pending entries were trimmed", self.stream, self.group, len(reply[2])
                )
            entries = [(entry_id, fields) for entry_id, fields in entries if fields is not None]
            counts = await self._delivery_counts([entry_id for entry_id, _ in entries])
            for entry_id, fields in entries:
                if stop is not None and stop.is_set():
                    return handled
                await self._process(entry_id, fields, deliveries=counts.get(entry_id, 1))
                handled += 1
            if cursor == "0-0":
                return handled

    async def _delivery_counts(self, entry_ids: list[str]) -> dict[str, int]:
        # XAUTOCLAIM does not report delivery counts; XPENDING does, one id per call,
        # all sent in one round trip.
        if not entry_ids:
            return {}
        pipe = self.redis.pipeline(transaction=False)
        for entry_id in entry_ids:
            pipe.xpending_range(self.stream, self.group, min=entry_id, max=entry_id, count=1)
        replies = await pipe.execute()
        return {row["message_id"]: int(row["times_delivered"]) for rows in replies for row in rows}

    async def _process(self, entry_id: str, fields: dict[str, str], *, deliveries: int) -> None:
        """Handle one entry: acknowledge on success, dead-letter after the last failure."""
        try:
            payload = json.loads(fields[FIELD])
        except (KeyError, ValueError) as exc:
            await self._dead_letter(entry_id, fields, deliveries, f"undecodable entry: {exc!r}")
            return
        if deliveries > self.max_deliveries:
            # The handler never returned, e.g. it crashed its process each time.
            await self._dead_letter(
                entry_id,
                fields,
                deliveries,
                f"no outcome after {deliveries - 1} deliveries",
                payload=payload,
            )
            return
        try:
            await self.handler(Message(self.stream, entry_id, payload, deliveries))
        except Exception as exc:  # the handler's failure is data: retry, then dead-letter
            error = f"{type(exc).__name__}: {exc}"
            if deliveries >= self.max_deliveries:
                log.error(
                    "%s/%s: %s failed %d times, dead-lettered: %s",
                    self.stream,
                    self.group,
                    entry_id,
                    deliveries,
                    error,
                )
                await self._dead_letter(entry_id, fields, deliveries, error, payload=payload)
            else:
                # Left pending: `reclaim` retries it once it has been idle claim_idle_ms.
                log.warning(
                    "%s/%s: %s failed (delivery %d): %s",
                    self.stream,
                    self.group,
                    entry_id,
                    deliveries,
                    error,
                )
            return
        await self.redis.xack(self.stream, self.group, entry_id)

    async def _dead_letter(
        self,
        entry_id: str,
        fields: dict[str, str],
        deliveries: int,
        error: str,
        *,
        payload: dict[str, Any] | None = None,
    ) -> None:
        if self.on_dead_letter is not None and payload is not None:
            # Before the move: if the callback fails, the entry stays pending and the next
            # reclaim comes back here, so the callback runs at least once per dead letter.
            message = Message(self.stream, entry_id, payload, deliveries)
            try:
                await self.on_dead_letter(message, error)
            except Exception as exc:  # retried at the next reclaim; never lost
                log.error(
                    "%s/%s: dead-letter callback for %s failed (%s); will retry",
                    self.stream, self.group, entry_id, type(exc).__name__,
                )  # fmt: skip
                return
        # One transaction: the entry is never both lost and acknowledged.
        pipe = self.redis.pipeline(transaction=True)
        pipe.xadd(
            dead_letter_stream(self.stream),
            {
                FIELD: fields.get(FIELD, ""),
                "error": error[:2000],
                "original_id": entry_id,
                "group": self.group,
                "deliveries": deliveries,
            },
            maxlen=MAXLEN,
            approximate=True,
        )
        pipe.xack(self.stream, self.group, entry_id)
        await pipe.execute()


async def sleep_until(stop: asyncio.Event, seconds: float) -> None:
    """Sleep `seconds`, or less if `stop` is set meanwhile."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def consume(
    redis: aioredis.Redis,
    stream: str,
    group: str,
    handler: Handler,
    *,
    stop: asyncio.Event,
    **options: Any,
) -> None:
    """Run one `Consumer` until `stop` is set (options as for `Consumer`)."""
    await Consumer(redis, stream, group, handler, **options).run(stop)


async def once(session: AsyncSession, group: str, key: str) -> bool:
    """Record that `key` is processed by `group`, in the caller's transaction.

    Returns False when it already was, so a redelivered entry skips its side effects:
    `if not await once(session, "match", task_id): return`. Concurrent attempts wait on
    the row lock and see False once the first commits (no IntegrityError on either DB).
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(ProcessedMessage)
        .values(group=group, key=key, processed_at=utcnow())
        .on_conflict_do_nothing()
        .returning(ProcessedMessage.key)
    )
    return (await session.execute(statement)).scalar_one_or_none() is not None
