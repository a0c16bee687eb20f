"""Typed reads of a stream for assertions (redis-py's own annotations are loose)."""

from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis


async def read_all(redis: aioredis.Redis, stream: str) -> list[tuple[str, dict[str, str]]]:
    """Every entry of `stream`, oldest first, as (id, fields)."""
    entries: Any = await redis.xrange(stream)
    return [(entry_id, dict(fields)) for entry_id, fields in entries]
