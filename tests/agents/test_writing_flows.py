"""Writing through the chat with no model configured: a rewrite whose diff changes
something, a stronger summary and a cover letter from the resume's own facts, and a
job-post draft that creates nothing (`POST /api/v1/chat`, real services)."""

from __future__ import annotations

import re
from typing import Any

import httpx

from agents.chat import Assistant
from api.rewrite.service import deterministic_chain
from core import bus
from tests.plugins.agents import RESUME, Caller, MakeCaller, World, names, say
from workers import rewrite

# The rewrite worker as the composition root builds it with no model configured.
REWRITE_WORKER = rewrite.work(deterministic_chain)


async def chat(http: httpx.AsyncClient, who: Caller, conversation: str, text: str) -> Any:
    answer = await http.post(
        "/api/v1/chat",
        json={"conversation_id": conversation, "message": text},
        headers=who.headers,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def changed_lines(diff: str) -> list[str]:
    return [
        line
        for line in diff.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


async def test_a_rewrite_through_the_chat_api_shows_a_diff_that_changes_something(
    world: World,
) -> None:
    async with httpx.AsyncClient(base_url=world.base, timeout=60) as http:
        await chat(http, world.candidate, "rw-diff", "Which jobs match my resume best?")
        started = await chat(http, world.candidate, "rw-diff", "Tailor my resume for the first job")
        [task] = [item for r in started["results"] for item in r["items"] if "task_id" in item]
        await REWRITE_WORKER.handle(
            bus.Message(bus.REWRITE, "0-1", {"task_id": task["task_id"]}, 1)
        )
        state = await http.get(f"/api/v1/tasks/{task['task_id']}", headers=world.candidate.headers)
        assert state.json()["status"] == "succeeded", state.text
        shown = await chat(http, world.candidate, "rw-diff", "Show me the rewrite")
    [result] = shown["results"]
    assert result["kind"] == "rewrite"
    diff = result["items"][0]["diff"]
    assert changed_lines(diff), diff
    assert "```diff" in shown["reply"] and "changed nothing" not in shown["reply"]


async def test_summary_and_cover_letter_drafts_come_from_the_resume_and_save_nothing(
    assistant: Assistant, world: World
) -> None:
    async with httpx.AsyncClient(base_url=world.base, timeout=60) as http:
        versions = f"/api/v1/resumes/{world.resume_id}/versions"
        before = (await http.get(versions, headers=world.candidate.headers)).json()
        calls, reply = await say(assistant, world.candidate, "sum", "make my summary stronger")
        assert names(calls) == ["draft_summary"], reply
        assert "Backend Developer with 5 years of experience" in reply and "```diff" in reply
        await say(assistant, world.candidate, "letter", "Which jobs match my resume best?")
        calls, reply = await say(
            assistant, world.candidate, "letter", "write a cover letter for the first job"
        )
        assert names(calls) == ["draft_cover_letter"], reply
        assert "Dear Acme hiring team" in reply and "Globex" in reply
        after = (await http.get(versions, headers=world.candidate.headers)).json()
    assert after == before
    # Every word of the letter's evidence is the resume's ("Built Python and Django APIs").
    quoted = re.findall(r"^- (.+)$", reply, re.M)
    assert quoted and all(q.split(" ", 1)[1] in RESUME for q in quoted if " " in q)


async def test_a_job_post_draft_creates_and_publishes_nothing(
    assistant: Assistant, world: World
) -> None:
    async with httpx.AsyncClient(base_url=world.base, timeout=60) as http:
        jobs = (await http.get("/api/v1/jobs", headers=world.employer.headers)).json()["total"]
        replies = {}
        for message in (
            "please draft a job ad for a warehouse worker",
            "write a job description for a data engineer",
            "can you write a nurse job ad?",
        ):
            calls, replies[message] = await say(assistant, world.employer, "draft", message)
            assert names(calls) == ["draft_job_post"], (message, replies[message])
            assert "no job was created or published" in replies[message]
            assert "O\\*NET" in replies[message] and "ESCO" in replies[message]
        # The platform's own jobs of that occupation are counted, and the answer says so.
        engineer = replies["write a job description for a data engineer"]
        assert "Apache Spark (asked for by 1 of 1 similar jobs on ClearView)" in engineer
        after = (await http.get("/api/v1/jobs", headers=world.employer.headers)).json()["total"]
    assert after == jobs


async def test_a_rewrite_that_can_change_nothing_says_why_and_stores_nothing(
    world: World, make_caller: MakeCaller
) -> None:
    candidate = await make_caller("public", "candidate")
    async with httpx.AsyncClient(base_url=world.base, timeout=60) as http:
        uploaded = await http.post(
            "/api/v1/resumes",
            files={"file": ("cv.txt", b"Sam Lee\nsam@example.org\nSkills: CSS\n", "text/plain")},
            headers=candidate.headers,
        )
        resume_id = uploaded.json()["id"]
        job_id = world.job_ids["Backend Python Engineer"]
        started = await http.post(
            f"/api/v1/resumes/{resume_id}/rewrites",
            json={"job_id": job_id},
            headers=candidate.headers,
        )
        task_id = started.json()["task_id"]
        await REWRITE_WORKER.handle(bus.Message(bus.REWRITE, "0-1", {"task_id": task_id}, 1))
        result = await http.get(f"/api/v1/tasks/{task_id}/result", headers=candidate.headers)
        versions = await http.get(
            f"/api/v1/resumes/{resume_id}/versions", headers=candidate.headers
        )
    assert result.status_code == 200, result.text
    assert result.json()["version_id"] is None
    assert "none of the skills this job asks for" in result.json()["data"]["unchanged"]
    assert [v["source"] for v in versions.json()] == ["uploaded"]


async def test_the_chat_says_why_a_rewrite_changed_nothing(
    assistant: Assistant, world: World, make_caller: MakeCaller
) -> None:
    candidate = await make_caller("public", "candidate")
    async with httpx.AsyncClient(base_url=world.base, timeout=60) as http:
        uploaded = await http.post(
            "/api/v1/resumes",
            files={"file": ("cv.txt", b"Sam Lee\nsam@example.org\nSkills: CSS\n", "text/plain")},
            headers=candidate.headers,
        )
        assert uploaded.status_code == 201, uploaded.text
    await say(assistant, candidate, "same", "Which jobs match my resume best?")
    final = await assistant.run_turn(
        candidate.identity, "same", "Tailor my resume for the first job"
    )
    [task] = final["tasks"]
    await REWRITE_WORKER.handle(bus.Message(bus.REWRITE, "0-1", {"task_id": task["task_id"]}, 1))
    calls, reply = await say(assistant, candidate, "same", "Show me the rewrite")
    assert names(calls) == ["show_rewrite"]
    assert reply.startswith("The rewrite found nothing to change: your resume"), reply
