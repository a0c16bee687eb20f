"""The chat UI's process-wide state, opened by the parent app's lifespan.

Chainlit loads `ui/app.py` apart from normal imports (a second copy of any state defined
there) and, mounted inside FastAPI, never runs its own start-up hook. So what lives as
long as the process (the assistant, its checkpointer and HTTP client) is opened here by
the parent app's lifespan (`ui.lifespan`), and kept in this ordinary module, which
`ui/app.py` and `ui/listener.py` both import.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from fastapi import FastAPI

from agents.chat import Assistant
from agents.checkpointer import open_checkpointer
from agents.context import Identity
from agents.model import mode
from core.settings import get_settings
from tools.client import ServiceClient, services_http

log = logging.getLogger(__name__)

# Services that must be local when no `CLEARVIEW_SERVICES_URL` points elsewhere.
NEEDED = {"jobs", "resumes"}


@dataclass
class Runtime:
    assistant: Assistant
    services_url: str

    @property
    def mode(self) -> str:
        return mode(get_settings())

    def services(self, identity: Identity | None = None) -> ServiceClient:
        """A client of the services with the identity's key (none: signing in)."""
        key = identity.api_key if identity is not None else None
        return ServiceClient(self.assistant.http, self.services_url, key)


_runtime: Runtime | None = None


def current() -> Runtime:
    if _runtime is None:
        raise RuntimeError(
            "the chat UI is not started: serve it with `clearview serve` or `clearview serve ui`"
        )
    return _runtime


def _client(app: FastAPI) -> tuple[httpx.AsyncClient, str]:
    settings = get_settings()
    missing = NEEDED - set(getattr(app.state, "services", ()))
    if not settings.services_url and missing:
        raise RuntimeError(
            f"the chat UI needs the {', '.join(sorted(missing))} service(s): serve them in "
            "this process (`clearview serve`) or set CLEARVIEW_SERVICES_URL"
        )
    # All-in-one: our own app, in memory.
    return services_http(str(settings.services_url) if settings.services_url else None, app)


@asynccontextmanager
async def opened(app: FastAPI) -> AsyncIterator[Runtime]:
    """The assistant for chat sessions, with its HTTP client and checkpointer, current
    while the block runs."""
    global _runtime
    http, services_url = _client(app)
    async with http, open_checkpointer(get_settings()) as saver:
        _runtime = Runtime(Assistant(saver, http, services_url), services_url)
        try:
            yield _runtime
        finally:
            _runtime = None
