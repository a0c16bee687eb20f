"""All SQL of job alerts: settings, the candidates to score, the ledger of alerts sent,
and the rows a delivery writes.

Lists of ids go to the database in chunks (`IN` with at most `core.batches.CHUNK` values), so
an import of thousands of jobs or alerts is a handful of statements, never one per pair.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select

from core.batches import chunks
from core.models import (
    CandidateProfile,
    Job,
    JobAlert,
    JobAlertDelivery,
    Resume,
    ResumeVersion,
)
from core.repository import Repository


@dataclass(frozen=True, slots=True)
class AlertCandidate:
    """A candidate with alerts on, their current resume version, and their settings."""

    candidate_id: str
    user_id: str
    org_id: str
    resume_id: str
    version_id: str
    min_score: float
    location: str | None
    remote: bool | None
    max_per_day: int
    updated_at: datetime
    query: str | None = None  # only jobs whose title names every word of it


_CANDIDATE_COLUMNS = (
    JobAlert.candidate_id,
    JobAlert.user_id,
    JobAlert.org_id,
    Resume.id,
    Resume.current_version_id,
    JobAlert.min_score,
    JobAlert.location,
    JobAlert.remote,
    JobAlert.max_per_day,
    JobAlert.updated_at,
    JobAlert.query,
)


def _candidate(row: Any) -> AlertCandidate:
    return AlertCandidate(*row)


class AlertRepository(Repository):
    # settings
    async def settings_for_user(self, user_id: str) -> JobAlert | None:
        return await self.session.scalar(select(JobAlert).where(JobAlert.user_id == user_id))

    async def delete_settings(self, candidate_id: str) -> None:
        await self.session.execute(delete(JobAlert).where(JobAlert.candidate_id == candidate_id))

    async def enabled_candidates(self) -> list[AlertCandidate]:
        """Every candidate with alerts on and a current resume with text."""
        rows = await self.session.execute(
            select(*_CANDIDATE_COLUMNS)
            .join(CandidateProfile, CandidateProfile.id == JobAlert.candidate_id)
            .join(Resume, Resume.id == CandidateProfile.current_resume_id)
            .where(JobAlert.enabled.is_(True), Resume.current_version_id.is_not(None))
            .order_by(JobAlert.candidate_id)
        )
        return [_candidate(row) for row in rows]

    async def lock_enabled(self, candidate_ids: Iterable[str]) -> dict[str, AlertCandidate]:
        """The current settings of those still enabled, locked until the delivery commits
        (PostgreSQL), so an opt-out or erasure waits for it and stops every later one."""
        found: dict[str, AlertCandidate] = {}
        for part in chunks(sorted(candidate_ids)):
            query = (
                select(*_CANDIDATE_COLUMNS)
                .join(CandidateProfile, CandidateProfile.id == JobAlert.candidate_id)
                .join(Resume, Resume.id == CandidateProfile.current_resume_id)
                .where(JobAlert.candidate_id.in_(part), JobAlert.enabled.is_(True))
                .order_by(JobAlert.candidate_id)
            )
            if self.is_postgres:
                query = query.with_for_update(of=JobAlert)
            found.update((row[0], _candidate(row)) for row in await self.session.execute(query))
        return found

    async def version_texts(self, version_ids: Sequence[str]) -> dict[str, str]:
        texts: dict[str, str] = {}
        for part in chunks(version_ids):
            rows = await self.session.execute(
                select(ResumeVersion.id, ResumeVersion.text).where(ResumeVersion.id.in_(part))
            )
            texts.update((version_id, text) for version_id, text in rows)
        return texts

    # jobs
    async def jobs(self, job_ids: Sequence[str]) -> list[Job]:
        found: list[Job] = []
        for part in chunks(job_ids):
            found += (await self.session.scalars(select(Job).where(Job.id.in_(part)))).all()
        return found

    async def published_job_ids(self, job_ids: Iterable[str]) -> set[str]:
        """Jobs still published; on PostgreSQL share-locked, so an unpublish waits for the
        delivery to commit (then the alert was sent before the job was withdrawn)."""
        published: set[str] = set()
        for part in chunks(sorted(set(job_ids))):
            query = select(Job.id).where(Job.id.in_(part), Job.published.is_(True))
            if self.is_postgres:
                query = query.with_for_update(read=True)
            published.update((await self.session.scalars(query)).all())
        return published

    # the ledger
    async def announced(self, job_ids: Sequence[str]) -> set[tuple[str, str]]:
        """(candidate_id, job_id) pairs among these jobs already announced, ever."""
        pairs: set[tuple[str, str]] = set()
        for part in chunks(job_ids):
            rows = await self.session.execute(
                select(JobAlertDelivery.candidate_id, JobAlertDelivery.job_id).where(
                    JobAlertDelivery.job_id.in_(part)
                )
            )
            pairs.update((candidate_id, job_id) for candidate_id, job_id in rows)
        return pairs

    async def sent_since(self, since: datetime) -> dict[str, int]:
        """Alerts per candidate since `since` (the max_per_day window)."""
        rows = await self.session.execute(
            select(JobAlertDelivery.candidate_id, func.count())
            .where(JobAlertDelivery.created_at >= since)
            .group_by(JobAlertDelivery.candidate_id)
        )
        return {candidate_id: int(count) for candidate_id, count in rows}

    async def record(self, deliveries: Sequence[dict[str, Any]]) -> set[tuple[str, str]]:
        """Insert ledger rows, skipping pairs already there; returns the pairs inserted."""
        inserted: set[tuple[str, str]] = set()
        for part in chunks(deliveries):
            rows = await self.session.execute(
                self.insert(JobAlertDelivery)
                .values(list(part))
                .on_conflict_do_nothing()
                .returning(JobAlertDelivery.candidate_id, JobAlertDelivery.job_id)
            )
            inserted.update((candidate_id, job_id) for candidate_id, job_id in rows)
        return inserted

    # erasure
    async def erase(self, candidate_id: str) -> None:
        """Settings first: on PostgreSQL this waits for a delivery in flight, so the rows
        deleted next include whatever it wrote."""
        await self.delete_settings(candidate_id)
        await self.session.execute(
            delete(JobAlertDelivery).where(JobAlertDelivery.candidate_id == candidate_id)
        )
