"""Contact request tools: an employer asks to contact a shortlisted candidate; the
candidate sees who asked and answers.

Shortlists are blind. A candidate's e-mail address reaches an employer only after the
candidate accepts, so accepting from a typed message needs the user's own "yes" (the
model alone cannot share it). The chat's Agree / Decline buttons are that decision
already. Declining only keeps the candidate anonymous, so it needs no confirmation.
"""

from __future__ import annotations

from typing import Any

from langchain_core.tools import tool

from tools.base import Runtime, ToolOutput, needs_confirmation, output, service_errors
from tools.client import ServiceError
from tools.employer import pick_ranked, ranked_candidates, resolve_job
from tools.markdown import inline

REQUESTS = "/api/v1/contact-requests"


def _brief(request: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "job_id", "job_title", "company", "status", "created_at")
    return {k: request.get(k) for k in keys}


@tool(response_format="content_and_artifact")
@service_errors
async def request_contact(job: str, candidate: str, runtime: Runtime) -> ToolOutput:
    """Ask an opted-in candidate whether the organisation may contact them about a job.
    They are asked in their own chat; once they agree, the job's shortlist shows their
    e-mail address. Until then they stay anonymous. Asking twice does not ask twice.

    Args:
        job: the job's id or its title.
        candidate: the candidate's id, resume id, or rank (1, 2, ...) in find_candidates.
    """
    services = runtime.context.services
    found = await resolve_job(services, job)
    ranked = await ranked_candidates(services, found, 100)
    chosen = pick_ranked(ranked, candidate)
    body = {"job_id": found["id"], "candidate_id": chosen["candidate_id"]}
    request = await services.post(REQUESTS, body)
    return output(
        {
            "status": "asked" if request.get("status") == "pending" else "answered",
            "request": _brief(request) | {"candidate_id": chosen["candidate_id"]},
            "rank": chosen["rank"],
        }
    )


@tool(response_format="content_and_artifact")
@service_errors
async def get_contact_requests(runtime: Runtime) -> ToolOutput:
    """The employers who asked to contact the user: each job and company, and the answer
    so far (pending, accepted or declined).

    Use when the user asks who wants to contact them, or about their contact requests."""
    requests = await runtime.context.services.get(REQUESTS)
    return output({"requests": [_brief(r) for r in requests]})


@tool(response_format="content_and_artifact")
@service_errors
async def answer_contact_request(
    accept: bool, runtime: Runtime, request_id: str | None = None, confirmed: bool = False
) -> ToolOutput:
    """Answer an employer's contact request: accept to let them see the e-mail address on
    the user's resume, decline to stay anonymous. The user can change the answer later.

    Args:
        accept: true to agree to be contacted, false to decline.
        request_id: the request's id from get_contact_requests; omit for the most recent
            pending one (or, if none is pending, the most recent one).
        confirmed: true only when the user has just said yes to sharing their contact.
    """
    services = runtime.context.services
    requests = await services.get(REQUESTS)
    if request_id:
        chosen = next((r for r in requests if r.get("id") == request_id), None)
    else:  # newest first: the latest still open, else the latest (a change of mind)
        pending = [r for r in requests if r.get("status") == "pending"]
        chosen = (pending or requests or [None])[0]
    if chosen is None:
        raise ServiceError(404, "there is no such contact request: no employer has asked yet")
    who = inline(chosen.get("company"), "this employer")  # an employer's words, as text
    if accept:
        asked = needs_confirmation(
            runtime.state,
            confirmed,
            "answer_contact_request",
            f"Let {who} see the e-mail address on your resume (job: {inline(chosen.get('job_title'))})?",
            {"accept": True, "request_id": chosen["id"]},
        )
        if asked:
            return asked
    answered = await services.post(f"{REQUESTS}/{chosen['id']}/answer", {"accept": bool(accept)})
    return output({"status": "answered", "request": _brief(answered)})


EMPLOYER_CONTACT_TOOLS = [request_contact]
CANDIDATE_CONTACT_TOOLS = [get_contact_requests, answer_contact_request]
