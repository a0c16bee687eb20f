"""The chat UI's share of its process's lifespan (the parent app's: Chainlit's own
start-up hook does not run when mounted): the assistant, and the listener that shows
background results in the chats."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ui import listener, runtime

log = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the assistant for chat sessions and listen for background results."""
    async with runtime.opened(app) as opened:
        stop = asyncio.Event()
        task = asyncio.create_task(listener.listen(stop), name="ui-listener")
        log.info("chat UI ready (%s mode)", opened.mode)
        try:
            yield
        finally:
            stop.set()
            await task
