"""Job alerts and reports in the chat, on the offline model: real services over HTTP, real
checkpointer; what the tools did is checked through the services themselves."""

from __future__ import annotations

import io
from typing import Any

import httpx
from pypdf import PdfReader

from agents.chat import Assistant
from tests.plugins.agents import Caller, World, names, open_to_employers, say
from tools.client import ServiceClient


async def _alerts(world: World, caller: Caller) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=world.base) as http:
        answer = await http.get("/api/v1/alerts", headers=caller.headers)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def test_candidate_turns_alerts_on_reads_them_and_stops_them(
    assistant: Assistant, world: World
) -> None:
    calls, reply = await say(
        assistant,
        world.candidate,
        "alerts",
        "Turn on job alerts for remote jobs above 0.7, at most 3 a day",
    )
    assert names(calls) == ["set_job_alerts"]
    assert calls[0]["args"] == {"min_score": 0.7, "max_per_day": 3, "remote": True}
    stored = await _alerts(world, world.candidate)
    assert (stored["enabled"], stored["min_score"], stored["remote"], stored["max_per_day"]) == (
        True,
        0.7,
        True,
        3,
    )
    assert "70%" in reply and "remote only" in reply and "at most 3 a day" in reply

    calls, reply = await say(assistant, world.candidate, "alerts", "my alerts")
    assert names(calls) == ["get_job_alerts"] and "Job alerts are on" in reply

    calls, reply = await say(assistant, world.candidate, "alerts", "Stop job alerts")
    assert names(calls) == ["stop_job_alerts"] and "job alerts are off" in reply
    assert (await _alerts(world, world.candidate))["enabled"] is False

    calls, reply = await say(assistant, world.candidate, "alerts", "Are my job alerts on?")
    assert names(calls) == ["get_job_alerts"] and "Job alerts are off" in reply


async def _download(world: World, caller: Caller, link: dict[str, Any]) -> bytes:
    async with httpx.AsyncClient() as http:
        got = await ServiceClient(http, world.base, caller.identity.api_key).download(
            link["path"], **link["params"]
        )
    return got.body


def _pdf_text(body: bytes) -> str:
    assert body.startswith(b"%PDF")
    return " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages)


async def test_candidate_asks_for_their_report(assistant: Assistant, world: World) -> None:
    events = [
        e
        async for e in assistant.stream_turn(world.candidate.identity, "rep", "Download my report")
    ]
    result = next(e for e in events if e["type"] == "tool_result")
    reply = events[-1]["text"]
    assert result["name"] == "get_my_report"
    data = result["data"]
    assert data["status"] == "ready" and data["top_matches"][0]["title"] == (
        "Backend Python Engineer"
    )
    assert "Here is your report" in reply and "Backend Python Engineer" in reply
    # The links the chat UI downloads with the same key: a PDF with the report's sections
    # and the skill-gap chart as an image.
    text = _pdf_text(await _download(world, world.candidate, data["pdf"]))
    for section in ("Resume critique", "Top job matches", "Skill gap", "Rewrite history"):
        assert section in text
    chart = (await _download(world, world.candidate, data["chart"])).decode()
    assert chart.startswith("<svg") and "Airflow" in chart and "you have it" in chart


async def test_employer_gets_a_blind_shortlist_and_a_funnel_report(
    assistant: Assistant, world: World
) -> None:
    await open_to_employers(world)
    calls, reply = await say(
        assistant, world.employer, "short", "Shortlist for the Backend Python Engineer job"
    )
    assert names(calls) == ["get_shortlist_report"]
    assert calls[0]["args"] == {"job": "Backend Python Engineer"}
    assert "blind shortlist for Backend Python Engineer" in reply and "Candidate A" in reply
    assert "Priya" not in reply and "priya@example.org" not in reply

    events = [
        e async for e in assistant.stream_turn(world.employer.identity, "funnel", "Funnel report")
    ]
    result = next(e for e in events if e["type"] == "tool_result")
    assert result["name"] == "get_funnel_report" and result["data"]["status"] == "ready"
    text = _pdf_text(await _download(world, world.employer, result["data"]["pdf"]))
    assert "Funnel" in text and "Task latency" in text

    # Alerts are a candidate's tool only.
    calls, _ = await say(assistant, world.employer, "alerts", "Turn on job alerts")
    assert not {"set_job_alerts", "get_job_alerts"} & set(names(calls))


async def test_a_report_asked_in_the_background_is_a_task(
    assistant: Assistant, world: World
) -> None:
    events = [
        e
        async for e in assistant.stream_turn(
            world.candidate.identity, "bg", "Prepare my report in the background"
        )
    ]
    tasks = [e for e in events if e["type"] == "task"]
    assert [t["kind"] for t in tasks] == ["report"]
    assert events[-1]["tasks"][0]["task_id"] == tasks[0]["task_id"]
    assert "in the background" in events[-1]["text"]
    async with httpx.AsyncClient(base_url=world.base) as http:
        task = await http.get(tasks[0]["status_url"], headers=world.candidate.headers)
    assert task.status_code == 200
    assert task.json()["kind"] == "report" and task.json()["chat_session_id"] == "bg"
