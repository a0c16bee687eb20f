"""Product metrics: `record()` is what other packages call to count something.

`record` only adds a row to the caller's session, so an event counts exactly when the work
it describes commits.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts.repository import AccountRepository
from api.deps import require_role
from api.identity.schemas import Identity
from api.metrics import prometheus
from api.metrics.repository import MetricsRepository
from api.metrics.schemas import EventIn, EventName, Funnel, LlmDay, SummaryOut, TaskStats
from core.errors import BadRequest, Unauthorized
from core.models import MetricEvent, Role, new_id, utcnow

DEFAULT_PERIOD = timedelta(days=30)
MAX_PERIOD = timedelta(days=366)


async def record(
    session: AsyncSession,
    name: EventName | str,
    *,
    org_id: str | None,
    user_id: str | None = None,
    duration_ms: float | None = None,
    tokens_in: int | None = None,
    tokens_out: int | None = None,
    cost_usd: float | None = None,
    attributes: dict[str, Any] | None = None,
    flush: bool = True,
) -> MetricEvent:
    """Record one product event in the caller's transaction (flushed unless `flush` is
    False, when the commit writes it with the rest; never committed here)."""
    event = MetricEvent(
        id=new_id(),
        created_at=utcnow(),
        org_id=org_id,
        user_id=user_id,
        name=EventName(name).value,
        duration_ms=duration_ms,
        tokens_in=tokens_in,
        tokens_out=tokens_out,
        cost_usd=cost_usd,
        attributes=attributes,
    )
    MetricsRepository(session).add(event)
    if flush:
        await session.flush()
    prometheus.EVENTS.labels(name=event.name).inc()
    return event


def percentile(sorted_values: Sequence[float], fraction: float) -> float | None:
    """Nearest-rank percentile: always one of the observed values (no interpolation)."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class MetricsService:
    async def record_event(
        self, session: AsyncSession, identity: Identity, data: EventIn
    ) -> MetricEvent:
        """An event a client reports (the chat's turns and tool calls, posted after the
        reply). It may arrive after its user was erased, on a key another process still
        holds for a few seconds: the user's row is locked while the event is written, so
        an erasure either runs after it (and takes the user id off it) or before it."""
        if await AccountRepository(session).lock_user(identity.user_id, share=True) is None:
            raise Unauthorized("this account no longer exists")
        return await record(
            session,
            data.name,
            org_id=identity.org_id,
            user_id=identity.user_id,
            duration_ms=data.duration_ms,
            tokens_in=data.tokens_in,
            tokens_out=data.tokens_out,
            cost_usd=data.cost_usd,
            attributes=data.attributes,
        )

    async def summary(
        self,
        session: AsyncSession,
        identity: Identity,
        since: datetime | None,
        until: datetime | None,
    ) -> SummaryOut:
        require_role(identity, Role.employer, Role.admin)
        # Naive datetimes are read as UTC; SQLite stores UTC text, so convert before comparing.
        until = _utc(until) if until else utcnow()
        since = _utc(since) if since else until - DEFAULT_PERIOD
        if since >= until:
            raise BadRequest("`since` must be before `until`")
        if until - since > MAX_PERIOD:
            raise BadRequest("the period is limited to 366 days; ask for a shorter one")
        repo = MetricsRepository(session)
        counts = await repo.counts_by_name(identity.org_id, since, until)
        latencies = await repo.durations(identity.org_id, EventName.task_finished, since, until)
        days = await repo.usage_per_day(identity.org_id, EventName.llm_call, since, until)
        return SummaryOut(
            since=since,
            until=until,
            funnel=Funnel(
                resumes_uploaded=counts.get(EventName.resume_uploaded, 0),
                critiqued=counts.get(EventName.resume_critiqued, 0),
                rewritten=counts.get(EventName.resume_rewritten, 0),
                matched=counts.get(EventName.match_served, 0),
            ),
            tasks=TaskStats(
                submitted=counts.get(EventName.task_submitted, 0),
                finished=counts.get(EventName.task_finished, 0),
                failed=counts.get(EventName.task_failed, 0),
                latency_ms_p50=percentile(latencies, 0.50),
                latency_ms_p95=percentile(latencies, 0.95),
            ),
            llm_per_day=[
                LlmDay(day=d, calls=c, tokens_in=ti, tokens_out=to, cost_usd=round(cost, 6))
                for d, c, ti, to, cost in days
            ],
            events=counts,
        )


metrics_service = MetricsService()
