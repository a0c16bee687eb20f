"""The chat UI's process-wide state, opened by the parent app's lifespan.

Chainlit loads `ui/app.py` apart from normal imports (a second copy of any state defined
there) and, mounted inside FastAPI, never runs its own start-up hook. So what lives as
long as the process (the assistant, its checkpointer and HTTP client, the notification
listener) is opened here, from `api.app.lifespan_hooks`, and kept in this ordinary
module, which `ui/app.py` and `ui/listener.py` both import.
"""

from __future__ import annotations

import asyncio
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
from tools.client import ServiceClient

log = logging.getLogger(__name__)

# The services of this very process, reached without a socket (see `lifespan`).
IN_PROCESS_URL = "http://clearview.internal"
# Services that must be local when no `CLEARVIEW_SERVICES_URL` points elsewhere.
NEEDED = {"jobs", "resumes"}


@dataclass
class Runtime:
    assistant: Assistant
    services_url: str

    @property
    def mode(self) -> str:
        return mode(get_settings())

    def services(self, identity: Identity) -> ServiceClient:
        return self.assistant.services_for(identity, self.services_url)


_runtime: Runtime | None = None


def current() -> Runtime:
    if _runtime is None:
        raise RuntimeError(
            "the chat UI is not started: serve it with `clearview serve` or `clearview serve ui`"
        )
    return _runtime


def _client(app: FastAPI) -> tuple[httpx.AsyncClient, str]:
    settings = get_settings()
    timeout = httpx.Timeout(60.0, connect=5.0)
    if settings.services_url:
        return httpx.AsyncClient(timeout=timeout), str(settings.services_url).rstrip("/")
    missing = NEEDED - set(getattr(app.state, "services", ()))
    if missing:
        raise RuntimeError(
            f"the chat UI needs the {', '.join(sorted(missing))} service(s): serve them in "
            "this process (`clearview serve`) or set CLEARVIEW_SERVICES_URL"
        )
    # All-in-one: call our own app in memory. The UI still goes through HTTP semantics
    # (authentication by key, validation, error format) without a port to discover.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, timeout=timeout), IN_PROCESS_URL


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the assistant for chat sessions and listen for background results."""
    global _runtime
    from ui import listener

    http, services_url = _client(app)
    stop = asyncio.Event()
    async with http, open_checkpointer(get_settings()) as saver:
        _runtime = Runtime(Assistant(saver, http, services_url), services_url)
        task = asyncio.create_task(listener.listen(stop), name="ui-listener")
        log.info("chat UI ready (%s mode)", _runtime.mode)
        try:
            yield
        finally:
            stop.set()
            await task
            _runtime = None
