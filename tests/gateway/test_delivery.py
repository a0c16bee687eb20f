"""Outbound delivery end to end: emit -> outbox -> Redis stream -> worker -> a real HTTP
receiver on 127.0.0.1, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import httpx
import pytest
import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncEngine

from api.gateway import signing
from api.gateway.service import emit
from core.db import session_scope
from core.models import OutboxEvent, WebhookDelivery
from core.settings import reset_settings_cache
from tests.helpers.db import count_rows
from tests.helpers.webhooks import (
    MakeReceiver,
    Reply,
    delivery_of,
    emit_match,
    settled,
    subscribe,
    verifies,
    wait_for,
)
from tests.plugins.api import MakeKey

pytestmark = pytest.mark.usefixtures("worker")


async def test_500_500_timeout_200_makes_four_signed_attempts_under_one_id(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    make_key: MakeKey,
    receiver_factory: MakeReceiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CLEARVIEW_WEBHOOK_TIMEOUT_S", "2")
    reset_settings_cache()
    # The third answer comes after the timeout; the others well within it, however busy.
    receiver = receiver_factory(Reply(500), Reply(500), Reply(200, delay_s=6), Reply(200))
    key = await make_key("org-a", "employer")
    sub = await subscribe(client, key, receiver.url)
    webhook_id = await emit_match(engine, key.org_id)

    await wait_for(lambda: settled(engine, webhook_id), what="delivery")
    assert len(receiver.requests) == 4
    assert {r.headers["webhook-id"] for r in receiver.requests} == {webhook_id}
    for request in receiver.requests:
        # Each attempt is signed afresh, with the time it was sent.
        assert int(request.at) - 1 <= int(request.headers["webhook-timestamp"]) <= request.at
        assert verifies(request, sub["secret"])
        assert request.headers["content-type"] == "application/json"
    delivery = await delivery_of(engine, webhook_id)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 4, 200)
    assert delivery.next_attempt_at is None  # nothing more is sent once delivered

    log = await client.get(
        f"/api/v1/webhooks/subscriptions/{sub['id']}/deliveries", headers=key.headers
    )
    assert log.status_code == 200
    [item] = log.json()["items"]
    assert [a["status_code"] for a in item["history"]] == [500, 500, None, 200]
    assert "timed out" in item["history"][2]["error"]


async def test_payload_is_thin(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    make_key: MakeKey,
    receiver_factory: MakeReceiver,
) -> None:
    receiver = receiver_factory()
    key = await make_key("org-a", "employer")
    await subscribe(client, key, receiver.url)
    webhook_id = await emit_match(engine, key.org_id, "task-9")
    await wait_for(lambda: settled(engine, webhook_id), what="delivery")
    [request] = receiver.requests
    body = json.loads(request.body)
    assert body["type"] == "match.completed"
    assert body["data"] == {"task_id": "task-9", "links": {"task": "/api/v1/tasks/task-9"}}
    assert len(request.body) < 4096

    async with session_scope(engine) as session:
        with pytest.raises(ValueError, match="resume_text"):
            await emit(
                session, key.org_id, "match.completed", {"task_id": "x", "resume_text": "Sam"}
            )
        with pytest.raises(ValueError, match="bytes"):
            await emit(
                session, key.org_id, "match.completed", {"task_id": "x", "ids": ["a" * 32] * 200}
            )
        with pytest.raises(ValueError, match="unknown webhook event"):
            await emit(session, key.org_id, "match.done", {"task_id": "x"})


async def test_the_same_event_emitted_twice_is_delivered_once(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    make_key: MakeKey,
    receiver_factory: MakeReceiver,
) -> None:
    receiver = receiver_factory()
    key = await make_key("org-a", "employer")
    other = await make_key("org-b", "employer")
    await subscribe(client, key, receiver.url, ["match.completed", "rewrite.completed"])
    await subscribe(client, key, receiver.url, ["rewrite.completed"])  # does not want it
    await subscribe(client, other, receiver.url, ["match.completed"])  # another organisation
    webhook_id = await emit_match(engine, key.org_id, "task-2")
    assert await emit_match(engine, key.org_id, "task-2") == webhook_id  # a redelivered task

    # One delivery row and one outbox entry: the only way anything is ever sent.
    assert await count_rows(engine, WebhookDelivery) == 1
    assert await count_rows(engine, OutboxEvent) == 1
    await wait_for(lambda: settled(engine, webhook_id), what="delivery")
    assert [r.headers["webhook-id"] for r in receiver.requests] == [webhook_id]


async def test_retry_after_is_honoured(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    make_key: MakeKey,
    receiver_factory: MakeReceiver,
) -> None:
    receiver = receiver_factory(Reply(503, {"Retry-After": "1"}), Reply(200))
    key = await make_key("org-a", "employer")
    await subscribe(client, key, receiver.url)
    webhook_id = await emit_match(engine, key.org_id)
    await wait_for(lambda: settled(engine, webhook_id), what="delivery")
    first, second = receiver.requests
    assert second.at - first.at >= 1.0  # the backoff alone would retry after ~50 ms
    assert first.headers["webhook-id"] == second.headers["webhook-id"]


async def test_410_disables_the_subscription(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    make_key: MakeKey,
    receiver_factory: MakeReceiver,
) -> None:
    receiver = receiver_factory(Reply(410))
    key = await make_key("org-a", "employer")
    sub = await subscribe(client, key, receiver.url)
    webhook_id = await emit_match(engine, key.org_id)
    await wait_for(lambda: settled(engine, webhook_id), what="delivery")
    assert (await delivery_of(engine, webhook_id)).status == "failed"
    got = (
        await client.get(f"/api/v1/webhooks/subscriptions/{sub['id']}", headers=key.headers)
    ).json()
    assert got["active"] is False and "410" in got["disabled_reason"]

    # No longer subscribed: no delivery row, so nothing to send (the worker sends rows).
    await emit_match(engine, key.org_id, "task-after")
    assert await count_rows(engine, WebhookDelivery) == 1
    assert len(receiver.requests) == 1


async def test_gives_up_after_max_attempts(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    make_key: MakeKey,
    receiver_factory: MakeReceiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CLEARVIEW_WEBHOOK_MAX_ATTEMPTS", "3")
    reset_settings_cache()
    receiver = receiver_factory(*[Reply(500)] * 10)
    key = await make_key("org-a", "employer")
    await subscribe(client, key, receiver.url)
    webhook_id = await emit_match(engine, key.org_id)
    await wait_for(lambda: settled(engine, webhook_id), what="delivery")
    delivery = await delivery_of(engine, webhook_id)
    assert (delivery.status, delivery.attempts, len(receiver.requests)) == ("failed", 3, 3)
    assert delivery.next_attempt_at is None  # no fourth attempt is scheduled


async def test_redirects_are_not_followed(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    make_key: MakeKey,
    receiver_factory: MakeReceiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CLEARVIEW_WEBHOOK_MAX_ATTEMPTS", "1")
    reset_settings_cache()
    internal = receiver_factory()  # stands for a private service behind the redirect
    receiver = receiver_factory(Reply(302, {"Location": internal.url}))
    key = await make_key("org-a", "employer")
    await subscribe(client, key, receiver.url)
    webhook_id = await emit_match(engine, key.org_id)
    await wait_for(lambda: settled(engine, webhook_id), what="delivery")
    delivery = await delivery_of(engine, webhook_id)
    assert (delivery.status, delivery.last_status_code) == ("failed", 302), delivery.last_error
    assert "not followed" in (delivery.last_error or "")
    assert len(receiver.requests) == 1 and internal.requests == []


async def test_target_is_checked_again_at_delivery_time(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    make_key: MakeKey,
    receiver_factory: MakeReceiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    receiver = receiver_factory()
    key = await make_key("org-a", "employer")
    await subscribe(client, key, receiver.url)  # allowed when subscribing...
    monkeypatch.setenv("CLEARVIEW_WEBHOOKS_ALLOW_PRIVATE", "false")
    monkeypatch.setenv("CLEARVIEW_WEBHOOK_MAX_ATTEMPTS", "1")
    reset_settings_cache()  # ...but no longer when sending (as if DNS now said 127.0.0.1)
    webhook_id = await emit_match(engine, key.org_id)
    await wait_for(lambda: settled(engine, webhook_id), what="delivery")
    delivery = await delivery_of(engine, webhook_id)
    assert "must resolve only to public" in (delivery.last_error or "")
    assert receiver.requests == []


async def test_rotation_signs_with_both_secrets(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    make_key: MakeKey,
    receiver_factory: MakeReceiver,
) -> None:
    receiver = receiver_factory()
    key = await make_key("org-a", "admin")
    sub = await subscribe(client, key, receiver.url)
    rotated = await client.post(
        f"/api/v1/webhooks/subscriptions/{sub['id']}/rotate", headers=key.headers
    )
    assert rotated.status_code == 200
    new_secret = rotated.json()["secret"]
    assert new_secret.startswith("whsec_") and new_secret != sub["secret"]

    webhook_id = await emit_match(engine, key.org_id)
    await wait_for(lambda: settled(engine, webhook_id), what="delivery")
    [request] = receiver.requests
    signatures = request.headers["webhook-signature"].split()
    assert len(signatures) == 2
    ts = int(request.headers["webhook-timestamp"])
    assert signatures[0] == signing.sign(new_secret, webhook_id, ts, request.body)
    assert signatures[1] == signing.sign(sub["secret"], webhook_id, ts, request.body)
    assert verifies(request, new_secret) and verifies(request, sub["secret"])


async def test_replay_sends_again_with_the_same_id(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    make_key: MakeKey,
    receiver_factory: MakeReceiver,
) -> None:
    receiver = receiver_factory()
    key = await make_key("org-a", "employer")
    sub = await subscribe(client, key, receiver.url)
    webhook_id = await emit_match(engine, key.org_id)
    await wait_for(lambda: settled(engine, webhook_id), what="delivery")
    delivery = await delivery_of(engine, webhook_id)

    replay = await client.post(
        f"/api/v1/webhooks/subscriptions/{sub['id']}/deliveries/{delivery.id}/replay",
        headers=key.headers,
    )
    assert replay.status_code == 202
    assert replay.json()["webhook_id"] == webhook_id

    async def two() -> bool:
        return len(receiver.requests) == 2 and await settled(engine, webhook_id)

    await wait_for(two, what="replayed delivery")
    assert [r.headers["webhook-id"] for r in receiver.requests] == [webhook_id, webhook_id]
    assert receiver.requests[0].body == receiver.requests[1].body
    assert verifies(receiver.requests[1], sub["secret"])

    missing = await client.post(
        f"/api/v1/webhooks/subscriptions/{sub['id']}/deliveries/nope/replay", headers=key.headers
    )
    assert missing.status_code == 404


async def test_outbox_row_survives_until_published(
    engine: AsyncEngine,
    redis: aioredis.Redis,
    make_key: MakeKey,
    client: httpx.AsyncClient,
    receiver_factory: MakeReceiver,
) -> None:
    """Emit inside a transaction that rolls back leaves no delivery and sends nothing."""
    receiver = receiver_factory()
    key = await make_key("org-a", "employer")
    await subscribe(client, key, receiver.url)
    with pytest.raises(RuntimeError):
        async with session_scope(engine) as session:
            await emit(session, key.org_id, "match.completed", {"task_id": "t-rolled-back"})
            raise RuntimeError("the task failed after emitting")
    # Nothing committed: no delivery row and no outbox entry, so nothing can be sent.
    assert await count_rows(engine, WebhookDelivery) == 0
    assert await count_rows(engine, OutboxEvent) == 0
    assert receiver.requests == []
