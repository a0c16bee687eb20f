"""All SQL of careers: what published jobs (of every organisation) ask for and pay.

Only aggregate use: no job is returned to the caller, only counts and percentiles.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Job


class CareersRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def published_skills(self) -> Sequence[tuple[list[str], list[str]]]:
        """(required, preferred) skills of every published job."""
        rows = await self.session.execute(
            select(Job.required_skills, Job.preferred_skills).where(Job.published.is_(True))
        )
        return [(list(req or []), list(pref or [])) for req, pref in rows]

    async def published_pay(
        self,
    ) -> Sequence[tuple[str, float | None, float | None, str | None]]:
        """(title, salary_min, salary_max, currency) of published jobs that state a salary."""
        rows = await self.session.execute(
            select(Job.title, Job.salary_min, Job.salary_max, Job.currency).where(
                Job.published.is_(True),
                (Job.salary_min.is_not(None)) | (Job.salary_max.is_not(None)),
            )
        )
        return [(title, low, high, currency) for title, low, high, currency in rows]
