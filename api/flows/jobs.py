"""What follows a change of jobs, in order."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from api.alerts import service as alerts
from api.jobs import cache
from api.jobs.schemas import JobAction
from api.matching import indexing
from core.models import Job


async def jobs_changed(session: AsyncSession, changes: Sequence[tuple[str, JobAction]]) -> None:
    """`changes` (job id, what happened), made in the caller's transaction:

    1. the vector index shows each job as it now is (a deleted or unpublished job leaves
       it), written just before the commit;
    2. candidates with job alerts hear of the new or changed published jobs (one batch
       for the transaction, queued with the commit);
    3. every process's read cache drops the jobs once the commit is done.
    """
    if not changes:
        return
    await indexing.jobs_changed(session, changes)
    published = []
    for job_id, action in changes:
        job = await session.get(Job, job_id) if action != "deleted" else None
        if job is not None and job.published:
            published.append(job_id)
    alerts.jobs_changed(session, published)
    cache.jobs_changed(session, [job_id for job_id, _ in changes])
