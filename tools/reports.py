"""Report tools: the candidate's own report, an employer's blind shortlist and funnel.

Each asks the reports service for the report's data (JSON) with the caller's key and
answers a short summary for the model, plus the paths of the PDF and the chart image,
which the chat UI downloads with the same key and attaches to the answer (files stay out
of the conversation's checkpoint and out of any model's context). A large report, or one
asked for in the background, is a task instead: the chat is notified when it is ready.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from langchain_core.tools import tool

from tools.base import NoResume, Runtime, ToolOutput, output, service_errors
from tools.client import ServiceError
from tools.employer import resolve_job

REPORTS = "/api/v1/reports"
TOP = 5

Summary = Callable[[dict[str, Any]], dict[str, Any]]


def _candidate_summary(report: dict[str, Any]) -> dict[str, Any]:
    critique = report.get("critique") or {}
    matches = report.get("matches") or []
    gap = report.get("skill_gap") or []
    return {
        "critique_score": critique.get("score"),
        "top_matches": [
            {"title": m.get("title"), "company": m.get("company"), "score": m.get("score")}
            for m in matches[:TOP]
        ],
        "skills_to_learn": [g["skill"] for g in gap if not g.get("has")][:TOP],
        "skills_you_have": [g["skill"] for g in gap if g.get("has")][:TOP],
        "rewrites": len(report.get("rewrites") or []),
    }


def _shortlist_summary(report: dict[str, Any]) -> dict[str, Any]:
    # Pseudonyms and scores only: contact details stay in the document itself.
    rows = report.get("candidates") or []
    return {
        "job_title": report.get("job_title"),
        "candidates": len(rows),
        "top": [{"label": c.get("label"), "score": c.get("score")} for c in rows[:TOP]],
        "consented": sum(1 for c in rows if c.get("contact_consent")),
    }


def _funnel_summary(report: dict[str, Any]) -> dict[str, Any]:
    summary = report.get("summary") or {}
    return {"funnel": summary.get("funnel"), "tasks": summary.get("tasks")}


def _has_chart(kind: str, report: dict[str, Any]) -> bool:
    if kind == "candidate":
        return bool(report.get("skill_gap"))
    if kind == "shortlist":
        return bool(report.get("candidates"))
    return True


async def _report(
    runtime: Runtime,
    kind: str,
    path: str,
    summarise: Summary,
    in_background: bool,
    **params: Any,
) -> ToolOutput:
    services = runtime.context.services
    query = {
        **params,
        "format": "json",
        "async": "true" if in_background else None,
        "chat_session_id": runtime.context.conversation_id,
    }
    answer = await services.get(path, **query)
    if "task_id" in answer and "status_url" in answer:
        runtime.stream_writer({"type": "task", "kind": "report", **answer})
        return output({"report": kind, **answer, "status": "started"})
    downloads = {k: v for k, v in params.items() if v is not None}
    return output(
        {
            "report": kind,
            "status": "ready",
            **summarise(answer),
            "pdf": {"path": path, "params": {**downloads, "format": "pdf"}},
            "chart": (
                {"path": path, "params": {**downloads, "format": "svg"}}
                if _has_chart(kind, answer)
                else None
            ),
        }
    )


@tool(response_format="content_and_artifact")
@service_errors
async def get_my_report(runtime: Runtime, in_background: bool = False) -> ToolOutput:
    """The user's own report as a PDF with a skill-gap chart: resume critique, top job
    matches with the skills they have and miss, and rewrite history. The chat shows the
    PDF and the chart; summarise the highlights in a sentence or two.

    Args:
        in_background: true only if the user asked for it to be prepared in the background.
    """
    try:
        me = await runtime.context.services.get("/api/v1/candidates/me")
    except ServiceError as exc:
        raise NoResume() if exc.status == 404 else exc from None
    path = f"{REPORTS}/candidates/{me['id']}"
    return await _report(runtime, "candidate", path, _candidate_summary, in_background)


@tool(response_format="content_and_artifact")
@service_errors
async def get_shortlist_report(
    job: str, runtime: Runtime, in_background: bool = False
) -> ToolOutput:
    """A blind shortlist for one of the organisation's jobs, as a PDF with a score chart:
    opted-in candidates ranked with scores, reasons and gaps, shown by pseudonym
    (no name or contact unless the candidate agreed to be contacted).

    Args:
        job: the job's id or its title.
        in_background: true only if the user asked for it to be prepared in the background.
    """
    found = await resolve_job(runtime.context.services, job)
    path = f"{REPORTS}/jobs/{found['id']}/shortlist"
    return await _report(runtime, "shortlist", path, _shortlist_summary, in_background)


@tool(response_format="content_and_artifact")
@service_errors
async def get_funnel_report(
    runtime: Runtime, days: int = 30, in_background: bool = False
) -> ToolOutput:
    """The organisation's hiring funnel report over the last `days` days, as a PDF with
    charts: resumes uploaded, critiqued, rewritten and matched, task latency, LLM usage.

    Args:
        days: the period in days (1-366).
        in_background: true only if the user asked for it to be prepared in the background.
    """
    since = datetime.now(UTC) - timedelta(days=max(1, min(int(days), 366)))
    since_text = since.replace(microsecond=0).isoformat()
    return await _report(
        runtime, "funnel", f"{REPORTS}/funnel", _funnel_summary, in_background, since=since_text
    )


CANDIDATE_REPORT_TOOLS = [get_my_report]
EMPLOYER_REPORT_TOOLS = [get_shortlist_report, get_funnel_report]
