"""All SQL of notifications: written with what they tell of, claimed once by a chat."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from core.models import Notification, Task, utcnow
from core.notifications import NotificationKind
from core.repository import Repository, dialect_insert


class NotificationRepository(Repository):
    async def add_many(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert-or-ignore (on the dedupe key) whole rows: one executemany."""
        if rows:
            await self.session.execute(
                self.insert(Notification).on_conflict_do_nothing(index_elements=["dedupe_key"]),
                list(rows),
            )

    async def pending(self, user_id: str, limit: int) -> Sequence[Notification]:
        """The user's notifications no chat has shown yet, oldest first."""
        return (
            await self.session.scalars(
                select(Notification)
                .where(Notification.user_id == user_id, Notification.delivered_at.is_(None))
                .order_by(Notification.created_at, Notification.id)
                .limit(limit)
            )
        ).all()

    async def get(self, notification_id: str, user_id: str) -> Notification | None:
        return await self.session.scalar(
            select(Notification).where(
                Notification.id == notification_id, Notification.user_id == user_id
            )
        )

    async def claim(self, notification_id: str, user_id: str) -> Notification | None:
        """Mark the user's notification shown; None if it was already, or is not theirs."""
        claimed = await self.session.execute(
            update(Notification)
            .where(
                Notification.id == notification_id,
                Notification.user_id == user_id,
                Notification.delivered_at.is_(None),
            )
            .values(delivered_at=utcnow())
            .returning(Notification)
        )
        return claimed.scalar_one_or_none()

    async def release(self, notification_id: str, user_id: str) -> bool:
        """Undo a claim (the message could not be shown); whether it was the user's."""
        released = await self.session.execute(
            update(Notification)
            .where(Notification.id == notification_id, Notification.user_id == user_id)
            .values(delivered_at=None)
        )
        return bool(getattr(released, "rowcount", 0))

    async def erase_person(self, user_id: str, candidate_id: str | None) -> None:
        """Every notification of the user, and every other one naming the candidate (an
        employer's `contact.answered`)."""
        mentions = (
            [Notification.payload["candidate_id"].as_string() == candidate_id]
            if candidate_id
            else []
        )
        await self.session.execute(
            delete(Notification).where(or_(Notification.user_id == user_id, *mentions))
        )

    async def erase_kind(self, user_id: str, kind: NotificationKind) -> None:
        await self.session.execute(
            delete(Notification).where(Notification.user_id == user_id, Notification.kind == kind)
        )


async def insert_task_notifications(
    connection: AsyncConnection, rows: Sequence[dict[str, Any]]
) -> dict[str, tuple[str, str | None]]:
    """Insert-or-ignore (on the dedupe key) the notifications of tasks, each taking its
    user, organisation and chat session from its task row as it is inserted: one
    executemany of INSERT ... SELECT, then one read of what was inserted. Each row holds
    `task_id` and the `status` the task must have, plus the other columns (`id`,
    `created_at`, `kind`, `payload`, `dedupe_key`). Returns (id, chat_session_id) of the
    new rows by task id; nothing for a row that existed, or whose task is gone, not
    that status, or nobody's."""
    if not rows:
        return {}
    columns = Notification.__table__.c
    source = select(
        bindparam("id", type_=columns.id.type),
        bindparam("created_at", type_=columns.created_at.type),
        Task.user_id,
        Task.org_id,
        Task.chat_session_id,
        Task.id,
        bindparam("kind", type_=columns.kind.type),
        bindparam("payload", type_=columns.payload.type),
        bindparam("dedupe_key", type_=columns.dedupe_key.type),
    ).where(
        Task.id == bindparam("task_id", type_=Task.id.type),
        Task.status == bindparam("status", type_=Task.status.type),
        Task.user_id.is_not(None),
    )
    names = ["id", "created_at", "user_id", "org_id", "chat_session_id", "task_id", "kind"]
    statement = (
        dialect_insert(connection, Notification)
        .from_select([*names, "payload", "dedupe_key"], source)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    await connection.execute(statement, list(rows))
    inserted = await connection.execute(
        select(Notification.task_id, Notification.id, Notification.chat_session_id).where(
            Notification.id.in_([row["id"] for row in rows])
        )
    )
    return {str(task_id): (str(id_), chat) for task_id, id_, chat in inserted.all()}
