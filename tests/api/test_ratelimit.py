"""Rate limits shared through Redis: every process serving a key counts against one window,
and a Redis outage lets requests through instead of failing them."""

from __future__ import annotations

import asyncio
import logging
import random
import socket
from pathlib import Path

import httpx
import pytest
import redis.asyncio as aioredis
from fastapi import FastAPI

from api.ratelimit import (
    InMemoryRateLimitStore,
    RateLimiter,
    RedisRateLimitStore,
    rate_limit_store,
)
from clearview.app import build_app
from core.redis import EmbeddedValkey, close_clients, get_redis
from core.settings import reset_settings_cache
from tests.plugins.api import MakeKey


def _app_on_redis(prefix: str) -> FastAPI:
    app = build_app()
    store = app.state.rate_limiter.store
    assert isinstance(store, RedisRateLimitStore), "an app with Redis must share its limits"
    store.prefix = prefix  # this test's own keys on the shared Redis
    return app


def _dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def test_store_is_redis_whenever_redis_is_configured(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert isinstance(rate_limit_store(), InMemoryRateLimitStore)  # no URL, no embedded
    monkeypatch.setenv("CLEARVIEW_REDIS_URL", redis_url)
    reset_settings_cache()
    assert isinstance(rate_limit_store(), RedisRateLimitStore)


async def test_two_apps_share_one_limit(
    make_key: MakeKey, redis_url: str, unique_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLEARVIEW_REDIS_URL", redis_url)
    monkeypatch.setenv("CLEARVIEW_RATE_LIMIT_PER_MINUTE", "3")
    reset_settings_cache()
    prefix = f"cv:rl:{unique_name}:"
    key = await make_key()
    first, second = _app_on_redis(prefix), _app_on_redis(prefix)
    clients = [
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://cv.test")
        for app in (first, second)
    ]
    try:
        statuses = [
            (await clients[i % 2].get("/api/v1/me", headers=key.headers)).status_code
            for i in range(4)
        ]
        assert statuses == [200, 200, 200, 429]  # the 4th across both apps is refused
        limited = await clients[0].get("/api/v1/me", headers=key.headers)
        assert limited.status_code == 429 and limited.json()["error"] == "rate_limited"
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert limited.headers["x-ratelimit-limit"] == "3"
    finally:
        for client in clients:
            await client.aclose()
        await close_clients()

    inspect = aioredis.Redis.from_url(redis_url, decode_responses=True)
    try:
        names = [name async for name in inspect.scan_iter(f"{prefix}*")]
        assert len(names) == 1  # one counter per key, whichever process counted
        assert key.secret not in names[0] and key.key_id not in names[0]
        assert 0 < await inspect.pttl(names[0]) <= 60_000  # expires with its window
        await inspect.delete(*names)
    finally:
        await inspect.aclose()


async def test_window_resets_when_its_ttl_runs_out(redis_url: str, unique_name: str) -> None:
    store = RedisRateLimitStore(redis_url, prefix=f"cv:rl:{unique_name}:")
    try:
        first = await store.hit("key-1", 2, 0.3)
        assert first.allowed and first.remaining == 1
        assert (await store.hit("key-1", 2, 0.3)).allowed
        denied = await store.hit("key-1", 2, 0.3)
        assert not denied.allowed and denied.remaining == 0
        assert 0 < denied.retry_after <= 0.3
        assert (await store.hit("key-2", 2, 0.3)).allowed  # other keys count apart
        await asyncio.sleep(denied.retry_after + 0.05)
        again = await store.hit("key-1", 2, 0.3)
        assert again.allowed and again.remaining == 1  # a fresh window
    finally:
        await close_clients()


async def test_redis_down_allows_requests_and_warns_once(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLEARVIEW_RATE_LIMIT_PER_MINUTE", "1")
    reset_settings_cache()
    now = [0.0]
    url = _dead_url()
    limiter = RateLimiter(RedisRateLimitStore(url, clock=lambda: now[0]))
    caplog.set_level(logging.INFO, logger="api.ratelimit")
    try:
        for _ in range(3):
            await limiter.check("key-1")  # never raises RateLimited: fails open
        now[0] += 5  # past the back-off: Redis is tried again, and still down
        await limiter.check("key-1")
    finally:
        await close_clients()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert url.rsplit(":", 1)[1] not in warnings[0].getMessage()  # no address, no secret


async def test_restarted_redis_fails_open_then_limits_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    now = [0.0]
    server = EmbeddedValkey(tmp_path)
    url = server.start()
    store = RedisRateLimitStore(url, clock=lambda: now[0])
    caplog.set_level(logging.INFO, logger="api.ratelimit")
    try:
        assert (await store.hit("key-1", 2, 60)).allowed
        await asyncio.to_thread(server.stop)
        during = [await store.hit("key-1", 2, 60) for _ in range(3)]
        assert all(d.allowed for d in during)
        assert server.start() == url  # back on the same port
        now[0] += 5
        # Whether the count survived the restart (AOF) or not, the 3rd hit is over 2.
        after = [await store.hit("key-1", 2, 60) for _ in range(3)]
        assert not after[-1].allowed and after[-1].retry_after > 0
        assert "answers again" in caplog.text
    finally:
        await close_clients()
        await asyncio.to_thread(server.stop)


async def test_leased_hits_save_round_trips_and_stay_exact_at_the_limit(
    redis_url: str, unique_name: str
) -> None:
    """Two processes share a key at random: far fewer round trips than requests, and
    exactly `limit` requests allowed in the window, not one more nor one less."""
    claims = [0]

    class Counting(RedisRateLimitStore):
        async def _claim(self, redis_key: str, window_ms: int, hits: int) -> tuple[int, int]:
            claims[0] += 1
            return await super()._claim(redis_key, window_ms, hits)

    stores = [Counting(redis_url, prefix=f"cv:rl:{unique_name}:") for _ in range(2)]
    rng = random.Random(7)
    try:
        decisions = [await rng.choice(stores).hit("key-1", 1000, 60) for _ in range(1200)]
    finally:
        await close_clients()
    assert sum(d.allowed for d in decisions) == 1000
    assert all(d.allowed for d in decisions[:1000])  # no early refusal either
    assert claims[0] < 400, claims[0]
    remaining = [d.remaining for d in decisions[:1000]]
    assert remaining[0] == 999 and remaining[-1] <= 1


async def test_concurrent_requests_share_one_claim_and_never_exceed_the_limit(
    redis_url: str, unique_name: str
) -> None:
    store = RedisRateLimitStore(redis_url, prefix=f"cv:rl:{unique_name}:")
    try:
        await store.hit("key-1", 500, 60)  # the window's first claim (one hit)
        burst = await asyncio.gather(*(store.hit("key-1", 500, 60) for _ in range(600)))
        counted = await get_redis(redis_url).get(store.redis_key("key-1"))
    finally:
        await close_clients()
    assert sum(d.allowed for d in burst) == 499
    # Claimed hits are spent, not lost to a race: Redis counted at most a lease more.
    assert 601 <= int(counted or 0) <= 601 + 64
