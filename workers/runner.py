"""Which workers exist, and how to run them: in their own process (`clearview worker NAME`)
or all inside `clearview serve`.

A stream worker is a thin `Handler` over one stream: decode, open a session, call a
service, return (the bus acknowledges). Each module registers its `WorkerSpec` in
`WORKERS`; the outbox relay is a worker too, so a distributed deployment can run it alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from api.wiring import wire_services
from core import bus, outbox
from core.db import get_engine
from core.redis import get_redis
from core.serve import freeze_start_up_heap
from core.settings import get_settings
from workers import webhooks


@dataclass(frozen=True)
class WorkerSpec:
    name: str
    description: str
    # Builds the worker's long-running coroutine; it returns once `stop` is set.
    run: Callable[[asyncio.Event], Coroutine[Any, Any, None]]
    # Mostly computing (matching, embedding, rendering): in its own process it runs at
    # `settings.cpu_worker_nice`, so it yields the CPU to requests and notifications.
    cpu_heavy: bool = False


def stream_worker(
    name: str,
    stream: str,
    handler: bus.Handler | bus.Batched,
    description: str,
    on_dead_letter: bus.DeadLetterHandler | None = None,
) -> WorkerSpec:
    """A worker consuming `stream` in the consumer group `name`."""

    async def run(stop: asyncio.Event) -> None:
        settings = get_settings()
        wire_services()  # a worker changes data too: the services' hooks must fire
        await bus.consume(
            get_redis(),
            stream,
            name,
            handler,
            stop=stop,
            max_deliveries=settings.stream_max_deliveries,
            claim_idle_ms=settings.stream_claim_idle_ms,
            on_dead_letter=on_dead_letter,
            concurrency=settings.stream_concurrency,
        )

    return WorkerSpec(name, description, run)


def module_worker(
    name: str, stream: str, module: str, description: str, *, cpu_heavy: bool = False
) -> WorkerSpec:
    """A stream worker whose `handle` or `handle_many` (and optional `on_dead_letter`,
    `prepare`) live in `module`, imported only when the worker starts: listing workers
    loads no service code."""

    async def run(stop: asyncio.Event) -> None:
        loaded = import_module(module)
        prepare = getattr(loaded, "prepare", None)  # one-off set-up before any entry
        if prepare is not None:
            await prepare()
        freeze_start_up_heap()
        # A module with `handle_many` takes the entries read together in one call.
        handle_many = getattr(loaded, "handle_many", None)
        handler = (
            loaded.handle
            if handle_many is None
            else bus.Batched(handle_many, get_settings().stream_batch_size)
        )
        spec = stream_worker(
            name, stream, handler, description, getattr(loaded, "on_dead_letter", None)
        )
        await spec.run(stop)

    return WorkerSpec(name, description, run, cpu_heavy)


async def _relay(stop: asyncio.Event) -> None:
    await outbox.relay(get_redis(), get_engine(), stop)


WORKERS: dict[str, WorkerSpec] = {
    "outbox": WorkerSpec(
        "outbox", "publish committed events a crashed process left behind", _relay
    ),
    "webhooks": WorkerSpec("webhooks", webhooks.DESCRIPTION, webhooks.run),
    "index": module_worker(
        "index", bus.INDEX, "workers.index", "re-index a resume or a batch of jobs", cpu_heavy=True
    ),
    "match": module_worker(
        "match",
        bus.MATCH,
        "workers.match",
        "rank jobs or candidates; job alerts for new jobs",
        cpu_heavy=True,
    ),
    "rewrite": module_worker(
        "rewrite",
        bus.REWRITE,
        "workers.rewrite",
        "rewrite a resume for a job as a new version",
        cpu_heavy=True,
    ),
    "report": module_worker(
        "report",
        bus.REPORT,
        "workers.report",
        "generate a long report for download",
        cpu_heavy=True,
    ),
    "notify": module_worker(
        "notify", bus.NOTIFY, "workers.notify", "tell the chat session its task finished"
    ),
}


def start_all(stop: asyncio.Event) -> list[asyncio.Task[None]]:
    """Every registered worker as a task of the running loop (`clearview serve`)."""
    return [
        asyncio.create_task(spec.run(stop), name=f"worker-{name}") for name, spec in WORKERS.items()
    ]
