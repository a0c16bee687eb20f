"""The job read cache: hits skip the database, every change evicts (here and in other
processes, through Redis), tenancy holds, and no Redis means no cache."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event, update
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import Message, Receive, Scope, Send

from api.identity.cache import KeyCache
from api.jobs import cache as cache_module
from api.jobs import endpoints
from api.jobs.cache import EVERY_JOB, JobReadCache
from api.jobs.fastread import ROUTE, CachedJobReads
from api.metrics.prometheus import REQUESTS
from core import outbox
from core.db import get_engine, session_scope
from core.models import Job
from core.settings import reset_settings_cache
from tests.api.conftest import Key, MakeKey


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
    # A worker changes the job with a statement (no ORM object): every job is evicted.
    async with session_scope(engine) as session:
        await session.execute(update(Job).where(Job.id == job_id).values(title="Renamed"))
    await wait_until(lambda: len(other) == 0)
    assert len(reads) == 0
    assert (await client.get(url, headers=key.headers)).json()["title"] == "Renamed"
    assert other._task is not None
    other._task.cancel()
    await wait_until(lambda: not other.live)


async def test_no_redis_no_cache(client: httpx.AsyncClient, make_key: MakeKey) -> None:
    cache = JobReadCache(channel="unused")
    endpoints_cache = endpoints.job_reads
    endpoints.job_reads = cache
    try:
        key = await make_key()
        url = f"/api/v1/jobs/{await _job(client, key)}"
        for _ in range(3):
            assert (await client.get(url, headers=key.headers)).status_code == 200
        assert not cache.live and len(cache) == 0
    finally:
        endpoints.job_reads = endpoints_cache


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


# --- the fast path: cached reads answered in front of the router (api.jobs.fastread) ----


class Inner:
    """The app behind the fast path: records what reached it."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    async def __call__(self, scope: Scope, _receive: Receive, _send: Send) -> None:
        self.paths.append(scope["path"])


async def _through_fast_path(
    app: FastAPI, method: str, path: str, authorization: str | None
) -> tuple[Inner, list[Message]]:
    inner, sent = Inner(), []
    headers = [(b"authorization", authorization.encode())] if authorization else []
    scope = {"type": "http", "method": method, "path": path, "headers": headers, "app": app}

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        sent.append(message)

    await CachedJobReads(inner)(scope, receive, send)
    return inner, sent


async def test_the_fast_path_answers_only_what_the_route_would_answer_from_memory(
    client: httpx.AsyncClient, make_key: MakeKey, reads: JobReadCache, app: FastAPI
) -> None:
    key, other_org = await make_key("org-a"), await make_key("org-b")
    url = f"/api/v1/jobs/{await _job(client, key)}"
    await client.get(url, headers=key.headers)
    await wait_until(lambda: reads.live)
    routed = await client.get(url, headers=key.headers)  # the route fills the cache
    assert (await client.get(url, headers=other_org.headers)).status_code == 404

    inner, sent = await _through_fast_path(app, "GET", url, f"Bearer {key.secret}")
    assert inner.paths == []
    assert sent[0]["status"] == 200
    assert dict(sent[0]["headers"])[b"content-type"] == b"application/json"
    assert sent[1]["body"] == routed.content

    unknown = "Bearer cv_0123456789ab_notakey"
    passed_on = [
        ("GET", url, f"Bearer {other_org.secret}"),  # cached key, another tenant's job
        ("GET", url, unknown),
        ("GET", url, f"Basic {key.secret}"),
        ("GET", url, None),
        ("DELETE", url, f"Bearer {key.secret}"),
        ("GET", f"{url}/matches", f"Bearer {key.secret}"),
        ("GET", "/api/v1/jobs/", f"Bearer {key.secret}"),
    ]
    for method, path, authorization in passed_on:
        inner, sent = await _through_fast_path(app, method, path, authorization)
        assert (inner.paths, sent) == ([path], []), (method, path, authorization)


async def test_fast_path_answers_keep_the_request_id_metrics_and_rate_limit(
    client: httpx.AsyncClient,
    make_key: MakeKey,
    reads: JobReadCache,
    app: FastAPI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = await make_key()
    url = f"/api/v1/jobs/{await _job(client, key)}"
    await client.get(url, headers=key.headers)
    await wait_until(lambda: reads.live)
    await client.get(url, headers=key.headers)
    assert len(reads) == 1
    # A key of its own, so only these reads count against its limit.
    limited = await make_key()
    monkeypatch.setenv("CLEARVIEW_RATE_LIMIT_PER_MINUTE", "3")
    reset_settings_cache()
    served = REQUESTS.labels(method="GET", route=ROUTE.path, status="200")
    before = served._value.get()
    answers = [await client.get(url, headers=limited.headers) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[1].content == answers[0].content
    assert all(a.headers["x-request-id"] for a in answers)
    assert served._value.get() - before == 3
    refused = answers[-1]
    assert refused.json()["error"] == "rate_limited"
    assert int(refused.headers["retry-after"]) >= 1
