"""Outbound webhooks: subscriptions, `emit`, and the delivery state machine.

A delivery row is created per (subscription, event) by `emit`, inside the transaction of
whatever caused the event, and its id goes to the webhooks stream through the outbox. The
worker (`workers.webhooks`) makes one HTTP attempt per stream entry and records it here;
a failed attempt stores `next_attempt_at`, and `dispatch_due` puts due retries back on the
stream. A delivery's `webhook_id` never changes: receivers deduplicate on it.

Delivery states: `pending` (an attempt is queued, or `next_attempt_at` says when),
`delivered`, `failed` (gave up, or the receiver answered 410), `cancelled` (the
subscription was disabled before the attempt).
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import require_role
from api.gateway import ssrf
from api.gateway.delivery import Outcome
from api.gateway.repository import ATTEMPT_ACTION, GatewayRepository
from api.gateway.schemas import EVENT_TYPES, SubscriptionCreate
from api.gateway.signing import new_secret
from api.identity.schemas import Identity
from core import bus, outbox
from core.errors import BadRequest, NotFound
from core.models import AuditLog, Role, WebhookDelivery, WebhookSubscription, new_id, utcnow
from core.secrets_at_rest import configured_box
from core.settings import Settings, get_settings

MANAGERS = (Role.employer, Role.admin)
# Payloads carry ids and links; anything near this size is content that does not belong in
# a webhook (and would be sent to a third party on every attempt).
MAX_PAYLOAD_BYTES = 4096
# The longest `Retry-After` a receiver can ask for.
RETRY_AFTER_MAX_S = 86_400.0
# Keys that would mean content rather than references (resume text, files, diffs).
CONTENT_KEYS = frozenset({"text", "resume_text", "content", "content_base64", "file", "diff"})


# --- secrets -------------------------------------------------------------------------------
# `WebhookSubscription.secrets` (we sign deliveries with them) and `.inbound_secrets` (the
# partner signs inbound webhooks with them) each hold the newest secret first. A rotated-out
# secret is "<secret>|<unix expiry>" and signs next to the new one until it expires. Each
# entry is stored encrypted (`core.secrets_at_rest`): sealed on write, opened on read, here
# only.


def _retired(secret: str, until: datetime) -> str:
    return f"{secret}|{int(until.timestamp())}"


def live_secrets(stored: Sequence[str], now: datetime) -> list[str]:
    """The secrets that sign (and verify) at `now`, newest first."""
    live = []
    for entry in stored:
        secret, _, expiry = entry.partition("|")
        if not expiry or int(expiry) > now.timestamp():
            live.append(secret)
    return live


async def reseal_secrets(session: AsyncSession) -> int:
    """Re-encrypt every subscription's secrets under the current deployment secret (after
    a rotation, with the old one still in CLEARVIEW_SECRET_KEY_PREVIOUS); how many rows."""
    box = configured_box()
    repo = GatewayRepository(session)
    rows = await repo.all_secrets()
    for subscription_id, signing, inbound in rows:
        await repo.set_secrets(
            subscription_id,
            [box.reseal(entry) for entry in signing],
            [box.reseal(entry) for entry in inbound],
        )
    return len(rows)


def _rotated(stored: Sequence[str], now: datetime) -> tuple[str, list[str]]:
    """A new secret, and the sealed list it leads: the current secret keeps working for
    the grace period; older retired ones keep their own expiry (never extended), and
    expired ones are dropped."""
    until = now + timedelta(seconds=get_settings().webhook_secret_grace_s)
    secret = new_secret()
    box = configured_box()
    opened = box.open_all(stored)
    kept = [entry for entry in opened[1:] if live_secrets([entry], now)]
    current = opened[0].partition("|")[0]
    return secret, box.seal_all([secret, _retired(current, until), *kept])


# --- emit ----------------------------------------------------------------------------------


def webhook_id_for(org_id: str, event_type: str, event_id: str) -> str:
    """The id of an event: the same event (a redelivered task) always gets the same id."""
    digest = hashlib.sha256(f"{org_id}\x1f{event_type}\x1f{event_id}".encode()).hexdigest()
    return f"msg_{digest[:24]}"


def _check_thin(value: Any, path: str = "data") -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in CONTENT_KEYS:
                raise ValueError(f"webhook payloads carry ids and links, not {path}.{key}")
            _check_thin(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_thin(item, f"{path}[{index}]")


def build_payload(event_type: str, data: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The Standard Webhooks body of an event; raises ValueError for a fat or unknown one."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type!r}; add it to EVENT_TYPES")
    _check_thin(data)
    payload = {"type": event_type, "timestamp": now.isoformat(), "data": data}
    size = len(json.dumps(payload, separators=(",", ":")).encode())
    if size >= MAX_PAYLOAD_BYTES:
        raise ValueError(f"webhook payload of {size} bytes; send ids and links, not content")
    return payload


async def emit(
    session: AsyncSession,
    org_id: str,
    event_type: str,
    data: dict[str, Any],
    *,
    event_id: str | None = None,
) -> None:
    """Queue `event_type` for every active subscription of `org_id` that wants it.

    Call it inside the transaction of the change behind the event: the deliveries commit
    (and are published) with it, or not at all. The event is identified by `event_id`, or
    by `data["task_id"]`; emitting the same event again (a task handled twice) adds nothing.
    """
    await emit_many(session, org_id, [(event_type, data, event_id)])


# An event for `emit_many`: its type, its data and its id (None: `data["task_id"]`).
OrgEvent = tuple[str, dict[str, Any], str | None]


async def emit_many(session: AsyncSession, org_id: str, events: Sequence[OrgEvent]) -> None:
    """`emit` for several events of one organisation, reading its subscriptions once."""
    now = utcnow()
    prepared: list[tuple[str, dict[str, Any], str]] = []  # type, payload, webhook id
    for event_type, data, event_id in events:
        key = event_id or data.get("task_id")
        if not key:
            raise ValueError("emit needs data['task_id'] or an explicit event_id")
        payload = build_payload(event_type, data, now)
        prepared.append((event_type, payload, webhook_id_for(org_id, event_type, str(key))))
    if not prepared:
        return
    repo = GatewayRepository(session)
    for subscription in await repo.active_subscriptions(org_id):
        for event_type, payload, webhook_id in prepared:
            if event_type not in subscription.events:
                continue
            delivery_id = await repo.insert_delivery(
                {
                    "id": new_id(),
                    "created_at": now,
                    "subscription_id": subscription.id,
                    "webhook_id": webhook_id,
                    "event_type": event_type,
                    "payload": payload,
                    "status": "pending",
                    "attempts": 0,
                }
            )
            if delivery_id is not None:  # None: this event was emitted before
                outbox.enqueue(session, bus.WEBHOOKS, {"delivery_id": delivery_id})


# --- subscriptions -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewSecrets:
    """A new subscription's secrets: we sign deliveries with `signing`, the partner signs
    inbound webhooks with `inbound`."""

    signing: str
    inbound: str


@dataclass(frozen=True, slots=True)
class DeliveryView:
    delivery: WebhookDelivery
    history: list[dict[str, Any]]


class SubscriptionService:
    async def create(
        self, session: AsyncSession, identity: Identity, data: SubscriptionCreate
    ) -> tuple[WebhookSubscription, NewSecrets]:
        """A subscription with its two secrets (returned in the clear this once)."""
        require_role(identity, *MANAGERS)
        events = list(dict.fromkeys(data.events))
        unknown = [event for event in events if event not in EVENT_TYPES]
        if unknown:
            raise BadRequest(
                f"unknown event type(s): {', '.join(unknown)}; choose from {', '.join(EVENT_TYPES)}"
            )
        await ssrf.resolve(data.url, allow_private=get_settings().webhooks_allow_private)
        secrets = NewSecrets(signing=new_secret(), inbound=new_secret())
        box = configured_box()
        subscription = WebhookSubscription(
            id=new_id(),
            org_id=identity.org_id,
            url=data.url,
            events=events,
            secrets=box.seal_all([secrets.signing]),
            inbound_secrets=box.seal_all([secrets.inbound]),
            active=True,
            created_at=utcnow(),
        )
        GatewayRepository(session).add(subscription)
        await session.flush()
        return subscription, secrets

    async def get(
        self, session: AsyncSession, identity: Identity, subscription_id: str
    ) -> WebhookSubscription:
        subscription = await GatewayRepository(session).subscription(
            identity.org_id, subscription_id
        )
        if subscription is None:
            raise NotFound(f"webhook subscription {subscription_id} not found")
        require_role(identity, *MANAGERS)
        return subscription

    async def list(
        self, session: AsyncSession, identity: Identity, limit: int, offset: int
    ) -> tuple[Sequence[WebhookSubscription], int]:
        require_role(identity, *MANAGERS)
        return await GatewayRepository(session).subscriptions(identity.org_id, limit, offset)

    async def delete(self, session: AsyncSession, identity: Identity, subscription_id: str) -> None:
        """Delete a subscription with its delivery log; its secrets stop verifying at once."""
        subscription = await self.get(session, identity, subscription_id)
        await GatewayRepository(session).delete(subscription)

    async def rotate(
        self, session: AsyncSession, identity: Identity, subscription_id: str
    ) -> tuple[WebhookSubscription, str]:
        """A new signing secret signs first; the current one keeps signing for the grace
        period."""
        subscription = await self.get(session, identity, subscription_id)
        secret, subscription.secrets = _rotated(subscription.secrets, utcnow())
        await session.flush()
        return subscription, secret

    async def rotate_inbound(
        self, session: AsyncSession, identity: Identity, subscription_id: str
    ) -> tuple[WebhookSubscription, str]:
        """A new inbound secret; the current one keeps verifying for the grace period."""
        subscription = await self.get(session, identity, subscription_id)
        secret, subscription.inbound_secrets = _rotated(subscription.inbound_secrets, utcnow())
        await session.flush()
        return subscription, secret

    async def deliveries(
        self,
        session: AsyncSession,
        identity: Identity,
        subscription_id: str,
        limit: int,
        offset: int,
    ) -> tuple[Sequence[DeliveryView], int]:
        await self.get(session, identity, subscription_id)
        repo = GatewayRepository(session)
        rows, total = await repo.deliveries(subscription_id, limit, offset)
        history = await repo.attempts([row.id for row in rows])
        return [DeliveryView(row, history.get(row.id, [])) for row in rows], total

    async def replay(
        self, session: AsyncSession, identity: Identity, subscription_id: str, delivery_id: str
    ) -> DeliveryView:
        """Send a delivery again, under its original webhook-id, whatever its state."""
        await self.get(session, identity, subscription_id)
        repo = GatewayRepository(session)
        delivery = await repo.delivery_in(subscription_id, delivery_id)
        if delivery is None:
            raise NotFound(f"delivery {delivery_id} not found")
        # A fresh series of attempts (the log keeps the earlier ones).
        delivery.status = "pending"
        delivery.attempts = 0
        delivery.next_attempt_at = None
        delivery.delivered_at = None
        await session.flush()
        outbox.enqueue(session, bus.WEBHOOKS, {"delivery_id": delivery.id})
        history = await repo.attempts([delivery.id])
        return DeliveryView(delivery, history.get(delivery.id, []))


subscription_service = SubscriptionService()


# --- deliveries (the worker's side) ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Attempt:
    """Everything one HTTP attempt needs, read in a short transaction before the request."""

    delivery_id: str
    url: str
    secrets: list[str]
    webhook_id: str
    body: bytes


def retry_delay(
    attempts: int,
    retry_after_s: float | None,
    settings: Settings,
    rand: Callable[[], float] = random.random,
) -> float:
    """Seconds until the next attempt after `attempts` failed ones.

    Exponential (base * 2^(n-1), capped) with "equal jitter": half the delay is fixed, half
    random, so a receiver that failed for everyone is not hit by every retry at once. A
    receiver's `Retry-After` is a floor, beyond our own cap too (up to a day, so it cannot
    park a delivery forever).
    """
    exponential = min(
        settings.webhook_backoff_max_s, settings.webhook_backoff_base_s * 2 ** (attempts - 1)
    )
    delay = exponential / 2 + rand() * exponential / 2
    if retry_after_s is not None:
        delay = max(delay, min(retry_after_s, RETRY_AFTER_MAX_S))
    return delay


def encode_body(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


class DeliveryService:
    async def prepare(self, session: AsyncSession, delivery_id: str) -> Attempt | None:
        """The attempt to make for a stream entry, or None when there is nothing to send."""
        repo = GatewayRepository(session)
        delivery = await repo.delivery(delivery_id)
        # Gone with its subscription; finished; or a retry is scheduled for later (this
        # entry is a duplicate: the scheduler publishes again when it is due).
        if delivery is None or delivery.status != "pending" or delivery.next_attempt_at:
            return None
        subscription = await session.get(WebhookSubscription, delivery.subscription_id)
        if subscription is None:
            return None
        if not subscription.active:
            delivery.status = "cancelled"
            delivery.last_error = f"subscription disabled: {subscription.disabled_reason}"
            return None
        return Attempt(
            delivery_id=delivery.id,
            url=subscription.url,
            secrets=live_secrets(configured_box().open_all(subscription.secrets), utcnow()),
            webhook_id=delivery.webhook_id,
            body=encode_body(delivery.payload),
        )

    async def record(self, session: AsyncSession, attempt: Attempt, outcome: Outcome) -> None:
        """Log an attempt, then settle the delivery: delivered, retry later, or give up."""
        settings = get_settings()
        repo = GatewayRepository(session)
        delivery = await repo.delivery(attempt.delivery_id)
        if delivery is None:
            return  # the subscription was deleted while we were sending
        subscription = await session.get(WebhookSubscription, delivery.subscription_id)
        now = utcnow()
        delivery.attempts += 1
        delivery.last_status_code = outcome.status_code
        delivery.last_error = outcome.error
        repo.add(
            AuditLog(
                id=new_id(),
                created_at=now,
                org_id=subscription.org_id if subscription else None,
                action=ATTEMPT_ACTION,
                subject_id=delivery.id,
                details={
                    "attempt": delivery.attempts,
                    "status_code": outcome.status_code,
                    "error": outcome.error,
                    "duration_ms": outcome.duration_ms,
                    "webhook_timestamp": outcome.timestamp,
                },
            )
        )
        delivery.next_attempt_at = None
        if outcome.ok:
            delivery.status = "delivered"
            delivery.delivered_at = now
        elif outcome.gone:
            # 410 is the receiver saying "this endpoint is gone for good": stop sending.
            delivery.status = "failed"
            if subscription is not None:
                subscription.active = False
                subscription.disabled_reason = (
                    f"the receiver answered 410 Gone on {now.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
                )
        elif delivery.attempts >= settings.webhook_max_attempts:
            delivery.status = "failed"
        else:
            delay = retry_delay(delivery.attempts, outcome.retry_after_s, settings)
            delivery.next_attempt_at = now + timedelta(seconds=delay)
        await session.flush()

    async def dispatch_due(self, session: AsyncSession, limit: int = 200) -> int:
        """Put retries that are due back on the stream; returns how many."""
        now = utcnow()
        repo = GatewayRepository(session)
        dispatched = 0
        for delivery_id in await repo.due_deliveries(now, limit):
            if await repo.claim_due(delivery_id, now):
                outbox.enqueue(session, bus.WEBHOOKS, {"delivery_id": delivery_id})
                dispatched += 1
        return dispatched


delivery_service = DeliveryService()
