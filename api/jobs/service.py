"""Jobs business rules: tenancy by organisation, unique external ids, idempotent import.

Every change ends with `api.flows.jobs.jobs_changed` (the vector index, job alerts, the
read caches), inside the request's transaction, so whatever follows commits or rolls back
with the change itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import require_role
from api.flows.jobs import jobs_changed
from api.identity.schemas import Identity
from api.jobs.drafts import JobPostDraft, PlatformJob, draft_job_post
from api.jobs.repository import JobFilter, JobRepository
from api.jobs.schemas import (
    JobAction,
    JobCreate,
    JobImport,
    JobImportResult,
    JobReplace,
    JobUpdate,
)
from core.errors import Conflict, NotFound
from core.models import Job, Role, new_id, utcnow

WRITERS = (Role.employer, Role.admin)


def published_only(identity: Identity) -> bool:
    """Candidates see what is advertised; drafts are their organisation's staff's business."""
    return identity.role is Role.candidate


def _apply(job: Job, values: dict[str, Any]) -> bool:
    """Set changed attributes only; True when something changed."""
    changed = False
    for name, value in values.items():
        if getattr(job, name) != value:
            setattr(job, name, value)
            changed = True
    return changed


# How many published jobs a job-post draft counts skills over.
DRAFT_POOL = 5000


class JobService:
    async def draft(self, session: AsyncSession, identity: Identity, title: str) -> JobPostDraft:
        """A job-post draft for a title; nothing is created (a draft is text to edit)."""
        require_role(identity, *WRITERS)
        rows = await JobRepository(session).published_titles_and_skills(DRAFT_POOL)
        jobs = [PlatformJob(t, req, pref) for t, req, pref in rows]
        return await asyncio.to_thread(draft_job_post, title, jobs)

    async def get(self, session: AsyncSession, identity: Identity, job_id: str) -> Job:
        job = await JobRepository(session).get(identity.org_id, job_id)
        if job is None or (published_only(identity) and not job.published):
            raise NotFound(f"job {job_id} not found")
        return job

    async def list(
        self, session: AsyncSession, identity: Identity, filters: JobFilter, limit: int, offset: int
    ) -> tuple[Sequence[Job], int]:
        if published_only(identity):
            if filters.published is False:
                return [], 0
            filters = replace(filters, published=True)
        return await JobRepository(session).list(identity.org_id, filters, limit, offset)

    async def create(self, session: AsyncSession, identity: Identity, data: JobCreate) -> Job:
        require_role(identity, *WRITERS)
        repo = JobRepository(session)
        external_id = data.external_id or new_id()
        if await repo.external_id_taken(identity.org_id, external_id):
            raise Conflict(
                f"a job with external_id {external_id!r} already exists; update it or use "
                "POST /api/v1/jobs/bulk to upsert"
            )
        now = utcnow()
        job = Job(
            id=new_id(),
            org_id=identity.org_id,
            created_at=now,
            updated_at=now,
            **data.model_dump(exclude={"external_id"}),
            external_id=external_id,
        )
        repo.add(job)
        await self._flush(session, external_id)
        await jobs_changed(session, [(job.id, "created")])
        return job

    async def update(
        self, session: AsyncSession, identity: Identity, job_id: str, data: JobUpdate | JobReplace
    ) -> Job:
        job = await self.get(session, identity, job_id)
        require_role(identity, *WRITERS)
        values = data.model_dump(exclude_unset=isinstance(data, JobUpdate))
        new_external = values.get("external_id")
        if (
            new_external
            and new_external != job.external_id
            and await JobRepository(session).external_id_taken(
                identity.org_id, new_external, job.id
            )
        ):
            raise Conflict(f"another job already has external_id {new_external!r}")
        if _apply(job, values):
            job.updated_at = utcnow()
            await self._flush(session, job.external_id)
            await jobs_changed(session, [(job.id, "updated")])
        return job

    async def set_published(
        self, session: AsyncSession, identity: Identity, job_id: str, published: bool
    ) -> Job:
        return await self.update(
            session, identity, job_id, JobUpdate.model_validate({"published": published})
        )

    async def delete(self, session: AsyncSession, identity: Identity, job_id: str) -> None:
        await self.get(session, identity, job_id)
        require_role(identity, *WRITERS)
        await JobRepository(session).delete(identity.org_id, job_id)
        await jobs_changed(session, [(job_id, "deleted")])

    async def bulk_upsert(
        self, session: AsyncSession, identity: Identity, batch: JobImport
    ) -> JobImportResult:
        """Insert new external ids, update changed ones, leave identical ones untouched, so
        importing the same batch twice leaves the database as importing it once."""
        require_role(identity, *WRITERS)
        repo = JobRepository(session)
        existing = await repo.by_external_ids(identity.org_id, [j.external_id for j in batch.jobs])
        created = updated = unchanged = 0
        ids: dict[str, str] = {}
        touched: list[tuple[str, JobAction]] = []
        now = utcnow()
        for item in batch.jobs:
            values = item.model_dump()
            job = existing.get(item.external_id)
            if job is None:
                job = Job(
                    id=new_id(), org_id=identity.org_id, created_at=now, updated_at=now, **values
                )
                repo.add(job)
                created += 1
                touched.append((job.id, "created"))
            elif _apply(job, values):
                job.updated_at = now
                updated += 1
                touched.append((job.id, "updated"))
            else:
                unchanged += 1
            ids[item.external_id] = job.id
        await self._flush(session, "in this batch")
        await jobs_changed(session, touched)
        return JobImportResult(created=created, updated=updated, unchanged=unchanged, ids=ids)

    @staticmethod
    async def _flush(session: AsyncSession, external_id: str) -> None:
        # The pre-checks make this rare; it is the race of two concurrent writers.
        try:
            await session.flush()
        except IntegrityError:
            raise Conflict(
                f"external_id {external_id!r} was taken by a concurrent request; retry"
            ) from None


job_service = JobService()
