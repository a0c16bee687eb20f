"""Task business rules: who may start which background work, and who may read it back.

A submission writes the task row and its stream event (through the outbox) in the
request's transaction: a client that got its 202 has a task a worker will pick up, and a
request that fails leaves neither. `Idempotency-Key`: the same key in the same
organisation answers the task it first created, so a retried request starts nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import require_role
from api.identity.schemas import Identity
from api.jobs.repository import JobRepository
from api.jobs.service import job_service
from api.metrics.schemas import EventName
from api.metrics.service import record
from api.resumes.service import resume_service
from api.tasks.repository import ORGANISATION_KINDS, TaskRepository, TaskViewer
from api.tasks.schemas import (
    MatchResultOut,
    MatchTaskIn,
    RewriteTaskIn,
    TaskOut,
    TaskResultOut,
    result_url,
    status_url,
)
from core import bus, outbox
from core.errors import Conflict, NotFound
from core.models import Role, Task, TaskKind, TaskStatus, new_id, utcnow

# The stream each kind of task is worked from.
STREAMS: dict[TaskKind, str] = {
    TaskKind.match_jobs: bus.MATCH,
    TaskKind.match_candidates: bus.MATCH,
    TaskKind.rewrite: bus.REWRITE,
    TaskKind.index_resume: bus.INDEX,
    TaskKind.index_job: bus.INDEX,
    TaskKind.report: bus.REPORT,
    TaskKind.chat: bus.CHAT,
}
IDEMPOTENCY_KEY_MAX = 200


@dataclass(frozen=True, slots=True)
class Submitted:
    task: Task
    created: bool  # False: an earlier request with the same Idempotency-Key made it


def viewer(identity: Identity) -> TaskViewer:
    if identity.role is Role.candidate:
        return TaskViewer(org_id=identity.org_id, user_id=identity.user_id)
    if identity.role is Role.employer:
        return TaskViewer(org_id=identity.org_id, kinds=ORGANISATION_KINDS)
    return TaskViewer(org_id=identity.org_id)


def task_out(task: Task) -> TaskOut:
    return TaskOut(
        id=task.id,
        kind=task.kind,
        status=task.status,
        attempts=task.attempts,
        error=task.last_error,
        subject_id=task.subject_id,
        chat_session_id=task.chat_session_id,
        result_url=result_url(task.id) if task.status is TaskStatus.succeeded else None,
        created_at=task.created_at,
        started_at=task.started_at,
        finished_at=task.finished_at,
    )


class TaskService:
    # submission
    async def submit(
        self,
        session: AsyncSession,
        identity: Identity,
        kind: TaskKind,
        *,
        subject_id: str | None,
        payload: dict[str, Any],
        chat_session_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> Submitted:
        """Create a task and queue it (after commit); or return the key's earlier task."""
        repo = TaskRepository(session)
        if idempotency_key is not None:
            if not 0 < len(idempotency_key) <= IDEMPOTENCY_KEY_MAX:
                raise Conflict(f"Idempotency-Key must be 1 to {IDEMPOTENCY_KEY_MAX} characters")
            earlier = await repo.by_idempotency_key(identity.org_id, idempotency_key)
            if earlier is not None:
                return self._replayed(earlier, kind, subject_id)
        task = Task(
            id=new_id(),
            created_at=utcnow(),
            org_id=identity.org_id,
            user_id=identity.user_id,
            kind=kind,
            status=TaskStatus.queued,
            attempts=0,
            payload={**payload, "role": identity.role.value},
            subject_id=subject_id,
            chat_session_id=chat_session_id,
            idempotency_key=idempotency_key,
        )
        if idempotency_key is None:
            repo.add(task)  # a fresh id conflicts with nothing: flushed with the commit
        else:
            try:
                # A savepoint: losing the race to a concurrent request with the same key
                # must not abort the request's whole transaction.
                async with session.begin_nested():
                    repo.add(task)
            except IntegrityError:
                earlier = await repo.by_idempotency_key(identity.org_id, idempotency_key)
                if earlier is None:
                    raise
                return self._replayed(earlier, kind, subject_id)
        outbox.enqueue(session, STREAMS[kind], {"task_id": task.id})
        await record(
            session,
            EventName.task_submitted,
            org_id=identity.org_id,
            user_id=identity.user_id,
            attributes={"kind": kind.value},
        )
        return Submitted(task, created=True)

    @staticmethod
    def _replayed(task: Task, kind: TaskKind, subject_id: str | None) -> Submitted:
        if task.kind is not kind or task.subject_id != subject_id:
            raise Conflict("this Idempotency-Key was used for a different request; use a new key")
        return Submitted(task, created=False)

    async def match_jobs(
        self,
        session: AsyncSession,
        identity: Identity,
        resume_id: str,
        body: MatchTaskIn,
        idempotency_key: str | None,
    ) -> Submitted:
        """Jobs for one of the caller's resumes (candidates)."""
        await resume_service.get(session, identity, resume_id)  # 404 unless visible
        require_role(identity, Role.candidate)
        return await self.submit(
            session,
            identity,
            TaskKind.match_jobs,
            subject_id=resume_id,
            payload={"resume_id": resume_id, "top_k": body.top_k},
            chat_session_id=body.chat_session_id,
            idempotency_key=idempotency_key,
        )

    async def match_candidates(
        self,
        session: AsyncSession,
        identity: Identity,
        job_id: str,
        body: MatchTaskIn,
        idempotency_key: str | None,
    ) -> Submitted:
        """Candidates for one of the organisation's jobs (employers, admins)."""
        await job_service.get(session, identity, job_id)  # tenant first: 404 elsewhere
        require_role(identity, Role.employer, Role.admin)
        return await self.submit(
            session,
            identity,
            TaskKind.match_candidates,
            subject_id=job_id,
            payload={"job_id": job_id, "top_k": body.top_k},
            chat_session_id=body.chat_session_id,
            idempotency_key=idempotency_key,
        )

    async def rewrite(
        self,
        session: AsyncSession,
        identity: Identity,
        resume_id: str,
        body: RewriteTaskIn,
        idempotency_key: str | None,
    ) -> Submitted:
        """A rewrite of one of the caller's resumes towards any published job."""
        resume = await resume_service.get(session, identity, resume_id)
        require_role(identity, Role.candidate)
        if resume.current_version_id is None:
            raise NotFound(f"resume {resume_id} has no version yet; upload one")
        if await JobRepository(session).get_published(body.job_id) is None:
            raise NotFound(f"job {body.job_id} not found; use the id of a published job")
        return await self.submit(
            session,
            identity,
            TaskKind.rewrite,
            subject_id=resume_id,
            payload={
                "resume_id": resume_id,
                "version_id": resume.current_version_id,
                "job_id": body.job_id,
            },
            chat_session_id=body.chat_session_id,
            idempotency_key=idempotency_key,
        )

    # reads
    async def get(self, session: AsyncSession, identity: Identity, task_id: str) -> Task:
        task = await TaskRepository(session).get(viewer(identity), task_id)
        if task is None:
            raise NotFound(f"task {task_id} not found")
        return task

    async def result(
        self, session: AsyncSession, identity: Identity, task_id: str
    ) -> TaskResultOut:
        task = await self.get(session, identity, task_id)
        if task.status is not TaskStatus.succeeded:
            raise NotFound(
                f"task {task_id} has no result: it is {task.status.value}; "
                f"see {status_url(task_id)}"
            )
        out = TaskResultOut(task_id=task.id, kind=task.kind, status=task.status)
        repo = TaskRepository(session)
        if task.kind in (TaskKind.match_jobs, TaskKind.match_candidates):
            rows = await repo.match_results(task.id)
            out.matches = [MatchResultOut.model_validate(row) for row in rows]
        elif task.kind is TaskKind.rewrite and task.result and task.result.get("version_id"):
            version = await repo.version(str(task.result.get("version_id")))
            if version is None:
                raise NotFound(f"the version task {task_id} wrote was deleted")
            out.resume_id, out.version_id, out.diff = version.resume_id, version.id, version.diff
        else:
            out.data = task.result
        return out


task_service = TaskService()
