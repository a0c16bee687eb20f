"""A short-lived, in-process cache of authenticated API keys.

Authenticating a key costs a database round trip; a busy integrator sends the same key
hundreds of times a second. Each process therefore remembers a key it has authenticated
for `settings.api_key_cache_ttl_s` seconds (default 5; 0 turns the cache off).

The bound this puts on revocation: a key revoked, deleted or deactivated by a transaction
committed in this process (the revoke endpoint, a candidate's erasure) stops working at
once, since every such change calls `keys_changed`, which empties this process's caches
when it commits; a key revoked elsewhere (another process, `clearview apikey revoke`, SQL
by hand) stops working within the TTL. Only successful authentications are cached, so a wrong key always reaches
the database and gets its 401 there.

Entries are keyed by the key's HMAC (never by the secret itself), so the process holds no
usable key material beyond what the request already carried.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession

from api.identity.schemas import Identity
from core.db import after_commit

# Enough for every key of a large deployment; the oldest entries go first beyond it.
MAX_ENTRIES = 10_000
_caches: weakref.WeakSet[KeyCache] = weakref.WeakSet()


class KeyCache:
    def __init__(
        self,
        ttl_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = MAX_ENTRIES,
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._max_entries = max_entries
        self._entries: OrderedDict[str, tuple[float, Identity]] = OrderedDict()
        # Bumped by `clear`: a lookup that raced with a revocation is not stored.
        self.generation = 0
        # Database lookups in flight, by key hash (`IdentityService.authenticate_cached`).
        self.lookups: dict[str, asyncio.Future[Identity]] = {}
        _caches.add(self)

    def get(self, key_hash: str) -> Identity | None:
        """The identity cached for this key hash, unless absent or expired."""
        entry = self._entries.get(key_hash)
        if entry is None:
            return None
        expires, identity = entry
        if self._clock() >= expires:
            del self._entries[key_hash]
            return None
        return identity

    def put(self, key_hash: str, identity: Identity, generation: int) -> None:
        """Store what was read from the database since `generation` was taken."""
        if self.ttl_seconds <= 0 or generation != self.generation:
            return
        self._entries[key_hash] = (self._clock() + self.ttl_seconds, identity)
        self._entries.move_to_end(key_hash)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self.generation += 1
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


# --- changes to keys and users ------------------------------------------------------


async def _clear_all(_session: AsyncSession) -> None:
    # Revocations are rare: forgetting every cached key is simpler than finding which.
    for cache in list(_caches):
        cache.clear()


def keys_changed(session: AsyncSession) -> None:
    """Forget every key this process has cached once the transaction commits: it revoked,
    deleted or deactivated keys or users."""
    after_commit(session, _clear_all)
