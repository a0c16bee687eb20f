"""What a background worker is, and how a stream worker runs.

A stream worker is a thin handler over one stream: decode, open a session, call a
service, return (the bus acknowledges). Which workers exist, and what each is built
from, is decided by the composition root (`clearview.workers`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from dataclasses import dataclass
from typing import Any

from core import bus
from core.process import freeze_start_up_heap
from core.redis import get_redis
from core.settings import get_settings


@dataclass(frozen=True)
class WorkerSpec:
    name: str
    description: str
    # Builds the worker's long-running coroutine; it returns once `stop` is set.
    run: Callable[[asyncio.Event], Coroutine[Any, Any, None]]
    # Mostly computing (matching, embedding, rendering): in its own process it runs at
    # `settings.cpu_worker_nice`, so it yields the CPU to requests and notifications.
    cpu_heavy: bool = False


@dataclass(frozen=True)
class StreamHandlers:
    """What a stream worker does with its entries."""

    # One entry at a time, or the entries read together (a `bus.Batched`).
    handle: bus.Handler | bus.Batched
    on_dead_letter: bus.DeadLetterHandler | None = None
    # One-off set-up before the first entry (open the vector index, say).
    prepare: Callable[[], Awaitable[None]] | None = None
    # What the handlers use for as long as the worker runs (a client, a connection).
    resources: Callable[[], AbstractAsyncContextManager[None]] | None = None


def batched(
    handle_many: Callable[[list[bus.Message]], Awaitable[dict[str, Exception]]],
) -> bus.Batched:
    """A handler taking the entries read together, up to the configured batch size."""
    return bus.Batched(handle_many, get_settings().stream_batch_size)


async def consume(stop: asyncio.Event, name: str, stream: str, handlers: StreamHandlers) -> None:
    """Consume `stream` in the consumer group `name` until `stop` is set."""
    settings = get_settings()
    await bus.consume(
        get_redis(),
        stream,
        name,
        handlers.handle,
        stop=stop,
        max_deliveries=settings.stream_max_deliveries,
        claim_idle_ms=settings.stream_claim_idle_ms,
        on_dead_letter=handlers.on_dead_letter,
        concurrency=settings.stream_concurrency,
    )


def stream_worker(
    name: str,
    stream: str,
    description: str,
    build: Callable[[], StreamHandlers],
    *,
    cpu_heavy: bool = False,
) -> WorkerSpec:
    """A worker consuming `stream` in the consumer group `name`, with the handlers `build`
    makes when the worker starts (so listing workers builds nothing)."""

    async def run(stop: asyncio.Event) -> None:
        handlers = build()
        async with AsyncExitStack() as stack:
            if handlers.resources is not None:
                await stack.enter_async_context(handlers.resources())
            if handlers.prepare is not None:
                await handlers.prepare()
            freeze_start_up_heap()
            await consume(stop, name, stream, handlers)

    return WorkerSpec(name, description, run, cpu_heavy)
