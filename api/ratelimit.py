"""Per-key rate limiting: a fixed window per API key, answering 429 with Retry-After.

The counting lives behind `RateLimitStore`: `RedisRateLimitStore` shares one window per
key across every process of a deployment (services are stateless), and the in-process
`InMemoryRateLimitStore` remains for an app that runs with no Redis at all (tests that
build the app outside `clearview serve`). `rate_limit_store()` picks between them.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from redis.exceptions import NoScriptError, RedisError

from core.errors import RateLimited
from core.redis import RedisUnavailable, get_redis, resolve_url
from core.settings import get_settings

log = logging.getLogger(__name__)

# Keys with a lease held in one process; beyond this the leases are dropped (and re-claimed).
MAX_LEASES = 10_000


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    retry_after: float  # seconds until the window resets


class RateLimitStore(Protocol):
    async def hit(self, key: str, limit: int, window_seconds: float) -> Decision:
        """Count one request for `key` and say whether it fits in the current window."""
        ...


class InMemoryRateLimitStore:
    """Fixed windows in a dict; correct for one process (the embedded mode).

    Each key's window starts at its first request; there is no await between reading and
    writing a counter, so concurrent requests on one event loop cannot lose counts.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic, prune_every: int = 1024):
        self._clock = clock
        self._windows: dict[str, tuple[float, int]] = {}
        self._prune_every = prune_every
        self._hits = 0

    async def hit(self, key: str, limit: int, window_seconds: float) -> Decision:
        now = self._clock()
        start, count = self._windows.get(key, (now, 0))
        if now - start >= window_seconds:
            start, count = now, 0
        count += 1
        self._windows[key] = (start, count)
        self._hits += 1
        if self._hits % self._prune_every == 0:
            self._prune(now, window_seconds)
        retry_after = max(0.0, start + window_seconds - now)
        return Decision(count <= limit, limit, max(0, limit - count), retry_after)

    def _prune(self, now: float, window_seconds: float) -> None:
        # Keys that went quiet would otherwise accumulate for the life of the process.
        expired = [k for k, (start, _) in self._windows.items() if now - start >= window_seconds]
        for key in expired:
            del self._windows[key]


# INCRBY the hits claimed, and start the window on the first claim of it; one round trip,
# atomic on the server. A counter left without a TTL (a PEXPIRE lost to a crash between the
# two writes cannot happen in a script, but a manual SET could) gets one, so no key is
# limited forever.
_HIT_SCRIPT = """
local count = redis.call('INCRBY', KEYS[1], ARGV[2])
if count == tonumber(ARGV[2]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  return {count, tonumber(ARGV[1])}
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""
# Redis names a cached script by the SHA-1 of its text.
_HIT_SHA = hashlib.sha1(_HIT_SCRIPT.encode(), usedforsecurity=False).hexdigest()


@dataclass(slots=True)
class _Lease:
    """Hits of a key's current window this process claimed in Redis and has not used."""

    tokens: int
    count: int  # the window's count in Redis when claimed, plus the tokens used since
    ends_at: float  # the window's end, on this process's clock
    next_size: int


class RedisRateLimitStore:
    """Fixed windows in Redis, shared by every process that serves the same keys.

    Each key is one counter `<prefix><digest of the key>` expiring with its window, so
    Redis holds nothing for quiet keys and Retry-After is the counter's PTTL. The key is
    hashed: whatever a caller passes, no credential ends up in Redis key names.

    A busy key does not cost a round trip per request: a process claims several hits at
    once (INCRBY) and spends them locally. A claim is at most an eighth of what is left of
    the window (and at most `max_lease`), so a process holds a few unused hits only while
    the window is far from full; near the limit claims are single hits, exact across
    processes. The first request of a window always claims one, and a process has one
    claim per key in flight: concurrent requests wait for it and spend what it brought.

    When Redis does not answer (restarted, unreachable, slower than `timeout`) requests
    are allowed: a missed limit for a few seconds is better than refusing all traffic.
    After a failure Redis is left alone for `retry_seconds`, so an outage costs one slow
    request per interval rather than a timeout on every request.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        prefix: str = "cv:rl:",
        timeout: float = 1.0,
        retry_seconds: float = 1.0,
        max_lease: int = 64,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url  # None: the process's resolved Redis (`core.redis.get_redis`)
        self.prefix = prefix
        self._timeout = timeout
        self._retry_seconds = retry_seconds
        self._max_lease = max_lease
        self._clock = clock
        self._down_until: float | None = None  # set while Redis is considered down
        self._leases: dict[str, _Lease] = {}
        self._claiming: dict[str, asyncio.Future[None]] = {}

    def redis_key(self, key: str) -> str:
        return self.prefix + hashlib.blake2b(key.encode(), digest_size=16).hexdigest()

    async def hit(self, key: str, limit: int, window_seconds: float) -> Decision:
        now = self._clock()
        if self._down_until is not None and now < self._down_until:
            return Decision(True, limit, limit, 0.0)
        redis_key = self.redis_key(key)
        while True:
            lease = self._leases.get(redis_key)
            if lease is not None and lease.tokens > 0 and now < lease.ends_at:
                lease.tokens -= 1
                lease.count += 1
                return Decision(True, limit, max(0, limit - lease.count), lease.ends_at - now)
            claiming = self._claiming.get(redis_key)
            if claiming is None:
                break
            # One claim per key at a time: the requests that arrive meanwhile spend it.
            await asyncio.shield(claiming)
            now = self._clock()
        done = asyncio.get_running_loop().create_future()
        self._claiming[redis_key] = done
        try:
            return await self._hit_claiming(redis_key, lease, limit, window_seconds, now)
        finally:
            del self._claiming[redis_key]
            done.set_result(None)

    async def _hit_claiming(
        self, redis_key: str, lease: _Lease | None, limit: int, window_seconds: float, now: float
    ) -> Decision:
        size = lease.next_size if lease is not None and now < lease.ends_at else 1
        window_ms = max(1, round(window_seconds * 1000))
        try:
            async with asyncio.timeout(self._timeout):
                total, ttl_ms = await self._claim(redis_key, window_ms, size)
        except (RedisError, RedisUnavailable, OSError, TimeoutError) as exc:
            self._mark_down(exc)
            return Decision(True, limit, limit, 0.0)
        if self._down_until is not None:
            self._down_until = None
            log.info("rate limiting: Redis answers again; limits apply")
        # The claimed hits that fit in the limit; this request is the first of them.
        granted = min(size, max(0, limit - (total - size)))
        count = total - size + 1
        if redis_key not in self._leases and len(self._leases) >= MAX_LEASES:
            self._prune(now)
        self._leases[redis_key] = _Lease(
            tokens=max(0, granted - 1),
            count=count,
            ends_at=now + ttl_ms / 1000,
            next_size=max(1, min(self._max_lease, (limit - count) // 8)),
        )
        return Decision(granted > 0, limit, max(0, limit - count), ttl_ms / 1000)

    def _prune(self, now: float) -> None:
        """Forget leases of ended windows; if the keys are all busy, every lease (their
        unused hits stay counted in Redis until the window ends)."""
        ended = [k for k, lease in self._leases.items() if lease.ends_at <= now]
        for redis_key in ended:
            del self._leases[redis_key]
        if len(self._leases) >= MAX_LEASES:
            self._leases.clear()

    async def _claim(self, redis_key: str, window_ms: int, hits: int) -> tuple[int, int]:
        """Add `hits` to the key's window; its count after them and its time left (ms)."""
        client = get_redis(self.url)
        try:
            result = await client.evalsha(_HIT_SHA, 1, redis_key, window_ms, hits)
        except NoScriptError:  # a restarted (or another) server: EVAL caches it again
            result = await client.eval(_HIT_SCRIPT, 1, redis_key, window_ms, hits)
        total, ttl_ms = result
        return int(total), int(ttl_ms)

    def _mark_down(self, exc: BaseException) -> None:
        if self._down_until is None:
            # Once per outage, and only the error's type: a message may carry the URL.
            log.warning(
                "rate limiting: Redis unavailable (%s); allowing requests until it answers",
                type(exc).__name__,
            )
        self._down_until = self._clock() + self._retry_seconds


def rate_limit_store() -> RateLimitStore:
    """The shared Redis store when this process has a Redis (always under `clearview
    serve`: a configured URL or the embedded Valkey), else a store of this process."""
    try:
        resolve_url()
    except RedisUnavailable:
        return InMemoryRateLimitStore()
    return RedisRateLimitStore()


class RateLimiter:
    """Applies `settings.rate_limit_per_minute` per key; read at each call so tests and
    operators can change it without rebuilding the app."""

    window_seconds = 60.0

    def __init__(self, store: RateLimitStore | None = None) -> None:
        self.store: RateLimitStore = store or InMemoryRateLimitStore()

    async def check(self, key: str) -> None:
        limit = get_settings().rate_limit_per_minute
        decision = await self.store.hit(key, limit, self.window_seconds)
        if not decision.allowed:
            retry = max(1, math.ceil(decision.retry_after))
            raise RateLimited(
                f"more than {limit} requests per minute with this key; retry in {retry} s",
                headers={
                    "Retry-After": str(retry),
                    "X-RateLimit-Limit": str(limit),
                    "X-RateLimit-Remaining": "0",
                },
            )
