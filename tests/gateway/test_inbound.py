"""Inbound webhooks: the rejection matrix (nothing created), the actions, and durable
deduplication under concurrency against a real uvicorn server, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.gateway import signing
from clearview.app import build_api_app, build_app
from clearview.wiring import InboundChatAssistant
from core import bus
from core.db import dispose_engines, session_scope
from core.models import (
    ApiKey,
    InboundWebhook,
    Job,
    Resume,
    Task,
    TaskKind,
    TaskStatus,
    User,
    WebhookDelivery,
)
from tests.helpers.db import count_rows
from tests.helpers.server import serve_in_thread
from tests.helpers.webhooks import subscribe
from tests.plugins.api import Key, MakeKey
from workers import chat
from workers.base import StreamHandlers

INBOUND = "/api/v1/webhooks/inbound?org=org-a"
INBOUND_B = "/api/v1/webhooks/inbound?org=org-b"


def chat_work(handlers: StreamHandlers) -> bus.Handler:
    assert not isinstance(handlers.handle, bus.Batched)
    return handlers.handle


JOB = {"external_id": "ats-1", "title": "Data Engineer", "description": "Python and SQL."}


def envelope(kind: str = "job.upsert", data: dict[str, Any] | None = None) -> bytes:
    return json.dumps({"type": kind, "data": data if data is not None else JOB}).encode()


def signed(
    secret: str, body: bytes, msg_id: str | None = None, timestamp: int | None = None
) -> dict[str, str]:
    msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signing.sign(secret, msg_id, timestamp, body),
        "content-type": "application/json",
    }


@pytest.fixture
async def partner(
    engine: AsyncEngine, client: httpx.AsyncClient, make_key: MakeKey, fast_webhooks: None
) -> tuple[Key, str]:
    """Organisation A's key and the secret its partner system signs with."""
    key = await make_key("org-a", "employer")
    sub = await subscribe(client, key, "http://127.0.0.1:9/hook", ["chat.reply"])
    return key, str(sub["inbound_secret"])


async def nothing_created(engine: AsyncEngine) -> bool:
    return (
        await count_rows(engine, Job) == 0
        and await count_rows(engine, InboundWebhook) == 0
        and await count_rows(engine, Resume) == 0
    )


async def test_rejection_matrix_creates_nothing(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    make_key: MakeKey,
    partner: tuple[Key, str],
) -> None:
    key_a, secret = partner
    key_b = await make_key("org-b", "employer")
    secret_b = (await subscribe(client, key_b, "http://127.0.0.1:9/b", ["chat.reply"]))[
        "inbound_secret"
    ]
    body = envelope()
    # "Too new" keeps 30 s of slack: the cases run one by one on a busy machine.
    now = int(time.time())
    cases: list[tuple[str, dict[str, str], bytes, int, str, str | None]] = []
    for header in ("webhook-id", "webhook-timestamp", "webhook-signature"):
        headers = signed(secret, body)
        del headers[header]
        cases.append((f"no {header}", headers, body, 400, header, None))
    flipped = body[:20] + bytes([body[20] ^ 1]) + body[21:]  # one bit of one byte
    changed = body.replace(b"Data Engineer", b"Data Engineex")  # one character
    cases += [
        ("body changed", signed(secret, body), flipped, 401, "does not verify", None),
        ("body changed in a value", signed(secret, body), changed, 401, "does not verify", None),
        ("timestamp +330 s", signed(secret, body, timestamp=now + 330), body, 401, "too new", None),
        ("timestamp -301 s", signed(secret, body, timestamp=now - 301), body, 401, "too old", None),
        ("wrong secret", signed(signing.new_secret(), body), body, 401, "does not verify", None),
        # Organisation B's valid secret on a message addressed to organisation A.
        ("other org's secret", signed(secret_b, body), body, 401, "does not verify", key_a.org_id),
        ("unknown org", signed(secret, body), body, 401, "does not verify", "no-such-org"),
    ]
    for name, headers, content, status, detail, org in cases:
        params = {"org": org} if org else None
        response = await client.post(INBOUND, content=content, headers=headers, params=params)
        assert response.status_code == status, (name, response.text)
        assert detail in response.json()["detail"], name
        assert await nothing_created(engine), name


async def test_bad_payloads_are_refused_after_verification(
    engine: AsyncEngine, client: httpx.AsyncClient, partner: tuple[Key, str]
) -> None:
    _, secret = partner
    for body, status in [
        (b"not json", 400),
        (envelope("job.delete"), 422),
        (envelope("job.upsert", {"external_id": "x"}), 422),  # no title or description
        (
            envelope(
                "resume.submit",
                {"candidate_ref": "c1", "filename": "cv.txt", "content_base64": "%%%"},
            ),
            422,
        ),
    ]:
        response = await client.post(INBOUND, content=body, headers=signed(secret, body))
        assert response.status_code == status, response.text
    assert await nothing_created(engine)


async def test_job_upsert_creates_then_updates_and_dedupes(
    engine: AsyncEngine, client: httpx.AsyncClient, partner: tuple[Key, str]
) -> None:
    key, secret = partner
    body = envelope()
    headers = signed(secret, body)
    first = await client.post(INBOUND, content=body, headers=headers, params={"org": "org-a"})
    assert first.status_code == 200, first.text
    assert first.json()["duplicate"] is False and first.json()["result"]["action"] == "created"
    again = await client.post(INBOUND, content=body, headers=headers)  # the partner retries
    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert again.json()["result"] == first.json()["result"]

    changed = envelope(data={**JOB, "title": "Senior Data Engineer"})
    update = await client.post(INBOUND, content=changed, headers=signed(secret, changed))
    assert update.json()["result"]["action"] == "updated"
    async with session_scope(engine) as session:
        jobs = (await session.scalars(select(Job))).all()
    assert [(j.org_id, j.title) for j in jobs] == [(key.org_id, "Senior Data Engineer")]


async def test_the_organisation_comes_from_the_secret(
    engine: AsyncEngine, client: httpx.AsyncClient, make_key: MakeKey, partner: tuple[Key, str]
) -> None:
    key_a, _ = partner
    key_b = await make_key("org-b", "employer")
    secret_b = (await subscribe(client, key_b, "http://127.0.0.1:9/b", ["job.alert"]))[
        "inbound_secret"
    ]
    body = envelope()
    response = await client.post(INBOUND_B, content=body, headers=signed(secret_b, body))
    assert response.status_code == 200
    assert await count_rows(engine, Job, Job.org_id == key_a.org_id) == 0
    assert await count_rows(engine, Job, Job.org_id == key_b.org_id) == 1


async def test_resume_submit_maps_the_partner_candidate(
    engine: AsyncEngine, client: httpx.AsyncClient, partner: tuple[Key, str]
) -> None:
    key, secret = partner
    data = {
        "candidate_ref": "cand-42",
        "filename": "cv.txt",
        "content_base64": base64.b64encode(b"Sam Lee\nData engineer, Python, SQL\n").decode(),
    }
    body = envelope("resume.submit", data)
    response = await client.post(INBOUND, content=body, headers=signed(secret, body))
    assert response.status_code == 201, response.text
    resume_id = response.json()["result"]["resume_id"]
    async with session_scope(engine) as session:
        user = await session.scalar(select(User).where(User.username == "partner:cand-42"))
    assert user is not None and user.org_id == key.org_id and user.role.value == "candidate"
    assert await count_rows(engine, Resume, Resume.id == resume_id) == 1
    again = await client.post(INBOUND, content=body, headers=signed(secret, body))  # new id
    assert again.status_code == 201
    assert await count_rows(engine, User, User.username == "partner:cand-42") == 1


async def test_chat_message_is_answered_by_the_assistant_through_an_outbound_webhook(
    engine: AsyncEngine, client: httpx.AsyncClient, partner: tuple[Key, str]
) -> None:
    key, secret = partner
    body = envelope("chat.message", {"conversation_id": "conv-1", "message": "Any data jobs?"})
    headers = signed(secret, body)
    response = await client.post(INBOUND, content=body, headers=headers)
    assert response.status_code == 202, response.text
    again = await client.post(INBOUND, content=body, headers=headers)
    assert again.status_code == 202 and again.json()["duplicate"] is True
    async with session_scope(engine) as session:
        [task] = (await session.scalars(select(Task))).all()
    assert (task.kind, task.org_id) == (TaskKind.chat, key.org_id)
    assert await count_rows(engine, WebhookDelivery) == 0  # answered by the worker, not here

    # The chat worker, as the composition root builds it: the real assistant (offline
    # model here), its tools calling the services in memory with a key for the turn.
    assistant = InboundChatAssistant(api_app=build_api_app)
    handlers = chat.handlers(assistant.answer, assistant.resources)
    assert handlers.resources is not None
    async with handlers.resources():
        await chat_work(handlers)(bus.Message(bus.CHAT, "1-1", {"task_id": task.id}, 1))
    async with session_scope(engine) as session:
        [delivery] = (await session.scalars(select(WebhookDelivery))).all()
        finished = await session.get(Task, task.id)
    assert finished is not None and finished.status is TaskStatus.succeeded
    assert delivery.event_type == "chat.reply"
    data = delivery.payload["data"]
    assert (data["conversation_id"], data["in_reply_to"]) == ("conv-1", headers["webhook-id"])
    assert isinstance(data["reply"], str) and len(data["reply"]) > 20
    # The key the turn acted with lived for that turn only.
    assert await count_rows(engine, ApiKey, ApiKey.name == "inbound-chat turn") == 0


@pytest.fixture
async def live_server(partner: tuple[Key, str]) -> AsyncIterator[str]:
    """The whole app under a real uvicorn on 127.0.0.1, in a thread with its own loop.

    Set up after `partner` (whose requests ran on this loop), whose engines are disposed
    first: the server's loop must open its own connections. Its lifespan disposes those.
    """
    await dispose_engines()
    # Started and stopped off this loop: waiting for the thread must not block it.
    serving = serve_in_thread(build_app(), timeout=10)
    base_url = await asyncio.to_thread(serving.__enter__)
    yield base_url
    await asyncio.to_thread(serving.__exit__, None, None, None)


async def test_ten_concurrent_copies_create_one_job(
    engine: AsyncEngine, partner: tuple[Key, str], live_server: str
) -> None:
    _, secret = partner
    body = envelope()
    headers = signed(secret, body)
    async with httpx.AsyncClient(base_url=live_server, timeout=30) as http:
        responses = await asyncio.gather(
            *(http.post(INBOUND, content=body, headers=headers) for _ in range(10))
        )
    assert [r.status_code for r in responses] == [200] * 10, [r.text for r in responses]
    assert sorted(r.json()["duplicate"] for r in responses) == [False] + [True] * 9
    assert len({r.json()["result"]["job_id"] for r in responses}) == 1
    assert await count_rows(engine, Job) == 1
    assert await count_rows(engine, InboundWebhook) == 1
