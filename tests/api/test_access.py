"""Access matrix derived from the OpenAPI document: no route works without a key, and every
route with an id answers 404 (not 403, not data) to anyone outside the owning tenant."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.gateway.service import emit
from api.rewrite.service import deterministic_chain
from core import bus
from core.db import session_scope
from core.models import (
    InboundWebhook,
    Job,
    OutboxEvent,
    Resume,
    Task,
    WebhookDelivery,
    WebhookSubscription,
)
from core.secrets_at_rest import configured_box
from core.settings import reset_settings_cache
from tests.helpers.db import count_rows
from tests.helpers.openapi import json_body_schema
from tests.plugins.api import Key, MakeKey, StoredResume
from workers import rewrite

OPEN = {"/healthz", "/readyz"}
# Authenticated by a Standard Webhooks signature instead of a key (partners have no key).
SIGNED = {"/api/v1/webhooks/inbound"}
# Signing in takes a password instead of a key (the example's answers 401 here).
SIGN_IN = {"/api/v1/sessions"}
ID_PARAM = re.compile(r"{(\w+)}")
# Loopback receivers are refused unless the test allows them; nothing listens on port 9.
HOOK_URL = "http://127.0.0.1:9/hook"


def _operations(app: FastAPI) -> list[tuple[str, str, dict[str, Any]]]:
    paths = app.openapi()["paths"]
    return [(path, method, op) for path, ops in paths.items() for method, op in ops.items()]


def _example_body(app: FastAPI, op: dict[str, Any]) -> Any:
    schema = json_body_schema(app.openapi(), op)
    return None if schema is None else schema["examples"][0]


async def test_only_health_and_docs_are_open(
    app: FastAPI, client: httpx.AsyncClient, make_key: MakeKey, engine: AsyncEngine
) -> None:
    await make_key("org-a", "admin")  # an organisation the inbound call can name
    checked = signed = 0
    for path, method, op in _operations(app):
        url = ID_PARAM.sub("0123456789abcdef0123456789abcdef", path)
        if path in SIGNED:
            await _refuses_unsigned(client, engine, method, url, _example_body(app, op))
            signed += 1
            continue
        body = _example_body(app, op) if path in SIGN_IN else None
        answer = await client.request(method, url, json=body)
        if path in SIGN_IN:
            assert answer.status_code == 401 and answer.json()["error"] == "unauthorized"
        elif path in OPEN:
            assert answer.status_code == 200, (method, path)
        else:
            assert answer.status_code == 401, (method, path, answer.text)
            assert answer.json()["error"] == "unauthorized"
            assert answer.headers["www-authenticate"] == "Bearer"
            checked += 1
    assert checked >= 20 and signed == len(SIGNED)
    assert ("/api/v1/chat", "post") in {(path, method) for path, method, _ in _operations(app)}
    for open_path in ("/metrics", "/openapi.json", "/docs"):
        assert (await client.get(open_path)).status_code == 200, open_path


async def _refuses_unsigned(
    client: httpx.AsyncClient, engine: AsyncEngine, method: str, url: str, body: Any
) -> None:
    """A signed route refuses a valid body that is unsigned or carries a forged signature,
    and acts on neither (not even recording the webhook-id as seen)."""
    assert body["type"] == "job.upsert"  # an event that would create a row if accepted
    forged = {
        "webhook-id": "msg_forged",
        "webhook-timestamp": str(int(time.time())),
        "webhook-signature": "v1,bm90IGEgc2lnbmF0dXJlIG9mIG91cnM=",
    }
    for headers, expected in (({}, 400), (forged, 401)):
        answer = await client.request(
            method, url, params={"org": "org-a"}, json=body, headers=headers
        )
        assert answer.status_code == expected, (url, headers, answer.text)
        assert answer.json()["error"] in ("bad_request", "unauthorized")
    for model in (InboundWebhook, Job, Resume, Task):
        assert await count_rows(engine, model) == 0, model.__name__


async def test_bad_and_revoked_keys_are_refused(
    client: httpx.AsyncClient, make_key: MakeKey
) -> None:
    key = await make_key("org-a", "employer")
    assert (await client.get("/api/v1/me", headers=key.headers)).status_code == 200
    forged = key.secret[:-4] + ("AAAA" if not key.secret.endswith("AAAA") else "BBBB")
    for bad in (forged, "cv_nothing", "not-a-key", ""):
        answer = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {bad}"})
        assert answer.status_code == 401, bad
    answer = await client.delete(f"/api/v1/apikeys/{key.key_id}", headers=key.headers)
    assert answer.status_code == 204
    assert (await client.get("/api/v1/me", headers=key.headers)).status_code == 401


@dataclass(frozen=True)
class Subscription:
    id: str
    secret: str


async def _subscribe(client: httpx.AsyncClient, key: Key) -> Subscription:
    answer = await client.post(
        "/api/v1/webhooks/subscriptions",
        json={"url": HOOK_URL, "events": ["job.indexed", "match.completed"]},
        headers=key.headers,
    )
    assert answer.status_code == 201, answer.text
    return Subscription(answer.json()["id"], answer.json()["secret"])


async def _delivery(engine: AsyncEngine, key: Key, subscription_id: str, job_id: str) -> str:
    """A delivery of `key`'s organisation, queued by the gateway's own `emit`."""
    async with session_scope(engine) as session:
        await emit(session, key.org_id, "job.indexed", {"job_id": job_id}, event_id=job_id)
    async with session_scope(engine) as session:
        delivery_id = await session.scalar(
            select(WebhookDelivery.id).where(WebhookDelivery.subscription_id == subscription_id)
        )
    assert delivery_id is not None
    return delivery_id


@dataclass(frozen=True)
class Rewrite:
    task_id: str
    version_id: str


async def _rewrite(
    client: httpx.AsyncClient, key: Key, stored: StoredResume, job_id: str
) -> Rewrite:
    """A rewrite task submitted over the API and run by the rewrite worker's handler: a
    succeeded task with a result, and a rewritten version waiting to be accepted."""
    answer = await client.post(
        f"/api/v1/resumes/{stored.resume_id}/rewrites", json={"job_id": job_id}, headers=key.headers
    )
    assert answer.status_code == 202, answer.text
    task_id = answer.json()["task_id"]
    message = bus.Message(bus.REWRITE, "0-1", {"task_id": task_id}, 1)
    await rewrite.work(deterministic_chain).handle(message)
    result = await client.get(f"/api/v1/tasks/{task_id}/result", headers=key.headers)
    assert result.status_code == 200, result.text
    return Rewrite(task_id, result.json()["version_id"])


async def _contact_request(
    client: httpx.AsyncClient, keys: dict[str, Key], candidate_id: str, job_id: str
) -> str:
    """org-a asks candidate_x (opted in for it) whether it may contact them."""
    opened = await client.patch(
        "/api/v1/candidates/me",
        json={"open_to_employers": True},
        headers=keys["candidate_x"].headers,
    )
    assert opened.status_code == 200, opened.text
    asked = await client.post(
        "/api/v1/contact-requests",
        json={"job_id": job_id, "candidate_id": candidate_id},
        headers=keys["employer_a"].headers,
    )
    assert asked.status_code == 201, asked.text
    return str(asked.json()["id"])


async def test_ids_of_other_tenants_answer_404(
    app: FastAPI,
    client: httpx.AsyncClient,
    make_key: MakeKey,
    make_resume: Any,
    engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CLEARVIEW_WEBHOOKS_ALLOW_PRIVATE", "true")
    reset_settings_cache()
    keys: dict[str, Key] = {
        "employer_a": await make_key("org-a", "employer"),
        "admin_a": await make_key("org-a", "admin"),
        "employer_b": await make_key("org-b", "employer"),
        "admin_b": await make_key("org-b", "admin"),
        "candidate_x": await make_key("public", "candidate"),
        "candidate_y": await make_key("public", "candidate"),
        "admin_public": await make_key("public", "admin"),
    }
    answer = await client.post(
        "/api/v1/jobs",
        json={"external_id": "j-1", "title": "Data Engineer", "description": "ETL in Python"},
        headers=keys["employer_a"].headers,
    )
    assert answer.status_code == 201
    job_id = answer.json()["id"]
    # A weak opener: the offline rewrite tightens it for any job (an unchanged resume
    # fails the task with the reason instead of storing a version).
    stored = await make_resume(
        keys["candidate_x"], text="Sam Lee\nData engineer\n- Responsible for building pipelines"
    )
    rewrite = await _rewrite(client, keys["candidate_x"], stored, job_id)
    subscription = await _subscribe(client, keys["employer_a"])
    delivery_id = await _delivery(engine, keys["employer_a"], subscription.id, job_id)
    # The outsiders have objects of their own: their own parent object must not open the
    # owners' child objects either (a delivery is looked up within its subscription, a
    # version within its resume).
    request_id = await _contact_request(client, keys, stored.candidate_id, job_id)
    pending = await client.get("/api/v1/notifications", headers=keys["candidate_x"].headers)
    [notification_id] = [n["id"] for n in pending.json() if n["kind"] == "contact.request"]
    theirs = await make_resume(keys["candidate_y"])
    their_subscription = await _subscribe(client, keys["admin_b"])
    crossed = {
        "candidate_y": {"resume_id": theirs.resume_id, "candidate_id": theirs.candidate_id},
        "admin_b": {"subscription_id": their_subscription.id},
    }

    ids = {
        "job_id": job_id,
        "resume_id": stored.resume_id,
        "version_id": rewrite.version_id,
        "candidate_id": stored.candidate_id,
        "key_id": keys["employer_a"].key_id,
        "task_id": rewrite.task_id,
        "subscription_id": subscription.id,
        "delivery_id": delivery_id,
        "request_id": request_id,
        "notification_id": notification_id,
        "user_id": keys["employer_a"].user_id,
        "org_id": keys["employer_a"].org_id,
    }
    org_a, candidate_x = {"employer_a", "admin_a"}, {"candidate_x", "admin_public"}
    owners = {
        "job_id": org_a,
        "key_id": org_a,
        "subscription_id": org_a,
        "delivery_id": org_a,
        "resume_id": candidate_x,
        "version_id": candidate_x,
        "candidate_id": candidate_x,
        "task_id": candidate_x,
        # Seen by the candidate asked and the organisation asking (only the former answers).
        "request_id": {"candidate_x", *org_a},
        # A notification is its user's alone (not even their organisation's admins').
        "notification_id": {"candidate_x"},
        # A person is seen by their organisation (only its admins act) and platform admins.
        "user_id": {"admin_public", *org_a},
        # Only platform admins approve an organisation.
        "org_id": {"admin_public", *org_a},
    }
    probed = 0
    for path, method, op in _operations(app):
        params = ID_PARAM.findall(path)
        if not params:
            continue
        unknown = set(params) - set(ids)
        assert not unknown, f"add an owned object for {unknown} of {path} to this matrix"
        allowed = set.intersection(*(owners[p] for p in params))
        body = _example_body(app, op)
        for name, key in keys.items():
            if name in allowed:
                continue
            own = {p: v for p, v in crossed.get(name, {}).items() if p in params}
            variants = [ids]
            if own and set(params) - set(own):
                variants.append({**ids, **own})
            for values in variants:
                url = path.format(**{p: values[p] for p in params})
                answer = await client.request(method, url, json=body, headers=key.headers)
                assert answer.status_code == 404, (
                    name,
                    method,
                    url,
                    answer.status_code,
                    answer.text,
                )
                assert answer.json()["error"] == "not_found"
                probed += 1
    assert probed >= 100

    # Nothing an outsider sent changed anything: the owners still read their objects.
    job = await client.get(f"/api/v1/jobs/{job_id}", headers=keys["employer_a"].headers)
    assert job.status_code == 200 and job.json()["title"] == "Data Engineer"
    assert job.json()["published"] is True
    for name in ("candidate_x", "admin_public"):
        headers = keys[name].headers
        resume = await client.get(f"/api/v1/resumes/{stored.resume_id}", headers=headers)
        assert resume.status_code == 200, name
        # Neither accepted nor rejected: the upload is still current, the rewrite undecided.
        assert resume.json()["current_version_id"] == stored.version_id
        version = await client.get(
            f"/api/v1/resumes/{stored.resume_id}/versions/{stored.version_id}", headers=headers
        )
        assert version.status_code == 200 and version.json()["text"].startswith("Sam Lee")
        rewritten = await client.get(
            f"/api/v1/resumes/{stored.resume_id}/versions/{rewrite.version_id}", headers=headers
        )
        assert rewritten.status_code == 200 and rewritten.json()["accepted"] is None
        task = await client.get(f"/api/v1/tasks/{rewrite.task_id}", headers=headers)
        assert task.status_code == 200 and task.json()["status"] == "succeeded"
    for name in ("employer_a", "admin_a"):
        headers = keys[name].headers
        sub = await client.get(f"/api/v1/webhooks/subscriptions/{subscription.id}", headers=headers)
        assert sub.status_code == 200 and sub.json()["active"] is True, name
        log = await client.get(
            f"/api/v1/webhooks/subscriptions/{subscription.id}/deliveries", headers=headers
        )
        assert [d["id"] for d in log.json()["items"]] == [delivery_id]
        assert log.json()["items"][0]["status"] == "pending"
    async with session_scope(engine) as session:
        secrets = await session.scalar(
            select(WebhookSubscription.secrets).where(WebhookSubscription.id == subscription.id)
        )
    assert configured_box().open_all(secrets or []) == [subscription.secret]  # never rotated
    still = await client.get("/api/v1/notifications", headers=keys["candidate_x"].headers)
    assert notification_id in [n["id"] for n in still.json()]  # nobody else claimed it
    asked = await client.get("/api/v1/contact-requests", headers=keys["employer_a"].headers)
    assert [(r["id"], r["status"]) for r in asked.json()] == [(request_id, "pending")]
    # Only `emit` queued a webhook delivery: no replay was accepted.
    assert await count_rows(engine, OutboxEvent, OutboxEvent.stream == bus.WEBHOOKS) == 1
    assert (await client.get("/api/v1/me", headers=keys["employer_a"].headers)).status_code == 200


async def test_organisation_comes_from_the_key(
    client: httpx.AsyncClient, make_key: MakeKey
) -> None:
    a, b = await make_key("org-a", "employer"), await make_key("org-b", "employer")
    body = {"title": "Analyst", "description": "SQL", "org_id": b.org_id}
    created = await client.post("/api/v1/jobs", json=body, headers=a.headers)
    assert created.status_code == 201
    listed_b = await client.get("/api/v1/jobs", headers=b.headers)
    assert listed_b.json()["total"] == 0
    listed_a = await client.get("/api/v1/jobs", headers=a.headers)
    assert [j["id"] for j in listed_a.json()["items"]] == [created.json()["id"]]


async def test_roles(client: httpx.AsyncClient, make_key: MakeKey) -> None:
    candidate = await make_key("public", "candidate")
    employer = await make_key("org-a", "employer")
    job = {"title": "Analyst", "description": "SQL"}
    assert (
        await client.post("/api/v1/jobs", json=job, headers=candidate.headers)
    ).status_code == 403
    assert (await client.get("/api/v1/resumes", headers=employer.headers)).status_code == 403
    upload = await client.post(
        "/api/v1/resumes",
        files={"file": ("cv.txt", b"Sam", "text/plain")},
        headers=employer.headers,
    )
    assert upload.status_code == 403
    assert (
        await client.get("/api/v1/metrics/summary", headers=candidate.headers)
    ).status_code == 403
    assert (await client.get("/api/v1/apikeys", headers=employer.headers)).status_code == 403
