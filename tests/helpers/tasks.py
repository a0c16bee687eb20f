"""Driving streams by hand in the task, worker and report tests: hand a stream's entries
to a handler as a consumer would, and read what a task published."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from core import bus
from core.db import session_scope
from core.models import OutboxEvent
from core.redis import connect


def is_task_entry(payload: dict[str, Any]) -> bool:
    return "task_id" in payload


async def drain(
    url: str,
    stream: str,
    handler: bus.Handler,
    selected: Callable[[dict[str, Any]], bool] = is_task_entry,
) -> int:
    """Hand every `selected` entry of `stream` to `handler`, as a consumer would; returns
    how many. By default only task entries: the job alert batches that share `cv:match`
    are left out (their tests select them instead)."""
    client = connect(url)
    entries = await client.xrange(stream) or []
    await client.aclose()
    handled = 0
    for entry_id, fields in entries:
        assert fields is not None
        payload = json.loads(fields[bus.FIELD])
        if selected(payload):
            await handler(bus.Message(stream, str(entry_id), payload, 1))
            handled += 1
    return handled


async def task_events(engine: AsyncEngine, stream: str) -> list[dict[str, Any]]:
    """The payloads of the outbox rows for `stream` that stand for a task."""
    async with session_scope(engine) as session:
        rows = await session.scalars(
            select(OutboxEvent.payload).where(OutboxEvent.stream == stream)
        )
        return [payload for payload in rows.all() if payload and "task_id" in payload]


async def pubsub_messages(pubsub: Any, wait_s: float = 0.5) -> list[str]:
    """What arrived on the subscription within `wait_s` (subscribe confirmations skipped:
    `get_message` answers None for those, so the loop runs on the clock)."""
    out: list[str] = []
    deadline = asyncio.get_running_loop().time() + wait_s
    while asyncio.get_running_loop().time() < deadline:
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.1)
        if message is not None:
            data = message["data"]
            out.append(data.decode() if isinstance(data, bytes) else data)
    return out
