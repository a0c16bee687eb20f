"""1,000 match tasks on SQLite and PostgreSQL through real worker processes, one of them
killed by SIGKILL mid-run and restarted: every task succeeds once, with no duplicate
result, exactly one notification and one webhook id per task, and nothing left pending."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.gateway.signing import new_secret
from api.identity.schemas import Identity
from api.tasks.service import task_service
from core import bus
from core.db import session_scope
from core.models import (
    MatchResult,
    Notification,
    Role,
    Task,
    TaskKind,
    TaskStatus,
    WebhookDelivery,
    WebhookSubscription,
    new_id,
)
from core.redis import connect
from tests.helpers.db import count_rows
from tests.helpers.seed import World, seed
from tests.helpers.worker_proc import WorkerProcess
from tests.plugins.api import Key, MakeKey

TASKS = 1000
BATCH = 100


def _identity(key: Key, role: Role) -> Identity:
    return Identity(key.key_id, key.user_id, key.org_id, role)


async def _submit(engine: AsyncEngine, world: World) -> None:
    """Half candidates-for-a-job (employer), half jobs-for-a-resume (candidates)."""
    employer = _identity(world.employer, Role.employer)
    for start in range(0, TASKS, BATCH):
        async with session_scope(engine) as session:
            for n in range(start, start + BATCH):
                if n % 2:
                    who, kind = employer, TaskKind.match_candidates
                    subject = world.job_ids[n % len(world.job_ids)]
                    payload = {"job_id": subject, "top_k": 3}
                else:
                    i = n % len(world.resume_ids)
                    who, kind = _identity(world.candidates[i], Role.candidate), TaskKind.match_jobs
                    subject = world.resume_ids[i]
                    payload = {"resume_id": subject, "top_k": 3}
                await task_service.submit(
                    session, who, kind, subject_id=subject, payload=payload, chat_session_id=f"c{n}"
                )


async def _succeeded(engine: AsyncEngine) -> int:
    return await count_rows(engine, Task, Task.status == TaskStatus.succeeded)


async def _wait(check: object, within: float, workers: list[WorkerProcess]) -> None:
    deadline = time.monotonic() + within
    while not await check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {w.name}\n{w.log_tail()}" for w in workers)
            raise AssertionError(f"not reached in {within}s\n{logs}")
        await asyncio.sleep(0.2)


async def _pending(redis: aioredis.Redis, stream: str, group: str) -> int:
    return int((await redis.xpending(stream, group))["pending"])


@pytest.mark.slow
async def test_1000_tasks_survive_a_sigkilled_worker(
    client: httpx.AsyncClient,
    make_key: MakeKey,
    engine: AsyncEngine,
    bus_url: str,
    tmp_path: Path,
) -> None:
    world = await seed(client, make_key)
    async with session_scope(engine) as session:
        session.add(
            WebhookSubscription(
                id=new_id(),
                org_id=world.employer.org_id,
                url="http://127.0.0.1:9/hook",
                events=["match.completed"],
                secrets=[new_secret()],
                active=True,
            )
        )
    await _submit(engine, world)
    fast_reclaim = {"CLEARVIEW_STREAM_CLAIM_IDLE_MS": "1000"}
    logs = tmp_path / "logs"
    doomed = WorkerProcess("match", logs, fast_reclaim)
    workers = [
        doomed,
        WorkerProcess("match", logs, fast_reclaim),
        WorkerProcess("notify", logs, fast_reclaim),
    ]

    try:

        async def some_done() -> bool:
            return await _succeeded(engine) >= TASKS // 4

        await _wait(some_done, 180, workers)
        doomed.kill()
        workers[0] = WorkerProcess("match", logs, fast_reclaim)  # the restarted worker

        async def all_done() -> bool:
            return (
                await _succeeded(engine) == TASKS
                and await count_rows(engine, Notification) == TASKS
            )

        await _wait(all_done, 360, workers)
        redis = connect(bus_url)

        # The killed worker's entries were reclaimed and acknowledged by the others (an
        # entry is acknowledged just after its work commits: wait for the last ack).
        async def all_acknowledged() -> bool:
            return (
                await _pending(redis, bus.MATCH, "match") == 0
                and await _pending(redis, bus.NOTIFY, "notify") == 0
            )

        await _wait(all_acknowledged, 60, workers)
        for worker in workers:
            assert worker.stop() == 0, worker.log_tail()
        await redis.aclose()
    finally:
        # A failed run must not leave workers behind: they would go on consuming the
        # shared Redis streams of later tests.
        for worker in workers:
            if worker.process.poll() is None:
                worker.kill()

    async with session_scope(engine) as session:
        duplicates = await session.scalar(
            select(func.count()).select_from(
                select(MatchResult.task_id)
                .group_by(MatchResult.task_id, MatchResult.job_id, MatchResult.resume_id)
                .having(func.count() > 1)
                .subquery()
            )
        )
        per_task = dict(
            (
                await session.execute(
                    select(MatchResult.task_id, func.count()).group_by(MatchResult.task_id)
                )
            ).all()
        )
        results: dict[str, Any] = dict((await session.execute(select(Task.id, Task.result))).all())
        notified = (
            await session.execute(
                select(Notification.task_id, func.count()).group_by(Notification.task_id)
            )
        ).all()
        deliveries = (
            await session.execute(select(WebhookDelivery.webhook_id, WebhookDelivery.payload))
        ).all()
    assert duplicates == 0
    assert all(per_task.get(task_id, 0) == result["matches"] for task_id, result in results.items())
    assert (
        sum(per_task.values()) >= TASKS
    )  # every task stored its ranking (3 jobs or up to 3 people)
    assert len(notified) == TASKS and {count for _, count in notified} == {1}
    # The employer's 500 tasks announced under one webhook id each, never a second one.
    employer_tasks = {tid for tid, r in results.items() if "job_id" in r}
    assert len(employer_tasks) == TASKS // 2
    assert len(deliveries) == len({webhook_id for webhook_id, _ in deliveries}) == TASKS // 2
    assert {payload["data"]["task_id"] for _, payload in deliveries} == employer_tasks
