"""The in-process cache of authenticated keys: what it saves, and how soon revocation bites.

The clock is injected, so the TTL bound is tested without sleeping.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import Executable

from api.identity.cache import KeyCache
from api.identity.repository import IdentityRepository
from api.identity.service import identity_service
from clearview.app import build_app
from core.db import session_scope
from core.models import ApiKey, User, utcnow
from core.settings import reset_settings_cache
from tests.plugins.api import MakeKey


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _elsewhere(engine: AsyncEngine, statement: Executable) -> None:
    """A change committed as another process would: no session of this one sees it."""
    async with engine.begin() as conn:
        await conn.execute(statement)


async def _me(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    return (await client.get("/api/v1/me", headers=headers)).status_code


@pytest.fixture
def clock(app: FastAPI) -> FakeClock:
    clock = FakeClock()
    app.state.key_cache = KeyCache(ttl_seconds=5.0, clock=clock)
    return clock


async def test_key_revoked_elsewhere_stops_working_within_the_ttl(
    client: httpx.AsyncClient,
    app: FastAPI,
    clock: FakeClock,
    make_key: MakeKey,
    engine: AsyncEngine,
) -> None:
    key = await make_key()
    assert await _me(client, key.headers) == 200
    assert len(app.state.key_cache) == 1
    # Revoked by another process: nothing in this one hears of it.
    await _elsewhere(
        engine, update(ApiKey).where(ApiKey.id == key.key_id).values(revoked_at=utcnow())
    )
    clock.now += 4.9
    assert await _me(client, key.headers) == 200  # the documented bound: up to the TTL
    clock.now += 0.1
    assert await _me(client, key.headers) == 401
    assert len(app.state.key_cache) == 0


async def test_deactivated_user_stops_working_within_the_ttl(
    client: httpx.AsyncClient, clock: FakeClock, make_key: MakeKey, engine: AsyncEngine
) -> None:
    key = await make_key()
    assert await _me(client, key.headers) == 200
    await _elsewhere(engine, update(User).where(User.id == key.user_id).values(is_active=False))
    assert await _me(client, key.headers) == 200
    clock.now += 5
    assert await _me(client, key.headers) == 401


async def test_key_revoked_through_this_process_stops_at_once(
    client: httpx.AsyncClient, app: FastAPI, clock: FakeClock, make_key: MakeKey
) -> None:
    key, other = await make_key(), await make_key()
    assert await _me(client, key.headers) == 200 and await _me(client, other.headers) == 200
    answer = await client.delete(f"/api/v1/apikeys/{key.key_id}", headers=key.headers)
    assert answer.status_code == 204
    assert await _me(client, key.headers) == 401  # no clock advance
    assert await _me(client, other.headers) == 200


async def test_changes_to_keys_committed_here_empty_the_cache_but_usage_does_not(
    client: httpx.AsyncClient,
    app: FastAPI,
    clock: FakeClock,
    make_key: MakeKey,
    engine: AsyncEngine,
) -> None:
    key = await make_key()
    assert await _me(client, key.headers) == 200
    async with session_scope(engine) as session:
        await IdentityRepository(session).touch_key(key.key_id, utcnow())
    assert len(app.state.key_cache) == 1
    async with session_scope(engine) as session:  # e.g. erasure deleting a user's keys
        await identity_service.delete_key(session, key.key_id)
    assert len(app.state.key_cache) == 0
    assert await _me(client, key.headers) == 401


async def test_failed_authentications_are_not_cached(
    client: httpx.AsyncClient, app: FastAPI, clock: FakeClock, make_key: MakeKey
) -> None:
    key = await make_key()
    forged = {"Authorization": f"Bearer {key.secret[:-4]}AAAA"}
    if key.secret.endswith("AAAA"):
        forged = {"Authorization": f"Bearer {key.secret[:-4]}BBBB"}
    assert [await _me(client, forged) for _ in range(3)] == [401, 401, 401]
    assert len(app.state.key_cache) == 0
    assert await _me(client, key.headers) == 200


async def test_ttl_zero_checks_the_database_every_time(
    make_key: MakeKey, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLEARVIEW_API_KEY_CACHE_TTL_S", "0")
    reset_settings_cache()
    app = build_app()
    key = await make_key()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://clearview.test") as client:
        assert await _me(client, key.headers) == 200
        assert len(app.state.key_cache) == 0
        await _elsewhere(
            engine, update(ApiKey).where(ApiKey.id == key.key_id).values(revoked_at=utcnow())
        )
        assert await _me(client, key.headers) == 401


def test_cache_evicts_its_oldest_entries_beyond_its_size() -> None:
    from api.identity.schemas import Identity
    from core.models import Role

    cache = KeyCache(ttl_seconds=60, max_entries=2)
    for n in range(3):
        cache.put(f"h{n}", Identity(f"k{n}", "u", "o", Role.employer), cache.generation)
    assert len(cache) == 2
    assert cache.get("h0") is None and cache.get("h2") is not None


def test_a_lookup_that_raced_with_a_revocation_is_not_stored() -> None:
    from api.identity.schemas import Identity
    from core.models import Role

    cache = KeyCache(ttl_seconds=60)
    generation = cache.generation  # taken before the database read
    cache.clear()  # a revocation committed meanwhile
    cache.put("h", Identity("k", "u", "o", Role.employer), generation)
    assert len(cache) == 0


async def test_concurrent_requests_with_an_uncached_key_share_one_lookup(
    client: httpx.AsyncClient,
    app: FastAPI,
    clock: FakeClock,
    make_key: MakeKey,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = await make_key()
    lookups: list[str] = []
    authenticate = identity_service.authenticate

    async def counted(session: Any, key: str, *, key_hash: str | None = None) -> Any:
        lookups.append(key)
        await asyncio.sleep(0.05)  # a slow database: the others arrive meanwhile
        return await authenticate(session, key, key_hash=key_hash)

    monkeypatch.setattr(identity_service, "authenticate", counted)
    statuses = await asyncio.gather(*(_me(client, key.headers) for _ in range(20)))
    assert statuses == [200] * 20 and len(lookups) == 1
    clock.now += 6  # expired: the next burst looks it up once more
    statuses = await asyncio.gather(*(_me(client, key.headers) for _ in range(20)))
    assert statuses == [200] * 20 and len(lookups) == 2

    forged = {
        "Authorization": f"Bearer {key.secret[:-4]}{'B' * 4 if key.secret.endswith('AAAA') else 'A' * 4}"
    }
    statuses = await asyncio.gather(*(_me(client, forged) for _ in range(10)))
    assert statuses == [401] * 10 and len(lookups) == 3  # shared, and not cached
    assert await _me(client, forged) == 401 and len(lookups) == 4
