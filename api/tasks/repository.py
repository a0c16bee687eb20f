"""All SQL of tasks and their results.

Reads take a `TaskViewer`, so another tenant's task is never loaded at all. The worker's
final transaction locks what it writes against (`claim_open`, `live_resumes`) on
PostgreSQL, so an erasure and a result write serialise instead of interleaving; SQLite
has one writer at a time anyway (the worker's first statement is a write, see
`api.tasks.execution`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Select, and_, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from core.db import get_engine
from core.models import (
    Job,
    MatchResult,
    Notification,
    Resume,
    ResumeVersion,
    Task,
    TaskKind,
    TaskStatus,
    utcnow,
)

OPEN = (TaskStatus.queued, TaskStatus.running)
FINISHED = (TaskStatus.succeeded, TaskStatus.failed, TaskStatus.cancelled)
# Work an employer's key starts; a candidate's own tasks stay private to that candidate,
# even from employers of the same organisation.
ORGANISATION_KINDS = (TaskKind.match_candidates, TaskKind.index_job, TaskKind.report)


@dataclass(frozen=True, slots=True)
class TaskViewer:
    """Whose tasks a caller may read: a user's own, or an organisation's."""

    org_id: str
    user_id: str | None = None  # set: only this user's tasks
    kinds: tuple[TaskKind, ...] | None = None  # set: only these kinds

    def condition(self) -> ColumnElement[bool]:
        clauses = [Task.org_id == self.org_id]
        if self.user_id is not None:
            clauses.append(Task.user_id == self.user_id)
        if self.kinds is not None:
            clauses.append(Task.kind.in_(self.kinds))
        return and_(*clauses)


def _insert(session: AsyncSession | AsyncConnection) -> Any:
    dialect = session.get_bind().dialect if isinstance(session, AsyncSession) else session.dialect
    return postgresql_insert if dialect.name == "postgresql" else sqlite_insert


@asynccontextmanager
async def autocommit() -> AsyncIterator[AsyncConnection]:
    """A connection on which each statement commits by itself, for the single-statement
    writes of the task lifecycle: one round trip instead of BEGIN, statement, COMMIT."""
    async with get_engine().connect() as connection:
        yield await connection.execution_options(isolation_level="AUTOCOMMIT")


Ts = TypeVarTuple("Ts")


def _locked(session: AsyncSession, query: Select[*Ts], *, share: bool = False) -> Select[*Ts]:
    if session.get_bind().dialect.name != "postgresql":
        return query
    return query.with_for_update(read=share)


class TaskRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, task: Task) -> None:
        self.session.add(task)

    async def get(self, viewer: TaskViewer, task_id: str) -> Task | None:
        return await self.session.scalar(select(Task).where(Task.id == task_id, viewer.condition()))

    async def by_idempotency_key(self, org_id: str, key: str) -> Task | None:
        return await self.session.scalar(
            select(Task).where(Task.org_id == org_id, Task.idempotency_key == key)
        )

    async def claim_open(self, task_id: str) -> bool:
        """Lock the task for this transaction if it is still open (queued or running);
        False when it is finished, cancelled or erased. A write, so that on SQLite the
        writer lock is held from here on, and on PostgreSQL a concurrent claim of the same
        task waits for this transaction, then finds the task finished."""
        claimed = await self.session.execute(
            update(Task)
            .where(Task.id == task_id, Task.status.in_(OPEN))
            .values(status=TaskStatus.running)
            .returning(Task.id)
        )
        return claimed.scalar_one_or_none() is not None

    async def close(
        self,
        task_id: str,
        status: TaskStatus,
        *,
        finished_at: datetime,
        result: dict[str, Any] | None = None,
        last_error: str | None = None,
    ) -> None:
        """Write the task's outcome (after `claim_open` in the same transaction)."""
        await self.session.execute(
            update(Task)
            .where(Task.id == task_id)
            .values(status=status, finished_at=finished_at, result=result, last_error=last_error)
        )

    async def match_results(self, task_id: str) -> Sequence[MatchResult]:
        rows = await self.session.scalars(
            select(MatchResult).where(MatchResult.task_id == task_id).order_by(MatchResult.rank)
        )
        return rows.all()

    async def insert_match_results(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert-or-ignore on (task_id, job_id, resume_id): a redelivered task adds nothing."""
        if rows:
            await self.session.execute(
                _insert(self.session)(MatchResult).values(list(rows)).on_conflict_do_nothing()
            )

    # what a result may still point at
    async def live_resumes(self, resume_ids: Sequence[str]) -> dict[str, str]:
        """Resume id -> candidate id of those that still exist, share-locked so that an
        erasure waits for this transaction (or this one sees the erasure's outcome)."""
        if not resume_ids:
            return {}
        rows = await self.session.execute(
            _locked(
                self.session,
                select(Resume.id, Resume.candidate_id).where(Resume.id.in_(list(resume_ids))),
                share=True,
            )
        )
        return {str(resume_id): str(candidate_id) for resume_id, candidate_id in rows.all()}

    async def lock_resume(self, resume_id: str) -> Resume | None:
        """A resume locked for update (new versions are numbered under this lock)."""
        return await self.session.scalar(
            _locked(self.session, select(Resume).where(Resume.id == resume_id))
        )

    async def live_jobs(self, job_ids: Sequence[str]) -> set[str]:
        if not job_ids:
            return set()
        rows = await self.session.scalars(
            _locked(self.session, select(Job.id).where(Job.id.in_(list(job_ids))), share=True)
        )
        return set(rows.all())

    async def version(self, version_id: str) -> ResumeVersion | None:
        return await self.session.get(ResumeVersion, version_id)

    async def next_version_number(self, resume_id: str) -> int:
        numbers = await self.session.scalars(
            select(ResumeVersion.number)
            .where(ResumeVersion.resume_id == resume_id)
            .order_by(ResumeVersion.number.desc())
            .limit(1)
        )
        return (numbers.first() or 0) + 1

    async def cancel_open(self, user_id: str, subject_ids: Sequence[str]) -> int:
        """Cancel the open tasks of a user or about any of `subject_ids`."""
        who = Task.user_id == user_id
        if subject_ids:
            who = or_(who, Task.subject_id.in_(list(subject_ids)))
        result = await self.session.execute(
            update(Task)
            .where(who, Task.status.in_(OPEN))
            .values(
                status=TaskStatus.cancelled,
                finished_at=utcnow(),
                last_error="cancelled: the candidate's data was erased",
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)

    # notifications
    async def insert_notification(self, values: dict[str, Any]) -> str | None:
        """Insert-or-ignore on the dedupe key; the new row's id, or None if it existed."""
        statement = (
            _insert(self.session)(Notification)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(Notification.id)
        )
        return (await self.session.execute(statement)).scalar_one_or_none()


async def insert_task_notification(
    connection: AsyncConnection,
    task_id: str,
    status: TaskStatus,
    values: dict[str, Any],
) -> tuple[str, str | None] | None:
    """Insert-or-ignore (on the dedupe key) the notification of a task that is `status`,
    taking its user, organisation and chat session from the task row as it inserts: one
    statement. `values` holds the other columns. Returns (id, chat_session_id) of the new
    row; None when the row existed, or the task is gone, not `status`, or nobody's."""
    columns = Notification.__table__.c
    source = select(
        literal(values["id"], columns.id.type),
        literal(values["created_at"], columns.created_at.type),
        Task.user_id,
        Task.org_id,
        Task.chat_session_id,
        Task.id,
        literal(values["kind"], columns.kind.type),
        literal(values["payload"], columns.payload.type),
        literal(values["dedupe_key"], columns.dedupe_key.type),
    ).where(Task.id == task_id, Task.status == status, Task.user_id.is_not(None))
    names = ["id", "created_at", "user_id", "org_id", "chat_session_id", "task_id", "kind"]
    statement = (
        _insert(connection)(Notification)
        .from_select([*names, "payload", "dedupe_key"], source)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(Notification.id, Notification.chat_session_id)
    )
    row = (await connection.execute(statement)).one_or_none()
    return None if row is None else (str(row[0]), row[1])
