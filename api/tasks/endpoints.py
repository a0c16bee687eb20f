"""Task endpoints: start background work (202), then follow it.

Three routers, so each service serves the submissions about its own objects and every
service that accepts tasks can also answer their status:
- `resume_router` (resumes service): matches and rewrites of a resume, accept/reject;
- `job_router` (jobs service): candidates for a job;
- `router` (both): task status and result.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response, status

from api.deps import CurrentIdentity, SessionDep
from api.errors import ERROR_RESPONSES
from api.resumes.schemas import ResumeOut
from api.rewrite.service import rewrite_service
from api.tasks.schemas import (
    MatchTaskIn,
    RewriteTaskIn,
    TaskAccepted,
    TaskOut,
    TaskResultOut,
    status_url,
)
from api.tasks.service import Submitted, task_out, task_service

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="repeat a request safely: the same key answers the same task",
    ),
]

router = APIRouter(prefix="/api/v1", tags=["tasks"], responses=ERROR_RESPONSES)
resume_router = APIRouter(prefix="/api/v1", tags=["tasks"], responses=ERROR_RESPONSES)
job_router = APIRouter(prefix="/api/v1", tags=["tasks"], responses=ERROR_RESPONSES)


def _accepted(submitted: Submitted, response: Response) -> TaskAccepted:
    task = submitted.task
    response.headers["Location"] = status_url(task.id)
    return TaskAccepted(task_id=task.id, status_url=status_url(task.id), status=task.status)


@resume_router.post(
    "/resumes/{resume_id}/matches",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=TaskAccepted,
)
async def match_jobs(
    resume_id: str,
    session: SessionDep,
    identity: CurrentIdentity,
    response: Response,
    idempotency_key: IdempotencyKey = None,
    body: MatchTaskIn | None = None,
) -> TaskAccepted:
    """Rank published jobs for one of your resumes, in the background."""
    submitted = await task_service.match_jobs(
        session, identity, resume_id, body or MatchTaskIn(), idempotency_key
    )
    return _accepted(submitted, response)


@job_router.post(
    "/jobs/{job_id}/matches", status_code=status.HTTP_202_ACCEPTED, response_model=TaskAccepted
)
async def match_candidates(
    job_id: str,
    session: SessionDep,
    identity: CurrentIdentity,
    response: Response,
    idempotency_key: IdempotencyKey = None,
    body: MatchTaskIn | None = None,
) -> TaskAccepted:
    """Rank opted-in candidates for one of your organisation's jobs, in the background."""
    submitted = await task_service.match_candidates(
        session, identity, job_id, body or MatchTaskIn(), idempotency_key
    )
    return _accepted(submitted, response)


@resume_router.post(
    "/resumes/{resume_id}/rewrites",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=TaskAccepted,
)
async def rewrite(
    resume_id: str,
    body: RewriteTaskIn,
    session: SessionDep,
    identity: CurrentIdentity,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> TaskAccepted:
    """Rewrite one of your resumes towards a published job; the result is a new version."""
    submitted = await task_service.rewrite(session, identity, resume_id, body, idempotency_key)
    return _accepted(submitted, response)


@resume_router.post("/resumes/{resume_id}/versions/{version_id}/accept", response_model=ResumeOut)
async def accept_version(
    resume_id: str, version_id: str, session: SessionDep, identity: CurrentIdentity
) -> ResumeOut:
    """Accept a rewritten version: it becomes the resume's current version."""
    resume = await rewrite_service.accept(session, identity, resume_id, version_id)
    return ResumeOut.model_validate(resume)


@resume_router.post("/resumes/{resume_id}/versions/{version_id}/reject", response_model=ResumeOut)
async def reject_version(
    resume_id: str, version_id: str, session: SessionDep, identity: CurrentIdentity
) -> ResumeOut:
    """Reject a rewritten version: it is kept, marked rejected, and never made current."""
    resume = await rewrite_service.reject(session, identity, resume_id, version_id)
    return ResumeOut.model_validate(resume)


@router.get("/tasks/{task_id}", response_model=TaskOut)
async def get_task(task_id: str, session: SessionDep, identity: CurrentIdentity) -> TaskOut:
    """A task's status, attempts, error and result link."""
    return task_out(await task_service.get(session, identity, task_id))


@router.get("/tasks/{task_id}/result", response_model=TaskResultOut)
async def get_result(task_id: str, session: SessionDep, identity: CurrentIdentity) -> TaskResultOut:
    """A finished task's result: ranked matches, or the rewritten version and its diff."""
    return await task_service.result(session, identity, task_id)
