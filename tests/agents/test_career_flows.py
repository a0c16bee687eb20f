"""Career questions through the real services: occupation knowledge names O*NET and ESCO
with their attribution, and the platform's figures say how many jobs or candidates they
count."""

from __future__ import annotations

import uuid

import httpx

from agents.chat import Assistant
from ingest.careers import ESCO_ATTRIBUTION, ONET_ATTRIBUTION
from tests.plugins.agents import World, names, open_to_employers, say
from tools.markdown import inline


async def test_what_an_occupation_does_names_its_sources(
    assistant: Assistant, world: World
) -> None:
    calls, reply = await say(assistant, world.candidate, "c1", "what does a nurse do?")
    assert names(calls) == ["occupation_info"]
    assert calls[0]["args"] == {"occupation": "nurse", "aspect": "duties"}
    assert "Registered Nurses" in reply and "nurse responsible for general care" in reply
    # as plain text in Markdown: the asterisks of "O*NET" escaped, not paired into italics
    assert inline(ONET_ATTRIBUTION, limit=1000) in reply
    assert inline(ESCO_ATTRIBUTION, limit=1000) in reply


async def test_the_skills_an_occupation_needs_with_a_typo(
    assistant: Assistant, world: World
) -> None:
    calls, reply = await say(
        assistant, world.candidate, "c2", "what skills does an electrishan need?"
    )
    assert names(calls) == ["occupation_info"]
    assert "Essential skills (ESCO):" in reply and "electrician" in reply.lower()


async def test_what_to_learn_next_counts_the_closest_jobs(
    assistant: Assistant, world: World
) -> None:
    calls, reply = await say(assistant, world.candidate, "c3", "what should I learn next?")
    assert names(calls) == ["skills_to_learn"]
    lines = [line for line in reply.splitlines() if line.startswith("- ")]
    # The resume has Python, Django, PostgreSQL, Docker, Kubernetes: never suggested.
    assert lines and not any("Python" in line or "Docker" in line for line in lines), reply
    assert "- Amazon Web Services: 1" in lines and "- Apache Spark: 1" in lines, reply
    assert "Source: 3 jobs on ClearView" in reply


async def test_which_of_my_skills_are_in_demand(assistant: Assistant, world: World) -> None:
    calls, reply = await say(
        assistant, world.candidate, "c4", "which of my skills are most in demand?"
    )
    assert names(calls) == ["my_skills_in_demand"]
    assert reply.splitlines()[1] == "- Python: 2", reply  # the backend and data jobs
    assert "Source: 3 jobs on ClearView" in reply


async def test_what_candidates_miss_most(assistant: Assistant, world: World) -> None:
    await open_to_employers(world)
    calls, reply = await say(
        assistant, world.employer, "e1", 'what are candidates missing most for "Data Engineer"?'
    )
    assert names(calls) == ["candidates_missing_skills"]
    assert "- Apache Spark: 1" in reply and "Source: 1 candidate on ClearView" in reply


async def test_a_salary_range_next_to_the_platforms_jobs(
    assistant: Assistant, world: World
) -> None:
    async with httpx.AsyncClient(base_url=world.base, timeout=60) as http:
        for title, low, high in (
            ("Staff Nurse", 30000, 36000),
            ("Registered Nurse", 32000, 38000),
            ("Nurse", 34000, 40000),
        ):
            job = {
                "title": title,
                "description": "Ward nursing. Required: patient care.",
                "salary_min": low,
                "salary_max": high,
                "currency": "GBP",
            }
            r = await http.post("/api/v1/jobs", json=job, headers=world.employer.headers)
            assert r.status_code == 201, r.text
    calls, reply = await say(
        assistant, world.employer, "e2", 'is the salary of "Nurse" competitive?'
    )
    assert names(calls) == ["salary_benchmark"]
    assert "median 38,000 GBP" in reply and "3 comparable jobs" in reply, reply
    assert "Your range is above the median" in reply
    assert "Source: 3 jobs on ClearView" in reply


async def test_the_chat_api_returns_the_answer_with_its_sources(world: World) -> None:
    async with httpx.AsyncClient(base_url=world.base, timeout=120) as http:
        r = await http.post(
            "/api/v1/chat",
            json={"conversation_id": uuid.uuid4().hex, "message": "how do I become a plumber?"},
            headers=world.candidate.headers,
        )
    assert r.status_code == 200, r.text
    (result,) = r.json()["results"]
    assert result["kind"] == "answer" and result["tool"] == "occupation_info"
    (item,) = result["items"]
    assert [s["name"] for s in item["sources"]] == ["O*NET 29.2", "ESCO v1.1.1"]
    assert item["aspect"] == "path"


async def test_what_an_occupation_earns_says_what_the_platform_knows(
    assistant: Assistant, world: World
) -> None:
    calls, reply = await say(assistant, world.candidate, "c9", "how much does a nurse earn?")
    assert names(calls) == ["occupation_info"]
    assert calls[0]["args"] == {"occupation": "nurse", "aspect": "pay"}
    # the demo world's jobs state no pay: said, not invented
    assert reply.startswith("No published job on ClearView of the same occupation as nurse")
    assert "Source: 0 jobs on ClearView" in reply and "nurse responsible for general care" in reply
