"""Notifications: written with what they tell of, pushed to the user's open chats, and
claimed once by the chat that shows them (see `core.notifications` for the contract).

Finished tasks write theirs in the transaction that finishes them (`api.tasks.notify`,
which also pushes each at most once); job alerts and contact requests write theirs here
or in bulk (`api.alerts.delivery`), and push them to the user's channel after the commit.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

from api.identity.schemas import Identity
from api.jobs.repository import JobRepository
from api.notifications.repository import NotificationRepository
from api.notifications.schemas import ClaimOut, NotificationOut
from core.db import after_commit
from core.errors import Conflict, NotFound
from core.models import Notification, new_id
from core.notifications import NotificationKind, user_channel
from core.redis import RedisUnavailable, bounded, get_redis, outage_left

log = logging.getLogger(__name__)

# Key in `Session.info`: (user id, message) pushes waiting for the commit.
_PUSHES = "clearview.notifications.pushes"
PENDING_LIMIT = 20


def message(notification_id: str, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    """What a chat receives for a notification: its payload, kind and id."""
    return {"notification_id": notification_id, "kind": kind, **payload}


async def push_to_users(pushes: Iterable[tuple[str, dict[str, Any]]], what: str) -> None:
    """Publish each `(user id, message)` on the user's channel, in one round trip. Best
    effort: the rows are the durable record, shown at the next visit when a push is lost."""
    pushes = list(pushes)
    if not pushes:
        return
    if outage_left():
        log.warning("%s: %d push(es) lost (Redis is not answering)", what, len(pushes))
        return
    try:
        # Bounded like every Redis call on a request's path: a frozen server must not
        # hold the request (or the worker's handler) that committed the notification.
        async with bounded():
            pipe = get_redis().pipeline(transaction=False)
            for user_id, body in pushes:
                pipe.publish(user_channel(user_id), json.dumps(body))
            await pipe.execute()
    except (RedisError, RedisUnavailable, OSError) as exc:  # a timeout is an OSError
        log.warning(
            "%s: %d push(es) lost (%s); shown at the next visit",
            what,
            len(pushes),
            type(exc).__name__,
        )


async def _push_committed(session: AsyncSession) -> None:
    await push_to_users(session.info.pop(_PUSHES, None) or (), "notifications")


def push_after_commit(session: AsyncSession, user_id: str, body: dict[str, Any]) -> None:
    """Push `body` to the user's open chats once the transaction has committed."""
    session.info.setdefault(_PUSHES, []).append((user_id, body))
    after_commit(session, _push_committed)


class NotificationService:
    def notify(
        self,
        session: AsyncSession,
        *,
        user_id: str,
        org_id: str,
        kind: NotificationKind,
        payload: dict[str, Any],
    ) -> str:
        """A notification for `user_id`: the row now, the push after the commit."""
        notification_id = new_id()
        NotificationRepository(session).add(
            Notification(
                id=notification_id,
                user_id=user_id,
                org_id=org_id,
                kind=kind,
                payload=payload,
                dedupe_key=f"{kind}:{notification_id}",
            )
        )
        push_after_commit(session, user_id, message(notification_id, kind, payload))
        return notification_id

    async def pending(
        self, session: AsyncSession, identity: Identity, limit: int = PENDING_LIMIT
    ) -> list[NotificationOut]:
        """Your notifications no chat has shown yet, oldest first."""
        rows = await NotificationRepository(session).pending(identity.user_id, limit)
        return [NotificationOut.model_validate(row) for row in rows]

    async def claim(
        self, session: AsyncSession, identity: Identity, notification_id: str
    ) -> ClaimOut:
        """Take a notification of yours to show it; a second claim is refused (409)."""
        repo = NotificationRepository(session)
        row = await repo.claim(notification_id, identity.user_id)
        if row is None:
            if await repo.get(notification_id, identity.user_id) is None:
                raise NotFound(f"notification {notification_id} not found")
            raise Conflict(f"notification {notification_id} was shown already")
        current = await _current(session, row)
        return ClaimOut(notification=NotificationOut.model_validate(row), current=current)

    async def release(
        self, session: AsyncSession, identity: Identity, notification_id: str
    ) -> None:
        """Give a claimed notification back (it could not be shown): listed again."""
        if not await NotificationRepository(session).release(notification_id, identity.user_id):
            raise NotFound(f"notification {notification_id} not found")


async def _current(session: AsyncSession, row: Notification) -> bool:
    """Whether what a notification tells of still stands: a job alert's job may have been
    withdrawn while the alert waited for the candidate's next visit."""
    if row.kind != NotificationKind.job_alert:
        return True
    job = await JobRepository(session).get_published(str(row.payload.get("job_id")))
    return job is not None


notification_service = NotificationService()
