"""Candidate tools for job alerts: new matching jobs announced in the chat.

Alerts only ever reach the candidate themselves (nothing is shown to anyone else), and
turning them off stops them at once, so no step asks for a confirmation: the answer
repeats the settings the service stored, which is the check.
"""

from __future__ import annotations

from typing import Any

from langchain_core.tools import tool

from tools.base import Runtime, ToolOutput, output, service_errors
from tools.client import ServiceError

ALERTS = "/api/v1/alerts"
OFF = {"enabled": False}


@tool(response_format="content_and_artifact")
@service_errors
async def get_job_alerts(runtime: Runtime) -> ToolOutput:
    """The user's job alert settings: whether alerts are on, the minimum match score
    (0-1), the location or remote filter and the most alerts per day.

    Use when the user asks about their alerts or notifications for new jobs."""
    try:
        settings = await runtime.context.services.get(ALERTS)
    except ServiceError as exc:
        if exc.status != 404:
            raise
        settings = OFF  # never set up
    return output({"alerts": settings})


@tool(response_format="content_and_artifact")
@service_errors
async def set_job_alerts(
    runtime: Runtime,
    min_score: float = 0.6,
    location: str | None = None,
    remote: bool | None = None,
    max_per_day: int = 5,
    query: str | None = None,
) -> ToolOutput:
    """Turn job alerts on (or change them): when a new or updated published job matches
    the user's current resume at least `min_score`, they are told in this chat, or at
    their next visit. Repeat the stored settings back to the user.

    Args:
        min_score: the lowest match score to announce, 0 to 1 (70% is 0.7); default 0.6.
        location: only jobs in this place, if the user named one.
        remote: true for remote jobs only, false for on-site only; omit otherwise.
        max_per_day: the most alerts per day, 1 to 50; default 5.
        query: only jobs whose title names every word of this (e.g. "barista"), if the
            user named a kind of job.
    """
    body: dict[str, Any] = {
        "enabled": True,
        "min_score": min(max(float(min_score), 0.0), 1.0),
        "location": location or None,
        "remote": remote,
        "max_per_day": min(max(int(max_per_day), 1), 50),
        "query": query or None,
    }
    settings = await runtime.context.services.request("PUT", ALERTS, json=body)
    return output({"alerts": settings, "status": "updated"})


@tool(response_format="content_and_artifact")
@service_errors
async def stop_job_alerts(runtime: Runtime) -> ToolOutput:
    """Turn job alerts off: no new-job alert is sent from now on.

    Use when the user asks to stop, pause or unsubscribe from job alerts."""
    await runtime.context.services.request("DELETE", ALERTS)
    return output({"alerts": OFF, "status": "stopped"})


ALERT_TOOLS = [get_job_alerts, set_job_alerts, stop_job_alerts]
