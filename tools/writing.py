"""Writing tools: drafts made from the user's own resume or from occupation data.

Every draft is text shown to the user; none of these tools saves, creates or publishes
anything. Docstrings are the instructions the model reads when choosing a tool.
"""

from __future__ import annotations

from langchain_core.tools import BaseTool, tool

from tools.base import Runtime, ToolOutput, current_resume_id, delimit, output, service_errors


async def _resume_draft(runtime: Runtime, kind: str, job_id: str | None) -> ToolOutput:
    services = runtime.context.services
    resume_id = await current_resume_id(services)
    body = {"kind": kind, **({"job_id": job_id} if job_id else {})}
    draft = await services.post(f"/api/v1/resumes/{resume_id}/drafts", body)
    for key in ("text", "before"):
        draft[key] = delimit("resume", str(draft.get(key) or ""))
    draft["diff"] = delimit("diff", str(draft.get("diff") or ""))
    return output(draft)


@tool(response_format="content_and_artifact")
@service_errors
async def draft_summary(runtime: Runtime, job_id: str | None = None) -> ToolOutput:
    """Draft a stronger summary for the user's resume, made only of facts the resume
    states (latest title, years of experience, skills), with a diff from the current one.
    Nothing is saved. Use for "make my summary stronger" or "improve my profile summary".

    Args:
        job_id: a job to aim the summary at (from find_matching_jobs), if the user named one.
    """
    return await _resume_draft(runtime, "summary", job_id)


@tool(response_format="content_and_artifact")
@service_errors
async def draft_cover_letter(job_id: str, runtime: Runtime) -> ToolOutput:
    """Draft a cover letter for one job from the user's resume: their title and years, the
    bullets that show the job's skills, and the skills both name. Skills the job requires
    that the resume does not show are listed apart, never claimed. Nothing is saved or sent.

    Args:
        job_id: the job's id, from a previous find_matching_jobs result.
    """
    return await _resume_draft(runtime, "cover_letter", job_id)


@tool(response_format="content_and_artifact")
@service_errors
async def draft_job_post(title: str, runtime: Runtime) -> ToolOutput:
    """Draft a job post for a job title: its ESCO and O*NET occupation, other titles it is
    advertised under, the skills similar jobs on ClearView ask for, and blanks for duties,
    place and pay. Only a draft: nothing is created or published. To publish, the user
    pastes the finished text and asks to create the job (which asks them to confirm).

    Args:
        title: the job title to draft a post for ("warehouse worker").
    """
    draft = await runtime.context.services.post("/api/v1/jobs/drafts", {"title": title})
    draft["text"] = delimit("job", str(draft.get("text") or ""))
    return output(draft)


CANDIDATE_WRITING_TOOLS: list[BaseTool] = [draft_summary, draft_cover_letter]
EMPLOYER_WRITING_TOOLS: list[BaseTool] = [draft_job_post]
