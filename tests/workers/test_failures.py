"""Failures on SQLite and PostgreSQL: a poison task ends in the dead-letter stream and as a
failed task with a readable reason while the rest succeed; erasing a candidate while a task
about them is pending or running writes nothing back."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from api.rewrite.service import deterministic_chain
from api.tasks.execution import TaskRun, TaskWork
from api.tasks.work import Match, compute_matches, store_matches
from core import bus
from core.db import session_scope
from core.models import MatchResult, MetricEvent, Notification, ResumeVersion, Task, TaskStatus
from core.redis import connect
from tests.helpers.db import count_rows
from tests.helpers.seed import World, seed
from tests.helpers.tasks import drain
from tests.plugins.api import Key, MakeKey
from workers import match, notify, rewrite

# The rewrite worker as the composition root builds it with no model configured.
REWRITE_WORKER = rewrite.work(deterministic_chain)


async def _until(
    check: Callable[[], Awaitable[bool]],
    within: float = 120.0,
    state: Callable[[], Awaitable[str]] | None = None,
) -> None:
    # A liveness bound, not a timing claim: on a machine kept busy by other work, three
    # deliveries of a task and a rewrite beside them took over 30 s. A miss says where
    # things stood (`state`), since it is only ever seen in a busy suite.
    deadline = time.monotonic() + within
    last, longest_gap = time.monotonic(), 0.0  # a long gap: this event loop was blocked
    while not await check():
        now = time.monotonic()
        longest_gap, last = max(longest_gap, now - last), now
        if now >= deadline:
            where = await state() if state is not None else ""
            raise AssertionError(
                f"condition not reached in {within:.0f} s (longest pause between checks "
                f"{longest_gap:.1f} s); {where}; tasks waiting: {_waiting_tasks()}"
            )
        await asyncio.sleep(0.05)


def _waiting_tasks() -> list[str]:
    """Where each other task of this loop waits: its innermost frames in our code."""
    found: list[str] = []
    for task in asyncio.all_tasks():
        if task is asyncio.current_task():
            continue
        frames: list[str] = []
        awaited: Any = task.get_coro()
        while awaited is not None:  # the await chain, outermost first
            frame = getattr(awaited, "cr_frame", None) or getattr(awaited, "ag_frame", None)
            if frame is not None:
                where = frame.f_code.co_filename.rsplit("/", 2)[-1]
                frames.append(f"{where}:{frame.f_lineno} {frame.f_code.co_name}")
            awaited = getattr(awaited, "cr_await", None) or getattr(awaited, "ag_await", None)
        found.append(" > ".join(frames[-4:]) or task.get_name())
    return found


async def test_poison_task_is_dead_lettered_and_fails_readably_others_succeed(
    client: httpx.AsyncClient, make_key: MakeKey, engine: AsyncEngine, bus_url: str
) -> None:
    world = await seed(client, make_key)
    me, resume_id = world.candidates[0], world.resume_ids[0]
    poison_job, good_job = world.job_ids[0], world.job_ids[1]
    ids = []
    for job_id in (poison_job, good_job):
        answer = await client.post(
            f"/api/v1/resumes/{resume_id}/rewrites", json={"job_id": job_id}, headers=me.headers
        )
        ids.append(answer.json()["task_id"])
    gone = await client.delete(f"/api/v1/jobs/{poison_job}", headers=world.employer.headers)
    assert gone.status_code == 204

    redis = connect(bus_url)
    consumer = bus.Consumer(
        redis,
        bus.REWRITE,
        "rewrite",
        REWRITE_WORKER.handle,
        max_deliveries=3,
        claim_idle_ms=100,
        block_ms=50,
        on_dead_letter=REWRITE_WORKER.on_dead_letter,
    )
    dead = bus.dead_letter_stream(bus.REWRITE)
    stop = asyncio.Event()
    running = asyncio.create_task(consumer.run(stop))

    async def dead_lettered() -> bool:
        return int(await redis.xlen(dead)) == 1

    async def state() -> str:
        pending = await redis.xpending_range(bus.REWRITE, "rewrite", "-", "+", 10)
        async with session_scope(engine) as session:
            tasks = [await session.get(Task, task_id) for task_id in ids]
            # What each other connection of this database is doing or waiting for.
            waits = (
                (
                    await session.execute(
                        text(
                            "select state, wait_event_type, wait_event, left(query, 60)"
                            " from pg_stat_activity where datname = current_database()"
                            " and pid <> pg_backend_pid()"
                        )
                    )
                ).all()
                if engine.dialect.name == "postgresql"
                else []
            )
        shown = [(t.status.value, t.attempts) for t in tasks if t is not None]
        return f"pending entries {pending}; tasks (poison, healthy) {shown}; db sessions {waits}"

    await _until(dead_lettered, state=state)
    stop.set()
    await asyncio.wait_for(running, 10)

    [(_, fields)] = await redis.xrange(dead) or []
    assert fields is not None
    assert fields["deliveries"] == "3"
    assert (
        fields["error"]
        == f"TaskFailure: job {poison_job} is no longer published; choose another job"
    )
    assert int((await redis.xpending(bus.REWRITE, "rewrite"))["pending"]) == 0
    async with session_scope(engine) as session:
        poisoned, healthy = [await session.get(Task, task_id) for task_id in ids]
    assert poisoned is not None and healthy is not None
    assert (poisoned.status, poisoned.attempts) == (TaskStatus.failed, 3)
    assert poisoned.last_error == (
        f"failed after 3 attempt(s): job {poison_job} is no longer published; choose another job"
    )
    assert poisoned.finished_at is not None and poisoned.result is None
    assert (healthy.status, healthy.attempts) == (TaskStatus.succeeded, 1)
    shown = (await client.get(f"/api/v1/tasks/{ids[0]}", headers=me.headers)).json()
    assert (shown["status"], shown["error"]) == ("failed", poisoned.last_error)
    assert await count_rows(engine, MetricEvent, MetricEvent.name == "task_failed") == 1
    # Whoever asked hears about the failure, too.
    await drain(bus_url, bus.NOTIFY, notify.handle)
    kinds = await _column(engine, Notification.kind)
    assert sorted(kinds) == ["task.failed", "task.succeeded"]
    await redis.aclose()


async def _column(engine: AsyncEngine, column: Any) -> list[Any]:
    async with session_scope(engine) as session:
        return list((await session.scalars(select(column))).all())


async def _erase(client: httpx.AsyncClient, key: Key) -> None:
    profile = (await client.get("/api/v1/candidates/me", headers=key.headers)).json()
    answer = await client.delete(f"/api/v1/candidates/{profile['id']}", headers=key.headers)
    assert answer.status_code == 204, answer.text


async def _submit_both(client: httpx.AsyncClient, world: World) -> tuple[str, str]:
    """An employer's match task that ranks candidate 0, then candidate 0's own one (in this
    order on the stream); returns (own, employer)."""
    employer = await client.post(
        f"/api/v1/jobs/{world.job_ids[0]}/matches", json={}, headers=world.employer.headers
    )
    own = await client.post(
        f"/api/v1/resumes/{world.resume_ids[0]}/matches",
        json={},
        headers=world.candidates[0].headers,
    )
    return own.json()["task_id"], employer.json()["task_id"]


async def test_erasure_while_pending_writes_nothing_back(
    client: httpx.AsyncClient, make_key: MakeKey, engine: AsyncEngine, bus_url: str
) -> None:
    world = await seed(client, make_key)
    own, employer = await _submit_both(client, world)
    await _erase(client, world.candidates[0])
    assert await drain(bus_url, bus.MATCH, match.handle) == 2

    assert await count_rows(engine, Task, Task.id == own) == 0  # erased with the candidate
    assert await count_rows(engine, MatchResult, MatchResult.resume_id == world.resume_ids[0]) == 0
    async with session_scope(engine) as session:
        task = await session.get(Task, employer)
    assert task is not None and task.status is TaskStatus.succeeded
    assert task.result == {"job_id": world.job_ids[0], "matches": 4}  # the other four


async def test_erasure_while_running_writes_nothing_back(
    client: httpx.AsyncClient, make_key: MakeKey, engine: AsyncEngine, bus_url: str
) -> None:
    world = await seed(client, make_key)
    own, employer = await _submit_both(client, world)
    computed: dict[str, list[Match]] = {}

    async def compute_then_erase(run: TaskRun) -> list[Match]:
        """The real computation; the candidate is erased after it, before the write."""
        computed[run.id] = await compute_matches(run)
        if len(computed) == 1:
            await _erase(client, world.candidates[0])
        return computed[run.id]

    racing = TaskWork("match", compute_then_erase, store_matches)
    await drain(bus_url, bus.MATCH, racing.handle)
    # The employer's ranking had the erased candidate in it when it was computed ...
    assert world.resume_ids[0] in {m.resume_id for m in computed[employer]}
    assert own not in computed  # its task went with the erasure before it started
    # ... and nothing about them was written back, by either task.
    assert await count_rows(engine, MatchResult, MatchResult.resume_id == world.resume_ids[0]) == 0
    assert await count_rows(engine, Task, Task.id == own) == 0
    async with session_scope(engine) as session:
        task = await session.get(Task, employer)
    assert task is not None and task.status is TaskStatus.succeeded
    assert await count_rows(engine, MatchResult, MatchResult.task_id == employer) == 4


async def test_erasure_while_a_rewrite_runs_stores_no_version(
    client: httpx.AsyncClient, make_key: MakeKey, engine: AsyncEngine, bus_url: str
) -> None:
    from api.rewrite.service import Rewritten, compute, store

    world = await seed(client, make_key)
    answer = await client.post(
        f"/api/v1/resumes/{world.resume_ids[0]}/rewrites",
        json={"job_id": world.job_ids[0]},
        headers=world.candidates[0].headers,
    )
    assert answer.status_code == 202

    async def compute_then_erase(run: TaskRun) -> Rewritten:
        result = await compute(run, rewriter=deterministic_chain)
        await _erase(client, world.candidates[0])
        return result

    racing = TaskWork("rewrite", compute_then_erase, store)
    await drain(bus_url, bus.REWRITE, racing.handle)
    assert await count_rows(engine, ResumeVersion) == 4  # the other candidates' uploads
    assert (
        await count_rows(engine, ResumeVersion, ResumeVersion.resume_id == world.resume_ids[0]) == 0
    )
    assert (
        await count_rows(engine, Task) == 0
        or await count_rows(engine, Task, Task.status == TaskStatus.succeeded) == 0
    )
