"""MCP clients for tests: a world of two organisations on a running `clearview serve`
(keys, jobs, a resume each), and initialised MCP sessions over streamable HTTP to its
`/mcp` or over stdio to a `clearview mcp` subprocess acting on it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from mcp import ClientSession, StdioServerParameters
from mcp.client.session import ElicitationFnT
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

from tests.helpers.server import CLEARVIEW, clean_env
from tests.plugins.agents import JOBS as AGENT_JOBS
from tests.plugins.agents import RESUME

# The assistant tests' resume and their first two jobs (a backend and a frontend one).
JOBS = AGENT_JOBS[:2]
# Keys made in the server's database: organisation slug and role of each.
KEYS = {
    "candidate_a": ("org-a", "candidate"),
    "employer_a": ("org-a", "employer"),
    "candidate_b": ("org-b", "candidate"),
    "employer_b": ("org-b", "employer"),
}
# Run in a process of its own, so the test process holds no connection to the server's
# SQLite file.
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


@dataclass(frozen=True)
class Org:
    candidate: str  # API keys
    employer: str
    job_ids: list[str]
    resume_id: str


@dataclass(frozen=True)
class World:
    base_url: str
    env: dict[str, str]  # for `clearview mcp` beside the server
    a: Org
    b: Org


Connect = Callable[..., AbstractAsyncContextManager[ClientSession]]


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def make_world(base_url: str, data_dir: Path, work_dir: Path) -> World:
    """Keys of two organisations in the server's database; each organisation's jobs, and
    its candidate's resume, open to employers."""
    env = clean_env(CLEARVIEW_DATA_DIR=str(data_dir))
    made = subprocess.run(
        [sys.executable, "-c", _MAKE_KEYS, json.dumps(KEYS)],
        env=env,
        cwd=work_dir,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    keys: dict[str, str] = json.loads(made.stdout.strip().splitlines()[-1])
    with httpx.Client(base_url=base_url, timeout=120) as http:
        a, b = (_populate(http, keys[f"candidate_{o}"], keys[f"employer_{o}"]) for o in "ab")
    return World(base_url, env, a, b)


def _populate(http: httpx.Client, candidate: str, employer: str) -> Org:
    job_ids = []
    for job in JOBS:
        r = http.post("/api/v1/jobs", json=job, headers=bearer(employer))
        assert r.status_code == 201, r.text
        job_ids.append(r.json()["id"])
    files = {"file": ("resume.txt", RESUME.encode(), "text/plain")}
    r = http.post("/api/v1/resumes", files=files, headers=bearer(candidate))
    assert r.status_code == 201, r.text
    resume_id = r.json()["id"]
    opt_in = {"open_to_employers": True}
    r = http.patch("/api/v1/candidates/me", json=opt_in, headers=bearer(candidate))
    assert r.status_code == 200, r.text
    return Org(candidate, employer, job_ids, resume_id)


def connector(transport: str, world: World) -> Connect:
    """`async with connect(key, elicitation=None) as session`: an initialised session."""

    @asynccontextmanager
    async def connect(
        key: str, elicitation: ElicitationFnT | None = None
    ) -> AsyncIterator[ClientSession]:
        async with (
            _streams(transport, world, key) as (read, write),
            ClientSession(read, write, elicitation_callback=elicitation) as session,
        ):
            await session.initialize()
            yield session

    return connect


@asynccontextmanager
async def _streams(transport: str, world: World, key: str) -> AsyncIterator[tuple[Any, Any]]:
    if transport == "http":
        timeout = httpx.Timeout(30, read=300)
        async with (
            httpx.AsyncClient(headers=bearer(key), timeout=timeout) as http,
            streamable_http_client(f"{world.base_url}/mcp", http_client=http) as (r, w, _),
        ):
            yield r, w
        return
    env = {**world.env, "CLEARVIEW_API_KEY": key, "CLEARVIEW_SERVICES_URL": world.base_url}
    params = StdioServerParameters(command=str(CLEARVIEW), args=["mcp"], env=env)
    async with stdio_client(params) as (r, w):
        yield r, w
