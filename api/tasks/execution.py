"""How a worker runs a task: the lifecycle every task kind shares.

A `TaskWork` pairs two functions of a task kind: `compute` (the slow part: matching,
rewriting, embedding; reads only) and `store` (writes its result, inside the final
transaction; `store_many` does it for several tasks at once). `TaskWork.handle_many` is
the stream's batch handler (the entries a worker read together; `handle` takes one):

1. begin, in one statement that commits by itself: the batch's queued or running tasks
   become running and count an attempt; a finished (or erased) task is acknowledged and
   left alone, so a redelivered entry does nothing;
2. compute each task, outside any write transaction (all at once through `compute_many`
   when the kind has it: a batch of matches queries the vector index together);
3. finish, in ONE transaction for the batch: claim the task rows (a conditional UPDATE:
   only those still open; erased, cancelled or finished by a concurrent or repeated
   delivery: write nothing for those), store, count the metrics, write the chat
   notifications and queue their pushes (`api.tasks.notify.record`: the outbox), announce
   the events to the organisations' webhooks, and mark the tasks succeeded last, so
   their finish time is the commit's. The task's state is
   the idempotency key: the claim waits on the row lock (PostgreSQL) or the writer lock
   (SQLite) of a concurrent finish, then sees it finished. Should that transaction fail,
   each task is finished in a transaction of its own, so one bad task holds back no other.

A failure is recorded on its task in words (never a stack trace or resume text) in a
statement of its own and reported to the bus, which retries that entry alone; when the bus
gives up, it calls `on_dead_letter`, which marks the task failed with that reason.

Every transaction here starts with a write (UPDATE ... RETURNING), so on SQLite the
writer lock is taken before anything is read, and on PostgreSQL the task rows are locked
before the results are written. Round trips matter (a match is milliseconds of work, see
bench/pipeline.py): a batch costs about ten statements, however many tasks it holds.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from api.gateway.service import OrgEvent, emit_many
from api.identity.schemas import Identity
from api.metrics.schemas import EventName
from api.metrics.service import record
from api.tasks import notify
from api.tasks.repository import TaskRepository, autocommit, keep_error, start_open
from api.tasks.schemas import result_url, status_url
from core import bus
from core.correlation import correlated
from core.db import session_scope
from core.errors import ClearViewError
from core.models import Role, TaskKind, TaskStatus, utcnow

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

    def finished(self, status: TaskStatus) -> notify.FinishedTask:
        return notify.FinishedTask(
            self.id, self.kind, status, self.org_id, self.user_id, self.chat_session_id
        )

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
# `Compute` for several tasks at once (one answer or error per task, in order), for kinds
# whose work can share its reads and index queries across a batch.
ComputeMany = Callable[[Sequence[TaskRun]], Awaitable[list[T | Exception]]]
# Returns None when the task's subject is gone (erased, deleted): the task is cancelled.
Store = Callable[[AsyncSession, TaskRun, T], Awaitable[Outcome | None]]
# `Store` for several tasks at once (one answer per task, in order), for kinds whose store
# can share its reads and writes across a batch.
StoreMany = Callable[[AsyncSession, Sequence[tuple[TaskRun, T]]], Awaitable[list[Outcome | None]]]


async def announce(session: AsyncSession, finished: Sequence[tuple[TaskRun, Outcome]]) -> None:
    """Queue the webhook events of finished tasks, in the caller's transaction. Thin: ids
    and links only, so a receiver fetches what it may see through the API."""
    by_org: dict[str, list[OrgEvent]] = {}
    for run, outcome in finished:
        if outcome.event_type is None:
            continue
        ids = {k: v for k, v in outcome.result.items() if k.endswith("_id") and isinstance(v, str)}
        data = {
            **ids,
            "task_id": run.id,
            "kind": run.kind.value,
            "status_url": status_url(run.id),
            "result_url": result_url(run.id),
        }
        by_org.setdefault(run.org_id, []).append((outcome.event_type, data, None))
    if not by_org:
        return
    for org_id, events in by_org.items():
        await emit_many(session, org_id, events)


@dataclass(frozen=True)
class TaskWork(Generic[T]):
    """The stream handlers (`handle_many` for a `bus.Batched`, `handle` for one entry)
    and dead-letter callback of one task kind's worker."""

    group: str  # the consumer group whose entries it handles
    compute: Compute[T]
    store: Store[T]
    store_many: StoreMany[T] | None = None
    compute_many: ComputeMany[T] | None = None

    async def handle(self, message: bus.Message) -> None:
        await bus.handle_one(self.handle_many, message)

    async def handle_many(self, messages: list[bus.Message]) -> dict[str, Exception]:
        """Run the tasks of `messages`; returns the failures by entry id."""
        entries, failures = bus.entries_by(messages, "task_id")
        failed: dict[str, Exception] = {}  # by task id
        computed: list[tuple[TaskRun, T]] = []
        runs = await begin(list(entries))
        for run, value in zip(runs, await self._compute(runs), strict=True):
            if isinstance(value, Exception):
                failed[run.id] = value
            else:
                computed.append((run, value))
        failed |= await self._finish(computed)
        for task_id, error in failed.items():
            with correlated(task_id):
                await record_error(task_id, readable_error(error))
            failures |= dict.fromkeys(entries[task_id], error)
        return failures

    async def _compute(self, runs: Sequence[TaskRun]) -> list[T | Exception]:
        """Each task's value or error: together through `compute_many` when the kind has
        it and there are several (an error of the whole call is every task's), else one
        by one."""
        if self.compute_many is not None and len(runs) > 1:
            try:
                return await self.compute_many(runs)
            except Exception as exc:
                return [exc] * len(runs)
        values: list[T | Exception] = []
        for run in runs:
            # The task id follows the task through every process's JSON log lines.
            with correlated(run.id):
                try:
                    values.append(await self.compute(run))
                except Exception as exc:
                    values.append(exc)
        return values

    async def _finish(self, computed: Sequence[tuple[TaskRun, T]]) -> dict[str, Exception]:
        """Finish the computed tasks in one transaction or, should it fail, each in its
        own; returns the failures by task id."""
        if not computed:
            return {}
        try:
            await self._finish_together(computed)
            return {}
        except Exception as exc:
            if len(computed) == 1:
                return {computed[0][0].id: exc}
        failed: dict[str, Exception] = {}
        for item in computed:
            failed |= await self._finish([item])
        return failed

    async def _finish_together(self, computed: Sequence[tuple[TaskRun, T]]) -> None:
        closed = await self._close_together(computed)
        for run in (run for run, _ in computed):
            # A line per task under its id, however the batch was computed.
            with correlated(run.id):
                log.info("task %s: %s", run.id, closed.get(run.id, "finished elsewhere"))

    async def _close_together(self, computed: Sequence[tuple[TaskRun, T]]) -> dict[str, str]:
        """Store and close the tasks in one transaction; returns what became of each
        task claimed (by id)."""
        async with session_scope() as session:
            repo = TaskRepository(session)
            claimed = await repo.claim_open([run.id for run, _ in computed])
            # Erased or cancelled while running, or finished by another delivery: nothing
            # is written back for those.
            live = [(run, value) for run, value in computed if run.id in claimed]
            if not live:
                return {}
            if self.store_many is not None:
                outcomes = await self.store_many(session, live)
            else:
                outcomes = [await self.store(session, run, value) for run, value in live]
            pairs = list(zip((run for run, _ in live), outcomes, strict=True))
            finished = [(run, outcome) for run, outcome in pairs if outcome is not None]
            stored_at = utcnow()
            for run, _ in finished:
                await record(
                    session,
                    EventName.task_finished,
                    org_id=run.org_id,
                    user_id=run.user_id,
                    duration_ms=(stored_at - run.created_at).total_seconds() * 1000,
                    attributes={"kind": run.kind.value, "attempts": run.attempt},
                    flush=False,
                )
            await notify.record(
                session, [run.finished(TaskStatus.succeeded) for run, _ in finished]
            )
            await announce(session, finished)
            # All but the tasks' own rows go out now, so that their finish time, written
            # last, is within a statement of the commit that makes it true.
            await session.flush()
            now = utcnow()
            await repo.close(
                [
                    _closed(run, TaskStatus.succeeded, now, result=outcome.result)
                    if outcome is not None
                    else _closed(run, TaskStatus.cancelled, now, error=CANCELLED)
                    for run, outcome in pairs
                ]
            )
        return {run.id: "succeeded" if outcome is not None else CANCELLED for run, outcome in pairs}

    async def on_dead_letter(self, message: bus.Message, error: str) -> None:
        task_id = message.payload.get("task_id")
        if isinstance(task_id, str):
            await fail(task_id, message.deliveries)


CANCELLED = "cancelled: what the task was about no longer exists"


def _closed(
    run: TaskRun,
    status: TaskStatus,
    at: datetime,
    *,
    result: dict[str, Any] | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    """A row for `TaskRepository.close`."""
    return {
        "id": run.id,
        "status": status,
        "finished_at": at,
        "result": result,
        "last_error": error,
    }


async def begin(task_ids: Sequence[str]) -> list[TaskRun]:
    """Mark the tasks running and count an attempt on each; returns those that were open
    (not those finished or gone), in the order given. One statement, committed by itself."""
    if not task_ids:
        return []
    async with autocommit() as connection:
        rows = await start_open(connection, task_ids)
    runs = {
        row.id: TaskRun(
            id=row.id,
            kind=TaskKind(row.kind),
            org_id=row.org_id,
            user_id=row.user_id,
            subject_id=row.subject_id,
            payload=dict(row.payload or {}),
            chat_session_id=row.chat_session_id,
            created_at=row.created_at,
            attempt=row.attempts,
        )
        for row in rows
    }
    return [runs[task_id] for task_id in dict.fromkeys(task_ids) if task_id in runs]


async def record_error(task_id: str, error: str) -> None:
    """Keep the last attempt's failure on the task (the task stays open: it is retried)."""
    async with autocommit() as connection:
        await keep_error(connection, task_id, error)


async def fail(task_id: str, deliveries: int) -> None:
    """The bus gave up on the task: mark it failed with the reason, tell whoever asked."""
    async with session_scope() as session:
        repository = TaskRepository(session)
        row = await repository.fail_open(task_id)
        if row is None:
            return
        cause = row.last_error or "the worker stopped before finishing, every time"
        reason = f"failed after {row.attempts} attempt(s): {cause}"[:ERROR_MAX_CHARS]
        await repository.set_error(task_id, reason)
        await record(
            session,
            EventName.task_failed,
            org_id=row.org_id,
            user_id=row.user_id,
            attributes={"kind": str(row.kind), "deliveries": deliveries},
        )
        await notify.record(
            session,
            [
                notify.FinishedTask(
                    task_id,
                    TaskKind(row.kind),
                    TaskStatus.failed,
                    row.org_id,
                    row.user_id,
                    row.chat_session_id,
                )
            ],
        )
    log.warning("task %s failed for good after %d deliveries", task_id, deliveries)
