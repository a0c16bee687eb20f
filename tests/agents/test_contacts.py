"""Contact requests in the chat, on the offline model: an employer asks from the candidate
list, the candidate lists, accepts (only after their own "yes") and withdraws; the effect
is checked through the services (the request's state and the blind shortlist)."""

from __future__ import annotations

from typing import Any

import httpx

from agents.chat import Assistant
from tests.plugins.agents import Caller, World, names, open_to_employers, say

JOB = "Backend Python Engineer"
EMAIL = "priya@example.org"  # on the world's resume


async def _requests(world: World, caller: Caller) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=world.base) as http:
        answer = await http.get("/api/v1/contact-requests", headers=caller.headers)
    assert answer.status_code == 200, answer.text
    rows: list[dict[str, Any]] = answer.json()
    return rows


async def _shortlisted_email(world: World) -> Any:
    async with httpx.AsyncClient(base_url=world.base, timeout=60) as http:
        answer = await http.get(
            f"/api/v1/reports/jobs/{world.job_ids[JOB]}/shortlist",
            params={"format": "json"},
            headers=world.employer.headers,
        )
    assert answer.status_code == 200, answer.text
    [row] = answer.json()["candidates"]
    return row["contact_email"]


async def test_employer_asks_and_the_candidate_answers_in_the_chat(
    assistant: Assistant, world: World
) -> None:
    await open_to_employers(world)
    await say(assistant, world.employer, "ask", f"Find candidates for the {JOB} job")
    calls, reply = await say(
        assistant, world.employer, "ask", "Ask candidate 1 if we may contact them"
    )
    assert names(calls) == ["request_contact"]
    assert calls[0]["args"] == {"job": world.job_ids[JOB], "candidate": "1"}
    assert "Done: I asked candidate" in reply and JOB in reply
    [request] = await _requests(world, world.employer)
    assert request["status"] == "pending" and request["job_id"] == world.job_ids[JOB]
    assert await _shortlisted_email(world) is None

    calls, reply = await say(assistant, world.candidate, "c", "Who wants to contact me?")
    assert names(calls) == ["get_contact_requests"]
    assert f"for {JOB}: pending" in reply

    calls, reply = await say(assistant, world.candidate, "c", "Accept the first contact request")
    assert names(calls) == ["answer_contact_request"]
    assert "e-mail address" in reply and '"yes"' in reply
    assert (await _requests(world, world.candidate))[0]["status"] == "pending"  # asked only

    calls, reply = await say(assistant, world.candidate, "c", "yes")
    assert calls[0]["args"] == {"accept": True, "request_id": request["id"], "confirmed": True}
    assert "can now see the e-mail address" in reply
    assert (await _requests(world, world.candidate))[0]["status"] == "accepted"
    assert await _shortlisted_email(world) == EMAIL

    calls, reply = await say(
        assistant, world.candidate, "c", "Withdraw my consent to the contact request"
    )
    assert names(calls) == ["answer_contact_request"] and calls[0]["args"]["accept"] is False
    assert "stay anonymous" in reply
    assert await _shortlisted_email(world) is None


async def test_no_request_yet_and_an_employer_cannot_answer(
    assistant: Assistant, world: World
) -> None:
    calls, reply = await say(assistant, world.candidate, "none", "My contact requests")
    assert names(calls) == ["get_contact_requests"] and "No employer has asked" in reply
    calls, reply = await say(assistant, world.candidate, "none", "Accept the contact request")
    assert "no such contact request" in reply
    calls, _ = await say(assistant, world.employer, "emp", "Accept the contact request")
    assert "answer_contact_request" not in names(calls)
