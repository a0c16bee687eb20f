"""The chat assistant under test: the real app under uvicorn (a thread with its own loop),
callers with keys, a few published jobs, a candidate with an uploaded resume, and an
Assistant on a real checkpointer."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from agents.chat import Assistant
from agents.checkpointer import open_checkpointer
from agents.context import Identity
from api.identity.service import create_api_key, identity_service
from clearview.app import build_app
from core.db import session_scope
from core.settings import reset_settings_cache
from tests.helpers.server import serve_in_thread

RESUME = (
    "Priya Nair\npriya@example.org\n+44 20 7946 0958\nSoftware engineer, 5 years.\n"
    "Experience\nBackend Developer, Globex (2019 - 2024)\n"
    "- Built Python and Django APIs on PostgreSQL\n"
    "- Deployed services with Docker and Kubernetes\n"
    "Skills: Python, Django, PostgreSQL, Docker, Kubernetes, REST\n"
)
JOBS = [
    {
        "title": "Backend Python Engineer",
        "company": "Acme",
        "location": "London",
        "description": "We build APIs. Required: Python, Django, PostgreSQL, Docker. "
        "Preferred: Kubernetes, AWS. 3+ years of experience.",
        "required_skills": ["Python", "Django", "PostgreSQL", "Docker"],
        "preferred_skills": ["Kubernetes", "AWS"],
    },
    {
        "title": "Frontend React Developer",
        "company": "Acme",
        "location": "Paris",
        "description": "Build user interfaces. Required: JavaScript, React, CSS, TypeScript.",
        "required_skills": ["JavaScript", "React", "CSS", "TypeScript"],
    },
    {
        "title": "Data Engineer",
        "company": "Acme",
        "location": "Berlin",
        "description": "Pipelines. Required: Python, SQL, Apache Spark, Airflow. Preferred: Kafka.",
        "required_skills": ["Python", "SQL", "Apache Spark", "Airflow"],
        "preferred_skills": ["Kafka"],
    },
]


@pytest.fixture
def live_server(
    engine: AsyncEngine, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The whole app (with /api/v1/chat) under a real uvicorn on 127.0.0.1."""
    monkeypatch.setenv("CLEARVIEW_REDIS_URL", redis_url)
    reset_settings_cache()
    with serve_in_thread(build_app()) as base_url:
        yield base_url


@dataclass(frozen=True)
class Caller:
    identity: Identity

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.identity.api_key}"}


MakeCaller = Callable[..., Awaitable[Caller]]


@pytest.fixture
def make_caller(engine: AsyncEngine) -> MakeCaller:
    async def _make(org: str, role: str) -> Caller:
        async with session_scope(engine) as session:
            secret = await create_api_key(session, org, role)
        async with session_scope(engine) as session:
            who = await identity_service.authenticate(session, secret)
        return Caller(Identity(who.user_id, who.org_id, who.role.value, secret))

    return _make


@dataclass(frozen=True)
class World:
    base: str
    candidate: Caller
    employer: Caller
    job_ids: dict[str, str]  # title -> id
    resume_id: str


@pytest.fixture
async def world(live_server: str, make_caller: MakeCaller) -> World:
    """An employer with three published jobs; a candidate who uploaded RESUME."""
    employer = await make_caller("acme", "employer")
    candidate = await make_caller("public", "candidate")
    async with httpx.AsyncClient(base_url=live_server, timeout=60) as http:
        job_ids: dict[str, str] = {}
        for job in JOBS:
            r = await http.post("/api/v1/jobs", json=job, headers=employer.headers)
            assert r.status_code == 201, r.text
            job_ids[str(job["title"])] = r.json()["id"]
        r = await http.post(
            "/api/v1/resumes",
            files={"file": ("resume.txt", RESUME.encode(), "text/plain")},
            headers=candidate.headers,
        )
        assert r.status_code == 201, r.text
    return World(live_server, candidate, employer, job_ids, r.json()["id"])


@pytest.fixture
async def assistant(world: World) -> AsyncIterator[Assistant]:
    async with open_checkpointer() as saver, httpx.AsyncClient(timeout=60) as http:
        assistant = Assistant(saver, http, world.base)
        yield assistant
        await assistant.drain()


# Helpers of the chat tests.


async def top_matches(world: World) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=world.base, timeout=60) as http:
        r = await http.post(
            "/api/v1/match/jobs",
            json={"resume_id": world.resume_id, "top_k": 5},
            headers=world.candidate.headers,
        )
    return list(r.json()["matches"])


async def say(
    assistant: Assistant, caller: Caller, conversation: str, message: str
) -> tuple[list[dict[str, Any]], str]:
    """One turn: the tool calls made (each with its `result` once it came), and the reply."""
    calls: list[dict[str, Any]] = []
    reply = ""
    async for event in assistant.stream_turn(caller.identity, conversation, message):
        if event["type"] == "tool_call":
            calls.append(event)
        elif event["type"] == "tool_result":
            called = [c for c in calls if c["name"] == event["name"]]
            if called:
                called[-1]["result"] = event.get("data") or {}
        elif event["type"] == "reply":
            reply = event["text"]
    return calls, reply


def names(calls: list[dict[str, Any]]) -> list[str]:
    return [c["name"] for c in calls]


async def open_to_employers(world: World) -> None:
    """The world's candidate opts in to employer search."""
    async with httpx.AsyncClient(base_url=world.base) as http:
        answer = await http.patch(
            "/api/v1/candidates/me",
            json={"open_to_employers": True},
            headers=world.candidate.headers,
        )
    assert answer.status_code == 200, answer.text
