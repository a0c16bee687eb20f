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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from api.tasks.execution import result_url, status_url
from api.tasks.repository import FINISHED, autocommit, insert_task_notifications
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


@dataclass(frozen=True, slots=True)
class Notice:
    """A notify event: the task, and (from `execution.notice`) its kind and status."""

    task_id: str
    kind: str | None = None
    status: str | None = None


async def notify_task(
    redis: aioredis.Redis, task_id: str, kind: str | None = None, status: str | None = None
) -> str | None:
    """Record the notification of a finished task and push it; returns the new
    notification's id, or None when there is nothing (more) to do."""
    recorded, failures = await notify_tasks(redis, [Notice(task_id, kind, status)])
    if task_id in failures:
        raise failures[task_id]
    return recorded.get(task_id)


async def notify_tasks(
    redis: aioredis.Redis, notices: Sequence[Notice]
) -> tuple[dict[str, str], dict[str, Exception]]:
    """Record the notifications of finished tasks, then push them all in one round trip.
    Returns the new notifications' ids by task id (a task with nothing (more) to notify
    has none), and the failures by task id: a notice that names a status no task has
    fails alone; a database or Redis failure fails them all (retrying adds nothing twice).

    The rows are written by one executemany that commits by itself (`execution.notice`
    names each task's kind and status); a notice without them (queued by an older
    version) costs one read of the tasks first.
    """
    failures: dict[str, Exception] = {}
    async with autocommit() as connection:
        known = await _with_status(connection, notices)
        rows: list[dict[str, Any]] = []
        payloads: dict[str, dict[str, Any]] = {}
        for task_id, (kind, status) in known.items():
            try:
                finished = TaskStatus(status)
            except ValueError as exc:
                failures[task_id] = exc
                continue
            payloads[task_id] = {
                "task_id": task_id,
                "task_kind": kind,
                "status": finished.value,
                "status_url": status_url(task_id),
                "result_url": result_url(task_id) if finished is TaskStatus.succeeded else None,
            }
            # Nothing is written for a task erased meanwhile or started by no user (nobody
            # to tell), nor twice for one task however often the entry is delivered.
            rows.append(
                {
                    "task_id": task_id,
                    "status": finished,
                    "id": new_id(),
                    "created_at": utcnow(),
                    "kind": f"task.{finished.value}",
                    "payload": payloads[task_id],
                    "dedupe_key": dedupe_key(task_id),
                }
            )
        inserted = await insert_task_notifications(connection, rows)
    pushes = [
        (chat_channel(chat), json.dumps({"notification_id": id_, **payloads[task_id]}))
        for task_id, (id_, chat) in inserted.items()
        if chat
    ]
    if pushes:
        pipe = redis.pipeline(transaction=False)
        for channel, message in pushes:
            pipe.publish(channel, message)
        await pipe.execute()
    return {task_id: id_ for task_id, (id_, _) in inserted.items()}, failures


async def _with_status(
    connection: AsyncConnection, notices: Sequence[Notice]
) -> dict[str, tuple[str, str]]:
    """(kind, status) by task id: as the notices say, or, for those that do not say,
    as the task rows say if they are finished (not if erased or never finished: the
    notify event is enqueued only at the end)."""
    known: dict[str, tuple[str, str]] = {}
    unknown: list[str] = []
    for notice in notices:
        if notice.kind is not None and notice.status is not None:
            known[notice.task_id] = (notice.kind, notice.status)
        else:
            unknown.append(notice.task_id)
    if unknown:
        rows = await connection.execute(
            select(Task.id, Task.kind, Task.status).where(
                Task.id.in_(unknown), Task.status.in_(FINISHED)
            )
        )
        known |= {str(task_id): (str(kind), str(status)) for task_id, kind, status in rows.all()}
    return known
