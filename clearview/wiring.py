"""The collaborators the composition root passes into the features: what lives above the
services but must be called from them or from their workers.

- the rewriter of the rewrite worker: the agent's LLM chain when a model is configured,
  else the deterministic rewrite;
- the services' collaborators (`api.collaborators.Collaborators`): erasure with the
  agent's chat history among its steps, and the inbound chat hand-off (queue a task the
  chat worker answers);
- the chat worker's assistant, with the HTTP client and checkpointer it needs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from starlette.types import ASGIApp

from agents.chat import Assistant
from agents.checkpointer import erase_history, open_checkpointer
from agents.context import Identity as ChatIdentity
from agents.model import llm_configured
from agents.rewrite_chain import rewrite_with_llm
from api.collaborators import Collaborators
from api.flows.erasure import ErasureService
from api.gateway.chat import queue_chat_turn
from api.gateway.inbound import InboundService
from api.rewrite.service import RewriteChain, deterministic_chain
from core.settings import get_settings
from tools.client import services_http


def rewriter() -> RewriteChain:
    """The configured model rewrites when there is one; the offline rewrite otherwise."""
    return rewrite_with_llm if llm_configured(get_settings()) else deterministic_chain


def collaborators() -> Collaborators:
    return Collaborators(
        erasure=ErasureService(erase_chat_history=erase_history),
        inbound=InboundService(chat_handoff=queue_chat_turn),
    )


class InboundChatAssistant:
    """The assistant answering inbound chat messages in the chat worker: its checkpointer
    and HTTP client are opened once (`resources`) and kept while the worker runs. Unless
    the services run elsewhere (`CLEARVIEW_SERVICES_URL`), its tools call an API app of
    this process in memory, made by `api_app`."""

    def __init__(self, api_app: Callable[[], ASGIApp]) -> None:
        self._api_app = api_app
        self._assistant: Assistant | None = None
        self._services_url = ""

    @asynccontextmanager
    async def resources(self) -> AsyncIterator[None]:
        settings = get_settings()
        in_process = None if settings.services_url else self._api_app()
        url = str(settings.services_url) if settings.services_url else None
        http, self._services_url = services_http(url, in_process)
        async with http, open_checkpointer(settings) as saver:
            self._assistant = Assistant(saver, http, self._services_url)
            try:
                yield
            finally:
                await self._assistant.drain()
                self._assistant = None

    async def answer(self, identity: ChatIdentity, conversation_id: str, message: str) -> str:
        assert self._assistant is not None, "resources() is not open"
        final = await self._assistant.run_turn(
            identity, conversation_id, message, services_url=self._services_url
        )
        return str(final["text"])
