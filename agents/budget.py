"""Per-user daily LLM token budget and the response cache, both kept in Redis so every
process of an install (and every restart) shares them.

Only LLM mode uses them: the offline model costs nothing. When Redis cannot be reached the
turn still runs (a chat that stops because a counter is down helps no one), without cache
and with the budget unchecked; the failure is logged.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from datetime import UTC, datetime

import redis.asyncio as aioredis
from langchain_core.messages import AIMessage, BaseMessage, message_to_dict, messages_from_dict
from redis.exceptions import RedisError

from core.redis import RedisUnavailable, get_redis

log = logging.getLogger(__name__)

PREFIX = "cv:agent"
DAY_SECONDS = 86_400


def _client() -> aioredis.Redis | None:
    try:
        return get_redis()
    except RedisUnavailable:
        log.warning("no Redis for the LLM budget and cache; running without them")
        return None


def _day_key(user_id: str, now: datetime | None = None) -> str:
    day = (now or datetime.now(UTC)).strftime("%Y%m%d")
    return f"{PREFIX}:tokens:{user_id}:{day}"


class TokenBudget:
    """Tokens a user spent today (UTC), against `limit` (0: unlimited)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    async def spent(self, user_id: str) -> int:
        client = _client()
        if client is None:
            return 0
        try:
            return int(await client.get(_day_key(user_id)) or 0)
        except RedisError:
            log.warning("LLM budget unreadable; not enforced for this turn", exc_info=True)
            return 0

    async def exhausted(self, user_id: str) -> bool:
        return self.limit > 0 and await self.spent(user_id) >= self.limit

    async def spend(self, user_id: str, tokens: int) -> None:
        client = _client()
        if client is None or tokens <= 0:
            return
        key = _day_key(user_id)
        try:
            async with client.pipeline(transaction=True) as pipe:
                pipe.incrby(key, tokens)
                pipe.expire(key, 2 * DAY_SECONDS)
                await pipe.execute()
        except RedisError:
            log.warning("LLM budget not updated", exc_info=True)


def cache_key(model: str, messages: Sequence[BaseMessage], tool_names: Sequence[str]) -> str:
    """Same model, same (masked) conversation, same tools: the same answer."""
    # Message ids are random per turn; what the model reads is type, text and tool calls.
    readable = [
        [m.type, m.content, getattr(m, "tool_calls", None), getattr(m, "tool_call_id", None)]
        for m in messages
    ]
    payload = json.dumps(
        {"model": model, "tools": sorted(tool_names), "messages": readable},
        sort_keys=True,
        default=str,
    )
    return f"{PREFIX}:cache:{hashlib.sha256(payload.encode()).hexdigest()}"


class ResponseCache:
    def __init__(self, ttl_s: int) -> None:
        self.ttl_s = ttl_s

    async def get(self, key: str) -> AIMessage | None:
        client = _client()
        if client is None or self.ttl_s <= 0:
            return None
        try:
            raw = await client.get(key)
        except RedisError:
            log.warning("LLM cache unreadable", exc_info=True)
            return None
        if raw is None:
            return None
        message = messages_from_dict([json.loads(raw)])[0]
        # A fresh id: the checkpointed thread must not see the cached message replace the
        # earlier one it was copied from.
        return AIMessage(content=message.content, tool_calls=getattr(message, "tool_calls", []))

    async def put(self, key: str, message: AIMessage) -> None:
        client = _client()
        if client is None or self.ttl_s <= 0:
            return
        try:
            await client.set(key, json.dumps(message_to_dict(message)), ex=self.ttl_s)
        except RedisError:
            log.warning("LLM cache not written", exc_info=True)
