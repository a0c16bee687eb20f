"""Jobs HTTP endpoints (the match endpoints of the matching engine join this service)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.deps import CurrentIdentity, SessionDep
from api.errors import ERROR_RESPONSES
from api.jobs.cache import job_reads
from api.jobs.repository import JobFilter
from api.jobs.schemas import (
    JobCreate,
    JobDraftIn,
    JobDraftOut,
    JobImport,
    JobImportResult,
    JobOut,
    JobReplace,
    JobUpdate,
)
from api.jobs.service import job_service, published_only
from api.pagination import Limit, Offset, Page
from core.db import session_scope

router = APIRouter(prefix="/api/v1/jobs", tags=["jobs"], responses=ERROR_RESPONSES)


@router.post("", response_model=JobOut, status_code=status.HTTP_201_CREATED)
async def create_job(body: JobCreate, session: SessionDep, identity: CurrentIdentity) -> JobOut:
    """Create a job in your organisation; 409 if its external_id is taken."""
    return JobOut.model_validate(await job_service.create(session, identity, body))


@router.post("/drafts", response_model=JobDraftOut)
async def draft_job(
    body: JobDraftIn, session: SessionDep, identity: CurrentIdentity
) -> JobDraftOut:
    """Draft a job post from a title (occupation data, similar jobs); creates nothing."""
    draft = await job_service.draft(session, identity, body.title)
    return JobDraftOut.model_validate(draft)


@router.get("", response_model=Page[JobOut])
async def list_jobs(
    session: SessionDep,
    identity: CurrentIdentity,
    limit: Limit = 20,
    offset: Offset = 0,
    location: Annotated[
        str | None, Query(max_length=200, description="substring of the location")
    ] = None,
    remote: bool | None = None,
    skill: Annotated[
        str | None, Query(max_length=100, description="a required or preferred skill")
    ] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="text in title, company or description")
    ] = None,
    published: bool | None = None,
) -> Page[JobOut]:
    """List your organisation's jobs, newest first, with optional filters."""
    filters = JobFilter(location=location, remote=remote, skill=skill, q=q, published=published)
    jobs, total = await job_service.list(session, identity, filters, limit, offset)
    return Page[JobOut](
        items=[JobOut.model_validate(job) for job in jobs], total=total, limit=limit, offset=offset
    )


@router.post("/bulk", response_model=JobImportResult)
async def import_jobs(
    body: JobImport, session: SessionDep, identity: CurrentIdentity
) -> JobImportResult:
    """Upsert up to 1000 jobs by external_id; re-sending a batch changes nothing."""
    return await job_service.bulk_upsert(session, identity, body)


@router.get("/{job_id}", response_model=JobOut)
async def get_job(job_id: str, identity: CurrentIdentity) -> Response:
    """One job of your organisation."""
    body = job_reads.get(identity.org_id, job_id, published_only=published_only(identity))
    if body is None:
        # The session is opened here, not as a dependency: a cached read needs none.
        token = job_reads.fill_token()
        async with session_scope() as session:
            job = JobOut.model_validate(await job_service.get(session, identity, job_id))
        body = job.model_dump_json().encode()
        job_reads.put(token, identity.org_id, job_id, body, published=job.published)
    return Response(body, media_type="application/json")


@router.patch("/{job_id}", response_model=JobOut)
async def patch_job(
    job_id: str, body: JobUpdate, session: SessionDep, identity: CurrentIdentity
) -> JobOut:
    """Change some fields of a job."""
    return JobOut.model_validate(await job_service.update(session, identity, job_id, body))


@router.put("/{job_id}", response_model=JobOut)
async def replace_job(
    job_id: str, body: JobReplace, session: SessionDep, identity: CurrentIdentity
) -> JobOut:
    """Replace every field of a job."""
    return JobOut.model_validate(await job_service.update(session, identity, job_id, body))


@router.delete("/{job_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_job(job_id: str, session: SessionDep, identity: CurrentIdentity) -> None:
    """Delete a job (and its cached match results)."""
    await job_service.delete(session, identity, job_id)


@router.post("/{job_id}/publish", response_model=JobOut)
async def publish_job(job_id: str, session: SessionDep, identity: CurrentIdentity) -> JobOut:
    """Make a job visible to candidates and matching."""
    return JobOut.model_validate(await job_service.set_published(session, identity, job_id, True))


@router.post("/{job_id}/unpublish", response_model=JobOut)
async def unpublish_job(job_id: str, session: SessionDep, identity: CurrentIdentity) -> JobOut:
    """Hide a job from candidates and matching."""
    return JobOut.model_validate(await job_service.set_published(session, identity, job_id, False))
