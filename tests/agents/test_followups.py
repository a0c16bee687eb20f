"""What a chat turn starts and leaves behind: a rewrite that answers at once and is
announced in the same chat session when the worker is done, memory on PostgreSQL across
a reopened checkpointer, the turn and tool metric events, and streamed tokens with masked
personal details restored before the user sees them."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from agents.chat import Assistant
from agents.checkpointer import CHECKPOINT_SCHEMA, open_checkpointer
from api.rewrite.service import deterministic_chain
from core import bus
from core.db import session_scope
from core.engine import make_engine
from core.models import Notification, Task
from core.redis import close_clients, connect
from core.settings import get_settings, reset_settings_cache
from tests.helpers.oai_stub import Reply, StubLLM, last_message, serve
from tests.helpers.schema import schema_diff
from tests.plugins.agents import MakeCaller, World, names, say, top_matches
from workers import notify, rewrite

# The rewrite worker as the composition root builds it with no model configured.
REWRITE_WORKER = rewrite.work(deterministic_chain)


async def _entries_for(redis_url: str, stream: str, task_id: str) -> list[bus.Message]:
    """This task's entries of a shared stream (other suites write the same stream names)."""
    client = connect(redis_url)
    try:
        for _ in range(50):
            raw = await client.xrange(stream) or []
            found = [
                bus.Message(stream, str(entry_id), json.loads(fields[bus.FIELD]), 1)
                for entry_id, fields in raw
                if fields and json.loads(fields[bus.FIELD]).get("task_id") == task_id
            ]
            if found:
                return found
            await asyncio.sleep(0.05)
    finally:
        await client.aclose()
    return []


async def _pushes(pubsub: Any, wait_s: float) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    deadline = asyncio.get_running_loop().time() + wait_s
    while asyncio.get_running_loop().time() < deadline:
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.1)
        if message is not None:
            out.append(json.loads(message["data"]))
    return out


async def test_rewrite_from_chat_answers_at_once_and_is_announced_in_that_chat(
    assistant: Assistant, world: World, engine: AsyncEngine, redis_url: str
) -> None:
    conversation = f"rw-followup-{uuid.uuid4().hex[:8]}"  # pub/sub channels are server-wide
    listener = connect(redis_url)
    pubsub = listener.pubsub()
    await pubsub.subscribe(f"cv:chat:{conversation}")
    try:
        await say(assistant, world.candidate, conversation, "Which jobs match my resume best?")
        final = await assistant.run_turn(
            world.candidate.identity, conversation, "Tailor my resume for the first job"
        )
        # The turn answered with the task, before any worker ran it.
        assert len(final["tasks"]) == 1, final
        task_id = final["tasks"][0]["task_id"]
        async with session_scope(engine) as session:
            task = await session.get(Task, task_id)
            assert task is not None
            # The conversation is the chat session the notification goes to.
            assert (task.status, task.chat_session_id) == ("queued", conversation)
            assert task.user_id == world.candidate.identity.user_id

        for message in await _entries_for(redis_url, bus.REWRITE, task_id):
            await REWRITE_WORKER.handle(message)
        notices = await _entries_for(redis_url, bus.NOTIFY, task_id)
        assert len(notices) == 1
        for _ in range(2):  # delivered twice: still one notification, one push
            await notify.handle(notices[0])

        async with session_scope(engine) as session:
            rows = (
                await session.scalars(select(Notification).where(Notification.task_id == task_id))
            ).all()
            done = await session.get(Task, task_id)
        assert done is not None and done.status == "succeeded"
        assert [(n.chat_session_id, n.user_id, n.kind) for n in rows] == [
            (conversation, world.candidate.identity.user_id, "task.succeeded")
        ]
        pushes = await _pushes(pubsub, 0.5)
        assert [(p["task_id"], p["notification_id"]) for p in pushes] == [(task_id, rows[0].id)]
        # The chat can then show the result it was told about.
        calls, reply = await say(
            assistant, world.candidate, conversation, "Show me the rewritten resume"
        )
        assert names(calls) == ["show_rewrite"], reply
    finally:
        await pubsub.aclose()
        await listener.aclose()
        await close_clients()


async def test_conversation_continues_on_postgres_after_reopening(
    world: World, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The services stay on SQLite (the `world`); only the conversation memory moves.
    pg_settings = get_settings().model_copy(update={"database_url": postgres_url})
    conversation = f"pg-{world.resume_id[:8]}"
    async with open_checkpointer(pg_settings) as saver, httpx.AsyncClient(timeout=60) as http:
        await say(
            Assistant(saver, http, world.base),
            world.candidate,
            conversation,
            "Which jobs match my resume best?",
        )
    async with open_checkpointer(pg_settings) as saver, httpx.AsyncClient(timeout=60) as http:
        calls, reply = await say(
            Assistant(saver, http, world.base),
            world.candidate,
            conversation,
            "Explain the second one",
        )
    second = (await top_matches(world))[1]
    assert names(calls) == ["explain_match"] and calls[0]["args"] == {"job_id": second["job_id"]}
    assert second["title"] in reply

    pg = make_engine(postgres_url)
    try:
        async with pg.connect() as conn:
            schemas = set(
                (
                    await conn.execute(
                        text(
                            "SELECT DISTINCT table_schema FROM information_schema.tables "
                            "WHERE table_name LIKE 'checkpoint%'"
                        )
                    )
                ).scalars()
            )
        assert schemas == {CHECKPOINT_SCHEMA}
        # The product's schema still matches its models (what test_migrations checks).
        assert await schema_diff(pg) == []
    finally:
        await pg.dispose()


async def _summary(world: World, headers: dict[str, str], expect: dict[str, int]) -> dict[str, int]:
    """The metrics summary's event counts, once they reach `expect` (posts are async)."""
    counts: dict[str, int] = {}
    async with httpx.AsyncClient(base_url=world.base, timeout=30) as http:
        for _ in range(100):
            answer = await http.get("/api/v1/metrics/summary", headers=headers)
            assert answer.status_code == 200, answer.text
            counts = answer.json()["events"]
            if all(counts.get(name, 0) >= n for name, n in expect.items()):
                break
            await asyncio.sleep(0.05)
    return {name: counts.get(name, 0) for name in expect}


async def test_every_turn_and_tool_call_is_counted_in_the_metrics(
    assistant: Assistant, world: World, make_caller: MakeCaller
) -> None:
    # Candidate (organisation `public`): one turn that needs a job list first: two tools.
    calls, _ = await say(assistant, world.candidate, "m1", "Explain the first one")
    assert names(calls) == ["find_matching_jobs", "explain_match"]
    await assistant.drain()
    admin = await make_caller("public", "admin")
    assert await _summary(world, admin.headers, {"chat_turn": 1, "tool_call": 2}) == {
        "chat_turn": 1,
        "tool_call": 2,
    }
    # Employer (organisation `acme`), through the HTTP endpoint: one turn, one tool.
    async with httpx.AsyncClient(base_url=world.base, timeout=60) as http:
        answer = await http.post(
            "/api/v1/chat",
            json={"conversation_id": "m2", "message": "List our jobs"},
            headers=world.employer.headers,
        )
    assert answer.status_code == 200, answer.text
    expect = {"chat_turn": 1, "tool_call": 1}
    assert await _summary(world, world.employer.headers, expect) == expect


def echo_script(request: dict[str, Any]) -> Reply:
    """Echo the (masked) e-mail the user gave, so the streamed reply carries a placeholder."""
    words = last_message(request)["content"].split()
    placeholder = next(w.strip(",.") for w in words if w.startswith("[EMAIL_"))
    return f"Noted: I will write to {placeholder} when a job fits."


@pytest.fixture
def echo_llm(monkeypatch: pytest.MonkeyPatch) -> Iterator[StubLLM]:
    llm = StubLLM(echo_script)
    with serve(llm):
        monkeypatch.setenv("CLEARVIEW_LLM_BASE_URL", llm.url)
        monkeypatch.setenv("CLEARVIEW_LLM_API_KEY", "sk-test")
        reset_settings_cache()
        yield llm


async def test_streamed_tokens_show_restored_personal_details(
    assistant: Assistant, world: World, echo_llm: StubLLM, unique_name: str
) -> None:
    message = f"My email is priya@example.org, keep it ({unique_name})"
    tokens = [
        e["text"]
        async for e in assistant.stream_turn(world.candidate.identity, "pii", message)
        if e["type"] == "token"
    ]
    assert "[EMAIL_1]" in json.dumps(echo_llm.requests)  # the model saw the placeholder
    assert len(tokens) > 1
    assert "".join(tokens) == "Noted: I will write to priya@example.org when a job fits."
    assert not any("[" in t or "EMAIL" in t for t in tokens)
