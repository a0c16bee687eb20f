"""Contact requests on SQLite and PostgreSQL: an employer asks, the candidate is asked in
their chat (a notification row and a push on their user channel) and answers; the blind
shortlist reveals the contact to that organisation only while the answer is yes."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db import session_scope
from core.models import ContactRequest, Notification, WebhookDelivery, WebhookSubscription, new_id
from core.redis import connect
from tests.fixtures.matching import JOBS, RESUME
from tests.helpers.upload import Candidate, import_jobs, upload_candidate
from tests.plugins.api import Key, MakeKey

REQUESTS = "/api/v1/contact-requests"
EMAIL = "jordan.smith@mail.com"
PERSONAL = ("Jordan", "Smith", EMAIL, "555 0100")


async def _shortlist_email(
    client: httpx.AsyncClient, key: Key, job_id: str, candidate_id: str
) -> Any:
    answer = await client.get(
        f"/api/v1/reports/jobs/{job_id}/shortlist", params={"format": "json"}, headers=key.headers
    )
    assert answer.status_code == 200, answer.text
    rows = {r["candidate_id"]: r for r in answer.json()["candidates"]}
    return rows[candidate_id]["contact_email"]


async def _notifications(engine: AsyncEngine, user_id: str) -> list[Notification]:
    async with session_scope(engine) as session:
        rows = await session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.created_at)
        )
        return list(rows)


async def _count(engine: AsyncEngine, model: type[Any]) -> int:
    async with session_scope(engine) as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _employer_job_and_candidate(
    client: httpx.AsyncClient, make_key: MakeKey
) -> tuple[Key, str, Candidate]:
    """org-a's employer, its Python backend job, and an opted-in candidate."""
    employer = await make_key("org-a", "employer")
    job_id = (await import_jobs(client, employer))["py-backend"]
    candidate = await upload_candidate(
        client, await make_key("public", "candidate"), RESUME, open_to_employers=True
    )
    return employer, job_id, candidate


async def test_ask_answer_and_only_the_asking_organisation_sees_the_contact(
    bus_url: str, client: httpx.AsyncClient, make_key: MakeKey, engine: AsyncEngine
) -> None:
    employer, job_id, me = await _employer_job_and_candidate(client, make_key)
    rival = await make_key("org-b", "employer")
    rival_job_id = (await import_jobs(client, rival))["py-backend"]
    async with session_scope(engine) as session:
        session.add(
            WebhookSubscription(
                id=new_id(), org_id=employer.org_id, url="https://hooks.example.org/cv",
                events=["contact.answered"], secrets=["whsec_test"], active=True,
            )
        )  # fmt: skip
    listener = connect(bus_url)
    pubsub = listener.pubsub()
    await pubsub.subscribe(f"cv:user:{me.key.user_id}")

    assert await _shortlist_email(client, employer, job_id, me.candidate_id) is None
    body = {"job_id": job_id, "candidate_id": me.candidate_id}
    asked = await client.post(REQUESTS, json=body, headers=employer.headers)
    assert asked.status_code == 201, asked.text
    request = asked.json()
    assert request["status"] == "pending" and request["answered_at"] is None
    title = next(j["title"] for j in JOBS if j["external_id"] == "py-backend")
    assert (request["job_id"], request["job_title"]) == (job_id, title)
    again = await client.post(REQUESTS, json=body, headers=employer.headers)
    assert again.status_code == 200 and again.json()["id"] == request["id"]

    # The candidate is asked in their chat: one durable row, one push, nothing personal.
    [question] = await _notifications(engine, me.key.user_id)
    assert question.kind == "contact.request" and question.delivered_at is None
    assert question.payload["request_id"] == request["id"]
    pushed = None
    for _ in range(40):
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.1)
        if message is not None:
            pushed = json.loads(message["data"])
            break
    assert pushed is not None, "no push on the candidate's channel"
    assert pushed["kind"] == "contact.request" and pushed["notification_id"] == question.id
    assert pushed["request_id"] == request["id"] and pushed["job_title"]
    await pubsub.aclose()
    await listener.aclose()

    mine = await client.get(REQUESTS, params={"status": "pending"}, headers=me.key.headers)
    assert [r["id"] for r in mine.json()] == [request["id"]]
    theirs = await client.get(REQUESTS, headers=employer.headers)
    assert [r["id"] for r in theirs.json()] == [request["id"]]
    assert (await client.get(REQUESTS, headers=rival.headers)).json() == []

    # Yes: org-a's shortlist shows the e-mail address; org-b's stays blind.
    answer = await client.post(
        f"{REQUESTS}/{request['id']}/answer", json={"accept": True}, headers=me.key.headers
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "accepted" and answer.json()["answered_at"]
    assert await _shortlist_email(client, employer, job_id, me.candidate_id) == EMAIL
    assert await _shortlist_email(client, rival, rival_job_id, me.candidate_id) is None
    [told] = await _notifications(engine, employer.user_id)
    assert told.kind == "contact.answered" and told.payload["status"] == "accepted"
    assert not any(p in json.dumps(told.payload) for p in PERSONAL)
    # The same answer twice tells nobody twice.
    await client.post(
        f"{REQUESTS}/{request['id']}/answer", json={"accept": True}, headers=me.key.headers
    )
    assert len(await _notifications(engine, employer.user_id)) == 1

    # Changing one's mind: blind again.
    answer = await client.post(
        f"{REQUESTS}/{request['id']}/answer", json={"accept": False}, headers=me.key.headers
    )
    assert answer.json()["status"] == "declined"
    assert await _shortlist_email(client, employer, job_id, me.candidate_id) is None
    assert [n.payload["status"] for n in await _notifications(engine, employer.user_id)] == [
        "accepted",
        "declined",
    ]
    async with session_scope(engine) as session:
        hooks = (await session.scalars(select(WebhookDelivery))).all()
    assert sorted(h.payload["data"]["status"] for h in hooks) == ["accepted", "declined"]
    assert all(h.event_type == "contact.answered" for h in hooks)
    assert not any(p in json.dumps(h.payload) for h in hooks for p in PERSONAL)


async def test_who_may_ask_and_answer(
    client: httpx.AsyncClient, make_key: MakeKey, engine: AsyncEngine
) -> None:
    employer, job_id, me = await _employer_job_and_candidate(client, make_key)
    hidden = await upload_candidate(client, await make_key("public", "candidate"), RESUME)
    stranger = await make_key("org-b", "employer")
    admin = await make_key("org-a", "admin")

    def ask(key: Key, candidate: Candidate, job: str = job_id) -> Any:
        body = {"job_id": job, "candidate_id": candidate.candidate_id}
        return client.post(REQUESTS, json=body, headers=key.headers)

    # Another organisation's job, an unknown job: 404; a candidate key: 403 (after the tenant).
    assert (await ask(stranger, me)).status_code == 404
    assert (await ask(employer, me, "nope")).status_code == 404
    assert (await ask(me.key, me)).status_code == 404  # a candidate's org has no such job
    # A candidate who did not opt in answers exactly like one who does not exist.
    not_open, unknown = (
        await ask(employer, hidden),
        await client.post(
            REQUESTS, json={"job_id": job_id, "candidate_id": "nobody"}, headers=employer.headers
        ),
    )
    assert not_open.status_code == unknown.status_code == 404
    assert not_open.json()["detail"].replace(hidden.candidate_id, "X") == unknown.json()[
        "detail"
    ].replace("nobody", "X")
    assert "shortlist" in not_open.json()["detail"]
    assert await _count(engine, ContactRequest) == 0
    assert await _count(engine, Notification) == 0

    request = (await ask(admin, me)).json()  # an admin of the organisation may ask too
    path = f"{REQUESTS}/{request['id']}/answer"
    # Only the candidate asked may answer.
    forbidden = await client.post(path, json={"accept": True}, headers=employer.headers)
    assert forbidden.status_code == 403 and "candidate" in forbidden.json()["detail"]
    other = await client.post(path, json={"accept": True}, headers=hidden.key.headers)
    assert other.status_code == 404
    async with session_scope(engine) as session:
        assert (await session.get_one(ContactRequest, request["id"])).status == "pending"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"job_id": "j"}, "candidate_id"),
        ({"candidate_id": "c"}, "job_id"),
        ({"job_id": "", "candidate_id": "c"}, "job_id"),
        ({"job_id": "j", "candidate_id": "c", "note": "hi"}, "note"),
    ],
)
async def test_bad_requests_are_422_naming_the_field(
    client: httpx.AsyncClient, make_key: MakeKey, body: dict[str, str], field: str
) -> None:
    employer = await make_key("org-a", "employer")
    answer = await client.post(REQUESTS, json=body, headers=employer.headers)
    assert answer.status_code == 422, answer.text
    assert field in answer.json()["detail"]


async def test_bad_answers_and_filters_are_rejected(
    client: httpx.AsyncClient, make_key: MakeKey
) -> None:
    me = await make_key("public", "candidate")
    for body in ({}, {"accept": "maybe"}):
        answer = await client.post(f"{REQUESTS}/abc/answer", json=body, headers=me.headers)
        assert answer.status_code == 422 and "accept" in answer.json()["detail"]
    missing = await client.post(f"{REQUESTS}/abc/answer", json={"accept": True}, headers=me.headers)
    assert missing.status_code == 404 and "abc" in missing.json()["detail"]
    answer = await client.get(REQUESTS, params={"status": "maybe"}, headers=me.headers)
    assert answer.status_code == 422 and "status" in answer.json()["detail"]
    assert (await client.get(REQUESTS)).status_code == 401


async def test_erasure_removes_requests_and_questions_waiting_in_the_chat(
    client: httpx.AsyncClient, make_key: MakeKey, engine: AsyncEngine
) -> None:
    employer, job_id, me = await _employer_job_and_candidate(client, make_key)
    body = {"job_id": job_id, "candidate_id": me.candidate_id}
    assert (await client.post(REQUESTS, json=body, headers=employer.headers)).status_code == 201
    assert len(await _notifications(engine, me.key.user_id)) == 1

    erased = await client.delete(f"/api/v1/candidates/{me.candidate_id}", headers=me.key.headers)
    assert erased.status_code == 204, erased.text
    assert await _count(engine, ContactRequest) == 0
    assert await _notifications(engine, me.key.user_id) == []
    assert (await client.get(REQUESTS, headers=employer.headers)).json() == []
