"""Metrics HTTP endpoints (Prometheus `/metrics` is mounted by the app factory)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, status

from api.deps import CurrentIdentity, SessionDep
from api.errors import ERROR_RESPONSES
from api.metrics.schemas import EventIn, EventOut, SummaryOut
from api.metrics.service import metrics_service

router = APIRouter(prefix="/api/v1/metrics", tags=["metrics"], responses=ERROR_RESPONSES)


@router.post("/events", response_model=EventOut, status_code=status.HTTP_201_CREATED)
async def record_event(body: EventIn, session: SessionDep, identity: CurrentIdentity) -> EventOut:
    """Record a product event for your organisation."""
    return EventOut.model_validate(await metrics_service.record_event(session, identity, body))


@router.get("/summary", response_model=SummaryOut)
async def summary(
    session: SessionDep,
    identity: CurrentIdentity,
    since: datetime | None = None,
    until: datetime | None = None,
) -> SummaryOut:
    """Funnel, task latency and LLM usage of your organisation (default: last 30 days)."""
    return await metrics_service.summary(session, identity, since, until)
