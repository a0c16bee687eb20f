"""A per-process cache of job reads (`GET /api/v1/jobs/{id}`), invalidated through Redis.

Integrators poll single jobs far more often than jobs change, and each read costs database
round trips. Each serving process keeps the JSON of jobs it has read, keyed by job id
and stored with the organisation it belongs to: a hit is served only to a caller of that
organisation, so tenancy holds exactly as in the SQL.

Staying correct when several processes serve and change jobs:

- Every change of jobs goes through the jobs service, whose orchestration (`api.flows`)
  calls `jobs_changed`; after the commit, `publish_changes` drops the entries in this
  process at once and publishes the ids on a Redis channel before the writer's response
  is sent. Every process's listener drops them on receipt.
- Entries are stored and served only while this process's subscription is confirmed;
  when the connection to Redis drops, the cache empties and stays off until it is back
  (no Redis at all: no caching). A message lost in a dying connection is thus covered.
- A read that raced with a change (row loaded before the change, stored after the
  invalidation arrived) is not stored: each fill carries the invalidation generation it
  started under, and any invalidation in between voids it.
- What remains is the delay of Redis pub/sub delivery (normally well under a
  millisecond on one network) between a commit in one process and the eviction in
  another; and, as a last bound for a change no listener heard of (a writer that could
  not reach Redis, an operator's SQL), entries expire after
  `settings.job_read_cache_ttl_s` (0 turns the cache off).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable

from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import after_commit
from core.redis import (
    RedisUnavailable,
    bounded,
    connect,
    get_redis,
    outage_left,
    resolve_url,
)
from core.settings import get_settings

log = logging.getLogger(__name__)

CHANNEL = "clearview:jobs:changed"
EVERY_JOB = "*"
MAX_ENTRIES = 10_000
# How long to wait before trying Redis again after the listener could not start or died.
RETRY_SECONDS = 5.0

# Key in `Session.info`: job ids changed in the open transaction.
_CHANGED = "jobs.changed"


class JobReadCache:
    def __init__(
        self,
        channel: str = CHANNEL,
        ttl_seconds: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = MAX_ENTRIES,
    ) -> None:
        self.channel = channel
        self._ttl = ttl_seconds  # None: read from settings when the listener starts
        self._clock = clock
        self._max_entries = max_entries
        self._entries: OrderedDict[str, tuple[float, str, bytes, bool]] = OrderedDict()
        self.generation = 0
        self.live = False
        self._task: asyncio.Task[None] | None = None
        self._retry_at = 0.0

    # --- reads ----------------------------------------------------------------------

    def get(self, org_id: str, job_id: str, *, published_only: bool = False) -> bytes | None:
        """The cached JSON of `job_id` if it belongs to `org_id` and is fresh (and
        published, for a reader who sees published jobs only)."""
        self.ensure_listening()
        return self.lookup(org_id, job_id, published_only=published_only)

    def lookup(self, org_id: str, job_id: str, *, published_only: bool = False) -> bytes | None:
        """`get` without starting the listener."""
        entry = self._entries.get(job_id) if self.live else None
        if entry is None:
            return None
        expires, owner, body, published = entry
        if owner != org_id or (published_only and not published):
            return None  # not this caller's to see: the database answers (404)
        if self._clock() >= expires:
            del self._entries[job_id]
            return None
        return body

    def fill_token(self) -> int | None:
        """Taken before reading the database; `put` stores only if nothing changed since."""
        return self.generation if self.live else None

    def put(
        self, token: int | None, org_id: str, job_id: str, body: bytes, *, published: bool = True
    ) -> None:
        ttl = self.ttl_seconds
        if token is None or token != self.generation or not self.live or ttl <= 0:
            return
        self._entries[job_id] = (self._clock() + ttl, org_id, body, published)
        self._entries.move_to_end(job_id)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    @property
    def ttl_seconds(self) -> float:
        if self._ttl is None:
            self._ttl = get_settings().job_read_cache_ttl_s
        return self._ttl

    def __len__(self) -> int:
        return len(self._entries)

    # --- invalidation ---------------------------------------------------------------

    def invalidate(self, job_ids: Iterable[str]) -> None:
        self.generation += 1
        for job_id in job_ids:
            if job_id == EVERY_JOB:
                self._entries.clear()
                return
            self._entries.pop(job_id, None)

    def _off(self) -> None:
        self.live = False
        self.generation += 1
        self._entries.clear()

    def ensure_listening(self) -> None:
        """Start this loop's listener when there is none (cheap when there is one)."""
        task = self._task
        if task is not None and not task.done() and task.get_loop() is asyncio.get_running_loop():
            return
        now = time.monotonic()
        if now < self._retry_at:
            return
        self._retry_at = now + RETRY_SECONDS
        self._off()
        try:
            url = resolve_url()
        except RedisUnavailable:
            return  # no Redis in this process: no cross-process invalidation, no cache
        self._ttl = None  # re-read, so a settings change applies from the next start
        self._task = asyncio.get_running_loop().create_task(self._listen(url))

    async def _listen(self, url: str) -> None:
        client = connect(url)
        pubsub = client.pubsub()
        try:
            await pubsub.subscribe(self.channel)
            async for message in pubsub.listen():
                if message["type"] == "subscribe":
                    # Only from here on is every invalidation heard: start empty.
                    self._off()
                    self.live = True
                elif message["type"] == "message":
                    self.invalidate(str(message["data"]).split(","))
        except (RedisError, OSError) as exc:
            log.warning("job read cache off until Redis answers again (%s)", type(exc).__name__)
        finally:
            self._off()
            try:
                await pubsub.aclose()
                await client.aclose()
            except (RedisError, OSError):
                pass  # the connection is already gone


job_reads = JobReadCache()


# --- changes -----------------------------------------------------------------------


async def publish_changes(session: AsyncSession, cache: JobReadCache | None = None) -> None:
    """After a commit: drop the changed jobs here, and tell every other process."""
    changed: set[str] | None = session.info.pop(_CHANGED, None)
    if not changed:
        return
    cache = cache or job_reads
    ids = sorted(changed)
    cache.invalidate(ids)
    if outage_left():
        log.warning("job read cache: change not published (Redis is not answering)")
        return
    try:
        async with bounded():
            await get_redis().publish(cache.channel, ",".join(ids))
    except RedisUnavailable:
        pass  # no Redis: no process caches (see `ensure_listening`)
    except (RedisError, OSError) as exc:
        log.warning("job read cache: change not published (%s)", type(exc).__name__)


def jobs_changed(session: AsyncSession, job_ids: Iterable[str]) -> None:
    """Drop these jobs from every process's cache once the transaction commits."""
    session.info.setdefault(_CHANGED, set()).update(job_ids)
    after_commit(session, publish_changes)
