"""MCP requests count against their key's rate limit, like any call with it: an app of
the services under uvicorn in this process (so the limit can be set low for the test)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from sqlalchemy.ext.asyncio import AsyncEngine

from api.identity.service import create_api_key
from clearview.app import build_app
from core.db import session_scope
from core.settings import reset_settings_cache
from tests.helpers.server import serve_in_thread

LIMIT = 5


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


@pytest.fixture
def server(engine: AsyncEngine, redis_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("CLEARVIEW_REDIS_URL", redis_url)
    monkeypatch.setenv("CLEARVIEW_RATE_LIMIT_PER_MINUTE", str(LIMIT))
    reset_settings_cache()
    with serve_in_thread(build_app({"gateway", "resumes"})) as base_url:
        yield base_url


async def test_mcp_requests_count_against_the_key(server: str, engine: AsyncEngine) -> None:
    async with session_scope(engine) as session:
        key = await create_api_key(session, "org-a", "candidate")
        other = await create_api_key(session, "org-a", "candidate")
    headers = {"Authorization": f"Bearer {key}"}
    async with (
        httpx.AsyncClient(headers=headers, timeout=30) as http,
        streamable_http_client(f"{server}/mcp", http_client=http) as (read, write, _),
        ClientSession(read, write) as session,
    ):
        await session.initialize()  # initialize, then the initialized notification
        await session.list_tools()
        # The tool's own call to the services spends the same key's budget.
        await session.call_tool("get_job_alerts", {})
    async with httpx.AsyncClient(base_url=server) as http:
        spent = await http.get("/api/v1/me", headers=headers)
        fresh = await http.get("/api/v1/me", headers={"Authorization": f"Bearer {other}"})
        refused = await http.post(
            "/mcp",
            json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
            headers=headers | {"Accept": "application/json, text/event-stream"},
        )
    assert spent.status_code == 429, spent.text
    assert fresh.status_code == 200
    assert refused.status_code == 429 and "per minute" in refused.json()["detail"]
