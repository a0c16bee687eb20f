"""One chat turn, as a stream of events: what the HTTP endpoint and the chat UI consume.

    async for event in assistant.stream_turn(identity, conversation_id, message): ...

Events (dicts, JSON-ready):
- {"type": "token", "text"}               model output as it is generated
- {"type": "tool_call", "name", "args"}   the assistant decided to use a tool
- {"type": "tool_result", "name", "data"} what the tool returned (structured)
- {"type": "task", "task_id", "status_url", "kind"}  background work was started
- {"type": "reply", "text", "tasks", "mode"}         the final answer; always last
"""

from __future__ import annotations

import logging
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
from agents.safety import scrub_reply
from core.settings import get_settings
from tools.client import ServiceClient

log = logging.getLogger(__name__)

STREAM_MODES: list[StreamMode] = ["messages", "updates", "custom"]
# A turn that loops (model calls tools again and again) stops here with an apology.
MAX_STEPS = 16
NO_ANSWER = "Sorry, I could not finish that. Could you rephrase it or break it into steps?"


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
        context = Context(identity=identity, conversation_id=conversation_id, services=services)
        config: RunnableConfig = {
            "configurable": {"thread_id": thread_id(identity, conversation_id)},
            "recursion_limit": MAX_STEPS,
        }
        tasks: list[dict[str, Any]] = []
        reply = ""
        erased = False
        stats = TurnStats()
        try:
            async for part in self.graph.astream(
                {"messages": [HumanMessage(message)]},
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
                        yield {"type": "token", "text": token.content}
                elif stream_mode == "custom":
                    if isinstance(chunk, dict) and chunk.get("type") == "task":
                        tasks.append({k: v for k, v in chunk.items() if k != "type"})
                        yield chunk
                else:
                    for update in chunk.values():
                        for msg in (update or {}).get("messages", []):
                            if isinstance(msg, AIMessage) and msg.tool_calls:
                                for call in msg.tool_calls:
                                    stats.tools.append(call["name"])
                                    yield {
                                        "type": "tool_call",
                                        "name": call["name"],
                                        "args": call["args"],
                                    }
                            elif isinstance(msg, AIMessage):
                                reply = msg.text if isinstance(msg.text, str) else str(msg.content)
                            elif isinstance(msg, ToolMessage):
                                data = (
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
        yield {
            "type": "reply",
            "text": scrub_reply(reply) or NO_ANSWER,
            "tasks": tasks,
            "mode": mode(get_settings()),
        }

    async def run_turn(
        self, identity: Identity, conversation_id: str, message: str, **kwargs: Any
    ) -> dict[str, Any]:
        """The final reply event of a turn (what a non-streaming client needs)."""
        final: dict[str, Any] = {}
        async for event in self.stream_turn(identity, conversation_id, message, **kwargs):
            final = event
        return final
