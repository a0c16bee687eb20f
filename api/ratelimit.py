"""Per-key rate limiting: a fixed window per API key, answering 429 with Retry-After.

The counting lives behind `RateLimitStore`, so the in-process store used by one process
can be swapped for a shared (Redis) store when several processes serve the same keys.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from core.errors import RateLimited
from core.settings import get_settings


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
