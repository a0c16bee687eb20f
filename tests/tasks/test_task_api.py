"""The task API on SQLite and PostgreSQL: 202 shape, Idempotency-Key, tenancy, the status
a client sees through the worker's steps, results, notifications, rewrites and their
acceptance. Workers' handlers run in this process on the events the API published."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.rewrite.service import deterministic_chain
from api.tasks.notify import Notice, record_late
from core import bus
from core.db import session_scope
from core.models import (
    MatchResult,
    MetricEvent,
    Notification,
    Resume,
    ResumeSource,
    ResumeVersion,
    Task,
)
from core.redis import connect
from tests.helpers.db import count_rows
from tests.helpers.seed import seed
from tests.helpers.tasks import drain, pubsub_messages, task_events
from tests.plugins.api import MakeKey
from workers import match, notify, rewrite

# The rewrite worker as the composition root builds it with no model configured.
REWRITE_WORKER = rewrite.work(deterministic_chain)


async def task(client: httpx.AsyncClient, headers: dict[str, str], task_id: str) -> Any:
    answer = await client.get(f"/api/v1/tasks/{task_id}", headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_match_task_202_status_result_and_one_notification(
    client: httpx.AsyncClient, make_key: MakeKey, engine: AsyncEngine, bus_url: str
) -> None:
    world = await seed(client, make_key)
    me = world.candidates[0]
    # Pub/sub channels are server-wide (not per database): a session id of this test's own.
    session_id = f"chat-{uuid.uuid4().hex}"
    answer = await client.post(
        f"/api/v1/resumes/{world.resume_ids[0]}/matches",
        json={"top_k": 3, "chat_session_id": session_id},
        headers=me.headers,
    )
    assert answer.status_code == 202, answer.text
    body = answer.json()
    assert set(body) == {"task_id", "status_url", "status"}
    task_id = body["task_id"]
    assert body["status_url"] == f"/api/v1/tasks/{task_id}" == answer.headers["location"]
    queued = await task(client, me.headers, task_id)
    assert (queued["status"], queued["attempts"], queued["result_url"]) == ("queued", 0, None)
    # The row and its event committed together; the event is on the stream.
    assert await task_events(engine, bus.MATCH) == [{"task_id": task_id}]
    assert await count_rows(engine, MetricEvent, MetricEvent.name == "task_submitted") == 1

    listener = connect(bus_url)
    pubsub = listener.pubsub()
    await pubsub.subscribe(f"cv:chat:{session_id}")
    assert await drain(bus_url, bus.MATCH, match.handle) == 1
    done = await task(client, me.headers, task_id)
    assert (done["status"], done["attempts"], done["error"]) == ("succeeded", 1, None)
    assert done["result_url"] == f"/api/v1/tasks/{task_id}/result"
    assert done["started_at"] <= done["finished_at"]

    result = (await client.get(done["result_url"], headers=me.headers)).json()
    matches = result["matches"]
    assert [m["rank"] for m in matches] == [1, 2, 3]
    assert matches[0]["job_id"] == world.job_ids[0]  # the Python developer's best job
    assert all(m["resume_id"] == world.resume_ids[0] for m in matches)
    assert [m["score"] for m in matches] == sorted((m["score"] for m in matches), reverse=True)

    # The notification was written with the task's end; its event carries what the
    # push needs, so the notify worker touches no database.
    async with session_scope(engine) as session:
        note = await session.scalar(select(Notification).where(Notification.task_id == task_id))
    assert note is not None and (note.kind, note.chat_session_id) == ("task.succeeded", session_id)
    push = {
        "task_id": task_id,
        "kind": "match_jobs",
        "status": "succeeded",
        "notification_id": note.id,
        "chat_session_id": session_id,
    }
    assert await task_events(engine, bus.NOTIFY) == [push]
    # Redelivered twice: still one result set, one notification, one push.
    await drain(bus_url, bus.MATCH, match.handle)
    assert await drain(bus_url, bus.NOTIFY, notify.handle) == 1
    await drain(bus_url, bus.NOTIFY, notify.handle)
    assert await count_rows(engine, MatchResult) == 3
    assert await count_rows(engine, Notification, Notification.task_id == task_id) == 1
    pushes = await pubsub_messages(pubsub)
    assert [json.loads(p)["task_id"] for p in pushes] == [task_id]
    assert json.loads(pushes[0]) == {
        "notification_id": note.id,
        "kind": "task.succeeded",
        "task_id": task_id,
        "task_kind": "match_jobs",
        "status": "succeeded",
        "status_url": f"/api/v1/tasks/{task_id}",
        "result_url": f"/api/v1/tasks/{task_id}/result",
    }
    await pubsub.aclose()
    await listener.aclose()


async def test_idempotency_key_answers_the_same_task(
    client: httpx.AsyncClient, make_key: MakeKey, engine: AsyncEngine, bus_url: str
) -> None:
    world = await seed(client, make_key)
    url = f"/api/v1/jobs/{world.job_ids[0]}/matches"
    headers = {**world.employer.headers, "Idempotency-Key": "retry-42"}
    first = await client.post(url, json={}, headers=headers)
    again = await client.post(url, json={}, headers=headers)
    assert first.status_code == again.status_code == 202
    assert first.json()["task_id"] == again.json()["task_id"]
    assert await count_rows(engine, Task) == 1
    assert len(await task_events(engine, bus.MATCH)) == 1
    # The same key for another job is a different request: refused, not merged.
    other = await client.post(f"/api/v1/jobs/{world.job_ids[1]}/matches", json={}, headers=headers)
    assert other.status_code == 409, other.text
    # Another organisation's identical key is its own.
    stranger = await make_key("org-z", "employer")
    mine = await client.post(
        "/api/v1/jobs",
        json={"external_id": "z1", "title": "Cook", "description": "Cook meals."},
        headers=stranger.headers,
    )
    theirs = await client.post(
        f"/api/v1/jobs/{mine.json()['id']}/matches",
        json={},
        headers={**stranger.headers, "Idempotency-Key": "retry-42"},
    )
    assert theirs.status_code == 202 and theirs.json()["task_id"] != first.json()["task_id"]


async def test_tasks_are_invisible_across_tenants(
    client: httpx.AsyncClient, make_key: MakeKey, bus_url: str
) -> None:
    world = await seed(client, make_key)
    mine = await client.post(
        f"/api/v1/resumes/{world.resume_ids[0]}/matches",
        json={},
        headers=world.candidates[0].headers,
    )
    theirs = await client.post(
        f"/api/v1/jobs/{world.job_ids[0]}/matches", json={}, headers=world.employer.headers
    )
    candidate_task, employer_task = mine.json()["task_id"], theirs.json()["task_id"]
    other_org = await make_key("org-z", "employer")
    other_candidate = world.candidates[1]
    colleague = await make_key("org-a", "employer")
    for key, task_id in (
        (other_org, employer_task),
        (other_org, candidate_task),
        (other_candidate, candidate_task),
        (other_candidate, employer_task),
        (world.employer, candidate_task),  # another organisation's candidate
    ):
        for path in ("", "/result"):
            answer = await client.get(f"/api/v1/tasks/{task_id}{path}", headers=key.headers)
            assert answer.status_code == 404, (path, answer.text)
    # A colleague of the same organisation follows the organisation's task.
    assert (await task(client, colleague.headers, employer_task))["kind"] == "match_candidates"
    # Submitting about someone else's objects is a 404 too.
    for key, path in (
        (other_candidate, f"/api/v1/resumes/{world.resume_ids[0]}/matches"),
        (other_org, f"/api/v1/jobs/{world.job_ids[0]}/matches"),
    ):
        answer = await client.post(path, json={}, headers=key.headers)
        assert answer.status_code == 404, answer.text


async def test_rewrite_task_stores_a_validated_version_with_diff_then_accept_and_reject(
    client: httpx.AsyncClient, make_key: MakeKey, engine: AsyncEngine, bus_url: str
) -> None:
    world = await seed(client, make_key)
    me, resume_id = world.candidates[0], world.resume_ids[0]
    tasks = []
    for job_id in world.job_ids[:2]:
        answer = await client.post(
            f"/api/v1/resumes/{resume_id}/rewrites", json={"job_id": job_id}, headers=me.headers
        )
        assert answer.status_code == 202, answer.text
        tasks.append(answer.json()["task_id"])
    assert await drain(bus_url, bus.REWRITE, REWRITE_WORKER.handle) == 2
    results = []
    for task_id in tasks:
        done = await task(client, me.headers, task_id)
        assert done["status"] == "succeeded", done
        results.append((await client.get(done["result_url"], headers=me.headers)).json())
    first = results[0]
    assert first["resume_id"] == resume_id
    assert first["diff"].startswith("--- v1\n+++ v2\n")
    assert "-- Responsible for building REST APIs" in first["diff"]
    assert "+- Built REST APIs in Python and Django" in first["diff"]
    async with session_scope(engine) as session:
        version = await session.get(ResumeVersion, first["version_id"])
        resume = await session.get(Resume, resume_id)
        assert version is not None and resume is not None
        assert (version.source, version.number, version.accepted) == (
            ResumeSource.rewritten,
            2,
            None,
        )
        assert version.parent_version_id == resume.current_version_id
        assert version.target_job_id == world.job_ids[0]
        assert version.parsed and version.parsed["skills"]
    # Accept: it becomes current (and a re-index task is queued); reject the other.
    accepted = await client.post(
        f"/api/v1/resumes/{resume_id}/versions/{first['version_id']}/accept", headers=me.headers
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["current_version_id"] == first["version_id"]
    rejected = await client.post(
        f"/api/v1/resumes/{resume_id}/versions/{results[1]['version_id']}/reject",
        headers=me.headers,
    )
    assert rejected.status_code == 200, rejected.text
    async with session_scope(engine) as session:
        rows = await session.execute(select(ResumeVersion.id, ResumeVersion.accepted))
        flags = {version_id: accepted for version_id, accepted in rows.all()}
    assert flags[first["version_id"]] is True and flags[results[1]["version_id"]] is False
    assert await count_rows(engine, Task, Task.kind == "index_resume") == 1
    # The uploaded version is not a rewrite: accept refuses it.
    async with session_scope(engine) as session:
        original = await session.scalar(
            select(ResumeVersion.id).where(
                ResumeVersion.source == ResumeSource.uploaded, ResumeVersion.resume_id == resume_id
            )
        )
    refused = await client.post(
        f"/api/v1/resumes/{resume_id}/versions/{original}/accept", headers=me.headers
    )
    assert refused.status_code == 409, refused.text
    # Someone else's resume cannot be rewritten.
    answer = await client.post(
        f"/api/v1/resumes/{resume_id}/rewrites",
        json={"job_id": world.job_ids[0]},
        headers=world.candidates[1].headers,
    )
    assert answer.status_code == 404


async def test_a_task_without_a_chat_session_gets_its_row_and_no_push(
    client: httpx.AsyncClient, make_key: MakeKey, engine: AsyncEngine, bus_url: str
) -> None:
    """A task without a chat session still gets its notification row (for the next visit);
    no notify event is queued, so nothing is pushed."""
    world = await seed(client, make_key)
    answer = await client.post(
        f"/api/v1/jobs/{world.job_ids[1]}/matches",
        json={"top_k": 2},
        headers=world.employer.headers,
    )
    await drain(bus_url, bus.MATCH, match.handle)
    assert await task_events(engine, bus.NOTIFY) == []
    async with session_scope(engine) as session:
        note = await session.scalar(select(Notification))
    assert note is not None and note.task_id == answer.json()["task_id"]
    assert (note.kind, note.chat_session_id, note.user_id) == (
        "task.succeeded",
        None,
        world.employer.user_id,
    )


async def test_notify_events_of_the_older_shape_get_their_row_written_once(
    client: httpx.AsyncClient, make_key: MakeKey, engine: AsyncEngine, bus_url: str
) -> None:
    """An older version queued notify events without a notification id (the task id, then
    also kind and status) and left the row to the notify worker: it writes the row, once,
    for a finished task only, and pushes it."""
    world = await seed(client, make_key)
    me = world.candidates[0]
    session_id = f"chat-{uuid.uuid4().hex}"
    answer = await client.post(
        f"/api/v1/resumes/{world.resume_ids[0]}/matches",
        json={"chat_session_id": session_id},
        headers=me.headers,
    )
    task_id = answer.json()["task_id"]
    # Not finished: neither an entry naming the task only nor one claiming a status the
    # task does not have writes anything.
    assert await record_late([Notice(task_id)]) == ([], {})
    assert await record_late([Notice(task_id, "match_jobs", "succeeded")]) == ([], {})
    assert await drain(bus_url, bus.MATCH, match.handle) == 1
    # As the older version finished it: without the notification.
    async with session_scope(engine) as session:
        await session.execute(delete(Notification).where(Notification.task_id == task_id))
    listener = connect(bus_url)
    pubsub = listener.pubsub()
    await pubsub.subscribe(f"cv:chat:{session_id}")

    async def deliver(payload: dict[str, str]) -> dict[str, Exception]:
        return await notify.handle_many([bus.Message(bus.NOTIFY, "1-1", payload, 1)])

    assert await deliver({"task_id": task_id, "kind": "match_jobs", "status": "failed"}) == {}
    assert await count_rows(engine, Notification) == 0
    assert await deliver({"task_id": task_id}) == {}  # reads the task first
    assert await deliver({"task_id": task_id, "kind": "match_jobs", "status": "succeeded"}) == {}
    failures = await deliver({"task_id": task_id, "kind": "match_jobs", "status": "done"})
    assert [type(error) for error in failures.values()] == [ValueError]

    async with session_scope(engine) as session:
        rows = (
            await session.scalars(select(Notification).where(Notification.task_id == task_id))
        ).all()
    assert [(n.kind, n.user_id, n.org_id, n.chat_session_id) for n in rows] == [
        ("task.succeeded", me.user_id, me.org_id, session_id)
    ]
    assert rows[0].payload["task_kind"] == "match_jobs"
    assert rows[0].payload["result_url"] == f"/api/v1/tasks/{task_id}/result"
    pushes = [json.loads(p) for p in await pubsub_messages(pubsub)]
    assert [(p["notification_id"], p["task_id"]) for p in pushes] == [(rows[0].id, task_id)]
    await pubsub.aclose()
    await listener.aclose()
