"""One chat turn, as a stream of events: what the HTTP endpoint and the chat UI consume.

    async for event in assistant.stream_turn(identity, conversation_id, message): ...

Events (dicts, JSON-ready):
- {"type": "token", "text"}               model output as it is generated
- {"type": "tool_call", "name", "args"}   the assistant decided to use a tool
- {"type": "tool_result", "name", "data"} what the tool returned (structured)
- {"type": "task", "task_id", "status_url", "kind"}  background work was started
- {"type": "reply", "text", "tasks", "mode", "language"}  the final answer; always last
  (`language`: the ISO 639-1 code the offline model answered in; None from an LLM)

The conversation is stored masked (see `agents.graph`): the user's message is masked with
the conversation's vault before it enters the graph, and every event is restored for the
user. Tokens are released a word at a time: the model writes masked placeholders
([EMAIL_1]) that arrive split across chunks, and only whole words can be restored before
the user sees them. Each turn records a `chat_turn` metric event and one `tool_call` per tool call
in the metrics service, in the background, with the caller's key.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, cast

import httpx
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.errors import GraphRecursionError
from langgraph.types import StreamMode

from agents.checkpointer import forget_user
from agents.context import Context, Identity, thread_id
from agents.graph import build_graph
from agents.model import mode
from agents.offline.spec import result_items
from agents.safety import PiiVault, scrub_reply
from core.settings import get_settings
from tools.client import ServiceClient, ServiceError

log = logging.getLogger(__name__)

STREAM_MODES: list[StreamMode] = ["messages", "updates", "custom"]
# A turn that loops (model calls tools again and again) stops here with an apology.
MAX_STEPS = 16
NO_ANSWER = "Sorry, I could not finish that. Could you rephrase it or break it into steps?"
_LAST_SPACE_RE = re.compile(r"\s(?=\S*\Z)")


@dataclass
class TurnStats:
    """Where a turn's time went (the benchmark reads it)."""

    total_s: float = 0.0
    services_s: float = 0.0
    tools: list[str] = field(default_factory=list)


class Assistant:
    """The compiled graph on a checkpointer, plus the HTTP client its tools share."""

    def __init__(
        self, checkpointer: BaseCheckpointSaver[str], http: httpx.AsyncClient, services_url: str
    ) -> None:
        self.checkpointer = checkpointer
        self.graph = build_graph(checkpointer)
        self.http = http
        self.services_url = services_url
        self.last_stats = TurnStats()
        # Metric posts in flight (a reference keeps each task alive until it is done).
        self._background: set[asyncio.Task[None]] = set()

    def services_for(self, identity: Identity, services_url: str | None = None) -> ServiceClient:
        return self.services_for_key(identity.api_key, services_url)

    def services_for_key(self, api_key: str, services_url: str | None = None) -> ServiceClient:
        return ServiceClient(self.http, services_url or self.services_url, api_key)

    async def stream_turn(
        self,
        identity: Identity,
        conversation_id: str,
        message: str,
        *,
        services_url: str | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        """Run one user message through the graph, yielding events as they happen."""
        started = time.perf_counter()
        services = self.services_for(identity, services_url)
        config: RunnableConfig = {
            "configurable": {"thread_id": thread_id(identity, conversation_id)},
            "recursion_limit": MAX_STEPS,
        }
        # The message is masked before the graph stores it: the first checkpoint of the
        # turn holds it as it arrived.
        vault = PiiVault.opened((await self.graph.aget_state(config)).values.get("vault"))
        (said,) = vault.mask([HumanMessage(message)])
        context = Context(
            identity=identity, conversation_id=conversation_id, services=services, vault=vault
        )
        tasks: list[dict[str, Any]] = []
        reply = ""
        language: str | None = None
        erased = False
        stats = TurnStats()
        words = _WordBuffer(context)
        try:
            async for part in self.graph.astream(
                {"messages": [said], "vault": vault.sealed()},
                config,
                context=context,
                stream_mode=STREAM_MODES,
            ):
                stream_mode, chunk = cast(tuple[str, Any], part)
                if stream_mode == "messages":
                    token, meta = chunk
                    if (
                        isinstance(token, AIMessageChunk)
                        and meta.get("langgraph_node") == "agent"
                        and isinstance(token.content, str)
                        and token.content
                    ):
                        ready = words.add(token.content)
                        if ready:
                            yield {"type": "token", "text": ready}
                elif stream_mode == "custom":
                    if isinstance(chunk, dict) and chunk.get("type") == "task":
                        tasks.append({k: v for k, v in chunk.items() if k != "type"})
                        yield chunk
                else:
                    # A node finished: its message is complete, so is its last word.
                    rest = words.flush()
                    if rest:
                        yield {"type": "token", "text": rest}
                    for update in chunk.values():
                        for msg in (update or {}).get("messages", []):
                            if isinstance(msg, AIMessage) and msg.tool_calls:
                                for call in msg.tool_calls:
                                    stats.tools.append(call["name"])
                                    yield {
                                        "type": "tool_call",
                                        "name": call["name"],
                                        "args": vault.restore_value(call["args"]),
                                    }
                            elif isinstance(msg, AIMessage):
                                text = msg.text if isinstance(msg.text, str) else str(msg.content)
                                reply = vault.restore_value(text)
                                understood = msg.response_metadata.get("understanding") or {}
                                language = understood.get("language")
                            elif isinstance(msg, ToolMessage):
                                data = vault.restore_value(
                                    msg.artifact
                                    if isinstance(msg.artifact, dict)
                                    else {"text": msg.content}
                                )
                                erased |= (
                                    msg.name == "delete_my_data" and data.get("status") == "deleted"
                                )
                                yield {"type": "tool_result", "name": msg.name, "data": data}
        except GraphRecursionError:
            log.warning("turn stopped after %d steps", MAX_STEPS)
            reply = ""
        if erased:
            # The services erased the candidate; the conversations are ours to erase.
            await forget_user(self.checkpointer, identity.user_id)
        stats.total_s = time.perf_counter() - started
        stats.services_s = services.service_seconds
        self.last_stats = stats
        self._record_turn(identity, services_url, stats)
        yield {
            "type": "reply",
            "text": scrub_reply(reply) or NO_ANSWER,
            "tasks": tasks,
            "mode": mode(get_settings()),
            "language": language,
        }

    def _record_turn(self, identity: Identity, services_url: str | None, stats: TurnStats) -> None:
        """Post the turn's metric events without holding up the reply."""
        services = self.services_for(identity, services_url)
        turn = {
            "name": "chat_turn",
            "duration_ms": round(stats.total_s * 1000, 2),
            "attributes": {"role": identity.role, "mode": mode(get_settings())},
        }
        # The turn's own event last: once it is recorded, so are its tool calls (an erasure
        # or a reader waiting for the turn then sees all of them).
        events: list[dict[str, Any]] = [
            *({"name": "tool_call", "attributes": {"tool": t}} for t in stats.tools),
            turn,
        ]
        task = asyncio.create_task(_post_events(services, events))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def drain(self) -> None:
        """Wait for the metric posts still in flight (before shutdown, or to read them)."""
        while self._background:
            await asyncio.gather(*self._background)

    async def run_turn(
        self, identity: Identity, conversation_id: str, message: str, **kwargs: Any
    ) -> dict[str, Any]:
        """The final reply event of a turn (what a non-streaming client needs)."""
        final: dict[str, Any] = {}
        results: list[dict[str, Any]] = []
        async for event in self.stream_turn(identity, conversation_id, message, **kwargs):
            if event["type"] == "tool_result":
                shown = result_items(event["name"], event.get("data") or {})
                results += [shown] if shown else []
            final = event
        return {**final, "results": results}


class _WordBuffer:
    """Streamed text held back to a word boundary, then restored by the conversation's vault."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.pending = ""

    def add(self, text: str) -> str:
        self.pending += text
        cut = _LAST_SPACE_RE.search(self.pending)
        if cut is None:
            return ""
        ready, self.pending = self.pending[: cut.end()], self.pending[cut.end() :]
        return self._restore(ready)

    def flush(self) -> str:
        ready, self.pending = self.pending, ""
        return self._restore(ready)

    def _restore(self, text: str) -> str:
        vault = self.context.vault
        return vault.restore_text(text) if vault is not None and text else text


async def _post_events(services: ServiceClient, events: list[dict[str, Any]]) -> None:
    # Sequential: a turn makes a handful of events, and the services are not flooded.
    for event in events:
        try:
            await services.post("/api/v1/metrics/events", event)
        except ServiceError as exc:
            # A lost metric must never cost the user anything (e.g. a key just erased).
            log.warning("%s event not recorded: %s", event["name"], exc.detail)
