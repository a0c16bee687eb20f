"""The stream bus against real servers: the machine's Redis and the embedded Valkey."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from core import bus
from core.db import session_scope
from core.models import MetricEvent, ProcessedMessage
from core.redis import EmbeddedValkey, connect, ping
from tests.helpers.consumer_proc import SIDE_EFFECT_PREFIX, record_side_effect
from tests.helpers.streams import read_all
from tests.helpers.waits import eventually

ROOT = Path(__file__).resolve().parents[2]
GROUP = "workers"


@pytest.fixture(params=["redis", "valkey"])
def server_url(request: pytest.FixtureRequest, redis_url: str, tmp_path: Path) -> Iterator[str]:
    """The machine's Redis, then an embedded Valkey of the test's own."""
    if request.param == "redis":
        yield redis_url
        return
    embedded = EmbeddedValkey(tmp_path / "valkey-data")
    yield embedded.start()
    embedded.stop()


@pytest.fixture
async def redis(server_url: str, unique_name: str) -> AsyncIterator[aioredis.Redis]:
    client = connect(server_url)
    yield client
    keys = [key async for key in client.scan_iter(f"{unique_name}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


async def publish_many(redis: aioredis.Redis, stream: str, count: int, start: int = 0) -> None:
    # Pipelined: setting up thousands of entries should not dominate the test's time.
    pipe = redis.pipeline(transaction=False)
    for n in range(start, start + count):
        pipe.xadd(stream, {bus.FIELD: bus.encode({"n": n})})
    await pipe.execute()


async def pending(redis: aioredis.Redis, stream: str) -> int:
    return int((await redis.xpending(stream, GROUP))["pending"])


class Running:
    """A consumer running in this process, stopped (and checked) on exit."""

    def __init__(self, consumer: bus.Consumer) -> None:
        self.consumer = consumer
        self.stop = asyncio.Event()

    async def __aenter__(self) -> Running:
        self.task = asyncio.create_task(self.consumer.run(self.stop))
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.stop.set()
        await asyncio.wait_for(self.task, timeout=10)


async def test_publish_then_consume_decodes_payload(
    redis: aioredis.Redis, unique_name: str
) -> None:
    seen: list[bus.Message] = []

    async def handle(message: bus.Message) -> None:
        seen.append(message)

    entry_id = await bus.publish(redis, unique_name, {"task_id": "t1", "kind": "match"})
    async with Running(bus.Consumer(redis, unique_name, GROUP, handle, block_ms=50)):
        await eventually(lambda: len(seen) == 1)
    assert seen[0] == bus.Message(unique_name, entry_id, {"task_id": "t1", "kind": "match"}, 1)
    assert await pending(redis, unique_name) == 0


async def test_publish_once_many_adds_each_entry_once_in_one_pipeline(
    redis: aioredis.Redis, unique_name: str
) -> None:
    # On a fresh embedded Valkey the script is not loaded yet: the NOSCRIPT path runs.
    entries = [
        bus.Outgoing(unique_name, {"n": 1}, f"{unique_name}:once:1"),
        bus.Outgoing(f"{unique_name}:other", {"n": 2}, f"{unique_name}:once:2"),
    ]
    first = await bus.publish_once_many(redis, entries)
    again = await bus.publish_once_many(redis, entries)  # a retry after a crash
    assert first == again
    assert await read_all(redis, unique_name) == [(first[0], {bus.FIELD: bus.encode({"n": 1})})]
    other = await read_all(redis, f"{unique_name}:other")
    assert other == [(first[1], {bus.FIELD: bus.encode({"n": 2})})]


async def test_killed_consumer_loses_and_duplicates_nothing(
    redis: aioredis.Redis, server_url: str, engine: AsyncEngine, database_url: str, unique_name: str
) -> None:
    total, stream = 1000, unique_name
    await bus.Consumer(redis, stream, GROUP, _never_called).ensure_group()
    await publish_many(redis, stream, total)

    doomed = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.helpers.consumer_proc",
        server_url, database_url, stream, GROUP, "5",
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    try:
        assert doomed.stdout is not None
        line = await asyncio.wait_for(doomed.stdout.readline(), timeout=90)
        assert line.startswith(b"HANG "), line
        hung_id = line.split()[1].decode()

        outcomes: dict[str, list[tuple[int, bool]]] = {}

        async def handle(message: bus.Message) -> None:
            async with session_scope(engine) as session:
                applied = await record_side_effect(session, GROUP, message)
            outcomes.setdefault(message.id, []).append((message.deliveries, applied))

        survivor = bus.Consumer(
            redis, stream, GROUP, handle, name="survivor", claim_idle_ms=300, block_ms=50
        )
        async with Running(survivor):
            doomed.send_signal(signal.SIGKILL)  # committed 5, acknowledged 4
            assert await doomed.wait() == -signal.SIGKILL

            async def all_done() -> bool:
                async with session_scope(engine) as session:
                    done = await session.scalar(select(func.count()).select_from(ProcessedMessage))
                return done == total and await pending(redis, stream) == 0

            # One entry at a time, each with its own commit, on a machine other processes may
            # keep busy: a liveness bound, not a speed claim (about 100 s at load 10).
            await eventually(all_done, within=360)
    finally:
        if doomed.returncode is None:  # the test failed before the kill
            doomed.kill()
            await doomed.wait()

    async with session_scope(engine) as session:
        rows, distinct = (await session.execute(
            select(func.count(), func.count(MetricEvent.name.distinct()))
            .where(MetricEvent.name.startswith(SIDE_EFFECT_PREFIX))
        )).one()  # fmt: skip
    assert (rows, distinct) == (total, total)  # every side effect exactly once
    # The entry committed but never acknowledged by the killed consumer was redelivered,
    # and `once` kept its side effect single.
    assert outcomes[hung_id] == [(2, False)]
    # A consumer takes only what it can start at once (one entry here), so the hung entry
    # is the only one the survivor had to reclaim: none sat unstarted in a dead process.
    assert sum(1 for runs in outcomes.values() if runs[0][0] == 2) == 1
    assert len(outcomes) == total - 4
    assert await pending(redis, stream) == 0


async def _never_called(message: bus.Message) -> None:
    raise AssertionError(message)


async def test_failing_entry_is_dead_lettered_after_max_deliveries(
    redis: aioredis.Redis, unique_name: str
) -> None:
    stream, poison = unique_name, 7
    attempts: Counter[int] = Counter()

    async def handle(message: bus.Message) -> None:
        attempts[message.payload["n"]] += 1
        if message.payload["n"] == poison:
            raise ValueError(f"boom {poison}")

    await publish_many(redis, stream, 20)
    consumer = bus.Consumer(
        redis, stream, GROUP, handle, max_deliveries=3, claim_idle_ms=100, block_ms=50
    )
    dead = bus.dead_letter_stream(stream)
    async with Running(consumer):

        async def settled() -> bool:
            # The poison entry may be dead-lettered before the last entries are handled.
            return len(attempts) == 20 and await _len_is(redis, dead, 1)

        await eventually(settled)

    [(_, fields)] = await read_all(redis, dead)
    poison_id = (await read_all(redis, stream))[poison][0]
    assert fields["original_id"] == poison_id
    assert fields["error"] == f"ValueError: boom {poison}"
    assert fields["deliveries"] == "3"
    assert fields[bus.FIELD] == bus.encode({"n": poison})
    assert attempts == Counter({n: 3 if n == poison else 1 for n in range(20)})
    assert await pending(redis, stream) == 0


async def _len_is(redis: aioredis.Redis, stream: str, length: int) -> bool:
    return int(await redis.xlen(stream)) == length


async def test_entry_whose_consumers_keep_dying_is_dead_lettered_unhandled(
    redis: aioredis.Redis, unique_name: str
) -> None:
    stream = unique_name
    consumer = bus.Consumer(
        redis, stream, GROUP, _never_called, max_deliveries=3, claim_idle_ms=100
    )
    await consumer.ensure_group()
    entry_id = await bus.publish(redis, stream, {"n": 1})
    await redis.xreadgroup(GROUP, "crashed", {stream: ">"})
    # As if three consumers had taken it and died: the delivery counter says so.
    await redis.xclaim(stream, GROUP, "crashed", 0, [entry_id], retrycount=3)
    await asyncio.sleep(0.15)

    assert await consumer.reclaim() == 1
    [(_, fields)] = await read_all(redis, bus.dead_letter_stream(stream))
    assert (fields["original_id"], fields["deliveries"]) == (entry_id, "4")
    assert "no outcome after 3 deliveries" in fields["error"]
    assert await pending(redis, stream) == 0


async def test_reclaim_follows_the_cursor_through_5000_stale_entries(
    redis: aioredis.Redis, unique_name: str
) -> None:
    stream, total = unique_name, 5000
    seen: set[int] = set()

    async def handle(message: bus.Message) -> None:
        assert message.deliveries == 2
        seen.add(message.payload["n"])

    consumer = bus.Consumer(
        redis, stream, GROUP, handle, claim_idle_ms=100, batch=100, concurrency=100
    )
    await consumer.ensure_group()
    await publish_many(redis, stream, total)
    await redis.xreadgroup(GROUP, "dead", {stream: ">"}, count=total)  # all pending there
    assert await pending(redis, stream) == total
    await asyncio.sleep(0.15)

    # One pass, 100 per XAUTOCLAIM call: only following the cursor reaches them all.
    assert await consumer.reclaim() == total
    assert seen == set(range(total))
    assert await pending(redis, stream) == 0


async def test_stop_lets_the_handler_in_flight_finish(
    redis: aioredis.Redis, unique_name: str
) -> None:
    started, finished = asyncio.Event(), asyncio.Event()

    async def handle(message: bus.Message) -> None:
        started.set()
        await asyncio.sleep(0.3)
        finished.set()

    await bus.publish(redis, unique_name, {"n": 1})
    running = Running(bus.Consumer(redis, unique_name, GROUP, handle, block_ms=50))
    async with running:
        await asyncio.wait_for(started.wait(), timeout=10)
    # Stopped mid-handler: it finished and its entry was acknowledged before run returned.
    assert finished.is_set()
    assert await pending(redis, unique_name) == 0


async def test_concurrent_handlers_overlap_up_to_the_limit_and_all_are_acknowledged(
    redis: aioredis.Redis, unique_name: str
) -> None:
    running, most, handled = 0, 0, Counter[int]()

    async def handle(message: bus.Message) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.05)
        running -= 1
        handled[message.payload["n"]] += 1

    await publish_many(redis, unique_name, 40)
    consumer = bus.Consumer(redis, unique_name, GROUP, handle, block_ms=50, concurrency=4)
    async with Running(consumer):
        await eventually(lambda: len(handled) == 40)
        await eventually(lambda: _no_pending(redis, unique_name))
    assert most == 4  # never more than the limit, and the limit is used
    assert handled == Counter(range(40))


async def test_batched_handler_takes_what_was_read_together_and_retries_only_failures(
    redis: aioredis.Redis, unique_name: str
) -> None:
    batches: list[list[int]] = []
    handled = Counter[int]()

    async def handle_many(messages: list[bus.Message]) -> dict[str, Exception]:
        numbers = [message.payload["n"] for message in messages]
        batches.append(numbers)
        failures: dict[str, Exception] = {}
        for message in messages:
            n = message.payload["n"]
            if n in (3, 7) and message.deliveries == 1:
                failures[message.id] = ValueError(f"entry {n} fails once")
            else:
                handled[n] += 1
        return failures

    await publish_many(redis, unique_name, 10)  # all there before the consumer reads
    consumer = bus.Consumer(
        redis,
        unique_name,
        GROUP,
        bus.Batched(handle_many, 4),
        block_ms=50,
        claim_idle_ms=100,
        max_deliveries=3,
    )
    async with Running(consumer):
        await eventually(lambda: len(handled) == 10)
        await eventually(lambda: _no_pending(redis, unique_name))
    # In stream order, at most 4 at a time; then the two failures, retried one by one.
    assert batches == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9], [3], [7]]
    assert handled == Counter(range(10))  # every entry once, the failed ones included
    assert await redis.xlen(bus.dead_letter_stream(unique_name)) == 0


async def _no_pending(redis: aioredis.Redis, stream: str) -> bool:
    return await pending(redis, stream) == 0


async def test_stop_lets_every_concurrent_handler_in_flight_finish(
    redis: aioredis.Redis, unique_name: str
) -> None:
    started: set[int] = set()
    finished: set[int] = set()
    all_started = asyncio.Event()

    async def handle(message: bus.Message) -> None:
        started.add(message.payload["n"])
        if len(started) == 3:
            all_started.set()
        await asyncio.sleep(0.3)
        finished.add(message.payload["n"])

    await publish_many(redis, unique_name, 3)
    consumer = bus.Consumer(redis, unique_name, GROUP, handle, block_ms=50, concurrency=3)
    async with Running(consumer):
        await asyncio.wait_for(all_started.wait(), timeout=10)
    assert finished == {0, 1, 2}
    assert await pending(redis, unique_name) == 0


async def test_stop_leaves_an_overrunning_handler_pending(
    redis: aioredis.Redis, unique_name: str
) -> None:
    started = asyncio.Event()

    async def handle(message: bus.Message) -> None:
        started.set()
        await asyncio.sleep(30)

    await bus.publish(redis, unique_name, {"n": 1})
    consumer = bus.Consumer(redis, unique_name, GROUP, handle, block_ms=50, shutdown_grace_s=0.2)
    began = time.monotonic()
    async with Running(consumer):
        await asyncio.wait_for(started.wait(), timeout=10)
    assert time.monotonic() - began < 5
    assert await pending(redis, unique_name) == 1  # released for another consumer


async def test_stop_while_waiting_for_entries_returns_at_once(
    redis: aioredis.Redis, unique_name: str
) -> None:
    consumer = bus.Consumer(redis, unique_name, GROUP, _never_called, block_ms=10_000)
    async with Running(consumer) as running:
        await asyncio.sleep(0.2)
        began = time.monotonic()
        running.stop.set()
        await asyncio.wait_for(running.task, timeout=5)
    assert time.monotonic() - began < 1


async def test_stream_deleted_under_a_blocked_consumer_is_recreated(
    redis: aioredis.Redis, unique_name: str
) -> None:
    seen: list[dict[str, object]] = []

    async def handler(message: bus.Message) -> None:
        seen.append(message.payload)

    consumer = bus.Consumer(redis, unique_name, GROUP, handler, block_ms=10_000)
    async with Running(consumer):
        await bus.publish(redis, unique_name, {"n": 1})
        await eventually(lambda: len(seen) == 1)
        await asyncio.sleep(0.2)  # blocked on XREADGROUP now
        await redis.delete(unique_name)  # the server answers the blocked read with UNBLOCKED
        await bus.publish(redis, unique_name, {"n": 2})
        await eventually(lambda: len(seen) == 2, within=15)
    assert seen == [{"n": 1}, {"n": 2}]


async def test_embedded_valkey_restart_mid_run_loses_nothing(
    tmp_path: Path, unique_name: str
) -> None:
    embedded = EmbeddedValkey(tmp_path / "data")
    url = embedded.start()
    redis = connect(url)
    stream, first, second = unique_name, 600, 400
    seen: set[int] = set()

    async def handle(message: bus.Message) -> None:
        await asyncio.sleep(0.002)  # slow enough that the restart lands mid-run
        seen.add(message.payload["n"])

    try:
        consumer = bus.Consumer(redis, stream, GROUP, handle, claim_idle_ms=300, block_ms=50)
        await consumer.ensure_group()
        await publish_many(redis, stream, first)
        async with Running(consumer):
            await eventually(lambda: len(seen) >= 100)
            await asyncio.to_thread(embedded.stop)  # SIGTERM; the AOF keeps the stream
            assert not await asyncio.to_thread(ping, url)
            handled_at_restart = len(seen)
            assert await asyncio.to_thread(embedded.start) == url  # same port, same data
            await publish_many(redis, stream, second, start=first)
            await eventually(lambda: len(seen) == first + second)
            await eventually(lambda: _pending_is(redis, stream, 0))
        assert handled_at_restart < first
        assert await redis.xlen(stream) == first + second
    finally:
        await redis.aclose()
        embedded.stop()


async def _pending_is(redis: aioredis.Redis, stream: str, count: int) -> bool:
    return await pending(redis, stream) == count


async def test_once_is_true_only_the_first_time(engine: AsyncEngine) -> None:
    async with session_scope(engine) as session:
        assert await bus.once(session, "match", "task-1") is True
        assert await bus.once(session, "match", "task-1") is False
        assert await bus.once(session, "notify", "task-1") is True
    async with session_scope(engine) as session:
        assert await bus.once(session, "match", "task-1") is False


async def test_dead_letter_callback_sees_the_entry_and_its_error_before_the_move(
    redis: aioredis.Redis, unique_name: str
) -> None:
    stream = unique_name
    dead = bus.dead_letter_stream(stream)
    seen: list[tuple[dict[str, object], int, str, int]] = []

    async def handle(message: bus.Message) -> None:
        raise ValueError(f"boom {message.payload['n']}")

    async def on_dead_letter(message: bus.Message, error: str) -> None:
        seen.append((message.payload, message.deliveries, error, int(await redis.xlen(dead))))
        if len(seen) == 1:  # the first call fails, as if the database were away
            raise RuntimeError("database away")

    await publish_many(redis, stream, 1)
    consumer = bus.Consumer(
        redis,
        stream,
        GROUP,
        handle,
        max_deliveries=2,
        claim_idle_ms=100,
        block_ms=50,
        on_dead_letter=on_dead_letter,
    )
    async with Running(consumer):
        await eventually(lambda: _len_is(redis, dead, 1))

    # The failing callback left the entry pending; the next reclaim ran it again (after
    # the last delivery, so the handler itself was not called a third time).
    assert [(payload, error, moved) for payload, _, error, moved in seen] == [
        ({"n": 0}, "ValueError: boom 0", 0),
        ({"n": 0}, "no outcome after 2 deliveries", 0),
    ]
    assert await pending(redis, stream) == 0
