"""What follows an upload and a change of a candidate's profile."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from api.matching import indexing
from api.resumes.schemas import StoredUpload
from core.models import CandidateProfile


async def resume_uploaded(session: AsyncSession, stored: StoredUpload) -> None:
    """A candidate's new resume is their current one: matching sees it (indexed just
    before the commit)."""
    await indexing.resume_uploaded(session, stored)


def profile_changed(session: AsyncSession, profile: CandidateProfile) -> None:
    """Employer search shows or hides the candidate as the profile now says (opting out
    leaves search with the commit)."""
    indexing.visibility_changed(session, profile)
