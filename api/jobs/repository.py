"""All SQL of jobs. Every query takes the organisation: tenancy lives in the WHERE clause."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, String, cast, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Job


@dataclass(frozen=True, slots=True)
class JobFilter:
    location: str | None = None
    remote: bool | None = None
    skill: str | None = None
    q: str | None = None
    published: bool | None = None


def _contains(column: Any, text: str) -> ColumnElement[bool]:
    # lower() on both sides: case-insensitive on SQLite and PostgreSQL alike.
    return func.lower(column).contains(text.lower(), autoescape=True)


def _has_skill(skill: str) -> ColumnElement[bool]:
    # Skills are JSON arrays of strings; matching the JSON-encoded, quoted element in the
    # array's text works on both databases (SQLite has no JSON containment operator) and
    # only matches whole elements ("sql" does not match "PostgreSQL").
    needle = json.dumps(skill.strip().lower())
    return or_(
        _contains(cast(Job.required_skills, String), needle),
        _contains(cast(Job.preferred_skills, String), needle),
    )


class JobRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, org_id: str, job_id: str) -> Job | None:
        return await self.session.scalar(select(Job).where(Job.id == job_id, Job.org_id == org_id))

    async def get_published(self, job_id: str) -> Job | None:
        """A published job of any organisation (for match results shown to candidates)."""
        return await self.session.scalar(
            select(Job).where(Job.id == job_id, Job.published.is_(True))
        )

    async def published_titles_and_skills(
        self, limit: int
    ) -> Sequence[tuple[str, list[str], list[str]]]:
        """Titles and skills of published jobs of every organisation (newest first): what
        the platform's jobs ask for, counted in a job-post draft, no job named."""
        rows = await self.session.execute(
            select(Job.title, Job.required_skills, Job.preferred_skills)
            .where(Job.published.is_(True))
            .order_by(Job.created_at.desc())
            .limit(limit)
        )
        return [(title, list(req or []), list(pref or [])) for title, req, pref in rows.all()]

    async def by_external_ids(self, org_id: str, external_ids: Sequence[str]) -> dict[str, Job]:
        if not external_ids:
            return {}
        rows = await self.session.scalars(
            select(Job).where(Job.org_id == org_id, Job.external_id.in_(external_ids))
        )
        return {job.external_id: job for job in rows}

    async def external_id_taken(
        self, org_id: str, external_id: str, except_id: str | None = None
    ) -> bool:
        query = select(Job.id).where(Job.org_id == org_id, Job.external_id == external_id)
        if except_id is not None:
            query = query.where(Job.id != except_id)
        return await self.session.scalar(query.limit(1)) is not None

    def _filtered(self, org_id: str, filters: JobFilter) -> Select[Job]:
        query = select(Job).where(Job.org_id == org_id)
        if filters.location:
            query = query.where(_contains(Job.location, filters.location))
        if filters.remote is not None:
            query = query.where(Job.remote.is_(filters.remote))
        if filters.published is not None:
            query = query.where(Job.published.is_(filters.published))
        if filters.skill:
            query = query.where(_has_skill(filters.skill))
        if filters.q:
            query = query.where(
                or_(
                    _contains(Job.title, filters.q),
                    _contains(Job.description, filters.q),
                    _contains(Job.company, filters.q),
                )
            )
        return query

    async def list(
        self, org_id: str, filters: JobFilter, limit: int, offset: int
    ) -> tuple[Sequence[Job], int]:
        query = self._filtered(org_id, filters)
        total = await self.session.scalar(select(func.count()).select_from(query.subquery()))
        rows = await self.session.scalars(
            query.order_by(Job.created_at.desc(), Job.id.desc()).limit(limit).offset(offset)
        )
        return rows.all(), int(total or 0)

    async def delete(self, org_id: str, job_id: str) -> bool:
        result = await self.session.execute(
            delete(Job).where(Job.id == job_id, Job.org_id == org_id)
        )
        return bool(getattr(result, "rowcount", 0))

    def add(self, *jobs: Job) -> None:
        self.session.add_all(jobs)
