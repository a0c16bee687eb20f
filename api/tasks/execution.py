"""How a worker runs a task: the lifecycle every task kind shares.

A `TaskWork` pairs two functions of a task kind: `compute` (the slow part: matching,
rewriting, embedding; reads only) and `store` (writes its result, inside the final
transaction). `TaskWork.handle` is the stream handler:

1. begin, in one statement that commits by itself: a queued or running task becomes
   running and counts an attempt; a finished (or erased) task is acknowledged and left
   alone, so a redelivered entry does nothing;
2. compute, outside any write transaction;
3. finish, in ONE transaction: claim the task row (a conditional UPDATE: only while the
   task is still open; erased, cancelled or finished by a concurrent or repeated
   delivery: write nothing), `store`, mark succeeded, count the metric, enqueue the chat
   notification (outbox) and announce the event to the organisation's webhooks. The
   task's state is the idempotency key: the claim waits on the row lock (PostgreSQL) or
   the writer lock (SQLite) of a concurrent finish, then sees it finished.

A failure is recorded on the task in words (never a stack trace or resume text) in a
transaction of its own, and re-raised so the bus retries; when the bus gives up, it calls
`on_dead_letter`, which marks the task failed with that reason.

Every transaction here starts with a write (UPDATE ... RETURNING), so on SQLite the
writer lock is taken before anything is read, and on PostgreSQL the task row is locked
before the result is written. Round trips matter (a match is milliseconds of work, see
bench/pipeline.py): begin and a failure's record are single statements that commit by
themselves, and the final transaction claims and closes the task row with one statement
each.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import func, literal, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.identity.schemas import Identity
from api.metrics.schemas import EventName
from api.metrics.service import record
from api.tasks.repository import OPEN, TaskRepository, autocommit
from core import bus, outbox
from core.db import session_scope
from core.errors import ClearViewError
from core.logging import correlation_id
from core.models import Role, Task, TaskKind, TaskStatus, utcnow

log = logging.getLogger(__name__)

T = TypeVar("T")
ERROR_MAX_CHARS = 500


class TaskFailure(Exception):
    """A failure whose message is written for the user (ids at most, no personal data);
    it becomes the task's `error` as is."""


def readable_error(exc: BaseException) -> str:
    """What a task's `error` says about `exc`: domain messages as they are, anything else
    by its type only (an arbitrary message may quote resume text)."""
    if isinstance(exc, TaskFailure):
        return str(exc)[:ERROR_MAX_CHARS]
    if isinstance(exc, ClearViewError):
        return exc.detail[:ERROR_MAX_CHARS]
    return f"internal error in the worker ({type(exc).__name__}); the task is retried"


def status_url(task_id: str) -> str:
    return f"/api/v1/tasks/{task_id}"


def result_url(task_id: str) -> str:
    return f"/api/v1/tasks/{task_id}/result"


@dataclass(frozen=True, slots=True)
class TaskRun:
    """The task as the worker sees it: plain values, read once at the start."""

    id: str
    kind: TaskKind
    org_id: str
    user_id: str | None
    subject_id: str | None
    payload: dict[str, Any]
    chat_session_id: str | None
    created_at: datetime
    attempt: int

    def identity(self) -> Identity:
        """The submitter, so the services apply the same tenant rules as at submission."""
        role = Role(self.payload.get("role", Role.candidate.value))
        return Identity(
            key_id=f"task:{self.id}", user_id=self.user_id or "", org_id=self.org_id, role=role
        )


@dataclass(frozen=True, slots=True)
class Outcome:
    """What `store` wrote: the task's result (ids), and the webhook event announcing it."""

    result: dict[str, Any]
    event_type: str | None = None


Compute = Callable[[TaskRun], Awaitable[T]]
# Returns None when the task's subject is gone (erased, deleted): the task is cancelled.
Store = Callable[[AsyncSession, TaskRun, T], Awaitable[Outcome | None]]


async def announce(session: AsyncSession, run: TaskRun, outcome: Outcome) -> None:
    """Queue the webhook event of a finished task, in the caller's transaction. Thin: ids
    and links only, so a receiver fetches what it may see through the API."""
    if outcome.event_type is None:
        return
    from api.gateway.service import emit  # the gateway is optional in a slim deployment

    ids = {k: v for k, v in outcome.result.items() if k.endswith("_id") and isinstance(v, str)}
    data = {
        **ids,
        "task_id": run.id,
        "kind": run.kind.value,
        "status_url": status_url(run.id),
        "result_url": result_url(run.id),
    }
    await emit(session, run.org_id, outcome.event_type, data)


@dataclass(frozen=True)
class TaskWork(Generic[T]):
    """The stream handler and dead-letter callback of one task kind's worker."""

    group: str  # the consumer group whose entries it handles
    compute: Compute[T]
    store: Store[T]

    async def handle(self, message: bus.Message) -> None:
        task_id = message.payload.get("task_id")
        if not isinstance(task_id, str):
            raise TaskFailure(f"entry {message.id} carries no task_id")
        # The task id follows the task through every process's JSON log lines.
        token = correlation_id.set(task_id)
        try:
            run = await begin(task_id)
            if run is None:
                return
            try:
                computed = await self.compute(run)
                await self._finish(run, computed)
            except Exception as exc:
                await record_error(task_id, readable_error(exc))
                raise
        finally:
            correlation_id.reset(token)

    async def _finish(self, run: TaskRun, computed: T) -> None:
        async with session_scope() as session:
            repo = TaskRepository(session)
            if not await repo.claim_open(run.id):
                # Erased or cancelled while running, or finished by another delivery:
                # nothing is written back.
                return
            outcome = await self.store(session, run, computed)
            now = utcnow()
            if outcome is None:
                await repo.close(
                    run.id,
                    TaskStatus.cancelled,
                    finished_at=now,
                    last_error="cancelled: what the task was about no longer exists",
                )
                return
            await repo.close(run.id, TaskStatus.succeeded, finished_at=now, result=outcome.result)
            await record(
                session,
                EventName.task_finished,
                org_id=run.org_id,
                user_id=run.user_id,
                duration_ms=(now - run.created_at).total_seconds() * 1000,
                attributes={"kind": run.kind.value, "attempts": run.attempt},
            )
            outbox.enqueue(session, bus.NOTIFY, notice(run.id, run.kind, TaskStatus.succeeded))
            await announce(session, run, outcome)

    async def on_dead_letter(self, message: bus.Message, error: str) -> None:
        task_id = message.payload.get("task_id")
        if isinstance(task_id, str):
            await fail(task_id, message.deliveries)


def notice(task_id: str, kind: TaskKind, status: TaskStatus) -> dict[str, str]:
    """The notify event of a finished task. Kind and status ride along, so the notify
    worker writes its row in one statement without reading the task first."""
    return {"task_id": task_id, "kind": kind.value, "status": status.value}


async def begin(task_id: str) -> TaskRun | None:
    """Mark the task running and count the attempt; None if it is finished or gone.

    One statement, committed by itself: the first attempt's start time is kept by
    COALESCE instead of a second UPDATE."""
    started_at = func.coalesce(Task.started_at, literal(utcnow(), Task.started_at.type))
    async with autocommit() as connection:
        row = (
            await connection.execute(
                update(Task)
                .where(Task.id == task_id, Task.status.in_(OPEN))
                .values(
                    status=TaskStatus.running, attempts=Task.attempts + 1, started_at=started_at
                )
                .returning(
                    Task.kind,
                    Task.org_id,
                    Task.user_id,
                    Task.subject_id,
                    Task.payload,
                    Task.chat_session_id,
                    Task.created_at,
                    Task.attempts,
                )
            )
        ).one_or_none()
        if row is None:
            return None
        return TaskRun(
            id=task_id,
            kind=TaskKind(row.kind),
            org_id=row.org_id,
            user_id=row.user_id,
            subject_id=row.subject_id,
            payload=dict(row.payload or {}),
            chat_session_id=row.chat_session_id,
            created_at=row.created_at,
            attempt=row.attempts,
        )


async def record_error(task_id: str, error: str) -> None:
    """Keep the last attempt's failure on the task (the task stays open: it is retried)."""
    async with autocommit() as connection:
        await connection.execute(
            update(Task).where(Task.id == task_id, Task.status.in_(OPEN)).values(last_error=error)
        )


async def fail(task_id: str, deliveries: int) -> None:
    """The bus gave up on the task: mark it failed with the reason, tell whoever asked."""
    async with session_scope() as session:
        row = (
            await session.execute(
                update(Task)
                .where(Task.id == task_id, Task.status.in_(OPEN))
                .values(status=TaskStatus.failed, finished_at=utcnow())
                .returning(Task.org_id, Task.user_id, Task.kind, Task.last_error, Task.attempts)
            )
        ).one_or_none()
        if row is None:
            return
        cause = row.last_error or "the worker stopped before finishing, every time"
        reason = f"failed after {row.attempts} attempt(s): {cause}"[:ERROR_MAX_CHARS]
        await session.execute(update(Task).where(Task.id == task_id).values(last_error=reason))
        await record(
            session,
            EventName.task_failed,
            org_id=row.org_id,
            user_id=row.user_id,
            attributes={"kind": str(row.kind), "deliveries": deliveries},
        )
        outbox.enqueue(session, bus.NOTIFY, notice(task_id, TaskKind(row.kind), TaskStatus.failed))
    log.warning("task %s failed for good after %d deliveries", task_id, deliveries)
