"""With an LLM configured, a lookup the offline model reads with certainty is answered
without an LLM call (`agents.routing`); writing, judgement, writes and anything unsure
still go to the LLM. The real ChatOpenAI client, against a scripted local server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from agents.chat import Assistant
from core.db import session_scope
from core.models import MetricEvent
from core.settings import reset_settings_cache
from tests.helpers.oai_stub import StubLLM, serve
from tests.plugins.agents import World, names, say, top_matches


@pytest.fixture
def llm(monkeypatch: pytest.MonkeyPatch) -> Iterator[StubLLM]:
    stub = StubLLM(lambda request: "STUB-ROUTING answered")
    with serve(stub):
        monkeypatch.setenv("CLEARVIEW_LLM_BASE_URL", stub.url)
        monkeypatch.setenv("CLEARVIEW_LLM_API_KEY", "sk-test")
        reset_settings_cache()
        yield stub


def conversation() -> str:
    return uuid.uuid4().hex


def fresh(text: str) -> str:
    """The LLM's answers are cached in the shared Redis: a message no earlier run sent."""
    return f"{text} {uuid.uuid4().hex[:8]}"


async def avoided_calls(engine: AsyncEngine, user_id: str) -> list[MetricEvent]:
    async with session_scope(engine) as session:
        rows = await session.scalars(
            select(MetricEvent).where(
                MetricEvent.name == "llm_call_avoided", MetricEvent.user_id == user_id
            )
        )
        return list(rows)


async def test_a_sure_search_is_answered_without_an_llm_call(
    assistant: Assistant, world: World, llm: StubLLM, engine: AsyncEngine
) -> None:
    calls, reply = await say(assistant, world.candidate, conversation(), "Which jobs fit me?")
    assert names(calls) == ["find_matching_jobs"]
    assert llm.requests == []
    top = await top_matches(world)
    assert top[0]["title"] in reply  # the offline model rendered the results it asked for
    # Two steps (the tool call, the answer), each with the LLM request it saved.
    saved = await avoided_calls(engine, world.candidate.identity.user_id)
    assert len(saved) == 2 and all((event.tokens_in or 0) > 100 for event in saved)


async def test_writing_judgement_and_unsure_requests_go_to_the_llm(
    assistant: Assistant, world: World, llm: StubLLM
) -> None:
    for message in ("Critique my resume", "Rewrite my resume for the first job", "hello there"):
        before = len(llm.requests)
        _, reply = await say(assistant, world.candidate, conversation(), fresh(message))
        assert len(llm.requests) > before, message
        assert reply == "STUB-ROUTING answered", message


async def test_the_llm_sees_a_routed_turn_in_the_history(
    assistant: Assistant, world: World, llm: StubLLM
) -> None:
    conv = conversation()
    await say(assistant, world.candidate, conv, "Which jobs fit me?")
    _, reply = await say(assistant, world.candidate, conv, fresh("hmm, tell me something nice"))
    assert reply == "STUB-ROUTING answered"
    sent = llm.requests[-1]["messages"]
    assert any(m["role"] == "tool" for m in sent)  # the routed search's result
    assert sent[-1]["content"].startswith("hmm, tell me")


async def test_routing_can_be_turned_off(
    assistant: Assistant, world: World, llm: StubLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLEARVIEW_LLM_ROUTE_OFFLINE", "false")
    reset_settings_cache()
    _, reply = await say(assistant, world.candidate, conversation(), fresh("Which jobs fit me?"))
    assert reply == "STUB-ROUTING answered" and len(llm.requests) == 1
