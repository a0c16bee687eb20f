"""The offline assistant's reading of free-form requests, end to end through the real
services: a job title ranks its jobs first, German is answered in German, and asking for
a job description changes nothing."""

from __future__ import annotations

import httpx

from agents.chat import Assistant
from tests.plugins.agents import World, names, open_to_employers, say


async def test_a_job_title_puts_its_jobs_first(assistant: Assistant, world: World) -> None:
    calls, reply = await say(assistant, world.candidate, "q", "any data engineer jobs?")
    assert names(calls) == ["find_matching_jobs"]
    assert calls[0]["args"]["query"] == "data engineer"
    first = reply.splitlines()[1]
    assert first.startswith("1. Data Engineer"), reply
    assert 'Jobs naming "data engineer" in their title or skills come first: 1 of' in reply


async def test_a_place_filters_the_search(assistant: Assistant, world: World) -> None:
    calls, reply = await say(assistant, world.candidate, "p", "jobs in Paris please")
    assert calls[0]["args"]["location"] == "paris"
    assert "Frontend React Developer" in reply and "Data Engineer" not in reply


async def test_employment_type_and_level_are_applied_and_said(
    assistant: Assistant, world: World
) -> None:
    calls, reply = await say(assistant, world.candidate, "s1", "any senior full time roles?")
    assert calls[0]["args"]["seniority"] == "senior"
    assert calls[0]["args"]["employment_type"] == "full_time"
    # the fixture's jobs state neither: none is listed as meeting them
    assert reply == "No published job full-time, senior level fits your resume yet."
    calls, reply = await say(assistant, world.candidate, "s2", "jobs in Paris please")
    assert "Only jobs in paris." in reply


async def test_a_german_search_is_answered_in_german(assistant: Assistant, world: World) -> None:
    calls, reply = await say(assistant, world.candidate, "de", "Zeig mir passende Stellen")
    assert names(calls) == ["find_matching_jobs"]
    assert reply.startswith("Diese Stellen passen am besten zu deinem Lebenslauf:")
    # the chat labels its cards in the language the reply event names
    final = await assistant.run_turn(world.candidate.identity, "de", "Zeig mir passende Stellen")
    assert final["language"] == "de"
    final = await assistant.run_turn(world.candidate.identity, "en", "show me matching jobs")
    assert final["language"] == "en"


async def test_asking_for_a_job_description_creates_nothing(
    assistant: Assistant, world: World
) -> None:
    calls, _ = await say(assistant, world.employer, "w", "write a job description for a nurse")
    assert "create_job" not in names(calls)
    async with httpx.AsyncClient(base_url=world.base, timeout=60) as http:
        page = (await http.get("/api/v1/jobs", headers=world.employer.headers)).json()
    assert page["total"] == 3, page  # the fixture's three jobs, nothing new


async def test_an_employer_narrows_candidates_by_skills_and_years(
    assistant: Assistant, world: World
) -> None:
    await open_to_employers(world)  # Priya: Python and Django, 5 years (2019 - 2024)
    ask = "candidates with python and django and 4+ years for the Backend Python Engineer job"
    calls, reply = await say(assistant, world.employer, "f1", ask)
    assert names(calls) == ["find_candidates"]
    assert calls[0]["args"]["skills"] == ["python", "django"]
    assert calls[0]["args"]["min_years"] == 4
    assert "with python, django and with at least 4 years of work" in reply
    assert f"1. Candidate {world.resume_id[:8]}" in reply

    ask = "candidates with 8+ years for the Backend Python Engineer job"
    _, reply = await say(assistant, world.employer, "f2", ask)
    assert "No opted-in candidate with at least 8 years of work matches" in reply
