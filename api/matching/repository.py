"""All SQL of matching: who may be shown (consent), and what the vector index should
hold (published jobs, each candidate's current resume) for the reindexer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select

from core.models import CandidateProfile, Job, Resume, ResumeVersion
from core.repository import Repository


def _current_resumes(*columns: Any) -> Select[Any]:
    """Each candidate's current resume that has a current version (what uploads index)."""
    return (
        select(*columns)
        .select_from(CandidateProfile)
        .join(
            Resume,
            (Resume.id == CandidateProfile.current_resume_id)
            & (Resume.candidate_id == CandidateProfile.id),
        )
        .join(ResumeVersion, ResumeVersion.id == Resume.current_version_id)
    )


class MatchingRepository(Repository):
    async def consenting(self, resume_ids: Sequence[str]) -> set[str]:
        """Those of `resume_ids` whose candidate is opted in to employers' searches now."""
        if not resume_ids:
            return set()
        rows = await self.session.scalars(
            select(Resume.id)
            .join(CandidateProfile, CandidateProfile.id == Resume.candidate_id)
            .where(Resume.id.in_(list(resume_ids)), CandidateProfile.open_to_employers.is_(True))
        )
        return set(rows.all())

    async def candidate_location(self, candidate_id: str) -> str | None:
        profile = await self.session.get(CandidateProfile, candidate_id)
        return profile.location if profile else None

    async def published_job_ids(self, ids: Sequence[str] | None = None) -> set[str]:
        """Published jobs (of `ids`, or all of them)."""
        statement = select(Job.id).where(Job.published.is_(True))
        if ids is not None:
            statement = statement.where(Job.id.in_(list(ids)))
        return set(await self.session.scalars(statement))

    async def jobs(self, ids: Sequence[str]) -> list[Job]:
        return list(await self.session.scalars(select(Job).where(Job.id.in_(list(ids)))))

    async def current_versions(self, ids: Sequence[str] | None = None) -> list[Any]:
        """(resume id, current version id, candidate opted in) of each candidate's current
        resume (of `ids`, or all of them)."""
        statement = _current_resumes(
            Resume.id, ResumeVersion.id, CandidateProfile.open_to_employers
        )
        if ids is not None:
            statement = statement.where(Resume.id.in_(list(ids)))
        return list((await self.session.execute(statement)).all())

    async def current_resumes_to_index(self, ids: Sequence[str]) -> list[Any]:
        """(resume id, version id, candidate id, org id, text, opted in) of the current
        resumes among `ids`."""
        statement = _current_resumes(
            Resume.id,
            ResumeVersion.id,
            CandidateProfile.id,
            CandidateProfile.org_id,
            ResumeVersion.text,
            CandidateProfile.open_to_employers,
        ).where(Resume.id.in_(list(ids)))
        return list((await self.session.execute(statement)).all())

    async def consent_of(self, candidate_ids: Sequence[str]) -> dict[str, bool]:
        """Opted in or not, by candidate id, for those that still exist."""
        rows = await self.session.execute(
            select(CandidateProfile.id, CandidateProfile.open_to_employers).where(
                CandidateProfile.id.in_(list(candidate_ids))
            )
        )
        return {cid: bool(value) for cid, value in rows}
