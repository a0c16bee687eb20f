"""Report endpoints: the same report as JSON (default), standalone HTML, PDF, or its charts
alone as an SVG image.

Served by their own "reports" service: a report reads several services (resumes, jobs,
matching, metrics) and belongs to none of them. A report is answered directly (200) unless
it is large (`service.DIRECT_MAX_ROWS`) or asked with `?async=true`: then the answer is
202 + a task, the report worker generates it, the chat that asked (`chat_session_id`) is
notified, and `GET /api/v1/reports/tasks/{task_id}/download` serves it.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import CurrentIdentity, SessionDep
from api.errors import ERROR_RESPONSES
from api.identity.schemas import Identity
from api.reports import service as reports
from api.reports.render import MEDIA_TYPES, render
from api.reports.schemas import (
    CandidateReport,
    FunnelReport,
    Report,
    ReportFormat,
    ShortlistReport,
)
from api.reports.service import ReportRequest, report_service
from api.reports.storage import report_path
from api.tasks.schemas import TaskAccepted, status_url
from api.tasks.service import task_service
from core.errors import NotFound
from core.models import Role, TaskKind, TaskStatus

router = APIRouter(prefix="/api/v1/reports", tags=["reports"], responses=ERROR_RESPONSES)

FormatQuery = Annotated[
    ReportFormat,
    Query(alias="format", description="json (default), html, pdf, or svg (the charts alone)"),
]
AsyncQuery = Annotated[
    bool,
    Query(
        alias="async",
        description="generate it in the background (202 + task) whatever its size",
    ),
]
ChatSessionQuery = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=100,
        description="the chat session to notify when a background report is ready",
    ),
]


def _responses(model: type[Report]) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "model": model,
            "description": "the report; HTML and PDF are offered as a download",
            "content": {MEDIA_TYPES[f]: {} for f in ReportFormat if f is not ReportFormat.json},
        },
        202: {"model": TaskAccepted, "description": "a large report: generated in the background"},
    }


def _file(body: bytes, media_type: str, filename: str, fmt: ReportFormat) -> Response:
    headers = {}
    if fmt is not ReportFormat.json:
        kind = "inline" if fmt in (ReportFormat.html, ReportFormat.svg) else "attachment"
        headers["Content-Disposition"] = f'{kind}; filename="{filename}"'
    return Response(body, media_type=media_type, headers=headers)


async def _serve(
    session: AsyncSession,
    identity: Identity,
    request: ReportRequest,
    fmt: ReportFormat,
    background: bool,
    chat_session_id: str | None,
) -> Response:
    rows = await report_service.plan(session, identity, request)
    if background or rows > reports.DIRECT_MAX_ROWS:
        submitted = await task_service.submit(
            session,
            identity,
            TaskKind.report,
            subject_id=request.subject_id,
            payload={"request": request.payload(), "format": fmt.value},
            chat_session_id=chat_session_id,
        )
        task = submitted.task
        accepted = TaskAccepted(task_id=task.id, status_url=status_url(task.id), status=task.status)
        return JSONResponse(
            accepted.model_dump(mode="json"),
            status_code=status.HTTP_202_ACCEPTED,
            headers={"Location": status_url(task.id)},
        )
    report = await report_service.build(session, identity, request)
    rendered = await asyncio.to_thread(render, report, fmt)
    return _file(rendered.body, rendered.media_type, rendered.filename, fmt)


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
    background: AsyncQuery = False,
    chat_session_id: ChatSessionQuery = None,
) -> Response:
    """Your resume critique, top job matches, skill-gap chart and rewrite history."""
    request = ReportRequest("candidate", candidate_id)
    return await _serve(session, identity, request, fmt, background, chat_session_id)


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
    background: AsyncQuery = False,
    chat_session_id: ChatSessionQuery = None,
) -> Response:
    """Opted-in candidates ranked for one of your jobs, blind unless they agreed to contact."""
    request = ReportRequest("shortlist", job_id)
    return await _serve(session, identity, request, fmt, background, chat_session_id)


@router.get("/funnel", response_model=None, responses=_responses(FunnelReport))
async def funnel_report(
    session: SessionDep,
    identity: CurrentIdentity,
    since: datetime | None = None,
    until: datetime | None = None,
    fmt: FormatQuery = ReportFormat.json,
    background: AsyncQuery = False,
    chat_session_id: ChatSessionQuery = None,
) -> Response:
    """Your organisation's funnel and task latency over a period, with charts."""
    request = ReportRequest("funnel", since=since, until=until)
    return await _serve(session, identity, request, fmt, background, chat_session_id)


@router.get(
    "/tasks/{task_id}/download",
    response_model=None,
    responses={200: {"description": "the stored report in the asked format"}},
)
async def download(
    task_id: str,
    session: SessionDep,
    identity: CurrentIdentity,
    fmt: Annotated[
        ReportFormat | None,
        Query(alias="format", description="default: the format the report was asked in"),
    ] = None,
) -> Response:
    """A report generated in the background, once its task succeeded, in any format."""
    task = await task_service.get(session, identity, task_id)
    result = task.result or {}
    request = (task.payload or {}).get("request") or {}
    # Organisation members may follow each other's report tasks; a candidate's report is
    # theirs alone (and their organisation's admins').
    private = request.get("kind") == "candidate" and task.user_id != identity.user_id
    if task.kind is not TaskKind.report or (private and identity.role is not Role.admin):
        raise NotFound(f"task {task_id} not found")
    if task.status is not TaskStatus.succeeded or not result:
        raise NotFound(f"report task {task_id} has no report: see {status_url(task_id)}")
    chosen = fmt or ReportFormat(result["format"])
    stored = result.get("files", {}).get(chosen.value)
    if stored is None:
        raise NotFound(f"report task {task_id} has no {chosen.value} file (no chart to draw)")
    path = report_path(task.org_id, task.id, chosen.value)
    try:
        body = await asyncio.to_thread(path.read_bytes)
    except FileNotFoundError:
        raise NotFound(f"the stored report of task {task_id} is gone; ask for it again") from None
    return _file(body, str(stored["media_type"]), str(stored["filename"]), chosen)
