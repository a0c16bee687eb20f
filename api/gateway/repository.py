"""All SQL of the webhook API: subscriptions, deliveries and their attempts, inbound ids."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update

from core.models import (
    AuditLog,
    InboundWebhook,
    Organisation,
    User,
    WebhookDelivery,
    WebhookSubscription,
    utcnow,
)
from core.repository import Repository

# Attempts are kept in the audit log under this action, one row per attempt, subject = the
# delivery: it is the product's append-only record of what happened, needs no new table,
# and holds no personal data (status codes, errors, timings).
ATTEMPT_ACTION = "webhook.attempt"


class GatewayRepository(Repository):
    async def erase_person(self, candidate_id: str, ids: Sequence[str]) -> None:
        """Deliveries whose event names the candidate, one of their resumes or tasks:
        sent ones are forgotten, pending ones never go out."""
        data = WebhookDelivery.payload["data"]
        named = [data["candidate_id"].as_string() == candidate_id]
        if ids:
            named += [data[key].as_string().in_(ids) for key in ("resume_id", "task_id")]
        await self.session.execute(delete(WebhookDelivery).where(or_(*named)))

    # subscriptions

    async def subscription(self, org_id: str, subscription_id: str) -> WebhookSubscription | None:
        return await self.session.scalar(
            select(WebhookSubscription).where(
                WebhookSubscription.id == subscription_id, WebhookSubscription.org_id == org_id
            )
        )

    async def subscriptions(
        self, org_id: str, limit: int, offset: int
    ) -> tuple[Sequence[WebhookSubscription], int]:
        where = WebhookSubscription.org_id == org_id
        total = await self.session.scalar(
            select(func.count()).select_from(WebhookSubscription).where(where)
        )
        rows = await self.session.scalars(
            select(WebhookSubscription)
            .where(where)
            .order_by(WebhookSubscription.created_at.desc(), WebhookSubscription.id)
            .limit(limit)
            .offset(offset)
        )
        return rows.all(), int(total or 0)

    async def active_subscriptions(self, org_id: str) -> Sequence[WebhookSubscription]:
        rows = await self.session.scalars(
            select(WebhookSubscription).where(
                WebhookSubscription.org_id == org_id, WebhookSubscription.active.is_(True)
            )
        )
        return rows.all()

    async def inbound_secrets(self, org_id: str) -> list[tuple[str, str, list[str]]]:
        """(org_id, subscription_id, stored inbound secrets) of an organisation's active
        subscriptions (a disabled one verifies nothing)."""
        query = (
            select(
                WebhookSubscription.org_id,
                WebhookSubscription.id,
                WebhookSubscription.inbound_secrets,
            )
            .where(WebhookSubscription.org_id == org_id, WebhookSubscription.active.is_(True))
            .order_by(WebhookSubscription.id)
        )
        return [(row[0], row[1], list(row[2])) for row in await self.session.execute(query)]

    async def all_secrets(self) -> list[tuple[str, list[str], list[str]]]:
        """(subscription_id, stored signing secrets, stored inbound secrets) of every
        subscription, active or not."""
        query = select(
            WebhookSubscription.id, WebhookSubscription.secrets, WebhookSubscription.inbound_secrets
        ).order_by(WebhookSubscription.id)
        return [(row[0], list(row[1]), list(row[2])) for row in await self.session.execute(query)]

    async def set_secrets(
        self, subscription_id: str, signing: list[str], inbound: list[str]
    ) -> None:
        await self.session.execute(
            update(WebhookSubscription)
            .where(WebhookSubscription.id == subscription_id)
            .values(secrets=signing, inbound_secrets=inbound)
        )

    async def delete(self, subscription: WebhookSubscription) -> None:
        await self.session.delete(subscription)
        await self.session.flush()

    # deliveries
    async def insert_delivery(self, values: dict[str, Any]) -> str | None:
        """Insert a delivery unless (subscription, webhook id) exists; the new id or None."""
        statement = (
            self.insert(WebhookDelivery)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["subscription_id", "webhook_id"])
            .returning(WebhookDelivery.id)
        )
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def delivery(self, delivery_id: str) -> WebhookDelivery | None:
        return await self.session.get(WebhookDelivery, delivery_id)

    async def delivery_in(self, subscription_id: str, delivery_id: str) -> WebhookDelivery | None:
        return await self.session.scalar(
            select(WebhookDelivery).where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.subscription_id == subscription_id,
            )
        )

    async def deliveries(
        self, subscription_id: str, limit: int, offset: int
    ) -> tuple[Sequence[WebhookDelivery], int]:
        where = WebhookDelivery.subscription_id == subscription_id
        total = await self.session.scalar(
            select(func.count()).select_from(WebhookDelivery).where(where)
        )
        rows = await self.session.scalars(
            select(WebhookDelivery)
            .where(where)
            .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id)
            .limit(limit)
            .offset(offset)
        )
        return rows.all(), int(total or 0)

    async def due_deliveries(self, now: datetime, limit: int) -> Sequence[str]:
        rows = await self.session.scalars(
            select(WebhookDelivery.id)
            .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
            .order_by(WebhookDelivery.next_attempt_at)
            .limit(limit)
        )
        return rows.all()

    async def claim_due(self, delivery_id: str, now: datetime) -> bool:
        """Take a due retry for dispatch; False when another scheduler took it first.

        The condition is re-checked by the UPDATE itself (PostgreSQL re-evaluates it after
        waiting on a concurrent claimer's row lock), so exactly one claimer wins.
        """
        result: Any = await self.session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.status == "pending",
                WebhookDelivery.next_attempt_at <= now,
            )
            .values(next_attempt_at=None)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)

    async def attempts(self, delivery_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        """The recorded attempts of each delivery, oldest first."""
        if not delivery_ids:
            return {}
        rows = await self.session.execute(
            select(AuditLog.subject_id, AuditLog.created_at, AuditLog.details)
            .where(AuditLog.action == ATTEMPT_ACTION, AuditLog.subject_id.in_(delivery_ids))
            .order_by(AuditLog.created_at, AuditLog.id)
        )
        history: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for subject_id, created_at, details in rows:
            history[str(subject_id)].append({**(details or {}), "at": created_at})
        return history

    # inbound
    async def organisation(self, ref: str) -> Organisation | None:
        return await self.session.scalar(
            select(Organisation).where((Organisation.id == ref) | (Organisation.slug == ref))
        )

    async def claim_inbound(self, key: str, org_id: str) -> bool:
        """Record an inbound webhook id; False when it was recorded before.

        A concurrent duplicate waits on the first one's row (PostgreSQL) or write lock
        (SQLite) and sees False once it commits; no IntegrityError on either database.
        """
        statement = (
            self.insert(InboundWebhook)
            .values(webhook_id=key, org_id=org_id, received_at=utcnow())
            .on_conflict_do_nothing()
            .returning(InboundWebhook.webhook_id)
        )
        return (await self.session.execute(statement)).scalar_one_or_none() is not None

    async def inbound(self, key: str) -> InboundWebhook | None:
        return await self.session.get(InboundWebhook, key)

    async def set_inbound_result(self, key: str, result: dict[str, Any]) -> None:
        await self.session.execute(
            update(InboundWebhook).where(InboundWebhook.webhook_id == key).values(result=result)
        )

    async def user(self, org_id: str, username: str) -> User | None:
        return await self.session.scalar(
            select(User).where(User.org_id == org_id, User.username == username)
        )
