"""ClearView through the official MCP client, over streamable HTTP (`/mcp` of a running
`clearview serve`) and over stdio (`clearview mcp` acting on it): every test runs on
both transports (the `connect` fixture)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from typing import Any

import httpx
import pytest
from mcp import ClientSession, types
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.context import RequestContext
from mcp.shared.exceptions import McpError
from pydantic import AnyUrl

from tests.helpers.mcp_clients import Connect, World, bearer
from tests.helpers.server import CLEARVIEW

# One server for the module: keep its tests on one xdist worker.
pytestmark = [pytest.mark.timeout(300), pytest.mark.xdist_group("mcp-server")]
TASK_WAIT_S = 120


def structured(result: types.CallToolResult) -> dict[str, Any]:
    assert not result.isError, result.content
    assert result.structuredContent is not None
    # Text for clients that show text only: the same data.
    first = result.content[0]
    assert isinstance(first, types.TextContent)
    assert json.loads(first.text) == json.loads(json.dumps(result.structuredContent))
    return result.structuredContent


async def read_json(session: ClientSession, uri: str) -> Any:
    contents = (await session.read_resource(AnyUrl(uri))).contents
    assert isinstance(contents[0], types.TextResourceContents)
    return json.loads(contents[0].text)


async def test_candidate_and_employer_keys_list_their_own_tools(
    connect: Connect, world: World
) -> None:
    async with connect(world.a.candidate) as session:
        candidate = {t.name: t for t in (await session.list_tools()).tools}
        prompts = {p.name for p in (await session.list_prompts()).prompts}
    async with connect(world.a.employer) as session:
        employer = {t.name: t for t in (await session.list_tools()).tools}
    assert {"find_matching_jobs", "request_rewrite", "get_task_result"} <= set(candidate)
    assert {"find_candidates", "create_job", "get_task_result"} <= set(employer)
    assert "find_candidates" not in candidate and "find_matching_jobs" not in employer
    assert prompts == {"tailor_resume"}
    # One definition: the docstring and the signature of the chat agent's tool.
    find = candidate["find_matching_jobs"]
    assert find.description and "best match the user's current resume" in find.description
    assert {"top_k", "location", "remote", "in_background"} <= set(find.inputSchema["properties"])


async def test_a_candidate_finds_matching_jobs_as_structured_results(
    connect: Connect, world: World
) -> None:
    async with connect(world.a.candidate) as session:
        data = structured(await session.call_tool("find_matching_jobs", {"top_k": 3}))
        resume = await read_json(session, "clearview://resume/current")
    assert data["resume_id"] == world.a.resume_id
    best = data["matches"][0]
    assert best["title"] == "Backend Python Engineer"
    assert 0 < best["score"] <= 1
    assert "Python" in best["matched_skills"]
    assert resume["resume_id"] == world.a.resume_id
    assert "Python" in resume["parsed"]["skills"]
    assert isinstance(resume["json_resume"], dict)  # the resumes service exports it


async def test_an_employer_finds_candidates_for_their_job(connect: Connect, world: World) -> None:
    async with connect(world.a.employer) as session:
        data = structured(
            await session.call_tool("find_candidates", {"job": world.a.job_ids[0], "top_k": 5})
        )
        job = await read_json(session, f"clearview://jobs/{world.a.job_ids[0]}")
        prompt = await session.get_prompt("shortlist", {"job": world.a.job_ids[0]})
    assert data["job"]["id"] == world.a.job_ids[0]
    resumes = {m["resume_id"] for m in data["matches"]}
    # Both organisations' candidates opted in; candidates are found across organisations.
    assert world.a.resume_id in resumes
    assert job["title"] == "Backend Python Engineer"
    message = prompt.messages[0].content
    assert isinstance(message, types.TextContent) and world.a.job_ids[0] in message.text


async def test_a_key_of_one_organisation_cannot_reach_anothers(
    connect: Connect, world: World
) -> None:
    b_job = world.b.job_ids[0]
    b_task = await _rewrite_task(world.b.candidate, world.b.job_ids[0], world)
    async with connect(world.a.employer) as session:
        for name, args in [
            ("find_candidates", {"job": b_job}),
            ("update_job", {"job": b_job, "title": "taken over"}),
            ("get_shortlist_report", {"job": b_job}),
            ("compare_candidates", {"job": b_job, "first": "1", "second": "2"}),
            ("request_contact", {"job": b_job, "candidate": "1"}),
            ("get_task_result", {"task_id": b_task}),
        ]:
            result = await session.call_tool(name, args)
            assert result.isError, (name, result.structuredContent)
            assert result.structuredContent and result.structuredContent["status"] == 404
        for uri in [
            f"clearview://jobs/{b_job}",
            f"clearview://reports/jobs/{b_job}/shortlist",
            f"clearview://tasks/{b_task}",
        ]:
            with pytest.raises(McpError):
                await session.read_resource(AnyUrl(uri))
    async with connect(world.a.candidate) as session:
        result = await session.call_tool("get_task_result", {"task_id": b_task})
        assert result.isError
        with pytest.raises(McpError):
            await session.read_resource(AnyUrl(f"clearview://tasks/{b_task}"))
        # The current resume is always the caller's own.
        resume = await read_json(session, "clearview://resume/current")
        assert resume["resume_id"] == world.a.resume_id
        # A tool of the other role is not there for this key.
        result = await session.call_tool("find_candidates", {"job": b_job})
        assert result.isError
    async with httpx.AsyncClient(base_url=world.base_url) as http:
        job = await http.get(f"/api/v1/jobs/{b_job}", headers=bearer(world.b.employer))
    assert job.json()["title"] == "Backend Python Engineer"


async def test_a_long_rewrite_answers_a_task_then_its_result(
    connect: Connect, world: World
) -> None:
    confirmations: list[str] = []

    async def confirm(
        _context: RequestContext[ClientSession, Any], params: types.ElicitRequestParams
    ) -> types.ElicitResult:
        confirmations.append(params.message)
        return types.ElicitResult(action="accept", content={"confirm": True})

    await _back_to_the_upload(world)
    async with connect(world.a.candidate, elicitation=confirm) as session:
        started = structured(
            await session.call_tool("request_rewrite", {"job_id": world.a.job_ids[0]})
        )
        assert started["status"] == "queued"  # the service's word, after the tool's "started"
        assert started["status_url"] == f"/api/v1/tasks/{started['task_id']}"
        task_id = started["task_id"]
        done = await _finished(session, task_id)
        assert done["task"]["status"] == "succeeded", done["task"]
        assert done["result"]["kind"] == "rewrite" and done["result"]["version_id"]
        assert done["result"]["resume_id"] == world.a.resume_id
        from_resource = await read_json(session, f"clearview://tasks/{task_id}")
        assert from_resource == done
        # Accepting needs the user's own yes: asked through the client, then done.
        accepted = structured(await session.call_tool("accept_rewrite", {}))
    assert confirmations == ["Make the rewritten version your current resume?"]
    assert accepted["status"] == "accepted"
    assert accepted["version_id"] == done["result"]["version_id"]


async def _back_to_the_upload(world: World) -> None:
    """The uploaded version current again: a rewrite accepted by an earlier test (another
    transport) is already tailored, and tailoring it again would change nothing."""
    async with httpx.AsyncClient(base_url=world.base_url) as http:
        path = f"/api/v1/resumes/{world.a.resume_id}"
        versions = (await http.get(f"{path}/versions", headers=bearer(world.a.candidate))).json()
        [upload] = [v for v in versions if v["source"] == "uploaded"]
        r = await http.put(
            f"{path}/current", json={"version_id": upload["id"]}, headers=bearer(world.a.candidate)
        )
    assert r.status_code == 200, r.text


async def test_a_match_over_many_items_answers_a_task_then_its_result(
    connect: Connect, world: World
) -> None:
    async with connect(world.a.employer) as session:
        args = {"job": world.a.job_ids[0], "top_k": 50, "in_background": True}
        started = structured(await session.call_tool("find_candidates", args))
        employer_done = await _finished(session, started["task_id"])
    async with connect(world.a.candidate) as session:
        args = {"top_k": 50, "in_background": True, "location": "London"}
        refused = await session.call_tool("find_matching_jobs", args)
        args.pop("location")
        started = structured(await session.call_tool("find_matching_jobs", args))
        candidate_done = await _finished(session, started["task_id"])
    assert refused.isError and refused.structuredContent
    assert "filters" in refused.structuredContent["error"]
    assert employer_done["task"]["kind"] == "match_candidates"
    assert world.a.resume_id in {m["resume_id"] for m in employer_done["result"]["matches"]}
    assert candidate_done["task"]["kind"] == "match_jobs"
    ranked = [m["job_id"] for m in candidate_done["result"]["matches"]]
    assert ranked[0] in world.a.job_ids + world.b.job_ids


async def test_a_write_needing_confirmation_is_not_done_without_one(
    connect: Connect, world: World
) -> None:
    async def decline(
        _context: RequestContext[ClientSession, Any], _params: types.ElicitRequestParams
    ) -> types.ElicitResult:
        return types.ElicitResult(action="decline")

    async with connect(world.b.candidate, elicitation=decline) as session:
        # Even `confirmed=true` from the model does not confirm: only the user does.
        asked = structured(await session.call_tool("delete_my_data", {"confirmed": True}))
        assert asked["confirmation_required"] is True
        resume = await read_json(session, "clearview://resume/current")
    assert resume["resume_id"] == world.b.resume_id
    # A client that cannot ask the user is told so, and nothing changes.
    async with connect(world.b.candidate) as session:
        args = {"open_to_employers": False, "confirmed": True}
        asked = structured(await session.call_tool("set_visibility", args))
    assert asked["confirmation_required"] is True
    assert "cannot ask" in asked["instruction"]
    async with httpx.AsyncClient(base_url=world.base_url) as http:
        me = await http.get("/api/v1/candidates/me", headers=bearer(world.b.candidate))
    assert me.json()["open_to_employers"] is True


async def test_no_key_is_refused_over_http(world: World) -> None:
    # No header, and an unknown key, are refused before any MCP exchange.
    async with httpx.AsyncClient(base_url=world.base_url) as http:
        hello = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}}
        accept = {"Accept": "application/json, text/event-stream"}
        missing = await http.post("/mcp", json=hello, headers=accept)
        unknown = await http.post("/mcp", json=hello, headers=accept | bearer("cv_nope_123"))
    assert missing.status_code == 401 and "Authorization: Bearer" in missing.json()["detail"]
    assert unknown.status_code == 401
    with pytest.raises(Exception):  # noqa: B017 - the client surfaces the 401 in its own way
        async with (
            httpx.AsyncClient() as plain,
            streamable_http_client(f"{world.base_url}/mcp", http_client=plain) as (r, w, _),
            ClientSession(r, w) as session,
        ):
            await asyncio.wait_for(session.initialize(), 30)


async def test_a_session_answers_only_the_key_that_opened_it(world: World) -> None:
    async with (
        httpx.AsyncClient(headers=bearer(world.b.candidate), timeout=30) as http,
        streamable_http_client(f"{world.base_url}/mcp", http_client=http) as (r, w, session_id),
        ClientSession(r, w) as session,
    ):
        await session.initialize()
        opened = session_id()
        assert opened
        async with httpx.AsyncClient(base_url=world.base_url, timeout=30) as other:
            hijack = await other.post(
                "/mcp",
                json={"jsonrpc": "2.0", "id": 7, "method": "tools/list"},
                headers=bearer(world.a.candidate)
                | {"Accept": "application/json, text/event-stream", "Mcp-Session-Id": opened},
            )
        assert hijack.status_code == 404
        assert (await session.list_tools()).tools  # the owner's session still works


@pytest.mark.slow
def test_stdio_does_not_start_without_a_valid_key(world: World) -> None:
    env = {**world.env, "CLEARVIEW_SERVICES_URL": world.base_url}
    without = subprocess.run(
        [CLEARVIEW, "mcp"], env=env, capture_output=True, text=True, timeout=120
    )
    env["CLEARVIEW_API_KEY"] = "cv_nope_123"
    wrong = subprocess.run([CLEARVIEW, "mcp"], env=env, capture_output=True, text=True, timeout=120)
    assert without.returncode == 2 and "CLEARVIEW_API_KEY" in without.stderr
    assert wrong.returncode == 1 and "401" in wrong.stderr
    assert not without.stdout and not wrong.stdout  # stdout is the protocol's alone


async def _rewrite_task(candidate: str, job_id: str, world: World) -> str:
    async with httpx.AsyncClient(base_url=world.base_url, timeout=60) as http:
        me = await http.get("/api/v1/candidates/me", headers=bearer(candidate))
        resume_id = me.json()["current_resume_id"]
        r = await http.post(
            f"/api/v1/resumes/{resume_id}/rewrites",
            json={"job_id": job_id},
            headers=bearer(candidate),
        )
    assert r.status_code == 202, r.text
    return str(r.json()["task_id"])


async def _finished(session: ClientSession, task_id: str) -> dict[str, Any]:
    """The task once it left queued/running, read through the tool, as a client would."""
    deadline = time.monotonic() + TASK_WAIT_S
    while True:
        data = structured(await session.call_tool("get_task_result", {"task_id": task_id}))
        if data["task"]["status"] not in ("queued", "running"):
            return data
        assert time.monotonic() < deadline, f"task {task_id} still {data['task']['status']}"
        await asyncio.sleep(0.2)
