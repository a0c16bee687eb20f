"""A SQLite database locked by another writer, or a frozen Redis, answers 503 with
Retry-After, soon."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from api.notifications.service import push_to_users
from core.redis import OUTAGE_S, EmbeddedValkey, close_clients, outage_left
from core.settings import get_settings, reset_settings_cache
from tests.plugins.api import MakeKey


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


@pytest.fixture(autouse=True)
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CLEARVIEW_SQLITE_BUSY_TIMEOUT_MS", "200")
    reset_settings_cache()
    yield


async def test_a_locked_database_answers_503_with_retry_after(
    client: httpx.AsyncClient, make_key: MakeKey, sqlite_url: str
) -> None:
    key = await make_key()
    other_writer = sqlite3.connect(str(make_url(sqlite_url).database), isolation_level=None)
    try:
        other_writer.execute("BEGIN IMMEDIATE")  # holds the write lock
        answer = await client.post(
            "/api/v1/jobs", json={"title": "T", "description": "D"}, headers=key.headers
        )
    finally:
        other_writer.execute("ROLLBACK")
        other_writer.close()
    assert answer.status_code == 503, answer.text
    assert answer.headers["retry-after"] == "2"
    assert answer.json()["error"] == "unavailable" and "busy" in answer.json()["detail"]
    again = await client.post(
        "/api/v1/jobs", json={"title": "T", "description": "D"}, headers=key.headers
    )
    assert again.status_code == 201


@pytest.fixture
def frozen_redis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], None]]:
    """A Valkey of this test's own as the configured Redis, and a way to freeze it
    (SIGSTOP: it keeps its connections open and answers nothing, like a hung server)."""
    server = EmbeddedValkey(tmp_path)
    monkeypatch.setenv("CLEARVIEW_REDIS_URL", server.start())
    reset_settings_cache()
    process = server._server._process

    def freeze() -> None:
        os.kill(process.pid, signal.SIGSTOP)

    try:
        yield freeze
    finally:
        os.kill(process.pid, signal.SIGCONT)
        server.stop()


async def test_a_frozen_redis_answers_503_with_retry_after_soon(
    client: httpx.AsyncClient, make_key: MakeKey, frozen_redis: Callable[[], None]
) -> None:
    key = await make_key()
    job = {"title": "T", "description": "D"}
    warm = await client.post("/api/v1/jobs", json=job, headers=key.headers)
    assert warm.status_code == 201  # connections to Redis are open before it freezes
    frozen_redis()
    started = time.monotonic()
    try:
        first = await client.post("/api/v1/jobs", json=job, headers=key.headers)
        first_s = time.monotonic() - started
        second = await client.post("/api/v1/jobs", json=job, headers=key.headers)
        listed = await client.get("/api/v1/jobs", headers=key.headers)
    finally:
        await close_clients()
    # The first write had committed when Redis failed to take its event: it stands, and
    # the outbox relay publishes the event later. It waited only the short bound.
    bound = get_settings().redis_request_timeout_s
    assert first.status_code == 201 and first_s < bound + 2, (first.status_code, first_s)
    # The next writes are refused at once, and nothing of them is stored.
    assert second.status_code == 503, second.text
    assert 1 <= int(second.headers["retry-after"]) <= OUTAGE_S
    assert second.json()["error"] == "unavailable"
    assert len(listed.json()["items"]) == 2


async def test_a_push_to_a_frozen_redis_gives_up_within_the_bound(
    frozen_redis: Callable[[], None],
) -> None:
    """The chat push after a notification's commit (in a request, or in a worker's task
    handler) waits no longer than a request's Redis bound, then leaves the row for the
    next visit."""
    try:
        await push_to_users([("someone", {"kind": "job.alert"})], "test")  # connected
        frozen_redis()
        started = time.monotonic()
        async with asyncio.timeout(60):  # without the bound it would wait for ever
            await push_to_users([("someone", {"kind": "job.alert"})], "test")
        waited = time.monotonic() - started
    finally:
        await close_clients()
    assert waited < get_settings().redis_request_timeout_s + 2, waited
    assert outage_left() > 0  # the next push does not wait at all
