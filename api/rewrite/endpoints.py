"""Draft endpoints: text a candidate can copy, made from their resume; nothing is stored."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CurrentIdentity, SessionDep
from api.errors import ERROR_RESPONSES
from api.rewrite.schemas import DraftIn, DraftOut
from api.rewrite.service import draft_service

router = APIRouter(prefix="/api/v1", tags=["resumes"], responses=ERROR_RESPONSES)


@router.post("/resumes/{resume_id}/drafts", response_model=DraftOut)
async def draft(
    resume_id: str, body: DraftIn, session: SessionDep, identity: CurrentIdentity
) -> DraftOut:
    """Draft a stronger summary or a cover letter from your current resume (not saved)."""
    return await draft_service.draft(session, identity, resume_id, body)
