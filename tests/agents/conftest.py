"""Agent test fixtures: the real app under uvicorn (thread, own loop) on SQLite, keys, a
few jobs, a candidate with an uploaded resume, and an Assistant on a real checkpointer."""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy.ext.asyncio import AsyncEngine

from agents.chat import Assistant
from agents.checkpointer import open_checkpointer
from agents.context import Identity
from api.identity.service import create_api_key, identity_service
from clearview.app import build_app
from core.db import session_scope
from ingest.index import reset_index_cache

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


@pytest.fixture(autouse=True)
def fresh_index(isolated_settings: Path) -> Iterator[None]:
    """Each test's data dir gets its own embedded Chroma (the index is cached per process)."""
    reset_index_cache()
    yield
    reset_index_cache()


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """Agent flows run on SQLite; the services' own suites cover both databases."""
    return sqlite_url


@pytest.fixture
def live_server(
    engine: AsyncEngine, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The whole app (with /api/v1/chat) under a real uvicorn on 127.0.0.1."""
    monkeypatch.setenv("CLEARVIEW_REDIS_URL", redis_url)
    from core.settings import reset_settings_cache

    reset_settings_cache()
    server = uvicorn.Server(
        uvicorn.Config(build_app(), host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        assert thread.is_alive(), "uvicorn exited"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


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
