"""Report endpoints: the same report as JSON (default), standalone HTML or PDF.

Served by their own "reports" service: a report reads several services (resumes, jobs,
matching, metrics) and belongs to none of them. Each report renders in a few tens of
milliseconds, so it is answered directly (200); `render()` is the seam a `report` task
worker would use if a report ever needs the 202 + task route.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from api.deps import CurrentIdentity, SessionDep
from api.errors import ERROR_RESPONSES
from api.reports.render import MEDIA_TYPES, Report, render
from api.reports.schemas import CandidateReport, FunnelReport, ReportFormat, ShortlistReport
from api.reports.service import report_service

router = APIRouter(prefix="/api/v1/reports", tags=["reports"], responses=ERROR_RESPONSES)

FormatQuery = Annotated[
    ReportFormat, Query(alias="format", description="json (default), html or pdf")
]


def _responses(model: type[Report]) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "model": model,
            "description": "the report; HTML and PDF are offered as a download",
            "content": {MEDIA_TYPES[ReportFormat.html]: {}, MEDIA_TYPES[ReportFormat.pdf]: {}},
        }
    }


async def _respond(report: Report, fmt: ReportFormat) -> Response:
    rendered = await asyncio.to_thread(render, report, fmt)
    headers = {}
    if fmt is not ReportFormat.json:
        kind = "inline" if fmt is ReportFormat.html else "attachment"
        headers["Content-Disposition"] = f'{kind}; filename="{rendered.filename}"'
    return Response(rendered.body, media_type=rendered.media_type, headers=headers)


@router.get(
    "/candidates/{candidate_id}",
    response_model=None,
    responses=_responses(CandidateReport),
)
async def candidate_report(
    candidate_id: str,
    session: SessionDep,
    identity: CurrentIdentity,
    fmt: FormatQuery = ReportFormat.json,
) -> Response:
    """Your resume critique, top job matches, skill-gap chart and rewrite history."""
    return await _respond(await report_service.candidate(session, identity, candidate_id), fmt)


@router.get(
    "/jobs/{job_id}/shortlist",
    response_model=None,
    responses=_responses(ShortlistReport),
)
async def shortlist_report(
    job_id: str,
    session: SessionDep,
    identity: CurrentIdentity,
    fmt: FormatQuery = ReportFormat.json,
) -> Response:
    """Opted-in candidates ranked for one of your jobs, blind unless they agreed to contact."""
    return await _respond(await report_service.shortlist(session, identity, job_id), fmt)


@router.get("/funnel", response_model=None, responses=_responses(FunnelReport))
async def funnel_report(
    session: SessionDep,
    identity: CurrentIdentity,
    since: datetime | None = None,
    until: datetime | None = None,
    fmt: FormatQuery = ReportFormat.json,
) -> Response:
    """Your organisation's funnel and task latency over a period, with charts."""
    return await _respond(await report_service.funnel(session, identity, since, until), fmt)
