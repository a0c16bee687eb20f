"""The event bus: Redis Streams with consumer groups, delivered at least once.

The contract every worker relies on (DESIGN.md, "Events"):

- Events are small JSON dicts of ids, stored in one field of a stream entry. Code that
  changes the database publishes through `core.outbox`, so an event exists only once the
  transaction that caused it has committed.
- A `Consumer` reads new entries with XREADGROUP and acknowledges an entry only after its
  handler returned; the handler commits its own transaction, and `once()` makes its side
  effects idempotent, because an entry may be delivered again. Up to `concurrency`
  handlers run at once in one consumer (default 1: one after another); acknowledgements
  of handlers that finish together go out in one XACK.
- A `Batched` handler takes up to `size` new entries in one call (those read together:
  only a backlog makes a batch, so a lone entry waits for nothing), e.g. to write their
  outcomes in one transaction; it reports which entries failed. Retries (reclaimed
  entries) go one per call, so a failed entry, or one whose handler crashed its process,
  is retried and dead-lettered alone.
- Entries left pending by a consumer that died, or by a handler that failed, are taken over
  with XAUTOCLAIM once idle for `claim_idle_ms` (the cursor is followed to the end). An
  entry whose handler is still running holds a lease: its idle time is renewed while it
  runs, so it is never taken over from a live handler however long it takes.
- After `max_deliveries` deliveries without success an entry moves to `<stream>:dead` with
  its error and is acknowledged in its source stream; an `on_dead_letter` callback, if
  given, is awaited first (e.g. to mark the task the entry stood for as failed).
- Stopping lets the handlers in flight finish (within a grace period); entries not finished
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
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.ext.asyncio import AsyncSession

from core.batches import chunks
from core.models import ProcessedMessage, utcnow
from core.redis import eval_many
from core.repository import dialect_insert
from core.settings import get_settings

log = logging.getLogger(__name__)

# --- Stream names: the one place that spells them. -------------------------------------
REWRITE = "cv:rewrite"  # rewrite a resume with the LLM
MATCH = "cv:match"  # match a resume against jobs, or a job against candidates
INDEX = "cv:index"  # embed a resume or job into Chroma
NOTIFY = "cv:notify"  # tell a chat session that its task finished
WEBHOOKS = "cv:webhooks"  # deliver an event to an organisation's webhook subscriptions
REPORT = "cv:report"  # generate a long report in the background
CHAT = "cv:chat-turn"  # answer a chat message a partner sent by webhook
STREAMS = (REWRITE, MATCH, INDEX, NOTIFY, WEBHOOKS, REPORT, CHAT)


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
class Outgoing:
    """An entry for `publish_once_many`: its stream, payload and dedupe key."""

    stream: str
    payload: dict[str, Any]
    dedupe_key: str


async def publish_once_many(
    redis: aioredis.Redis, entries: list[Outgoing], *, dedupe_ttl_s: int = 86_400
) -> list[str]:
    """Publish each of `entries` at most once per dedupe key (as `publish` does), all in
    one round trip; returns their entry ids."""
    replies = await eval_many(
        redis,
        _PUBLISH_ONCE,
        [
            ((item.stream, item.dedupe_key), (FIELD, encode(item.payload), MAXLEN, dedupe_ttl_s))
            for item in entries
        ],
    )
    return [str(reply) for reply in replies]


@dataclass(frozen=True, slots=True)
class Message:
    stream: str
    id: str
    payload: dict[str, Any]
    deliveries: int  # 1 on the first delivery; grows each time the entry is reclaimed


Handler = Callable[[Message], Awaitable[None]]
# Handles several entries in one call; returns the failed ones' errors by entry id (the
# others are acknowledged). Raising fails them all.
BatchHandler = Callable[[list[Message]], Awaitable[dict[str, Exception]]]


# A stream entry to handle: its id, its fields, and how often it has been delivered.
Entry = tuple[str, dict[str, str], int]


@dataclass(frozen=True, slots=True)
class Batched:
    """A consumer's handler that takes up to `size` entries per call."""

    handle: BatchHandler
    size: int

    def __post_init__(self) -> None:
        if self.size < 1:
            raise ValueError("a batch holds at least 1 entry")


def entries_by(
    messages: list[Message], key: str
) -> tuple[dict[str, list[str]], dict[str, Exception]]:
    """The entry ids of `messages` by their payload's string `key` (say a task id, which
    several entries may repeat), and the failures of the entries without one."""
    by_value: dict[str, list[str]] = {}
    failures: dict[str, Exception] = {}
    for message in messages:
        value = message.payload.get(key)
        if isinstance(value, str):
            by_value.setdefault(value, []).append(message.id)
        else:
            failures[message.id] = ValueError(f"entry {message.id} carries no {key}")
    return by_value, failures


async def handle_one(handler: BatchHandler, message: Message) -> None:
    """Handle one entry with a BatchHandler, raising its failure as a Handler would."""
    failures = await handler([message])
    if message.id in failures:
        raise failures[message.id]


def one_at_a_time(handler: Handler) -> BatchHandler:
    """`handler` as a BatchHandler (of single entries)."""

    async def handle(messages: list[Message]) -> dict[str, Exception]:
        failures: dict[str, Exception] = {}
        for message in messages:
            try:
                await handler(message)
            except Exception as exc:  # the handler's failure is data: retried, then dead-lettered
                failures[message.id] = exc
        return failures

    return handle


# Told about an entry (and its last error) just before it moves to the dead-letter stream,
# so the work it stood for can be marked failed where users look (e.g. a task's status).
DeadLetterHandler = Callable[[Message, str], Awaitable[None]]


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
        handler: Handler | Batched,
        *,
        name: str | None = None,
        max_deliveries: int | None = None,
        claim_idle_ms: int | None = None,
        batch: int = 32,
        block_ms: int = 2_000,
        shutdown_grace_s: float = 30.0,
        on_dead_letter: DeadLetterHandler | None = None,
        concurrency: int = 1,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.redis = redis
        self.stream = stream
        self.group = group
        batched = handler if isinstance(handler, Batched) else Batched(one_at_a_time(handler), 1)
        self.handle_batch = batched.handle
        self.batch_size = batched.size
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
        # Handlers run as tasks of their own, at most `concurrency` at once, so the loop
        # that reads and dispatches never runs one itself: stopping may cancel the loop
        # at any moment (what it read but did not dispatch stays pending) and still let
        # the handlers in flight finish.
        self.concurrency = concurrency
        self._in_flight: set[asyncio.Task[None]] = set()
        self._slot_freed = asyncio.Event()
        # Entries handled but not yet acknowledged; one XACK at a time carries them all.
        self._unacked: list[str] = []
        self._ack_lock = asyncio.Lock()

    async def ensure_group(self) -> None:
        # Start at "0", not "$": events published before the first worker ever started
        # (the outbox may run first) must not be skipped.
        try:
            await self.redis.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until `stop` is set, then return once the handlers in flight are done."""
        work = asyncio.create_task(self._loop(stop))
        stopping = asyncio.create_task(stop.wait())
        try:
            await asyncio.wait({work, stopping}, return_when=asyncio.FIRST_COMPLETED)
            # The loop only reads and dispatches (handlers are tasks of their own), so it
            # may stop wherever it is: entries read but not dispatched stay pending.
            work.cancel()
            await asyncio.wait({work})
            await self._finish_in_flight()
            if not work.cancelled():
                work.result()  # a bug in the loop surfaces here
        finally:
            stopping.cancel()
            work.cancel()

    async def _finish_in_flight(self) -> None:
        """Let the handlers in flight finish within the grace period; cancel the rest,
        whose entries stay pending and are reclaimed by another consumer."""
        if self._in_flight:
            _, overrunning = await asyncio.wait(self._in_flight, timeout=self.shutdown_grace_s)
            for task in overrunning:
                task.cancel()
            if overrunning:
                await asyncio.wait(overrunning)

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
                await self._until_free()
                entries = [
                    (entry_id, fields, 1) for entry_id, fields in await self._read(self._free())
                ]
                for batch in chunks(entries, self.batch_size):
                    if stop.is_set():
                        break  # undispatched entries stay pending
                    await self._dispatch(batch)
                backoff = BACKOFF_MIN
            except TRANSIENT_ERRORS as exc:
                log.warning(
                    "%s/%s: redis unavailable (%s); retrying in %.1fs",
                    self.stream, self.group, type(exc).__name__, backoff,
                )  # fmt: skip
                await sleep_until(stop, backoff)
                backoff = min(backoff * 2, BACKOFF_MAX)
            except ResponseError as exc:
                # The group is gone: a server restarted without persistence (NOGROUP), or
                # the stream deleted while we were blocked on it (UNBLOCKED). Recreate it.
                if not str(exc).startswith(("NOGROUP", "UNBLOCKED")):
                    raise
                group_ready = False

    def _free(self) -> int:
        """How many more entries may be taken now. Never more than can start at once: an
        entry read but left waiting would idle in the pending list, be claimed by another
        consumer, claimed back, and reach `max_deliveries` while nobody failed it."""
        return min(self.batch, (self.concurrency - len(self._in_flight)) * self.batch_size)

    async def _until_free(self) -> None:
        while len(self._in_flight) >= self.concurrency:
            self._slot_freed.clear()
            await self._slot_freed.wait()

    async def _dispatch(self, batch: Sequence[Entry]) -> None:
        """Start handling a batch as soon as fewer than `concurrency` handlers run."""
        await self._until_free()
        task = asyncio.create_task(self._process(batch))
        self._in_flight.add(task)
        task.add_done_callback(self._handler_done)

    def _handler_done(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        self._slot_freed.set()
        if not task.cancelled() and task.exception() is not None:
            # `_process` turns handler failures into retries; anything else is a bug.
            log.error(
                "%s/%s: entry processing crashed", self.stream, self.group,
                exc_info=task.exception(),
            )  # fmt: skip

    async def _drain(self) -> None:
        """Wait until every dispatched handler has finished."""
        while self._in_flight:
            await asyncio.wait(set(self._in_flight))

    async def _read(self, count: int) -> list[tuple[str, dict[str, str]]]:
        reply: Any = await self.redis.xreadgroup(
            self.group, self.name, {self.stream: ">"}, count=count, block=self.block_ms
        )
        # RESP2 gives [[stream, entries]], RESP3 {stream: [entries]}.
        if isinstance(reply, dict):
            return list(reply.get(self.stream, [[]])[0])
        return list(reply[0][1]) if reply else []

    async def reclaim(self, stop: asyncio.Event | None = None) -> int:
        """Take over and handle entries idle longer than `claim_idle_ms`; returns how many.

        XAUTOCLAIM returns at most as many entries as can start at once (`batch` at most)
        and a cursor; the cursor is followed until it comes back to "0-0", so no stale
        entry is left behind however long the pending list.
        """
        cursor, handled = "0-0", 0
        while True:
            await self._until_free()
            reply = await self.redis.xautoclaim(
                self.stream, self.group, self.name, self.claim_idle_ms, cursor, count=self._free()
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
                    await self._drain()
                    return handled
                # A retry goes alone, even to a batch handler: an entry that crashes its
                # process each time must not take the entries read with it down, too.
                await self._dispatch([(entry_id, fields, counts.get(entry_id, 1))])
                handled += 1
            if cursor == "0-0":
                await self._drain()
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

    async def _process(self, batch: Sequence[Entry]) -> None:
        """Handle a batch: acknowledge the entries handled, leave each failed one pending
        for a retry, dead-letter it after its last delivery."""
        messages: list[Message] = []
        fields_of: dict[str, dict[str, str]] = {}
        for entry_id, fields, deliveries in batch:
            try:
                payload = json.loads(fields[FIELD])
            except (KeyError, ValueError) as exc:
                await self._dead_letter(entry_id, fields, deliveries, f"undecodable entry: {exc!r}")
                continue
            if deliveries > self.max_deliveries:
                # The handler never returned, e.g. it crashed its process each time.
                await self._dead_letter(
                    entry_id,
                    fields,
                    deliveries,
                    f"no outcome after {deliveries - 1} deliveries",
                    payload=payload,
                )
                continue
            messages.append(Message(self.stream, entry_id, payload, deliveries))
            fields_of[entry_id] = fields
        if not messages:
            return
        try:
            async with self._lease([message.id for message in messages]):
                failures = await self.handle_batch(messages)
        except Exception as exc:  # the handler's failure is data: retry, then dead-letter
            failures = {message.id: exc for message in messages}
        for message in messages:
            if message.id in failures:
                await self._failed(message, fields_of[message.id], failures[message.id])
        await self._ack([message.id for message in messages if message.id not in failures])

    @contextlib.asynccontextmanager
    async def _lease(self, entry_ids: list[str]) -> AsyncIterator[None]:
        """Keep entries being handled from looking abandoned: their idle time is reset every
        third of `claim_idle_ms` (XCLAIM ... JUSTID: same owner, no extra delivery
        counted), so a handler that runs longer than the reclaim idle time (a long
        rewrite or report) is not claimed by another consumer, nor dead-lettered after
        five such takeovers, while it still runs. A consumer that dies stops renewing, and
        its entries are reclaimed as before."""
        interval = self.claim_idle_ms / 3000
        # Only entries idle a while are renewed: one another consumer has just claimed
        # (idle time reset by its claim) is not taken back from it.
        min_idle_ms = self.claim_idle_ms // 4
        ids: list[int | bytes | str | memoryview[int]] = list(entry_ids)
        # The renewals stop on this flag, not on cancellation alone: on Python 3.11 a
        # cancellation that lands as a Redis write completes is lost inside
        # `asyncio.wait_for` (redis-py sends every command through it), and a renewal
        # loop that missed it would hold the entries, and the handler awaiting it, for ever.
        released = asyncio.Event()

        async def renew() -> None:
            while not released.is_set():
                await sleep_until(released, interval)
                if released.is_set():
                    return
                try:
                    await self.redis.xclaim(
                        self.stream, self.group, self.name, min_idle_ms, ids, justid=True
                    )
                except (RedisConnectionError, RedisTimeoutError) as exc:
                    log.warning("%s/%s: lease not renewed: %r", self.stream, self.group, exc)

        renewing = asyncio.create_task(renew())
        try:
            yield
        finally:
            released.set()
            renewing.cancel()  # a renewal in flight is not waited for
            # `wait`, not `await renewing`: a cancellation of this handler propagates.
            await asyncio.wait({renewing})

    async def _failed(self, message: Message, fields: dict[str, str], exc: Exception) -> None:
        error = f"{type(exc).__name__}: {exc}"
        if message.deliveries >= self.max_deliveries:
            log.error(
                "%s/%s: %s failed %d times, dead-lettered: %s",
                self.stream, self.group, message.id, message.deliveries, error,
            )  # fmt: skip
            await self._dead_letter(
                message.id, fields, message.deliveries, error, payload=message.payload
            )
        else:
            # Left pending: `reclaim` retries it once it has been idle claim_idle_ms.
            log.warning(
                "%s/%s: %s failed (delivery %d): %s",
                self.stream, self.group, message.id, message.deliveries, error,
            )  # fmt: skip

    async def _ack(self, entry_ids: list[str]) -> None:
        """Acknowledge handled entries. While one XACK is under way, the entries of
        handlers finishing meanwhile gather and leave together in the next one."""
        if not entry_ids:
            return
        self._unacked.extend(entry_ids)
        async with self._ack_lock:
            if not self._unacked:
                return  # acknowledged by the XACK of a handler that finished with us
            entry_ids, self._unacked = self._unacked, []
            try:
                await self.redis.xack(self.stream, self.group, *entry_ids)
            except TRANSIENT_ERRORS as exc:
                # Handled but still pending: reclaimed later, the handlers' `once` makes
                # the second delivery a no-op.
                log.warning(
                    "%s/%s: %d acknowledgement(s) lost (%s); the entries will be reclaimed",
                    self.stream, self.group, len(entry_ids), type(exc).__name__,
                )  # fmt: skip

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
    handler: Handler | Batched,
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
    statement = (
        dialect_insert(session, ProcessedMessage)
        .values(group=group, key=key, processed_at=utcnow())
        .on_conflict_do_nothing()
        .returning(ProcessedMessage.key)
    )
    return (await session.execute(statement)).scalar_one_or_none() is not None
