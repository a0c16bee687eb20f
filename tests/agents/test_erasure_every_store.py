"""Erasing a candidate over HTTP leaves nothing of them in any store: every table, every
file of the data dir (SQLite, checkpoints, Chroma, uploads), Redis, and this process's
caches. The stores are listed here one by one, so a new one has to be added on purpose."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import redis.asyncio as aioredis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.matching import service as matching
from core.db import session_scope
from core.models import (
    AuditLog,
    Base,
    MetricEvent,
    Notification,
    WebhookDelivery,
    WebhookSubscription,
    new_id,
    utcnow,
)
from tests.plugins.agents import MakeCaller

# Columns allowed to keep the candidate's id: the erasure's own audit row says whom it erased.
AUDIT_SUBJECT = (AuditLog.__tablename__, "subject_id")


async def _table_hits(engine: AsyncEngine, needles: set[str]) -> list[str]:
    hits: list[str] = []
    async with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in (await conn.execute(select(table))).mappings():
                for column, value in row.items():
                    if (table.name, column) == AUDIT_SUBJECT:
                        continue
                    text = value if isinstance(value, str) else json.dumps(value, default=str)
                    hits += [f"{table.name}.{column}: {n}" for n in needles if n in text]
    return hits


def _file_hits(data_dir: Path, needle: bytes) -> list[str]:
    return [
        str(path) for path in data_dir.rglob("*") if path.is_file() and needle in path.read_bytes()
    ]


async def _redis_hits(url: str, needle: str) -> list[str]:
    client = aioredis.Redis.from_url(url, decode_responses=True)
    hits: list[str] = []
    try:
        async for key in client.scan_iter(count=500):
            kind = await client.type(key)
            value: Any
            if kind == "string":
                value = await client.get(key)
            elif kind == "stream":
                value = await client.xrange(key)
            elif kind == "hash":
                value = await client.hgetall(key)
            elif kind == "list":
                value = await client.lrange(key, 0, -1)
            elif kind in ("set", "zset"):
                value = (
                    await client.zrange(key, 0, -1)
                    if kind == "zset"
                    else await client.smembers(key)
                )
            else:
                continue
            if needle in json.dumps(value, default=str):
                hits.append(key)
    finally:
        await client.aclose()
    return hits


async def _turns_recorded(engine: AsyncEngine, user_id: str, turns: int) -> None:
    """Until the metrics service holds `turns` chat turns of the user."""
    query = select(func.count()).where(
        MetricEvent.user_id == user_id, MetricEvent.name == "chat_turn"
    )
    while True:
        async with session_scope(engine) as session:
            if (await session.scalar(query) or 0) >= turns:
                return
        await asyncio.sleep(0.05)


async def test_erasure_over_http_leaves_nothing_of_the_person(
    live_server: str,
    make_caller: MakeCaller,
    engine: AsyncEngine,
    redis_url: str,
    isolated_settings: Path,
) -> None:
    marker = f"zq{uuid.uuid4().hex[:12]}"
    candidate = await make_caller("public", "candidate")
    employer = await make_caller("acme", "employer")
    resume = (
        f"Kim Ode\nkim.{marker}@example.org\nExperience\nAnalyst, Foo (2019 - 2024)\n"
        f"- Reports in SQL. Code word {marker}.\nSkills: SQL, Python\n"
    )
    async with httpx.AsyncClient(base_url=live_server, timeout=120) as http:
        job = await http.post(
            "/api/v1/jobs",
            json={"title": "Analyst", "description": "SQL and Python reports"},
            headers=employer.headers,
        )
        assert job.status_code == 201, job.text
        upload = await http.post(
            "/api/v1/resumes",
            files={"file": ("kim.txt", resume.encode(), "text/plain")},
            headers=candidate.headers,
        )
        assert upload.status_code == 201, upload.text
        candidate_id, resume_id = upload.json()["candidate_id"], upload.json()["id"]
        for message in (f"my code word is {marker}, critique my resume", "which jobs match me?"):
            chat = await http.post(
                "/api/v1/chat",
                json={"conversation_id": uuid.uuid4().hex, "message": message},
                headers=candidate.headers,
            )
            assert chat.status_code == 200, chat.text
        assert matching._cached_vector.cache_info().currsize > 0  # their text, as a key
        # Each turn's metric events are posted after its reply: they must have landed (and
        # so be the erasure's to remove) before the erasure starts.
        await asyncio.wait_for(_turns_recorded(engine, candidate.identity.user_id, 2), 120)

        # What background work leaves: a task.succeeded notification of theirs, an
        # employer's notification naming them, webhook deliveries naming them.
        task_id = new_id()
        async with session_scope(engine) as session:
            subscription = WebhookSubscription(
                id=new_id(),
                org_id=employer.identity.org_id,
                url="https://example.org/hook",
                events=["task.succeeded"],
                secrets=["whsec_x"],
                active=True,
            )
            session.add(subscription)
            session.add_all(
                [
                    Notification(
                        id=new_id(),
                        user_id=candidate.identity.user_id,
                        org_id=candidate.identity.org_id,
                        task_id=task_id,
                        kind="task.succeeded",
                        payload={"task_id": task_id, "resume_id": resume_id},
                        dedupe_key=f"t:{task_id}",
                    ),
                    Notification(
                        id=new_id(),
                        user_id=employer.identity.user_id,
                        org_id=employer.identity.org_id,
                        kind="contact.answered",
                        payload={"candidate_id": candidate_id},
                        dedupe_key=f"c:{candidate_id}",
                    ),
                ]
            )
            await session.flush()
            for webhook_id, data in (
                ("w1", {"candidate_id": candidate_id, "job_id": job.json()["id"]}),
                ("w2", {"resume_id": resume_id, "task_id": new_id()}),
            ):
                session.add(
                    WebhookDelivery(
                        id=new_id(),
                        subscription_id=subscription.id,
                        webhook_id=webhook_id,
                        event_type="task.succeeded",
                        payload={"type": "task.succeeded", "timestamp": "t", "data": data},
                        next_attempt_at=utcnow(),
                    )
                )

        erased = await http.delete(f"/api/v1/candidates/{candidate_id}", headers=candidate.headers)
        assert erased.status_code == 204, erased.text

    needles = {marker, candidate_id, resume_id, candidate.identity.user_id}
    assert await _table_hits(engine, needles) == []
    assert _file_hits(isolated_settings, marker.encode()) == []
    assert await _redis_hits(redis_url, marker) == []
    assert matching._cached_vector.cache_info().currsize == 0
    async with session_scope(engine) as session:
        [audit] = (await session.scalars(select(AuditLog))).all()
    assert audit.subject_id == candidate_id
