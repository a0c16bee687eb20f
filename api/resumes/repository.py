"""All SQL of resumes, versions, candidate profiles and erasure.

Reads take a `Viewer`: the candidate's own user id, or an admin's organisation. The filter
is part of every statement, so another tenant's row is never loaded at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import (
    ApiKey,
    AuditLog,
    CandidateProfile,
    MatchResult,
    MetricEvent,
    Resume,
    ResumeVersion,
    Task,
    User,
)


@dataclass(frozen=True, slots=True)
class Viewer:
    """Whose candidates a caller may see: exactly one of the two is set."""

    user_id: str | None = None
    org_id: str | None = None

    def owns_profile(self) -> ColumnElement[bool]:
        if self.user_id is not None:
            return CandidateProfile.user_id == self.user_id
        assert self.org_id is not None
        return CandidateProfile.org_id == self.org_id


class ResumeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # profiles
    async def profile_for_user(self, user_id: str) -> CandidateProfile | None:
        return await self.session.scalar(
            select(CandidateProfile).where(CandidateProfile.user_id == user_id)
        )

    async def profile(self, viewer: Viewer, candidate_id: str) -> CandidateProfile | None:
        return await self.session.scalar(
            select(CandidateProfile).where(
                CandidateProfile.id == candidate_id, viewer.owns_profile()
            )
        )

    # resumes
    async def resume(self, viewer: Viewer, resume_id: str) -> Resume | None:
        return await self.session.scalar(
            select(Resume)
            .join(CandidateProfile, CandidateProfile.id == Resume.candidate_id)
            .where(Resume.id == resume_id, viewer.owns_profile())
        )

    async def resumes(
        self, viewer: Viewer, limit: int, offset: int
    ) -> tuple[Sequence[Resume], int]:
        query = (
            select(Resume)
            .join(CandidateProfile, CandidateProfile.id == Resume.candidate_id)
            .where(viewer.owns_profile())
        )
        total = await self.session.scalar(select(func.count()).select_from(query.subquery()))
        rows = await self.session.scalars(
            query.order_by(Resume.created_at.desc(), Resume.id.desc()).limit(limit).offset(offset)
        )
        return rows.all(), int(total or 0)

    # versions (always reached through a resume the viewer may see)
    async def versions(self, resume_id: str) -> Sequence[ResumeVersion]:
        rows = await self.session.scalars(
            select(ResumeVersion)
            .where(ResumeVersion.resume_id == resume_id)
            .order_by(ResumeVersion.number)
        )
        return rows.all()

    async def version(self, resume_id: str, version_id: str) -> ResumeVersion | None:
        return await self.session.scalar(
            select(ResumeVersion).where(
                ResumeVersion.id == version_id, ResumeVersion.resume_id == resume_id
            )
        )

    async def previous_version(self, resume_id: str, number: int) -> ResumeVersion | None:
        """The version numbered just below `number`, if any."""
        return await self.session.scalar(
            select(ResumeVersion)
            .where(ResumeVersion.resume_id == resume_id, ResumeVersion.number < number)
            .order_by(ResumeVersion.number.desc())
            .limit(1)
        )

    def add(self, *objects: CandidateProfile | Resume | ResumeVersion | AuditLog) -> None:
        self.session.add_all(objects)

    # erasure
    async def current_text_of_user(self, user_id: str) -> str | None:
        """The text of the user's current resume version, if they have one."""
        statement = (
            select(ResumeVersion.text)
            .join(Resume, Resume.current_version_id == ResumeVersion.id)
            .join(CandidateProfile, CandidateProfile.current_resume_id == Resume.id)
            .where(CandidateProfile.user_id == user_id)
        )
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def erasure_inventory(self, candidate_id: str) -> tuple[list[str], list[str], list[str]]:
        """Resume ids, version ids and stored file paths of a candidate."""
        rows = await self.session.execute(
            select(Resume.id, ResumeVersion.id, ResumeVersion.file_path)
            .outerjoin(ResumeVersion, ResumeVersion.resume_id == Resume.id)
            .where(Resume.candidate_id == candidate_id)
        )
        resume_ids: set[str] = set()
        version_ids: list[str] = []
        files: list[str] = []
        for resume_id, version_id, path in rows:
            resume_ids.add(resume_id)
            if version_id is not None:
                version_ids.append(version_id)
            if path:
                files.append(path)
        return sorted(resume_ids), version_ids, files

    async def erase_candidate(self, profile: CandidateProfile, resume_ids: Sequence[str]) -> None:
        """Delete every row of the candidate, explicitly (not relying on FK cascades, which
        SQLite only honours with a pragma), children first."""
        s = self.session
        await s.execute(delete(MatchResult).where(MatchResult.candidate_id == profile.id))
        await s.execute(delete(Task).where(Task.user_id == profile.user_id))
        if resume_ids:
            await s.execute(delete(MatchResult).where(MatchResult.resume_id.in_(resume_ids)))
            await s.execute(
                update(ResumeVersion)
                .where(ResumeVersion.resume_id.in_(resume_ids))
                .values(parent_version_id=None)
            )
            await s.execute(delete(ResumeVersion).where(ResumeVersion.resume_id.in_(resume_ids)))
            await s.execute(delete(Resume).where(Resume.id.in_(resume_ids)))
        await s.execute(delete(CandidateProfile).where(CandidateProfile.id == profile.id))
        # Events stay countable for aggregate metrics, but no longer point at a person.
        await s.execute(
            update(MetricEvent).where(MetricEvent.user_id == profile.user_id).values(user_id=None)
        )
        await s.execute(delete(ApiKey).where(ApiKey.user_id == profile.user_id))
        await s.execute(delete(User).where(User.id == profile.user_id))
