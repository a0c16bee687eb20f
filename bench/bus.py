"""Throughput of the event bus next to a bare redis-py loop, in the same run.

    .venv/bin/python bench/bus.py [--redis-url redis://127.0.0.1:6379/0] [--messages 20000]

Without `--redis-url` it runs on an embedded Valkey of its own (a temporary directory).

For 1 and 2 consumer processes, one publisher sends `--messages` small payloads while
the consumers read, decode and acknowledge them; the clock runs from the first publish to
the moment the group has read everything and nothing is pending. A second table times the
consumers alone, draining a backlog published beforehand (the publisher, one awaited
XADD at a time, is otherwise the bottleneck of both loops). "bare" is the plain
XADD / XREADGROUP / XACK loop; "bus" is `core.bus.publish` and `core.bus.Consumer` with a
no-op handler. Target: the bus keeps >= 0.5x the bare loop's throughput.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis

from core import bus
from core.redis import EmbeddedValkey, connect

GROUP = "bench"
BATCH = 100


async def bare_consumer(redis: aioredis.Redis, stream: str, name: str, stop: asyncio.Event) -> None:
    while not stop.is_set():
        reply: Any = await redis.xreadgroup(GROUP, name, {stream: ">"}, count=BATCH, block=100)
        for _, entries in reply:
            for entry_id, fields in entries:
                json.loads(fields[bus.FIELD])
                await redis.xack(stream, GROUP, entry_id)


async def bus_consumer(redis: aioredis.Redis, stream: str, name: str, stop: asyncio.Event) -> None:
    async def handle(message: bus.Message) -> None:
        pass

    await bus.Consumer(redis, stream, GROUP, handle, name=name, batch=BATCH, block_ms=100).run(stop)


async def consumer_process(mode: str, url: str, stream: str, name: str) -> None:
    """Entry point of one consumer process: report ready, wait for "go", consume until SIGTERM."""
    redis = connect(url)
    await redis.ping()
    stop = asyncio.Event()
    bus.stop_on_signals(stop)
    print("ready", flush=True)
    await asyncio.to_thread(sys.stdin.readline)  # "go": every consumer starts at once
    run = bare_consumer if mode == "bare" else bus_consumer
    await run(redis, stream, name, stop)
    await redis.aclose()


async def publish_all(redis: aioredis.Redis, mode: str, stream: str, count: int) -> None:
    for n in range(count):
        payload = {"task_id": f"{n:032x}", "kind": "match"}
        if mode == "bare":
            await redis.xadd(stream, {bus.FIELD: json.dumps(payload)})
        else:
            await bus.publish(redis, stream, payload)


async def spawn_consumer(mode: str, url: str, stream: str, name: str) -> asyncio.subprocess.Process:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--consume", mode, url, stream, name,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None
    assert await proc.stdout.readline() == b"ready\n"
    return proc


async def one_run(url: str, mode: str, consumers: int, count: int, *, backlog: bool) -> float:
    """Messages per second for one configuration.

    backlog=False: publish while the consumers run; the clock covers publish -> ack.
    backlog=True: publish first, then time only how fast the consumers drain the stream.
    """
    redis = connect(url)
    stream = f"bench:{uuid.uuid4().hex[:8]}"
    await redis.xgroup_create(stream, GROUP, id="0", mkstream=True)
    procs: list[asyncio.subprocess.Process] = []
    try:
        if backlog:
            await publish_all(redis, mode, stream, count)
        for i in range(consumers):
            procs.append(await spawn_consumer(mode, url, stream, f"c{i}"))
        began = time.perf_counter()
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write(b"go\n")
        if not backlog:
            await publish_all(redis, mode, stream, count)
        while True:
            [info] = await redis.xinfo_groups(stream)
            if info["entries-read"] == count and info["pending"] == 0:
                break
            await asyncio.sleep(0.005)
        return count / (time.perf_counter() - began)
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
            await proc.wait()
        await redis.delete(stream)
        await redis.aclose()


async def main(url: str, count: int, repeat: int) -> None:
    print(f"{count} messages per run, median of {repeat} runs, {url}")
    for backlog, title in ((False, "publish -> consume -> ack"), (True, "drain a backlog")):
        print(f"\n{title}")
        print(f"{'consumers':>9} | {'bare msg/s':>10} | {'bus msg/s':>10} | {'bus/bare':>8}")
        print(f"{'-' * 9} | {'-' * 10} | {'-' * 10} | {'-' * 8}")
        for consumers in (1, 2):
            rates: dict[str, list[float]] = {"bare": [], "bus": []}
            for _ in range(repeat):  # alternate, so drifts in machine load hit both alike
                for mode in rates:
                    rate = await one_run(url, mode, consumers, count, backlog=backlog)
                    rates[mode].append(rate)
            bare, on_bus = statistics.median(rates["bare"]), statistics.median(rates["bus"])
            print(f"{consumers:>9} | {bare:>10,.0f} | {on_bus:>10,.0f} | {on_bus / bare:>7.2f}x")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--consume"]:
        asyncio.run(consumer_process(*sys.argv[2:6]))
    else:
        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument("--redis-url", help="use this Redis instead of an embedded Valkey")
        parser.add_argument("--messages", type=int, default=20_000)
        parser.add_argument("--repeat", type=int, default=2)
        args = parser.parse_args()
        if args.redis_url:
            asyncio.run(main(args.redis_url, args.messages, args.repeat))
        else:
            with tempfile.TemporaryDirectory(prefix="cv-bench-bus-") as tmp:
                valkey = EmbeddedValkey(Path(tmp))
                try:
                    asyncio.run(main(valkey.start(), args.messages, args.repeat))
                finally:
                    valkey.stop()
