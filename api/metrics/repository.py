"""All SQL of metrics; every query is bounded by organisation and period."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, String, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import MetricEvent


class MetricsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _period(self, org_id: str, since: datetime, until: datetime) -> list[ColumnElement[bool]]:
        return [
            MetricEvent.org_id == org_id,
            MetricEvent.created_at >= since,
            MetricEvent.created_at < until,
        ]

    def _utc_day(self) -> ColumnElement[str]:
        # SQLite stores UTC datetimes as ISO text, whose first 10 characters are the date;
        # PostgreSQL stores timestamptz, converted to UTC before formatting.
        if self.session.get_bind().dialect.name == "postgresql":
            return func.to_char(func.timezone("UTC", MetricEvent.created_at), "YYYY-MM-DD")
        return func.substr(cast(MetricEvent.created_at, String), 1, 10)

    async def counts_by_name(self, org_id: str, since: datetime, until: datetime) -> dict[str, int]:
        rows = await self.session.execute(
            select(MetricEvent.name, func.count())
            .where(*self._period(org_id, since, until))
            .group_by(MetricEvent.name)
        )
        return {name: int(count) for name, count in rows}

    async def durations(
        self, org_id: str, name: str, since: datetime, until: datetime
    ) -> Sequence[float]:
        rows = await self.session.scalars(
            select(MetricEvent.duration_ms)
            .where(*self._period(org_id, since, until), MetricEvent.name == name)
            .where(MetricEvent.duration_ms.is_not(None))
            .order_by(MetricEvent.duration_ms)
        )
        return [float(value) for value in rows if value is not None]

    async def usage_per_day(
        self, org_id: str, name: str, since: datetime, until: datetime
    ) -> Sequence[tuple[str, int, int, int, float]]:
        day = self._utc_day().label("day")
        rows = await self.session.execute(
            select(
                day,
                func.count(),
                func.coalesce(func.sum(MetricEvent.tokens_in), 0),
                func.coalesce(func.sum(MetricEvent.tokens_out), 0),
                func.coalesce(func.sum(MetricEvent.cost_usd), 0.0),
            )
            .where(*self._period(org_id, since, until), MetricEvent.name == name)
            .group_by(day)
            .order_by(day)
        )
        return [
            (str(d), int(c), int(ti or 0), int(to or 0), float(cost or 0.0))
            for d, c, ti, to, cost in rows
        ]

    def add(self, event: MetricEvent) -> None:
        self.session.add(event)
