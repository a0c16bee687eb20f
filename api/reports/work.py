"""The work of a report task: build and render it (compute), store the files (store).

Run by `api.tasks.execution.TaskWork` like the match and rewrite tasks: `compute` builds
the report with the submitter's identity through `report_service.build` (the very code of
the direct route, so both give the same report) and renders every format; `store` writes
the files in the task's final transaction and records links, never contents, as the
task's result. A candidate erased meanwhile leaves nothing behind: the task is cancelled.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.reports.html import chart_svg
from api.reports.render import Rendered, document, render
from api.reports.schemas import Report, ReportFormat, ShortlistReport
from api.reports.service import ReportRequest, report_service
from api.reports.storage import download_url, report_path, write_file
from api.tasks.execution import Outcome, TaskFailure, TaskRun
from core.db import session_scope
from core.models import CandidateProfile


@dataclass(frozen=True, slots=True)
class Generated:
    asked: ReportFormat
    files: dict[ReportFormat, Rendered]
    # Who a shortlist names (by id), so erasing one of them can find the stored file.
    candidate_ids: list[str]


def render_all(report: Report) -> dict[ReportFormat, Rendered]:
    """The report in every format; the chart image only when it has a chart."""
    has_chart = chart_svg(document(report)) is not None
    return {
        fmt: render(report, fmt) for fmt in ReportFormat if fmt is not ReportFormat.svg or has_chart
    }


async def compute_report(run: TaskRun) -> Generated:
    try:
        request = ReportRequest.from_payload(run.payload["request"])
        asked = ReportFormat(run.payload.get("format", ReportFormat.pdf.value))
    except (KeyError, TypeError, ValueError) as exc:
        raise TaskFailure(f"report task {run.id} names no valid report") from exc
    async with session_scope() as session:
        report = await report_service.build(session, run.identity(), request)
    files = await asyncio.to_thread(render_all, report)
    if asked not in files:
        raise TaskFailure("this report has no chart yet: it has no data to draw")
    named = (
        [c.candidate_id for c in report.candidates] if isinstance(report, ShortlistReport) else []
    )
    return Generated(asked, files, named)


async def store_report(session: AsyncSession, run: TaskRun, done: Generated) -> Outcome | None:
    request = ReportRequest.from_payload(run.payload["request"])
    if request.kind == "candidate" and (
        await session.get(CandidateProfile, str(request.subject_id)) is None
    ):
        return None  # erased while it was generated
    files: dict[str, dict[str, Any]] = {}
    for fmt, rendered in done.files.items():
        await asyncio.to_thread(
            write_file, report_path(run.org_id, run.id, fmt.value), rendered.body
        )
        files[fmt.value] = {
            "filename": rendered.filename,
            "media_type": rendered.media_type,
            "bytes": len(rendered.body),
            "url": download_url(run.id, fmt.value),
        }
    return Outcome(
        {
            "report": request.kind,
            "format": done.asked.value,
            "download_url": download_url(run.id, done.asked.value),
            "files": files,
            "candidate_ids": done.candidate_ids,
        }
    )
