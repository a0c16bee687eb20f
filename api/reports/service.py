"""Reports: gather the data of a report from the services that own it.

Every figure comes from the owning service's public API, with the caller's identity, so a
report shows exactly what the caller may see and the same numbers as the endpoints it
summarises (the top matches are `match_service.match_jobs`, the funnel is
`metrics_service.summary`). The result is a plain pydantic object; rendering it is
`api.reports.render`.

Reports are generated on the request path: each one is a handful of indexed reads plus one
match query, well under a second (30-150 ms measured, PDF included). A `report` task
worker would call the same method and `api.reports.render.render` to produce the same bytes
in the background (202 + task) if a report ever grows beyond that.
"""

from __future__ import annotations

import asyncio
import string
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import require_role
from api.identity.schemas import Identity
from api.jobs.repository import JobRepository
from api.matching.schemas import MatchCandidatesIn, MatchJobsIn
from api.matching.service import match_service
from api.metrics.service import metrics_service
from api.reports.schemas import (
    CandidateReport,
    CritiqueOut,
    FindingOut,
    FunnelReport,
    RewriteEntry,
    ShortlistEntry,
    ShortlistReport,
    SkillDemand,
    TopMatch,
)
from api.resumes.critique import critique
from api.resumes.diff import unified_diff
from api.resumes.repository import ResumeRepository
from api.resumes.service import _viewer as resume_viewer
from api.resumes.service import resume_service
from core.errors import NotFound
from core.models import CandidateProfile, Resume, ResumeSource, ResumeVersion, Role, utcnow
from ingest.parsing import find_contacts

TOP_MATCHES = 8
SHORTLIST_SIZE = 20


def diff_counts(diff: str) -> tuple[int, int]:
    """(lines added, lines removed) of a unified diff, file headers excluded."""
    added = removed = 0
    for line in diff.splitlines():
        if line.startswith("+") and not line.startswith("+++"):
            added += 1
        elif line.startswith("-") and not line.startswith("---"):
            removed += 1
    return added, removed


def skill_gap(matches: list[TopMatch]) -> list[SkillDemand]:
    """The skills the top matches ask for, most asked first, and whether the candidate has
    each: a skill is 'had' when any of the jobs found it in the resume (the matcher's own
    verdict, so the chart agrees with the per-job lists)."""
    asked: Counter[str] = Counter()
    had: set[str] = set()
    for match in matches:
        # Once per job, however the job lists it.
        asked.update({*match.matched_skills, *match.missing_required, *match.missing_preferred})
        had.update(match.matched_skills)
    ordered = sorted(asked.items(), key=lambda item: (-item[1], item[0].lower()))
    return [SkillDemand(skill=skill, jobs=count, has=skill in had) for skill, count in ordered]


def pseudonym(rank: int) -> str:
    """'Candidate A'..'Candidate Z', then 'Candidate AA', ... (bijective base 26)."""
    letters = ""
    n = rank
    while n > 0:
        n, rest = divmod(n - 1, 26)
        letters = string.ascii_uppercase[rest] + letters
    return f"Candidate {letters}"


def resume_email(text: str) -> str | None:
    """The first e-mail address written in a resume, if any (the only contact detail a
    shortlist ever shows, and only with consent)."""
    for span in find_contacts(text):
        if span.kind == "email":
            return text[span.start : span.end]
    return None


@dataclass(frozen=True, slots=True)
class _Current:
    resume: Resume
    version: ResumeVersion


class ReportService:
    async def candidate(
        self, session: AsyncSession, identity: Identity, candidate_id: str
    ) -> CandidateReport:
        """The candidate's own report (an admin may read those of their organisation);
        anyone else gets a 404, as if the candidate did not exist."""
        profile = await ResumeRepository(session).profile(resume_viewer(identity), candidate_id)
        if profile is None:
            raise NotFound(f"candidate {candidate_id} not found")
        current = await self._current(session, profile)
        if current is None:
            return CandidateReport(
                candidate_id=profile.id,
                resume_id=None,
                version=None,
                generated_at=utcnow(),
                skills=[],
                critique=None,
                matches=[],
                skill_gap=[],
                rewrites=[],
            )
        resume_id = current.resume.id
        # The pure critique, not `resume_service.critique`: reading a report is not a new
        # critique and must not count in the funnel.
        found = await asyncio.to_thread(critique, current.version.text)
        _, parsed = await resume_service.parsed(session, identity, resume_id, None)
        ranked = await match_service.match_jobs(
            session, identity, MatchJobsIn(resume_id=resume_id, top_k=TOP_MATCHES)
        )
        matches = [TopMatch.model_validate(m.model_dump()) for m in ranked.matches]
        return CandidateReport(
            candidate_id=profile.id,
            resume_id=resume_id,
            version=current.version.number,
            generated_at=utcnow(),
            skills=list(parsed.get("skills") or []),
            critique=CritiqueOut(
                score=found.score,
                summary=found.summary,
                words=found.words,
                pages=found.pages,
                findings=[
                    FindingOut.model_validate(f, from_attributes=True) for f in found.findings
                ],
            ),
            matches=matches,
            skill_gap=skill_gap(matches),
            rewrites=await self._rewrites(session, resume_id),
        )

    @staticmethod
    async def _current(session: AsyncSession, profile: CandidateProfile) -> _Current | None:
        repo = ResumeRepository(session)
        if profile.current_resume_id is None:
            return None
        resume = await session.get(Resume, profile.current_resume_id)
        if resume is None or resume.current_version_id is None:
            return None
        version = await repo.version(resume.id, resume.current_version_id)
        return _Current(resume, version) if version is not None else None

    @staticmethod
    async def _rewrites(session: AsyncSession, resume_id: str) -> list[RewriteEntry]:
        versions = await ResumeRepository(session).versions(resume_id)
        by_id = {v.id: v for v in versions}
        jobs = JobRepository(session)
        entries: list[RewriteEntry] = []
        for version in versions:
            if version.source is not ResumeSource.rewritten:
                continue
            diff = version.diff
            if diff is None:
                parent = by_id.get(version.parent_version_id or "")
                diff = unified_diff(parent.text, version.text, "old", "new") if parent else ""
            added, removed = diff_counts(diff)
            # Only a published job's title is shown: the target may have been withdrawn.
            job = await jobs.get_published(version.target_job_id) if version.target_job_id else None
            entries.append(
                RewriteEntry(
                    version=version.number,
                    created_at=version.created_at,
                    target_job_id=version.target_job_id,
                    target_job_title=job.title if job else None,
                    accepted=version.accepted,
                    lines_added=added,
                    lines_removed=removed,
                )
            )
        return entries

    async def shortlist(
        self, session: AsyncSession, identity: Identity, job_id: str
    ) -> ShortlistReport:
        """Opted-in candidates ranked for one of the caller's organisation's jobs, blind:
        pseudonyms and ids only; a candidate who agreed to be contacted adds the e-mail
        address of their resume, nothing more."""
        # `match_candidates` checks the tenant (404) before the role (403) and re-checks
        # opt-in in the database; the job row is then known to be the caller's.
        ranked = await match_service.match_candidates(
            session, identity, MatchCandidatesIn(job_id=job_id, top_k=SHORTLIST_SIZE)
        )
        job = await JobRepository(session).get(identity.org_id, job_id)
        assert job is not None
        consenting = await self._consenting_emails(
            session, {m.candidate_id: m.resume_id for m in ranked.matches}
        )
        entries = [
            ShortlistEntry(
                rank=rank,
                label=pseudonym(rank),
                candidate_id=match.candidate_id,
                score=match.score,
                matched_skills=match.matched_skills,
                missing_required=match.missing_required,
                missing_preferred=match.missing_preferred,
                reasons=match.reasons,
                contact_consent=match.candidate_id in consenting,
                contact_email=consenting.get(match.candidate_id),
            )
            for rank, match in enumerate(ranked.matches, start=1)
        ]
        return ShortlistReport(
            job_id=job.id,
            job_title=job.title,
            generated_at=utcnow(),
            blind=True,
            candidates=entries,
        )

    @staticmethod
    async def _consenting_emails(
        session: AsyncSession, resumes: dict[str, str]
    ) -> dict[str, str | None]:
        """candidate id -> e-mail (or None) for the candidates who agreed to be contacted."""
        out: dict[str, str | None] = {}
        repo = ResumeRepository(session)
        for candidate_id, resume_id in resumes.items():
            profile = await session.get(CandidateProfile, candidate_id)
            if profile is None or not profile.contact_consent:
                continue
            resume = await session.get(Resume, resume_id)
            version = (
                await repo.version(resume_id, resume.current_version_id)
                if resume is not None and resume.current_version_id
                else None
            )
            out[candidate_id] = (
                await asyncio.to_thread(resume_email, version.text) if version else None
            )
        return out

    async def funnel(
        self,
        session: AsyncSession,
        identity: Identity,
        since: datetime | None,
        until: datetime | None,
    ) -> FunnelReport:
        """The metrics service's summary of the caller's organisation over a period."""
        require_role(identity, Role.employer, Role.admin)
        summary = await metrics_service.summary(session, identity, since, until)
        return FunnelReport(generated_at=utcnow(), summary=summary)


report_service = ReportService()
