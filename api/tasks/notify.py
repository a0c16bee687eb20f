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
import logging
from collections.abc import Iterable
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError
from sqlalchemy import select

from api.tasks.execution import result_url, status_url
from api.tasks.repository import FINISHED, autocommit, insert_task_notification
from core.models import Task, TaskStatus, new_id, utcnow
from core.redis import RedisUnavailable, get_redis

log = logging.getLogger(__name__)


def chat_channel(chat_session_id: str) -> str:
    """The pub/sub channel a chat session listens on."""
    return f"cv:chat:{chat_session_id}"


def user_channel(user_id: str) -> str:
    """The pub/sub channel of a user, whatever chat session is open (job alerts)."""
    return f"cv:user:{user_id}"


async def push_to_users(pushes: Iterable[tuple[str, dict[str, Any]]], what: str) -> None:
    """Publish each `(user id, message)` on the user's channel, in one round trip. Best
    effort: the notification rows are the durable record, shown at the next visit when a
    push is lost."""
    pushes = list(pushes)
    if not pushes:
        return
    try:
        pipe = get_redis().pipeline(transaction=False)
        for user_id, message in pushes:
            pipe.publish(user_channel(user_id), json.dumps(message))
        await pipe.execute()
    except (RedisError, RedisUnavailable, OSError) as exc:
        log.warning(
            "%s: %d push(es) lost (%s); shown at the next visit",
            what,
            len(pushes),
            type(exc).__name__,
        )


def dedupe_key(task_id: str) -> str:
    return f"task:{task_id}"


async def notify_task(
    redis: aioredis.Redis, task_id: str, kind: str | None = None, status: str | None = None
) -> str | None:
    """Record the notification of a finished task and push it; returns the new
    notification's id, or None when there is nothing (more) to do.

    The notify event names the task's kind and status (`execution.notice`): then the row
    is written in one statement that commits by itself, and the push follows the commit.
    An entry without them (queued by an older version) costs one read of the task first.
    """
    async with autocommit() as connection:
        if kind is None or status is None:
            row = (
                await connection.execute(select(Task.kind, Task.status).where(Task.id == task_id))
            ).one_or_none()
            # Erased, or never finished (the notify event is enqueued only at the end).
            if row is None or row.status not in FINISHED:
                return None
            kind, status = str(row.kind), str(row.status)
        finished = TaskStatus(status)
        payload = {
            "task_id": task_id,
            "task_kind": kind,
            "status": finished.value,
            "status_url": status_url(task_id),
            "result_url": result_url(task_id) if finished is TaskStatus.succeeded else None,
        }
        # Nothing is written for a task erased meanwhile or started by no user (nobody
        # to tell), nor twice for one task however often the entry is delivered.
        inserted = await insert_task_notification(
            connection,
            task_id,
            finished,
            {
                "id": new_id(),
                "created_at": utcnow(),
                "kind": f"task.{finished.value}",
                "payload": payload,
                "dedupe_key": dedupe_key(task_id),
            },
        )
    if inserted is None:
        return None
    notification_id, chat_session_id = inserted
    if chat_session_id:
        message = {"notification_id": notification_id, **payload}
        await redis.publish(chat_channel(chat_session_id), json.dumps(message))
    return notification_id
