"""Which workers exist, and how to run them: in their own process (`clearview worker NAME`)
or all inside `clearview serve`.

A stream worker is a thin `Handler` over one stream: decode, open a session, call a
service, return (the bus acknowledges). Each module registers its `WorkerSpec` in
`WORKERS`; the outbox relay is a worker too, so a distributed deployment can run it alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any
from dataclasses import dataclass

from core import bus, outbox
from core.db import get_engine
from core.redis import get_redis
from core.settings import get_settings


@dataclass(frozen=True)
class WorkerSpec:
    name: str
    description: str
    # Builds the worker's long-running coroutine; it returns once `stop` is set.
    run: Callable[[asyncio.Event], Coroutine[Any, Any, None]]


def stream_worker(name: str, stream: str, handler: bus.Handler, description: str) -> WorkerSpec:
    """A worker consuming `stream` in the consumer group `name`."""

    async def run(stop: asyncio.Event) -> None:
        settings = get_settings()
        await bus.consume(
            get_redis(),
            stream,
            name,
            handler,
            stop=stop,
            max_deliveries=settings.stream_max_deliveries,
            claim_idle_ms=settings.stream_claim_idle_ms,
        )

    return WorkerSpec(name, description, run)


async def _relay(stop: asyncio.Event) -> None:
    await outbox.relay(get_redis(), get_engine(), stop)


WORKERS: dict[str, WorkerSpec] = {
    "outbox": WorkerSpec(
        "outbox", "publish committed events a crashed process left behind", _relay
    ),
}


def start_all(stop: asyncio.Event) -> list[asyncio.Task[None]]:
    """Every registered worker as a task of the running loop (`clearview serve`)."""
    return [
        asyncio.create_task(spec.run(stop), name=f"worker-{name}") for name, spec in WORKERS.items()
    ]
