"""Notifications of finished tasks: one row per task, and a push to its chat session.

The row (`Notification`, dedupe key `task:<id>`) is the durable record: inserted at most
once however often the notify entry is delivered. The push is a small message of ids on
the Redis pub/sub channel `cv:chat:<chat session id>`, sent when the row is inserted; the
chat UI listening there fetches the result through the services. A push lost to a crash
between the commit and the publish is not repeated: the UI shows notifications whose
`delivered_at` is still empty at the user's next visit.
"""

from __future__ import annotations

import json

import redis.asyncio as aioredis
from sqlalchemy import select

from api.tasks.execution import result_url, status_url
from api.tasks.repository import FINISHED, TaskRepository
from core.db import session_scope
from core.models import Task, TaskStatus, new_id, utcnow


def chat_channel(chat_session_id: str) -> str:
    """The pub/sub channel a chat session listens on."""
    return f"cv:chat:{chat_session_id}"


def dedupe_key(task_id: str) -> str:
    return f"task:{task_id}"


async def notify_task(redis: aioredis.Redis, task_id: str) -> str | None:
    """Record the notification of a finished task and push it; returns the new
    notification's id, or None when there is nothing (more) to do."""
    async with session_scope() as session:
        row = (
            await session.execute(
                select(
                    Task.org_id, Task.user_id, Task.kind, Task.status, Task.chat_session_id
                ).where(Task.id == task_id)
            )
        ).one_or_none()
    # Erased, or never finished (the notify event is enqueued only at the end), or started
    # by no user (nobody to tell): nothing to record.
    if row is None or row.user_id is None or row.status not in FINISHED:
        return None
    status = TaskStatus(row.status)
    payload = {
        "task_id": task_id,
        "task_kind": str(row.kind),
        "status": status.value,
        "status_url": status_url(task_id),
        "result_url": result_url(task_id) if status is TaskStatus.succeeded else None,
    }
    # A second transaction that starts with its write: nothing read is held across it.
    async with session_scope() as session:
        notification_id = await TaskRepository(session).insert_notification(
            {
                "id": new_id(),
                "created_at": utcnow(),
                "user_id": row.user_id,
                "org_id": row.org_id,
                "chat_session_id": row.chat_session_id,
                "task_id": task_id,
                "kind": f"task.{status.value}",
                "payload": payload,
                "dedupe_key": dedupe_key(task_id),
            }
        )
    if notification_id is not None and row.chat_session_id:
        message = {"notification_id": notification_id, **payload}
        await redis.publish(chat_channel(row.chat_session_id), json.dumps(message))
    return notification_id
