"""Career tools: what an occupation involves (O*NET, ESCO), and what the platform's jobs
ask for and pay. Every result carries its `sources`, which the answer must name.

Docstrings are the instructions the model reads when choosing a tool.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any, Literal

from langchain_core.tools import BaseTool, tool

from tools.base import Runtime, ToolOutput, current_resume_id, output, service_errors
from tools.client import ServiceClient, ServiceError
from tools.employer import ranked_candidates, resolve_job

Aspect = Literal["duties", "path", "skills", "pay"]
# Live jobs closest to the resume whose missing skills are counted ("what should I learn").
CLOSE_JOBS = 20
# Candidates per job, and jobs, whose missing skills are counted for an employer.
CANDIDATES_PER_JOB = 20
JOBS_COUNTED = 5
TOP_SKILLS = 8


def jobs_source(count: int, what: str = "job") -> dict[str, Any]:
    return {"name": f"{count} {what}{'s' if count != 1 else ''} on ClearView"}


def _ranked(counts: Counter[str], names: dict[str, str]) -> list[dict[str, Any]]:
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_SKILLS]
    return [{"skill": names[key], "count": n} for key, n in top]


def _count(skill_lists: Iterable[Iterable[str]], have: set[str]) -> Counter[str]:
    """How many lists name each skill (case-insensitively), skills in `have` left out."""
    counts: Counter[str] = Counter()
    for skills in skill_lists:
        counts.update({s.lower() for s in skills if s and s.lower() not in have})
    return counts


@tool(response_format="content_and_artifact")
@service_errors
async def occupation_info(
    occupation: str, runtime: Runtime, aspect: Aspect = "duties"
) -> ToolOutput:
    """Career knowledge about an occupation from O*NET and ESCO: what the work involves,
    the skills and technologies it needs, and related occupations people move between.
    Always name the sources (O*NET, ESCO) and their attribution in the answer.

    Args:
        occupation: the occupation or job title asked about ("nurse", "data analyst").
        aspect: duties for "what does an X do", path for "how do I become an X",
            skills for "what skills does an X need", pay for "what does an X earn"
            (from the pay the platform's published jobs of that occupation state).
    """
    services = runtime.context.services
    found = await services.get("/api/v1/careers/occupation", q=occupation)
    sources = [found[k]["source"] for k in ("onet", "esco") if found.get(k)]
    if aspect == "pay":
        market = await services.get("/api/v1/careers/salaries", title=occupation)
        return output(
            {**found, "aspect": aspect, "market": market, "sources": [market["source"], *sources]}
        )
    return output({**found, "aspect": aspect, "sources": sources})


async def _resume_skills(services: ServiceClient) -> tuple[str, list[str]]:
    resume_id = await current_resume_id(services)
    parsed = await services.get(f"/api/v1/resumes/{resume_id}/parsed")
    return resume_id, [str(s) for s in parsed.get("skills") or []]


@tool(response_format="content_and_artifact")
@service_errors
async def skills_to_learn(runtime: Runtime) -> ToolOutput:
    """The skills the published jobs closest to the user's resume ask for most and the
    resume lacks, with how many of those jobs ask for each: what to learn next. Name the
    source ("N jobs on ClearView") in the answer."""
    services = runtime.context.services
    resume_id, have = await _resume_skills(services)
    result = await services.post(
        "/api/v1/match/jobs", {"resume_id": resume_id, "top_k": CLOSE_JOBS}
    )
    matches = list(result["matches"])
    gaps = [[*m.get("missing_required", []), *m.get("missing_preferred", [])] for m in matches]
    names = {s.lower(): s for skills in gaps for s in skills}
    counts = _count(gaps, {s.lower() for s in have})
    return output(
        {
            "resume_id": resume_id,
            "skills": _ranked(counts, names),
            "jobs": len(matches),
            "sources": [jobs_source(len(matches))],
        }
    )


@tool(response_format="content_and_artifact")
@service_errors
async def my_skills_in_demand(runtime: Runtime) -> ToolOutput:
    """Which of the skills on the user's resume the platform's published jobs ask for
    most, with how many jobs ask for each. Name the source ("N jobs on ClearView")."""
    services = runtime.context.services
    resume_id, have = await _resume_skills(services)
    if not have:
        raise ServiceError(404, "your resume lists no skills yet: add a Skills section")
    demand = await services.get("/api/v1/careers/demand", skill=have)
    skills = [{"skill": s["skill"], "count": s["jobs"]} for s in demand["skills"]]
    return output(
        {
            "resume_id": resume_id,
            "skills": skills,
            "jobs": demand["jobs"],
            "sources": [demand["source"]],
        }
    )


async def _jobs_asked_about(services: ServiceClient, job: str | None) -> list[dict[str, Any]]:
    if job:
        return [await resolve_job(services, job)]
    page = await services.get("/api/v1/jobs", limit=JOBS_COUNTED, published=True)
    jobs = list(page.get("items", []))
    if not jobs:
        raise ServiceError(404, "your organisation has no published job yet")
    return jobs


@tool(response_format="content_and_artifact")
@service_errors
async def candidates_missing_skills(runtime: Runtime, job: str | None = None) -> ToolOutput:
    """The skills the opted-in candidates for the organisation's jobs are missing most
    (required and preferred skills they do not show), with how many candidates miss
    each. Name the source ("N candidates on ClearView").

    Args:
        job: one job's id or title; omit for the organisation's latest published jobs.
    """
    services = runtime.context.services
    jobs = await _jobs_asked_about(services, job)
    gaps: list[list[str]] = []
    for each in jobs:
        for match in await ranked_candidates(services, each, CANDIDATES_PER_JOB):
            gaps.append([*match.get("missing_required", []), *match.get("missing_preferred", [])])
    names = {s.lower(): s for skills in gaps for s in skills}
    return output(
        {
            "jobs": [j.get("title") for j in jobs],
            "skills": _ranked(_count(gaps, set()), names),
            "candidates": len(gaps),
            "sources": [jobs_source(len(gaps), "candidate")],
        }
    )


@tool(response_format="content_and_artifact")
@service_errors
async def salary_benchmark(runtime: Runtime, job: str | None = None) -> ToolOutput:
    """Whether one of the organisation's jobs pays competitively: its salary range next
    to what the platform's published jobs of the same occupation advertise (quartiles,
    and how many jobs). Name the source ("N jobs on ClearView").

    Args:
        job: the job's id or title; omit for the latest job that states a salary.
    """
    services = runtime.context.services
    if job:
        mine = await resolve_job(services, job)
    else:
        page = await services.get("/api/v1/jobs", limit=20)
        paid = [j for j in page.get("items", []) if j.get("salary_min") or j.get("salary_max")]
        if not paid:
            raise ServiceError(404, "none of your jobs states a salary: add one, or name the job")
        mine = paid[0]
    market = await services.get(
        "/api/v1/careers/salaries", title=mine["title"], currency=mine.get("currency")
    )
    return output(
        {
            "job_id": mine.get("id"),
            "title": mine.get("title"),
            "salary_min": mine.get("salary_min"),
            "salary_max": mine.get("salary_max"),
            "currency": mine.get("currency"),
            "market": market,
            "sources": [market["source"]],
        }
    )


CANDIDATE_CAREER_TOOLS: list[BaseTool] = [occupation_info, skills_to_learn, my_skills_in_demand]
EMPLOYER_CAREER_TOOLS: list[BaseTool] = [
    occupation_info,
    candidates_missing_skills,
    salary_benchmark,
]
