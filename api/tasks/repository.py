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
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Select, and_, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from core.engine import get_engine
from core.models import (
    CandidateProfile,
    Job,
    MatchResult,
    Resume,
    ResumeVersion,
    Role,
    Task,
    TaskKind,
    TaskStatus,
    User,
    utcnow,
)
from core.repository import Repository

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
            # Even among those kinds, a candidate's task (their report: subject, file
            # names, sizes) and any report about a candidate stay with the candidate and
            # their organisation's admins.
            candidates = select(User.id).where(
                User.org_id == self.org_id, User.role == Role.candidate
            )
            profiles = select(CandidateProfile.id).where(CandidateProfile.org_id == self.org_id)
            clauses.append(or_(Task.user_id.is_(None), Task.user_id.not_in(candidates)))
            clauses.append(
                or_(
                    Task.kind != TaskKind.report,
                    Task.subject_id.is_(None),
                    Task.subject_id.not_in(profiles),
                )
            )
        return and_(*clauses)


# The task lifecycle's single-statement writes, each on an `autocommit()` connection.


async def start_open(connection: AsyncConnection, task_ids: Sequence[str]) -> Sequence[Any]:
    """Mark the open ones of `task_ids` running and count an attempt on each; returns their
    rows. The first attempt's start time is kept by COALESCE instead of a second UPDATE."""
    started_at = func.coalesce(Task.started_at, literal(utcnow(), Task.started_at.type))
    rows = await connection.execute(
        update(Task)
        .where(Task.id.in_(list(task_ids)), Task.status.in_(OPEN))
        .values(status=TaskStatus.running, attempts=Task.attempts + 1, started_at=started_at)
        .returning(
            Task.id,
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
    return rows.all()


async def keep_error(connection: AsyncConnection, task_id: str, error: str) -> None:
    """The last attempt's failure, on a task still open (it is retried)."""
    await connection.execute(
        update(Task).where(Task.id == task_id, Task.status.in_(OPEN)).values(last_error=error)
    )


async def finished_kinds(
    connection: AsyncConnection, task_ids: Sequence[str]
) -> dict[str, tuple[str, str]]:
    """(kind, status) of those of `task_ids` that are finished."""
    rows = await connection.execute(
        select(Task.id, Task.kind, Task.status).where(
            Task.id.in_(list(task_ids)), Task.status.in_(FINISHED)
        )
    )
    return {str(task_id): (str(kind), str(status)) for task_id, kind, status in rows.all()}


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


class TaskRepository(Repository):
    async def fail_open(self, task_id: str) -> Any | None:
        """Mark an open task failed; its row (org, user, kind, chat session, last error,
        attempts), or None when it had finished or is gone."""
        result = await self.session.execute(
            update(Task)
            .where(Task.id == task_id, Task.status.in_(OPEN))
            .values(status=TaskStatus.failed, finished_at=utcnow())
            .returning(
                Task.org_id,
                Task.user_id,
                Task.kind,
                Task.chat_session_id,
                Task.last_error,
                Task.attempts,
            )
        )
        return result.one_or_none()

    async def set_error(self, task_id: str, reason: str) -> None:
        await self.session.execute(update(Task).where(Task.id == task_id).values(last_error=reason))

    async def get(self, viewer: TaskViewer, task_id: str) -> Task | None:
        return await self.session.scalar(select(Task).where(Task.id == task_id, viewer.condition()))

    async def by_idempotency_key(self, org_id: str, key: str) -> Task | None:
        return await self.session.scalar(
            select(Task).where(Task.org_id == org_id, Task.idempotency_key == key)
        )

    async def claim_open(self, task_ids: Sequence[str]) -> set[str]:
        """Lock those of the tasks that are still open (queued or running) for this
        transaction; returns their ids (not those finished, cancelled or erased). A write,
        so that on SQLite the writer lock is held from here on, and on PostgreSQL a
        concurrent claim of the same task waits for this transaction, then finds the task
        finished."""
        claimed = await self.session.scalars(
            update(Task)
            .where(Task.id.in_(list(task_ids)), Task.status.in_(OPEN))
            .values(status=TaskStatus.running)
            .returning(Task.id)
        )
        return set(claimed.all())

    async def close(self, outcomes: Sequence[dict[str, Any]]) -> None:
        """Write tasks' outcomes (after `claim_open` in the same transaction), each a dict
        of `id`, `status`, `finished_at`, `result` and `last_error`: one executemany."""
        if outcomes:
            await self.session.execute(update(Task), list(outcomes))

    async def match_results(self, task_id: str) -> Sequence[MatchResult]:
        rows = await self.session.scalars(
            select(MatchResult).where(MatchResult.task_id == task_id).order_by(MatchResult.rank)
        )
        return rows.all()

    async def insert_match_results(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert-or-ignore on (task_id, job_id, resume_id): a redelivered task adds nothing.
        One executemany: its statement is compiled once per process and cached, where a
        multi-row VALUES would be compiled anew for every number of rows."""
        if rows:
            await self.session.execute(
                self.insert(MatchResult).on_conflict_do_nothing(), list(rows)
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

    async def ids_about(self, user_id: str, subject_ids: Sequence[str]) -> list[str]:
        """Ids of the user's tasks and of any task about one of `subject_ids`."""
        who = Task.user_id == user_id
        about = Task.subject_id.in_(subject_ids) if subject_ids else None
        rows = await self.session.scalars(
            select(Task.id).where(or_(who, about) if about is not None else who)
        )
        return list(rows)

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
