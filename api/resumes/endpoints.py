"""Resumes and candidate profile HTTP endpoints."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, Response, UploadFile, status
from fastapi.responses import JSONResponse

from api.collaborators import CollaboratorsDep
from api.deps import CurrentIdentity, SessionDep
from api.errors import ERROR_RESPONSES, ErrorBody
from api.pagination import Limit, Offset, Page
from api.resumes.jsonresume import to_jsonresume
from api.resumes.schemas import (
    CritiqueOut,
    DiffOut,
    FindingOut,
    ParsedOut,
    ProfileOut,
    ProfileUpdate,
    ResumeOut,
    SetCurrentVersion,
    UploadOut,
    VersionOut,
    VersionSummary,
)
from api.resumes.service import resume_service
from core.errors import NotFound, PayloadTooLarge
from core.settings import get_settings

router = APIRouter(prefix="/api/v1", tags=["resumes"], responses=ERROR_RESPONSES)

VersionId = Annotated[
    str | None,
    Query(max_length=32, description="a version of this resume; default: the current one"),
]
_CHUNK = 64 * 1024
_UPLOAD_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in (
        (413, "file larger than the upload limit"),
        (415, "not a PDF, DOCX, TXT, MD or JSON Resume file"),
        (422, "empty, corrupt or text-less file"),
    )
}


async def _read_capped(upload: UploadFile, limit: int) -> bytes:
    """The upload's bytes, refusing as soon as it passes `limit` (the app's body limit has
    already stopped larger requests before they were spooled)."""
    if upload.size is not None and upload.size > limit:
        raise PayloadTooLarge(f"the file exceeds the upload limit of {limit} bytes")
    chunks: list[bytes] = []
    total = 0
    while chunk := await upload.read(_CHUNK):
        total += len(chunk)
        if total > limit:
            raise PayloadTooLarge(f"the file exceeds the upload limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


@router.post(
    "/resumes",
    response_model=UploadOut,
    status_code=status.HTTP_201_CREATED,
    responses=_UPLOAD_ERRORS,
)
async def upload_resume(
    session: SessionDep,
    identity: CurrentIdentity,
    file: UploadFile = File(description="the resume: PDF, DOCX, TXT, MD or JSON Resume"),
) -> UploadOut:
    """Upload a resume (candidate keys); creates your profile on first upload."""
    filename = file.filename or "resume"
    resume_service.check_upload_name(filename)
    data = await _read_capped(file, get_settings().upload_max_bytes)
    result = await resume_service.upload(session, identity, data, filename)
    return UploadOut(
        **ResumeOut.model_validate(result.resume).model_dump(),
        version_id=result.version.id,
        version_number=result.version.number,
        media_type=result.version.media_type or "",
        pages=result.pages,
        characters=len(result.version.text),
        warnings=result.warnings,
    )


@router.get("/resumes", response_model=Page[ResumeOut])
async def list_resumes(
    session: SessionDep, identity: CurrentIdentity, limit: Limit = 20, offset: Offset = 0
) -> Page[ResumeOut]:
    """Your resumes (candidates), or your organisation's candidates' (admins)."""
    resumes, total = await resume_service.list(session, identity, limit, offset)
    return Page[ResumeOut](
        items=[ResumeOut.model_validate(r) for r in resumes],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get("/resumes/{resume_id}", response_model=ResumeOut)
async def get_resume(resume_id: str, session: SessionDep, identity: CurrentIdentity) -> ResumeOut:
    """One of your resumes."""
    return ResumeOut.model_validate(await resume_service.get(session, identity, resume_id))


@router.get("/resumes/{resume_id}/versions", response_model=list[VersionSummary])
async def list_versions(
    resume_id: str, session: SessionDep, identity: CurrentIdentity
) -> list[VersionSummary]:
    """Every version of a resume, oldest first, without their text."""
    versions = await resume_service.versions(session, identity, resume_id)
    return [VersionSummary.model_validate(v) for v in versions]


@router.get("/resumes/{resume_id}/versions/{version_id}", response_model=VersionOut)
async def get_version(
    resume_id: str, version_id: str, session: SessionDep, identity: CurrentIdentity
) -> VersionOut:
    """One version of a resume, with its text."""
    return VersionOut.model_validate(
        await resume_service.version(session, identity, resume_id, version_id)
    )


@router.get("/resumes/{resume_id}/parsed", response_model=ParsedOut)
async def get_parsed(
    resume_id: str, session: SessionDep, identity: CurrentIdentity, version_id: VersionId = None
) -> ParsedOut:
    """Sections, jobs, skills and years of experience read from a version."""
    version, parsed = await resume_service.parsed(session, identity, resume_id, version_id)
    return ParsedOut.model_validate({**parsed, "resume_id": resume_id, "version_id": version.id})


@router.get("/resumes/{resume_id}/export")
async def export_resume(
    resume_id: str,
    session: SessionDep,
    identity: CurrentIdentity,
    format_: Annotated[
        Literal["jsonresume"], Query(alias="format", description="`jsonresume` (jsonresume.org)")
    ] = "jsonresume",
    version_id: VersionId = None,
) -> JSONResponse:
    """The parsed resume in a standard format: JSON Resume (only what was read from it)."""
    _version, parsed = await resume_service.parsed(session, identity, resume_id, version_id)
    return JSONResponse(
        to_jsonresume(parsed),
        headers={"Content-Disposition": 'attachment; filename="resume.json"'},
    )


@router.get(
    "/resumes/{resume_id}/diff",
    response_model=DiffOut,
    responses={200: {"content": {"text/x-diff": {"example": "--- v1\n+++ v2\n..."}}}},
)
async def diff_versions(
    resume_id: str,
    session: SessionDep,
    identity: CurrentIdentity,
    from_version: Annotated[
        str | None,
        Query(alias="from", max_length=32, description="default: the version `to` came from"),
    ] = None,
    to_version: Annotated[
        str | None, Query(alias="to", max_length=32, description="default: the current version")
    ] = None,
    format_: Annotated[
        Literal["json", "text"],
        Query(alias="format", description="`text` answers the bare text/x-diff"),
    ] = "json",
) -> DiffOut | Response:
    """Unified diff between two versions of a resume."""
    result = await resume_service.diff(session, identity, resume_id, from_version, to_version)
    if format_ == "text":
        return Response(result.diff, media_type="text/x-diff")
    return DiffOut(
        from_version=result.from_version.id, to_version=result.to_version.id, diff=result.diff
    )


@router.post("/resumes/{resume_id}/critique", response_model=CritiqueOut)
async def critique_resume(
    resume_id: str, session: SessionDep, identity: CurrentIdentity, version_id: VersionId = None
) -> CritiqueOut:
    """Immediate critique of a version: findings with lines and fixes, and a score."""
    version, result = await resume_service.critique(session, identity, resume_id, version_id)
    return CritiqueOut(
        resume_id=resume_id,
        version_id=version.id,
        score=result.score,
        summary=result.summary,
        words=result.words,
        pages=result.pages,
        findings=[FindingOut.model_validate(f) for f in result.findings],
    )


@router.put("/resumes/{resume_id}/current", response_model=ResumeOut)
async def set_current_version(
    resume_id: str, body: SetCurrentVersion, session: SessionDep, identity: CurrentIdentity
) -> ResumeOut:
    """Make one version the resume's current one."""
    resume = await resume_service.set_current(session, identity, resume_id, body.version_id)
    return ResumeOut.model_validate(resume)


@router.get("/candidates/me", response_model=ProfileOut)
async def get_profile(session: SessionDep, identity: CurrentIdentity) -> ProfileOut:
    """Your candidate profile (created by your first upload or first update)."""
    profile = await resume_service.own_profile(session, identity)
    if profile is None:
        raise NotFound("no profile yet: upload a resume or PATCH /api/v1/candidates/me")
    return ProfileOut.model_validate(profile)


@router.patch("/candidates/me", response_model=ProfileOut)
async def update_profile(
    body: ProfileUpdate, session: SessionDep, identity: CurrentIdentity
) -> ProfileOut:
    """Change your profile, including the opt-in to employer search."""
    return ProfileOut.model_validate(await resume_service.update_profile(session, identity, body))


@router.delete("/candidates/{candidate_id}", status_code=status.HTTP_204_NO_CONTENT)
async def erase_candidate(
    candidate_id: str,
    session: SessionDep,
    identity: CurrentIdentity,
    collaborators: CollaboratorsDep,
) -> None:
    """Erase a candidate: rows, files, vectors, matches, chat history (self or admin)."""
    await collaborators.erasure.erase(session, identity, candidate_id)
