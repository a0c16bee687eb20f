"""Candidate tools: my resume, its critique, matching jobs, rewrites, visibility, erasure.

Docstrings are the instructions the model reads when choosing a tool.
"""

from __future__ import annotations

from typing import Any

from langchain_core.tools import BaseTool, tool

from tools.base import (
    Runtime,
    ToolOutput,
    current_resume_id,
    delimit,
    needs_confirmation,
    output,
    service_errors,
)
from tools.client import ServiceError
from tools.tasks import MAX_BACKGROUND_MATCHES, start_task

_PARSED_KEYS = (
    "summary",
    "skills",
    "experience",
    "education",
    "certifications",
    "years_experience",
)


@tool(response_format="content_and_artifact")
@service_errors
async def read_my_resume(runtime: Runtime) -> ToolOutput:
    """Read the user's current resume: summary, skills, jobs held and years of experience.

    Use when the user asks what is in their resume or what you know about them."""
    services = runtime.context.services
    resume_id = await current_resume_id(services)
    parsed = await services.get(f"/api/v1/resumes/{resume_id}/parsed")
    data: dict[str, Any] = {"resume_id": resume_id, **{k: parsed.get(k) for k in _PARSED_KEYS}}
    data["summary"] = delimit("resume", str(parsed.get("summary") or ""))
    return output(data)


@tool(response_format="content_and_artifact")
@service_errors
async def export_my_resume(runtime: Runtime) -> ToolOutput:
    """Export the user's current resume as a JSON Resume file (jsonresume.org), the open
    format other sites and resume builders import. The chat attaches the file; say in a
    sentence what it holds.

    Use when the user asks to export, download or save their resume or CV as a file or as
    JSON, or to move it to another site."""
    services = runtime.context.services
    resume_id = await current_resume_id(services)
    path = f"/api/v1/resumes/{resume_id}/export"
    exported = await services.get(path, format="jsonresume")
    counts = {part: len(exported.get(part) or []) for part in ("work", "education", "skills")}
    # The chat fetches the file itself with the user's key: the resume's contents stay
    # out of the conversation (and out of any model's context).
    link = {"path": path, "params": {"format": "jsonresume"}}
    return output({"resume_id": resume_id, "format": "jsonresume", "file": link, **counts})


@tool(response_format="content_and_artifact")
@service_errors
async def critique_my_resume(runtime: Runtime) -> ToolOutput:
    """Critique the user's current resume: a score out of 100 and findings with fixes.

    Use when the user asks how good their resume is, what to improve, or for feedback."""
    services = runtime.context.services
    resume_id = await current_resume_id(services)
    critique = await services.post(f"/api/v1/resumes/{resume_id}/critique")
    return output({"resume_id": resume_id, **critique})


@tool(response_format="content_and_artifact")
@service_errors
async def find_matching_jobs(
    runtime: Runtime,
    top_k: int = 5,
    location: str | None = None,
    remote: bool | None = None,
    min_salary: int | None = None,
    employment_type: str | None = None,
    seniority: str | None = None,
    query: str | None = None,
    in_background: bool = False,
) -> ToolOutput:
    """Find the published jobs that best match the user's current resume, best first,
    each with its score (0-1), matched skills, missing required and preferred skills.

    Args:
        top_k: how many jobs (1-20; up to 100 in the background).
        location: only jobs in this place, if the user asked for one.
        remote: true for remote jobs only, false for on-site only; omit otherwise.
        min_salary: only jobs whose advertised pay reaches this yearly amount, if asked.
        employment_type: only jobs of this type, if asked: part_time, full_time,
            internship, contract or temporary.
        seniority: only jobs whose title states this level, if asked: junior, senior
            or lead.
        query: a job title or keywords the user asked for ("nurse"); among the best
            fitting jobs, those that name it in their title or skills come first.
        in_background: true to rank many jobs (more than 20) or if the user asked for it
            in the background; the user is told when the ranking is ready. No filters
            or query then.
    """
    services = runtime.context.services
    resume_id = await current_resume_id(services)
    wanted = {
        "location": location,
        "remote": remote,
        "min_salary": min_salary,
        "employment_type": employment_type,
        "seniority": seniority,
    }
    filters = {k: v for k, v in wanted.items() if v is not None}
    if in_background:
        if filters or query:
            raise ServiceError(400, "filters and a query apply to a direct search (up to 20 jobs)")
        many = {"top_k": max(1, min(int(top_k), MAX_BACKGROUND_MATCHES))}
        task = await start_task(runtime, "match", f"/api/v1/resumes/{resume_id}/matches", many)
        return output({"resume_id": resume_id, **task, "status": "started"})
    body: dict[str, Any] = {"resume_id": resume_id, "top_k": max(1, min(int(top_k), 20))}
    if filters:
        body["filters"] = filters
    if query:
        body["query"] = query
    result = await services.post("/api/v1/match/jobs", body)
    shown = {"resume_id": resume_id, "matches": list(result["matches"]), "filters": filters}
    return output(shown | ({"query": query} if query else {}))


@tool(response_format="content_and_artifact")
@service_errors
async def explain_match(job_id: str, runtime: Runtime) -> ToolOutput:
    """Explain how the user's resume fits one job: the score, skills they have, required
    and preferred skills they miss, and how to close the gap.

    Args:
        job_id: the job's id, from a previous find_matching_jobs result.
    """
    services = runtime.context.services
    resume_id = await current_resume_id(services)
    score = await services.post("/api/v1/match/score", {"resume_id": resume_id, "job_id": job_id})
    # Other organisations' jobs are readable through matching only; name the job from the
    # match list this conversation already holds.
    listed = _listed_job(runtime.state, job_id)
    return output(
        {
            "resume_id": resume_id,
            "job_id": job_id,
            **{k: listed.get(k) for k in ("title", "company", "location")},
            **score,
        }
    )


def _listed_job(state: Any, job_id: str) -> dict[str, Any]:
    messages = state.get("messages", []) if isinstance(state, dict) else []
    for message in reversed(messages):
        artifact = getattr(message, "artifact", None)
        if isinstance(artifact, dict):
            for match in artifact.get("matches", []):
                if match.get("job_id") == job_id:
                    return dict(match)
    return {}


@tool(response_format="content_and_artifact")
@service_errors
async def request_rewrite(job_id: str, runtime: Runtime) -> ToolOutput:
    """Ask for the user's resume to be rewritten for one job. It runs in the background
    (about a minute): tell the user it has started and that they will be notified in this
    chat when it is ready; do not wait for it.

    Args:
        job_id: the target job's id, from a previous find_matching_jobs result.
    """
    services = runtime.context.services
    resume_id = await current_resume_id(services)
    task = await services.post(
        f"/api/v1/resumes/{resume_id}/rewrites",
        {"job_id": job_id, "chat_session_id": runtime.context.conversation_id},
    )
    event = {"type": "task", "kind": "rewrite", "task_id": task["task_id"], **task}
    runtime.stream_writer(event)
    return output({"resume_id": resume_id, "job_id": job_id, "status": "started", **task})


async def _rewritten_version(
    services: Any, resume_id: str, version_id: str | None
) -> dict[str, Any]:
    versions = await services.get(f"/api/v1/resumes/{resume_id}/versions")
    rewritten = [v for v in versions if v.get("source") == "rewritten"]
    if version_id:
        rewritten = [v for v in rewritten if v["id"] == version_id]
    else:
        # The newest rewrite still waiting for a decision, else the newest one.
        rewritten = sorted(rewritten, key=lambda v: (v.get("accepted") is None, v["number"]))
    if not rewritten:
        raise ServiceError(404, "no rewritten version yet: ask for a rewrite for a job first")
    return dict(rewritten[-1])


@tool(response_format="content_and_artifact")
@service_errors
async def show_rewrite(runtime: Runtime, version_id: str | None = None) -> ToolOutput:
    """Show a rewritten version of the user's resume as a diff against the version it came
    from. Without version_id, the newest rewrite still waiting for a decision.

    Args:
        version_id: a specific rewritten version, if the user named one.
    """
    services = runtime.context.services
    resume_id = await current_resume_id(services)
    if version_id is None and (reason := await _unchanged_reason(runtime)):
        return output({"resume_id": resume_id, "version_id": None, "unchanged": reason})
    version = await _rewritten_version(services, resume_id, version_id)
    diff = await services.get(
        f"/api/v1/resumes/{resume_id}/diff",
        **{"from": version.get("parent_version_id"), "to": version["id"]},
    )
    return output(
        {
            "resume_id": resume_id,
            "version_id": version["id"],
            "target_job_id": version.get("target_job_id"),
            "accepted": version.get("accepted"),
            "diff": delimit("diff", diff.get("diff", "")),
        }
    )


async def _unchanged_reason(runtime: Runtime) -> str | None:
    """Why the rewrite this conversation asked for last changed nothing, if it did (such a
    rewrite stores no version: its task's result says why)."""
    messages = runtime.state.get("messages", []) if isinstance(runtime.state, dict) else []
    for message in reversed(messages):
        artifact = getattr(message, "artifact", None)
        if getattr(message, "name", None) == "request_rewrite" and isinstance(artifact, dict):
            if not artifact.get("task_id"):
                return None
            try:
                result = await runtime.context.services.get(
                    f"/api/v1/tasks/{artifact['task_id']}/result"
                )
            except ServiceError:
                return None  # not finished yet, or gone: the versions tell
            return (result.get("data") or {}).get("unchanged") or None
    return None


async def _decide(runtime: Runtime, version_id: str | None, verdict: str) -> ToolOutput:
    services = runtime.context.services
    resume_id = await current_resume_id(services)
    version = await _rewritten_version(services, resume_id, version_id)
    path = f"/api/v1/resumes/{resume_id}/versions/{version['id']}/{verdict}"
    await services.post(path)
    return output({"resume_id": resume_id, "version_id": version["id"], "status": verdict + "ed"})


@tool(response_format="content_and_artifact")
@service_errors
async def accept_rewrite(
    runtime: Runtime, version_id: str | None = None, confirmed: bool = False
) -> ToolOutput:
    """Accept a rewritten version: it becomes the user's current resume. Needs the user's
    explicit confirmation: call with confirmed=false first, ask, and call again with
    confirmed=true only after the user says yes.

    Args:
        version_id: the rewritten version; omit for the newest one waiting for a decision.
        confirmed: true only when the user's latest message confirms this action.
    """
    asked = needs_confirmation(
        runtime.state,
        confirmed,
        "accept_rewrite",
        "Make the rewritten version your current resume?",
        {"version_id": version_id},
    )
    return asked or await _decide(runtime, version_id, "accept")


@tool(response_format="content_and_artifact")
@service_errors
async def reject_rewrite(runtime: Runtime, version_id: str | None = None) -> ToolOutput:
    """Reject a rewritten version: the current resume stays as it is.

    Args:
        version_id: the rewritten version; omit for the newest one waiting for a decision.
    """
    return await _decide(runtime, version_id, "reject")


@tool(response_format="content_and_artifact")
@service_errors
async def set_visibility(
    open_to_employers: bool, runtime: Runtime, confirmed: bool = False
) -> ToolOutput:
    """Show the user to employers (opt in to employer search) or hide them (opt out).
    Needs the user's explicit confirmation: call with confirmed=false first, ask, and call
    again with confirmed=true only after the user says yes.

    Args:
        open_to_employers: true to be found by employers, false to be hidden from them.
        confirmed: true only when the user's latest message confirms this action.
    """
    question = (
        "Let employers find you and see your resume for their jobs?"
        if open_to_employers
        else "Hide your resume from employer searches?"
    )
    asked = needs_confirmation(
        runtime.state,
        confirmed,
        "set_visibility",
        question,
        {"open_to_employers": open_to_employers},
    )
    if asked:
        return asked
    profile = await runtime.context.services.request(
        "PATCH", "/api/v1/candidates/me", json={"open_to_employers": open_to_employers}
    )
    return output({"open_to_employers": profile["open_to_employers"], "status": "updated"})


@tool(response_format="content_and_artifact")
@service_errors
async def delete_my_data(runtime: Runtime, confirmed: bool = False) -> ToolOutput:
    """Erase everything about the user: resumes, versions, matches, search index entries
    and chat history. Irreversible. Needs the user's explicit confirmation: call with
    confirmed=false first, ask, and call again with confirmed=true only after they say yes.

    Args:
        confirmed: true only when the user's latest message confirms this action.
    """
    asked = needs_confirmation(
        runtime.state,
        confirmed,
        "delete_my_data",
        "Permanently delete your profile, resumes and matches? This cannot be undone.",
        {},
    )
    if asked:
        return asked
    services = runtime.context.services
    profile = await services.get("/api/v1/candidates/me")
    await services.request("DELETE", f"/api/v1/candidates/{profile['id']}")
    return output({"status": "deleted"})


CANDIDATE_TOOLS: list[BaseTool] = [
    read_my_resume,
    export_my_resume,
    critique_my_resume,
    find_matching_jobs,
    explain_match,
    request_rewrite,
    show_rewrite,
    accept_rewrite,
    reject_rewrite,
    set_visibility,
    delete_my_data,
]
