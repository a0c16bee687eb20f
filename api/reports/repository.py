"""All SQL of reports: what planning a report counts, and the stored reports' rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select, update

from core.models import MetricEvent, ResumeVersion, Task, TaskKind
from core.repository import Repository


class ReportRepository(Repository):
    async def count_versions(self, resume_id: str) -> int:
        return int(
            await self.session.scalar(
                select(func.count())
                .select_from(ResumeVersion)
                .where(ResumeVersion.resume_id == resume_id)
            )
            or 0
        )

    async def count_events(self, org_id: str, name: str, since: datetime, until: datetime) -> int:
        return int(
            await self.session.scalar(
                select(func.count())
                .select_from(MetricEvent)
                .where(
                    MetricEvent.org_id == org_id,
                    MetricEvent.name == name,
                    MetricEvent.created_at >= since,
                    MetricEvent.created_at < until,
                )
            )
            or 0
        )

    async def stored_reports(self) -> Sequence[Row[tuple[str, str, str | None, Any]]]:
        """(id, org id, user id, result) of every report task with a stored result."""
        return (
            await self.session.execute(
                select(Task.id, Task.org_id, Task.user_id, Task.result).where(
                    Task.kind == TaskKind.report, Task.result.is_not(None)
                )
            )
        ).all()

    async def forget_results(self, task_ids: Sequence[str]) -> None:
        await self.session.execute(update(Task).where(Task.id.in_(task_ids)).values(result=None))
