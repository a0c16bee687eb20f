"""A short-lived, in-process cache of authenticated API keys.

Authenticating a key costs a database round trip; a busy integrator sends the same key
hundreds of times a second. Each process therefore remembers a key it has authenticated
for `settings.api_key_cache_ttl_s` seconds (default 5; 0 turns the cache off).

The bound this puts on revocation: a key revoked, deleted or deactivated by a transaction
committed in this process (the revoke endpoint, a candidate's erasure) stops working at
once, since any committed change to keys or users empties this process's caches; a key
revoked elsewhere (another process, `clearview apikey revoke`, SQL by hand) stops working
within the TTL. Only successful authentications are cached, so a wrong key always reaches
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
from itertools import chain

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from api.identity.schemas import Identity
from core.models import ApiKey, User

# Enough for every key of a large deployment; the oldest entries go first beyond it.
MAX_ENTRIES = 10_000
# Execution option of the one write that changes nothing authentication depends on
# (recording when a key was last used), so it does not empty the caches.
USAGE_ONLY = "clearview_key_usage_only"
# Key in `Session.info`: the open transaction changed keys or users.
_CHANGED = "identity.keys_changed"
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


# --- noting changes to keys and users -----------------------------------------------


@event.listens_for(Session, "after_flush")
def _note_flushed(session: Session, _context: object) -> None:
    if any(isinstance(obj, ApiKey | User) for obj in chain(session.dirty, session.deleted)):
        session.info[_CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state: ORMExecuteState) -> None:
    table = getattr(state.statement, "table", None)
    if (
        (state.is_update or state.is_delete)
        and getattr(table, "name", None) in (ApiKey.__tablename__, User.__tablename__)
        and not state.execution_options.get(USAGE_ONLY, False)
    ):
        state.session.info[_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    # Revocations are rare: forgetting every cached key is simpler than finding which.
    if session.info.pop(_CHANGED, False):
        for cache in list(_caches):
            cache.clear()


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(_CHANGED, None)
