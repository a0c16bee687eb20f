"""Inbound webhooks under abuse: the organisation is required, the body is capped, a
disabled subscription's secret verifies nothing, and only inbound secrets verify (not the
secrets we sign deliveries with, which every receiver holds)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from api.gateway import signing
from core.db import session_scope
from core.models import Job, WebhookSubscription
from core.secrets_at_rest import PREFIX, configured_box
from core.settings import reset_settings_cache
from tests.helpers.db import count_rows
from tests.helpers.webhooks import subscribe
from tests.plugins.api import MakeKey

INBOUND = "/api/v1/webhooks/inbound"
BODY = json.dumps(
    {"type": "job.upsert", "data": {"external_id": "a-1", "title": "T", "description": "D"}}
).encode()


def _signed(secret: str, body: bytes) -> dict[str, str]:
    msg_id, timestamp = f"msg_{uuid.uuid4().hex}", int(time.time())
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signing.sign(secret, msg_id, timestamp, body),
        "content-type": "application/json",
    }


async def _secret(client: httpx.AsyncClient, make_key: MakeKey) -> tuple[str, str]:
    key = await make_key("org-a", "employer")
    sub = await subscribe(client, key, "http://127.0.0.1:9/hook", ["chat.reply"])
    return str(sub["inbound_secret"]), str(sub["id"])


async def test_the_organisation_is_required(
    engine: AsyncEngine, client: httpx.AsyncClient, make_key: MakeKey, fast_webhooks: None
) -> None:
    secret, _ = await _secret(client, make_key)
    answer = await client.post(INBOUND, content=BODY, headers=_signed(secret, BODY))
    assert answer.status_code == 400 and "?org=" in answer.json()["detail"]
    ok = await client.post(
        INBOUND, content=BODY, headers=_signed(secret, BODY), params={"org": "org-a"}
    )
    assert ok.status_code == 200, ok.text
    assert await count_rows(engine, Job) == 1


async def test_a_disabled_subscriptions_secret_verifies_nothing(
    engine: AsyncEngine, client: httpx.AsyncClient, make_key: MakeKey, fast_webhooks: None
) -> None:
    secret, subscription_id = await _secret(client, make_key)
    async with session_scope(engine) as session:
        await session.execute(
            update(WebhookSubscription)
            .where(WebhookSubscription.id == subscription_id)
            .values(active=False, disabled_reason="receiver answered 410")
        )
    answer = await client.post(
        INBOUND, content=BODY, headers=_signed(secret, BODY), params={"org": "org-a"}
    )
    assert answer.status_code == 401
    assert await count_rows(engine, Job) == 0


async def test_an_oversized_body_is_refused_before_verification(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    make_key: MakeKey,
    fast_webhooks: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret, _ = await _secret(client, make_key)
    monkeypatch.setenv("CLEARVIEW_INBOUND_MAX_BYTES", "4096")
    reset_settings_cache()
    big = BODY[:-1] + b', "pad": "' + b"x" * 8000 + b'"}'

    async def chunked() -> AsyncIterator[bytes]:
        yield big  # no Content-Length: counted as it streams in

    answer = await client.post(
        INBOUND, content=chunked(), headers=_signed(secret, big), params={"org": "org-a"}
    )
    assert answer.status_code == 413, answer.text
    assert await count_rows(engine, Job) == 0


async def test_only_inbound_secrets_verify_and_they_rotate_apart(
    engine: AsyncEngine, client: httpx.AsyncClient, make_key: MakeKey, fast_webhooks: None
) -> None:
    key = await make_key("org-a", "employer")
    sub = await subscribe(client, key, "http://127.0.0.1:9/hook", ["chat.reply"])
    signing_secret, inbound_secret = str(sub["secret"]), str(sub["inbound_secret"])
    assert signing_secret != inbound_secret
    org = {"org": "org-a"}
    # A receiver knows the secret we sign its deliveries with: it must not act as the partner.
    forged = await client.post(
        INBOUND, content=BODY, headers=_signed(signing_secret, BODY), params=org
    )
    assert forged.status_code == 401
    assert await count_rows(engine, Job) == 0

    rotated = await client.post(
        f"/api/v1/webhooks/subscriptions/{sub['id']}/rotate-inbound", headers=key.headers
    )
    assert rotated.status_code == 200, rotated.text
    new_inbound = rotated.json()["inbound_secret"]
    assert rotated.json()["secret"] is None and new_inbound not in (inbound_secret, signing_secret)
    for secret in (new_inbound, inbound_secret):  # the old one verifies for the grace period
        answer = await client.post(INBOUND, content=BODY, headers=_signed(secret, BODY), params=org)
        assert answer.status_code == 200, answer.text
    shown = await client.get(f"/api/v1/webhooks/subscriptions/{sub['id']}", headers=key.headers)
    assert "inbound_secret" not in shown.json()  # shown on creation and rotation only

    async with session_scope(engine) as session:
        stored = await session.scalar(
            select(WebhookSubscription.inbound_secrets).where(WebhookSubscription.id == sub["id"])
        )
    assert stored and all(entry.startswith(PREFIX) for entry in stored)
    assert new_inbound not in str(stored) and inbound_secret not in str(stored)
    opened = configured_box().open_all(stored)
    assert opened[0] == new_inbound and opened[1].partition("|")[0] == inbound_secret
