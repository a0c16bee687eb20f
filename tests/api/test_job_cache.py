"""The job read cache: hits skip the database, every change evicts (here and in other
processes, through Redis), tenancy holds, and no Redis means no cache."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from api.identity.cache import KeyCache
from api.jobs import cache as cache_module
from api.jobs import endpoints
from api.jobs.cache import EVERY_JOB, JobReadCache
from core import outbox
from core.engine import get_engine
from core.settings import reset_settings_cache
from tests.plugins.api import Key, MakeKey


async def wait_until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Wait for something asynchronous (a subscription, a pub/sub message) to happen."""
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met in time")


@pytest.fixture
def channel(unique_name: str) -> str:
    return f"{unique_name}:jobs:changed"


@pytest.fixture
def reads(
    monkeypatch: pytest.MonkeyPatch, redis_url: str, channel: str, app: FastAPI
) -> Iterator[JobReadCache]:
    """The served process's cache, on a channel of this test's own."""
    # Keys stay cached for the whole test, however slow the machine.
    app.state.key_cache = KeyCache(ttl_seconds=3600)
    monkeypatch.setenv("CLEARVIEW_REDIS_URL", redis_url)
    reset_settings_cache()
    cache = JobReadCache(channel=channel)
    monkeypatch.setattr(cache_module, "job_reads", cache)
    monkeypatch.setattr(endpoints, "job_reads", cache)
    yield cache


async def _job(client: httpx.AsyncClient, key: Key) -> str:
    answer = await client.post(
        "/api/v1/jobs", json={"title": "Analyst", "description": "SQL"}, headers=key.headers
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


@pytest.fixture
def selects() -> Iterator[list[str]]:
    statements: list[str] = []

    def on_execute(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    engine = get_engine().sync_engine
    event.listen(engine, "before_cursor_execute", on_execute)
    yield statements
    event.remove(engine, "before_cursor_execute", on_execute)


async def test_hits_skip_the_database_and_changes_evict(
    client: httpx.AsyncClient, make_key: MakeKey, reads: JobReadCache, selects: list[str]
) -> None:
    key = await make_key()
    url = f"/api/v1/jobs/{await _job(client, key)}"
    first = await client.get(url, headers=key.headers)  # starts the listener
    await wait_until(lambda: reads.live)
    assert (await client.get(url, headers=key.headers)).json() == first.json()
    assert len(reads) == 1
    await outbox.settle()  # the job's outbox marking is not a read of this request
    selects.clear()
    hit = await client.get(url, headers=key.headers)
    assert hit.status_code == 200 and hit.json() == first.json()
    assert hit.headers["content-type"] == "application/json"
    assert selects == []  # neither the key nor the job was read from the database

    changes = [
        ("PATCH", url, {"title": "Lead"}),
        ("PUT", url, {"external_id": "e-1", "title": "Head", "description": "x"}),
        ("POST", f"{url}/unpublish", None),
    ]
    for method, path, body in changes:
        assert (await client.request(method, path, json=body, headers=key.headers)).is_success
        assert len(reads) == 0  # evicted here before the writer got its answer
        answer = await client.get(url, headers=key.headers)
        assert answer.json()["title"] == (body or {"title": "Head"})["title"]
    assert answer.json()["published"] is False
    assert (await client.delete(url, headers=key.headers)).status_code == 204
    assert (await client.get(url, headers=key.headers)).status_code == 404


async def test_a_cached_job_is_served_only_to_its_organisation(
    client: httpx.AsyncClient, make_key: MakeKey, reads: JobReadCache
) -> None:
    mine, theirs = await make_key("org-a"), await make_key("org-b")
    url = f"/api/v1/jobs/{await _job(client, mine)}"
    await client.get(url, headers=mine.headers)
    await wait_until(lambda: reads.live)
    assert (await client.get(url, headers=mine.headers)).status_code == 200
    assert len(reads) == 1
    answer = await client.get(url, headers=theirs.headers)
    assert answer.status_code == 404 and answer.json()["error"] == "not_found"


async def test_a_change_in_another_process_evicts_here(
    client: httpx.AsyncClient,
    make_key: MakeKey,
    reads: JobReadCache,
    channel: str,
    engine: AsyncEngine,
) -> None:
    key = await make_key()
    job_id = await _job(client, key)
    url = f"/api/v1/jobs/{job_id}"
    # Another serving process: its own cache and listener on the same channel.
    other = JobReadCache(channel=channel)
    other.ensure_listening()
    await client.get(url, headers=key.headers)
    await wait_until(lambda: reads.live and other.live)
    await client.get(url, headers=key.headers)
    other.put(other.fill_token(), key.org_id, job_id, b"{}")
    assert len(reads) == 1 and len(other) == 1
    # The job changes (through the jobs service, as every change does): both evict it.
    changed = await client.patch(url, json={"title": "Renamed"}, headers=key.headers)
    assert changed.status_code == 200, changed.text
    await wait_until(lambda: len(other) == 0)
    assert len(reads) == 0
    assert (await client.get(url, headers=key.headers)).json()["title"] == "Renamed"
    assert other._task is not None
    other._task.cancel()
    await wait_until(lambda: not other.live)


async def test_no_redis_no_cache(
    client: httpx.AsyncClient, make_key: MakeKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = JobReadCache(channel="unused")
    monkeypatch.setattr(endpoints, "job_reads", cache)
    key = await make_key()
    url = f"/api/v1/jobs/{await _job(client, key)}"
    for _ in range(3):
        assert (await client.get(url, headers=key.headers)).status_code == 200
    assert not cache.live and len(cache) == 0


def test_a_fill_that_raced_with_a_change_is_not_stored() -> None:
    cache = JobReadCache(channel="unit", ttl_seconds=30)
    cache.live = True  # as if subscribed
    token = cache.fill_token()
    cache.invalidate(["some-other-job"])  # heard while the row was being read
    cache.put(token, "org", "job", b"old")
    assert len(cache) == 0
    cache.put(cache.fill_token(), "org", "job", b"new")
    assert cache._entries["job"][2] == b"new"
    cache.invalidate([EVERY_JOB])
    assert len(cache) == 0


def test_entries_expire_after_the_ttl() -> None:
    now = [100.0]
    cache = JobReadCache(channel="unit", ttl_seconds=30, clock=lambda: now[0])
    cache.live = True
    cache.put(cache.fill_token(), "org", "job", b"{}")
    now[0] = 129.9
    assert cache.lookup("org", "job") == b"{}"
    assert cache.lookup("other-org", "job") is None
    now[0] = 130.0
    assert cache.lookup("org", "job") is None and len(cache) == 0
