"""Notifications of finished tasks: one row per task, and a push to its chat session.

The row (`Notification`, dedupe key `task:<id>`) is the durable record. `record` writes it
in the transaction that finishes the task (`api.tasks.execution`), so every finished task
that a user started has exactly one, and queues a notify event (outbox) with the ids the
push needs. The notify worker hands those to `push`, which publishes a small message of
ids on the Redis pub/sub channel `cv:chat:<chat session id>`, at most once per task (a
Redis key set in the same script as the publish, so a redelivered event pushes nothing);
the chat UI listening there fetches the result through the services. A push lost to a
crash between the commit and the publish is not repeated: the UI shows notifications
whose `delivered_at` is still empty at the user's next visit.

Notify events queued by an older version carry no notification id: that version left the
row to the notify worker, and `record_late` still writes it for them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from api.notifications.repository import NotificationRepository, insert_task_notifications
from api.notifications.service import message
from api.tasks.repository import autocommit, finished_kinds
from api.tasks.schemas import result_url, status_url
from core import bus, outbox
from core.models import TaskKind, TaskStatus, new_id, utcnow
from core.notifications import NotificationKind, chat_channel
from core.redis import eval_many

log = logging.getLogger(__name__)

# Tasks nobody's chat waits for: an inbound chat message is answered by webhook.
SILENT_KINDS = (TaskKind.chat,)
# How long a task's "pushed" mark is kept: far longer than a notify event can stay pending.
PUSHED_TTL_S = 86_400

# Publish a push unless the task's was published already: mark and publish in one step.
_PUSH_ONCE = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[3]) then
  redis.call('PUBLISH', ARGV[1], ARGV[2])
  return 1
end
return 0
"""


def dedupe_key(task_id: str) -> str:
    return f"task:{task_id}"


def pushed_key(task_id: str) -> str:
    """The Redis key marking a task's notification as pushed."""
    return f"cv:pushed:{dedupe_key(task_id)}"


@dataclass(frozen=True, slots=True)
class FinishedTask:
    """A task in the transaction that finishes it: how it ended, and whom to tell."""

    id: str
    kind: TaskKind
    status: TaskStatus
    org_id: str
    user_id: str | None
    chat_session_id: str | None


@dataclass(frozen=True, slots=True)
class Push:
    """A recorded notification, as the notify event carries it (ids only)."""

    task_id: str
    kind: str
    status: str
    notification_id: str
    chat_session_id: str | None

    @classmethod
    def from_event(cls, payload: Mapping[str, Any]) -> Push | None:
        """The push a notify event stands for; None for an event of the older shape
        (without a notification id: its row is not written yet)."""
        fields = [payload.get(name) for name in ("task_id", "kind", "status", "notification_id")]
        chat_session_id = payload.get("chat_session_id")
        if not all(isinstance(value, str) for value in fields):
            return None
        task_id, kind, status, notification_id = (str(value) for value in fields)
        return cls(
            task_id,
            kind,
            status,
            notification_id,
            chat_session_id if isinstance(chat_session_id, str) else None,
        )

    def event(self) -> dict[str, str | None]:
        return {
            "task_id": self.task_id,
            "kind": self.kind,
            "status": self.status,
            "notification_id": self.notification_id,
            "chat_session_id": self.chat_session_id,
        }

    def message(self) -> str:
        """What the chat session receives: the row's payload and the row's id."""
        return json.dumps(
            message(
                self.notification_id,
                NotificationKind.for_task(self.status),
                _payload(self.task_id, self.kind, self.status),
            )
        )


def _payload(task_id: str, kind: str, status: str) -> dict[str, Any]:
    """A task notification's payload: ids and links, nothing the UI may not fetch."""
    return {
        "task_id": task_id,
        "task_kind": kind,
        "status": status,
        "status_url": status_url(task_id),
        "result_url": result_url(task_id) if status == TaskStatus.succeeded.value else None,
    }


def _row(push: Push, created_at: datetime) -> dict[str, Any]:
    """The columns of a notification row that do not come from its task."""
    return {
        "id": push.notification_id,
        "created_at": created_at,
        "kind": NotificationKind.for_task(push.status),
        "payload": _payload(push.task_id, push.kind, push.status),
        "dedupe_key": dedupe_key(push.task_id),
    }


async def record(session: AsyncSession, tasks: Sequence[FinishedTask]) -> None:
    """Write the notifications of tasks finishing in the caller's transaction (one
    executemany), and queue the pushes of those with a chat session (outbox). A task
    started by no user has nobody to tell: nothing is written for it."""
    rows: list[dict[str, Any]] = []
    now = utcnow()
    for task in tasks:
        if task.user_id is None or task.kind in SILENT_KINDS:
            continue
        push = Push(task.id, task.kind.value, task.status.value, new_id(), task.chat_session_id)
        rows.append(
            _row(push, now)
            | {
                "task_id": task.id,
                "user_id": task.user_id,
                "org_id": task.org_id,
                "chat_session_id": task.chat_session_id,
            }
        )
        if task.chat_session_id is not None:
            outbox.enqueue(session, bus.NOTIFY, push.event())
    await NotificationRepository(session).add_many(rows)


async def push(redis: aioredis.Redis, pushes: Sequence[Push]) -> set[str]:
    """Publish the pushes that have a chat session, each at most once per task, in one
    round trip; returns the ids of the tasks pushed now (not those pushed before)."""
    sent = [p for p in pushes if p.chat_session_id is not None]
    replies = await eval_many(
        redis,
        _PUSH_ONCE,
        [
            (
                (pushed_key(p.task_id),),
                (chat_channel(str(p.chat_session_id)), p.message(), PUSHED_TTL_S),
            )
            for p in sent
        ],
    )
    return {p.task_id for p, reply in zip(sent, replies, strict=True) if reply == 1}


@dataclass(frozen=True, slots=True)
class Notice:
    """A notify event of the older shape: the task and, if it says, its kind and status."""

    task_id: str
    kind: str | None = None
    status: str | None = None


async def record_late(
    notices: Sequence[Notice],
) -> tuple[list[Push], dict[str, Exception]]:
    """Write the notifications of older-shape notify events, in one statement that
    commits by itself; returns the pushes of the rows written now (none for a row that
    existed, or whose task is gone, not finished or nobody's) and the failures by task
    id: a notice that names a status no task has fails alone; a database failure fails
    them all (retrying writes nothing twice). A notice without kind and status costs one
    read of the tasks first."""
    failures: dict[str, Exception] = {}
    async with autocommit() as connection:
        known = await _with_status(connection, notices)
        pending: dict[str, Push] = {}
        for task_id, (kind, status) in known.items():
            try:
                finished = TaskStatus(status)
            except ValueError as exc:
                failures[task_id] = exc
                continue
            pending[task_id] = Push(task_id, kind, finished.value, new_id(), None)
        now = utcnow()
        inserted = await insert_task_notifications(
            connection,
            [
                _row(p, now) | {"task_id": p.task_id, "status": TaskStatus(p.status)}
                for p in pending.values()
            ],
        )
    pushes = [
        Push(task_id, pending[task_id].kind, pending[task_id].status, id_, chat)
        for task_id, (id_, chat) in inserted.items()
    ]
    return pushes, failures


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
        known |= await finished_kinds(connection, unknown)
    return known
