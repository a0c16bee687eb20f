"""MCP test fixtures: a real `clearview serve` (every service, the workers, `/mcp`), two
organisations with keys, jobs and a resume each, and MCP client sessions over either
transport: streamable HTTP to the server, or stdio to a `clearview mcp` subprocess that
acts on it.

The server has a data dir and an embedded Valkey of its own; the keys are created in
its SQLite database by a short subprocess, so the test process holds no connection to it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.session import ElicitationFnT
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

CLEARVIEW = Path(sys.executable).with_name("clearview")
START_TIMEOUT_S = 180

RESUME = (
    "Priya Nair\npriya@example.org\nSoftware engineer, 5 years.\n"
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
]
# Keys made in the server's database: organisation slug and role of each.
KEYS = {
    "candidate_a": ("org-a", "candidate"),
    "employer_a": ("org-a", "employer"),
    "candidate_b": ("org-b", "candidate"),
    "employer_b": ("org-b", "employer"),
}
_MAKE_KEYS = """
import asyncio, json, sys
from api.identity.service import create_api_key
from core.db import dispose_engines, session_scope

async def main():
    keys = {}
    for name, (org, role) in json.loads(sys.argv[1]).items():
        async with session_scope() as session:
            keys[name] = await create_api_key(session, org, role)
    await dispose_engines()
    print(json.dumps(keys))

asyncio.run(main())
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Org:
    candidate: str  # API keys
    employer: str
    job_ids: list[str]
    resume_id: str


@dataclass(frozen=True)
class World:
    base_url: str
    env: dict[str, str]  # the server's environment (for `clearview mcp` beside it)
    a: Org
    b: Org


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, model_cache_dir: Path) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("mcp")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLEARVIEW_", "CHAINLIT_"))}
    env.update(
        CLEARVIEW_DATA_DIR=str(tmp / "data"),
        CLEARVIEW_MODE="dev",
        CLEARVIEW_MODEL_CACHE_DIR=str(model_cache_dir),
    )
    log_path = tmp / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(CLEARVIEW), "serve", "--port", str(port), "--no-demo"],
            env=env,
            cwd=tmp,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, process, log_path)
        made = subprocess.run(
            [sys.executable, "-c", _MAKE_KEYS, json.dumps(KEYS)],
            env=env,
            cwd=tmp,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        keys: dict[str, str] = json.loads(made.stdout.strip().splitlines()[-1])
        with httpx.Client(base_url=base, timeout=120) as http:
            orgs = [_populate(http, keys[f"candidate_{o}"], keys[f"employer_{o}"]) for o in "ab"]
        yield World(base, env, *orgs)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_healthy(base: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"server exited:\n{log_path.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"server not healthy:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.5)


def _populate(http: httpx.Client, candidate: str, employer: str) -> Org:
    """The employer's jobs; the candidate's resume, open to employers."""
    job_ids = []
    for job in JOBS:
        r = http.post("/api/v1/jobs", json=job, headers=_bearer(employer))
        assert r.status_code == 201, r.text
        job_ids.append(r.json()["id"])
    files = {"file": ("resume.txt", RESUME.encode(), "text/plain")}
    r = http.post("/api/v1/resumes", files=files, headers=_bearer(candidate))
    assert r.status_code == 201, r.text
    resume_id = r.json()["id"]
    opt_in = {"open_to_employers": True}
    r = http.patch("/api/v1/candidates/me", json=opt_in, headers=_bearer(candidate))
    assert r.status_code == 200, r.text
    return Org(candidate, employer, job_ids, resume_id)


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


Connect = Callable[..., AbstractAsyncContextManager[ClientSession]]


# Each stdio session starts a `clearview mcp` process (seconds of imports): slow.
@pytest.fixture(params=["http", pytest.param("stdio", marks=pytest.mark.slow)])
def connect(request: pytest.FixtureRequest, world: World) -> Connect:
    """An initialised MCP client session for an API key, over the parametrised transport:
    `async with connect(key) as session: ...`."""
    transport = str(request.param)

    @asynccontextmanager
    async def _connect(
        key: str, elicitation: ElicitationFnT | None = None
    ) -> AsyncIterator[ClientSession]:
        async with (
            _streams(transport, world, key) as (read, write),
            ClientSession(read, write, elicitation_callback=elicitation) as session,
        ):
            await session.initialize()
            yield session

    return _connect


@asynccontextmanager
async def _streams(transport: str, world: World, key: str) -> AsyncIterator[tuple[Any, Any]]:
    if transport == "http":
        headers = _bearer(key)
        timeout = httpx.Timeout(30, read=300)
        async with (
            httpx.AsyncClient(headers=headers, timeout=timeout) as http,
            streamable_http_client(f"{world.base_url}/mcp", http_client=http) as (r, w, _),
        ):
            yield r, w
        return
    env = {**world.env, "CLEARVIEW_API_KEY": key, "CLEARVIEW_SERVICES_URL": world.base_url}
    params = StdioServerParameters(command=str(CLEARVIEW), args=["mcp"], env=env)
    async with stdio_client(params) as (r, w):
        yield r, w
