"""Employer tools: jobs from pasted descriptions, candidate search, comparison, funnel.

Only opted-in candidates are ever returned: the matching service filters them in its own
queries, for the caller's organisation's jobs only.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from langchain_core.tools import BaseTool, tool

from tools.base import Runtime, ToolOutput, needs_confirmation, output, service_errors
from tools.client import ServiceClient, ServiceError
from tools.tasks import MAX_BACKGROUND_MATCHES, start_task

_ID_RE = re.compile(r"^[0-9a-f]{32}$")
_TITLE_LABEL_RE = re.compile(r"^\s*(?:job\s+)?title\s*:\s*", re.I)


def title_from_description(description: str) -> str:
    """The first non-empty line, without a 'Title:' label, as the job title."""
    for line in description.splitlines():
        line = _TITLE_LABEL_RE.sub("", line.strip().strip("#*").strip())
        if line:
            return line[:300]
    return "Untitled job"


async def resolve_job(services: ServiceClient, job: str) -> dict[str, Any]:
    """One of the organisation's jobs, by id or by (part of) its title."""
    job = job.strip()
    if _ID_RE.match(job):
        return dict(await services.get(f"/api/v1/jobs/{job}"))
    page = await services.get("/api/v1/jobs", q=job, limit=20)
    items = page.get("items", [])
    exact = [j for j in items if str(j.get("title", "")).lower() == job.lower()]
    if exact or items:
        return dict((exact or items)[0])
    raise ServiceError(404, f"none of your organisation's jobs is called {job!r}")


def _summary(job: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "id",
        "title",
        "company",
        "location",
        "remote",
        "published",
        "salary_min",
        "salary_max",
        "currency",
    )
    return {k: job.get(k) for k in keys} | {
        "required_skills": job.get("required_skills", []),
        "preferred_skills": job.get("preferred_skills", []),
    }


@tool(response_format="content_and_artifact")
@service_errors
async def list_my_jobs(
    runtime: Runtime,
    query: str | None = None,
    location: str | None = None,
    published: bool | None = None,
) -> ToolOutput:
    """List the organisation's jobs (newest first), optionally only those whose title,
    company or description contains `query`, in one place, or published / drafts only.

    Args:
        query: text to look for, or omit for all jobs.
        location: part of the jobs' location ("Manchester"), or omit.
        published: true for published jobs only, false for drafts only, or omit for both.
    """
    filters = {"q": query, "location": location, "published": published}
    page = await runtime.context.services.get("/api/v1/jobs", **filters, limit=20)
    return output(
        {
            "jobs": [_summary(j) for j in page.get("items", [])],
            "total": page.get("total"),
            "filters": {k: v for k, v in filters.items() if v is not None},
        }
    )


@tool(response_format="content_and_artifact")
@service_errors
async def create_job(
    description: str, runtime: Runtime, title: str | None = None, confirmed: bool = False
) -> ToolOutput:
    """Create and publish a job from a description the user pasted into the chat. Skills,
    minimum years and location are read from the description by the service. Publishing
    needs the user's explicit confirmation: call with confirmed=false first, ask, and call
    again with confirmed=true only after they say yes.

    Args:
        description: the full job description as the user gave it.
        title: the job title; omit to use the description's first line.
        confirmed: true only when the user's latest message confirms this action.
    """
    body = {"title": title or title_from_description(description), "description": description}
    asked = needs_confirmation(
        runtime.state,
        confirmed,
        "create_job",
        f'Publish the job "{body["title"]}"? Candidates will see it.',
        {"description": description, **({"title": title} if title else {})},
    )
    if asked:
        return asked
    job = await runtime.context.services.post("/api/v1/jobs", body)
    return output({"status": "created", "job": _summary(job)})


@tool(response_format="content_and_artifact")
@service_errors
async def update_job(
    job: str,
    runtime: Runtime,
    description: str | None = None,
    title: str | None = None,
    published: bool | None = None,
    salary_min: float | None = None,
    salary_max: float | None = None,
    currency: str | None = None,
    confirmed: bool = False,
) -> ToolOutput:
    """Update one of the organisation's jobs: a new description, title, salary a year, or
    publish state.
    Publishing needs the user's explicit confirmation: call with confirmed=false first,
    ask, and call again with confirmed=true only after they say yes.

    Args:
        job: the job's id or its title.
        description: the new full description, if the user gave one.
        title: the new title, if the user gave one.
        published: true to publish, false to unpublish; omit to leave as is.
        salary_min: the new lowest salary a year, if the user gave one.
        salary_max: the new highest salary a year (the same as salary_min for one figure).
        currency: the salary's currency code ("GBP"), if the user said it.
        confirmed: true only when the user's latest message confirms publishing.
    """
    stated = {
        "description": description,
        "title": title,
        "published": published,
        "salary_min": salary_min,
        "salary_max": salary_max,
        "currency": currency,
    }
    changes = {k: v for k, v in stated.items() if v is not None}
    if published:
        asked = needs_confirmation(
            runtime.state,
            confirmed,
            "update_job",
            f'Publish "{job}" again? Candidates will see it.',
            {"job": job, **changes},
        )
        if asked:
            return asked
    if not changes:
        raise ServiceError(400, "nothing to change: give a new description, title, salary or state")
    services = runtime.context.services
    found = await resolve_job(services, job)
    updated = await services.request("PATCH", f"/api/v1/jobs/{found['id']}", json=changes)
    return output({"status": "updated", "job": _summary(updated)})


async def ranked_candidates(
    services: ServiceClient, job: dict[str, Any], top_k: int, **filters: Any
) -> list[dict[str, Any]]:
    body = {"job_id": job["id"], "top_k": top_k, **filters}
    result = await services.post("/api/v1/match/candidates", body)
    return list(result["matches"])


def pick_ranked(ranked: list[dict[str, Any]], ref: str) -> dict[str, Any]:
    """One of a job's ranked candidates, by rank (1, 2, ...), candidate id or resume id."""
    ref = str(ref).strip().lstrip("#")
    if ref.isdigit() and 1 <= int(ref) <= len(ranked):
        return {"rank": int(ref), **ranked[int(ref) - 1]}
    for rank, match in enumerate(ranked, 1):
        if ref in (match.get("resume_id"), match.get("candidate_id")):
            return {"rank": rank, **match}
    raise ServiceError(404, f"candidate {ref!r} is not among this job's opted-in candidates")


@tool(response_format="content_and_artifact")
@service_errors
async def find_candidates(
    job: str,
    runtime: Runtime,
    top_k: int = 5,
    skills: list[str] | None = None,
    min_years: float | None = None,
    in_background: bool = False,
) -> ToolOutput:
    """Find the best candidates for one of the organisation's jobs, best first, among
    candidates who opted in to employer search; each with score, matched and missing
    skills and reasons. Candidates are identified by ids only.

    Args:
        job: the job's id or its title.
        top_k: how many candidates (1-20; up to 100 in the background).
        skills: only candidates showing every one of these skills, if the user asked.
        min_years: only candidates with at least this many years of work, if asked.
        in_background: true to rank many candidates (more than 20) or if the user asked
            for it in the background; the user is told when the ranking is ready. No
            skills or years filter then.
    """
    services = runtime.context.services
    found = await resolve_job(services, job)
    wanted = {"skills": skills or None, "min_years": min_years}
    filters = {k: v for k, v in wanted.items() if v is not None}
    if in_background:
        if filters:
            raise ServiceError(400, "skills and years filters apply to a direct search")
        many = {"top_k": max(1, min(int(top_k), MAX_BACKGROUND_MATCHES))}
        task = await start_task(runtime, "match", f"/api/v1/jobs/{found['id']}/matches", many)
        return output({"job": _summary(found), **task, "status": "started"})
    matches = await ranked_candidates(services, found, max(1, min(int(top_k), 20)), **filters)
    return output({"job": _summary(found), "matches": matches, **filters})


@tool(response_format="content_and_artifact")
@service_errors
async def compare_candidates(job: str, first: str, second: str, runtime: Runtime) -> ToolOutput:
    """Compare two candidates for one job side by side: scores, skills each has and
    misses. Candidates are named by their resume id, candidate id, or rank (1, 2, ...)
    in the find_candidates result for that job.

    Args:
        job: the job's id or its title.
        first: the first candidate (resume id, candidate id or rank).
        second: the second candidate (resume id, candidate id or rank).
    """
    services = runtime.context.services
    found = await resolve_job(services, job)
    ranked = await ranked_candidates(services, found, 100)
    chosen = [pick_ranked(ranked, first), pick_ranked(ranked, second)]
    return output({"job": _summary(found), "candidates": chosen})


@tool(response_format="content_and_artifact")
@service_errors
async def hiring_funnel(runtime: Runtime, days: int = 30) -> ToolOutput:
    """The organisation's hiring funnel over the last `days` days: resumes uploaded,
    critiqued, rewritten and matched, background task counts and LLM usage.

    Args:
        days: the period in days (1-366).
    """
    since = datetime.now(UTC) - timedelta(days=max(1, min(int(days), 366)))
    summary = await runtime.context.services.get("/api/v1/metrics/summary", since=since.isoformat())
    return output({"days": days, **summary})


EMPLOYER_TOOLS: list[BaseTool] = [
    list_my_jobs,
    create_job,
    update_job,
    find_candidates,
    compare_candidates,
    hiring_funnel,
]
