"""The match worker's batches, on SQLite and PostgreSQL: the entries a worker reads
together finish in one transaction, with the same outcome per task as one at a time, in
far fewer statements; a task that fails (in its computation or its store) fails alone."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from chromadb.api.models.Collection import Collection
from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from api.tasks.execution import Outcome, TaskRun, TaskWork
from api.tasks.work import Match, compute_matches, store_many_matches, store_matches
from core import bus, outbox
from core.db import session_scope
from core.errors import NotFound
from core.models import MatchResult, Notification, Task, TaskStatus
from core.redis import connect
from tests.helpers.db import count_rows
from tests.helpers.seed import World, seed
from tests.helpers.tasks import task_events
from tests.plugins.api import MakeKey
from workers import match, notify


async def _submit(client: httpx.AsyncClient, world: World) -> list[str]:
    """Ten match tasks: each job's candidates, and each candidate's jobs."""
    ids: list[str] = []
    for job_id in world.job_ids:
        answer = await client.post(
            f"/api/v1/jobs/{job_id}/matches",
            json={"top_k": 3, "chat_session_id": f"chat-{len(ids)}"},
            headers=world.employer.headers,
        )
        ids.append(answer.json()["task_id"])
    for key, resume_id in zip(world.candidates, world.resume_ids, strict=True):
        answer = await client.post(
            f"/api/v1/resumes/{resume_id}/matches",
            json={"top_k": 3, "chat_session_id": f"chat-{len(ids)}"},
            headers=key.headers,
        )
        ids.append(answer.json()["task_id"])
    return ids


async def _messages(
    bus_url: str, task_ids: Sequence[str], stream: str = bus.MATCH
) -> list[bus.Message]:
    """The stream entries of these tasks, as a consumer reads them."""
    redis = connect(bus_url)
    entries: Any = await redis.xrange(stream)
    await redis.aclose()
    wanted = set(task_ids)
    messages = [
        bus.Message(stream, str(entry_id), json.loads(fields[bus.FIELD]), 1)
        for entry_id, fields in entries
    ]
    return [m for m in messages if m.payload.get("task_id") in wanted]


@contextmanager
def statements() -> Iterator[list[str]]:
    """The SQL statements any engine sends meanwhile (an executemany counts once)."""
    sent: list[str] = []

    def count(*args: Any) -> None:
        sent.append(args[2])

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(Engine, "before_cursor_execute", count)


async def _outcomes(engine: AsyncEngine, task_ids: Sequence[str]) -> dict[str, Any]:
    """Per task: status, result, attempts, and its stored (job, resume, rank) rows."""
    async with session_scope(engine) as session:
        tasks = (await session.scalars(select(Task).where(Task.id.in_(task_ids)))).all()
        rows = (
            await session.execute(
                select(
                    MatchResult.task_id, MatchResult.job_id, MatchResult.resume_id, MatchResult.rank
                )
            )
        ).all()
    order = {task_id: n for n, task_id in enumerate(task_ids)}
    results: dict[str, list[tuple[str, str, int]]] = {}
    for task_id, job_id, resume_id, rank in rows:
        results.setdefault(str(task_id), []).append((job_id, resume_id, rank))
    return {
        f"task {order[t.id]}": (t.status, t.result, t.attempts, sorted(results.get(t.id, [])))
        for t in tasks
    }


async def test_a_batch_stores_what_single_entries_store_in_a_fraction_of_the_statements(
    client: httpx.AsyncClient, make_key: MakeKey, engine: AsyncEngine, bus_url: str
) -> None:
    world = await seed(client, make_key)
    singles = await _submit(client, world)
    batched = await _submit(client, world)

    # Each block waits for the outbox to mark what it published (off the task's path).
    with statements() as one_by_one:
        for message in await _messages(bus_url, singles):
            await match.handle(message)
        await outbox.settle()
    with statements() as together:
        failures = await match.handle_many(await _messages(bus_url, batched))
        await outbox.settle()

    assert failures == {}
    # The same outcome, task for task: the second round repeats the first's requests.
    single_outcomes = await _outcomes(engine, singles)
    assert await _outcomes(engine, batched) == single_outcomes
    assert all(status is TaskStatus.succeeded for status, *_ in single_outcomes.values())
    assert all(len(rows) == 3 for *_, rows in single_outcomes.values())
    # Each task is announced to its chat session once.
    notices = [e["task_id"] for e in await task_events(engine, bus.NOTIFY)]
    assert sorted(notices) == sorted(singles + batched)
    # The matcher's own reads are the same either way; the lifecycle's are shared.
    # (Ten tasks: 136 statements one by one, 41 in a batch, on either database.)
    assert len(together) < len(one_by_one) / 2, (len(together), len(one_by_one))


async def test_a_task_failing_in_a_batch_fails_alone(
    client: httpx.AsyncClient, make_key: MakeKey, engine: AsyncEngine, bus_url: str
) -> None:
    world = await seed(client, make_key)
    task_ids = await _submit(client, world)
    bad_compute, bad_store = task_ids[1], task_ids[6]

    async def compute(run: TaskRun) -> list[Match]:
        if run.id == bad_compute:
            raise RuntimeError("the matcher broke")
        return await compute_matches(run)

    async def store_many(
        session: AsyncSession, computed: Sequence[tuple[TaskRun, list[Match]]]
    ) -> list[Outcome | None]:
        if any(run.id == bad_store for run, _ in computed):
            raise RuntimeError("the store broke")
        return await store_many_matches(session, computed)

    messages = await _messages(bus_url, task_ids)
    failures = await TaskWork("match", compute, store_matches, store_many).handle_many(messages)

    entry_of = {m.payload["task_id"]: m.id for m in messages}
    assert {entry: type(exc) for entry, exc in failures.items()} == {
        entry_of[bad_compute]: RuntimeError,
        entry_of[bad_store]: RuntimeError,
    }
    async with session_scope(engine) as session:
        tasks = {t.id: t for t in (await session.scalars(select(Task))).all()}
    for task_id in (bad_compute, bad_store):
        # Still open, for the bus to retry; the reason is kept in words, no trace.
        assert tasks[task_id].status is TaskStatus.running
        assert tasks[task_id].last_error == (
            "internal error in the worker (RuntimeError); the task is retried"
        )
        assert await count_rows(engine, MatchResult, MatchResult.task_id == task_id) == 0
    others = [t for t in task_ids if t not in (bad_compute, bad_store)]
    assert all(tasks[t].status is TaskStatus.succeeded for t in others)
    assert all(tasks[t].attempts == 1 for t in task_ids)

    # The retry (a redelivery) finishes both; nothing is written twice.
    failures = await match.handle_many(await _messages(bus_url, task_ids))
    assert failures == {}
    assert await count_rows(engine, Task, Task.status == TaskStatus.succeeded) == len(task_ids)
    assert await count_rows(engine, MatchResult) == 3 * len(task_ids)
    notices = [e["task_id"] for e in await task_events(engine, bus.NOTIFY)]
    assert sorted(notices) == sorted(task_ids)


async def test_a_batch_queries_the_index_once_per_pool_and_a_refused_task_fails_alone(
    client: httpx.AsyncClient,
    make_key: MakeKey,
    engine: AsyncEngine,
    bus_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = await seed(client, make_key)
    task_ids = await _submit(client, world)
    # The first task's job is deleted while it waits: the engine refuses that one task.
    gone = await client.delete(f"/api/v1/jobs/{world.job_ids[0]}", headers=world.employer.headers)
    assert gone.status_code == 204, gone.text
    queries: list[int] = []
    query = Collection.query

    def counted(self: Collection, *args: Any, **kwargs: Any) -> Any:
        queries.append(len(kwargs["query_embeddings"]))
        return query(self, *args, **kwargs)

    monkeypatch.setattr(Collection, "query", counted)

    messages = await _messages(bus_url, task_ids)
    failures = await match.handle_many(messages)

    # One call for the candidates of the jobs left, one for the jobs of the resumes.
    assert sorted(queries) == [len(world.job_ids) - 1, len(world.resume_ids)]
    assert {entry: type(exc) for entry, exc in failures.items()} == {messages[0].id: NotFound}
    async with session_scope(engine) as session:
        tasks = {t.id: t for t in (await session.scalars(select(Task))).all()}
    assert tasks[task_ids[0]].status is TaskStatus.running  # retried by the bus, then failed
    assert "not found" in str(tasks[task_ids[0]].last_error)
    assert all(tasks[t].status is TaskStatus.succeeded for t in task_ids[1:])


async def test_a_batch_of_notifications_is_pushed_once_each(
    client: httpx.AsyncClient, make_key: MakeKey, engine: AsyncEngine, bus_url: str
) -> None:
    world = await seed(client, make_key)
    task_ids = await _submit(client, world)
    assert await match.handle_many(await _messages(bus_url, task_ids)) == {}
    await outbox.settle()  # the match worker's own statements are over
    redis = connect(bus_url)
    pubsub = redis.pubsub()
    await pubsub.psubscribe("cv:chat:*")
    notices = await _messages(bus_url, task_ids, bus.NOTIFY)
    assert len(notices) == len(task_ids)

    # The rows were written with the tasks: pushing them takes no database at all.
    with statements() as sent:
        assert await notify.handle_many(notices) == {}
    assert sent == []
    assert await notify.handle_many(notices) == {}  # delivered again: nothing more

    pushed: dict[str, str] = {}
    quiet_since = time.monotonic()
    while time.monotonic() - quiet_since < 1.0:  # until a second passes without a push
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.1)
        # Pub/sub is server-wide: a test running alongside pushes to its own tasks.
        if message is not None and json.loads(message["data"])["task_id"] in task_ids:
            push = json.loads(message["data"])
            assert push["task_id"] not in pushed, "pushed twice"
            pushed[push["task_id"]] = message["channel"]
            quiet_since = time.monotonic()
    await pubsub.aclose()
    await redis.aclose()
    assert pushed == {t: f"cv:chat:chat-{n}" for n, t in enumerate(task_ids)}
    async with session_scope(engine) as session:
        rows = (await session.execute(select(Notification.task_id, Notification.kind))).all()
    assert sorted(rows) == sorted((t, "task.succeeded") for t in task_ids)
