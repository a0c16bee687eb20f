"""Run a service (or all of them, with the workers) under uvicorn.

Embedded mode brings up what the process needs before serving: Redis (the embedded Valkey
when no URL is set) and, on request, the demo data (the schema was checked or migrated by
the command, see `clearview.commands.common.ensure_schema`).
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import FrameType

import uvicorn
from fastapi import FastAPI

from api.app import Lifespan
from api.imports.demo import load_demo
from clearview.app import (
    INDEXED,
    READING,
    build_app,
    career_index_build,
    document_reader,
    index_check,
    names_of,
)
from clearview.workers import start_all
from core.logging import configure_logging
from core.process import freeze_start_up_heap, new_event_loop
from core.redis import redis_runtime
from ui.lifespan import lifespan as ui_lifespan
from ui.mount import mount_ui

log = logging.getLogger(__name__)


@asynccontextmanager
async def background_work(_app: FastAPI) -> AsyncIterator[None]:
    """The in-process share of the event-driven work: outbox relay and stream workers."""
    stop = asyncio.Event()
    tasks = start_all(stop)
    try:
        yield
    finally:
        stop.set()
        # In-flight handlers finish (bounded by their own timeouts); unfinished entries
        # stay pending in their streams and are reclaimed by the next consumer.
        await asyncio.gather(*tasks, return_exceptions=True)


def app_for(service: str) -> FastAPI:
    """The app `clearview serve SERVICE` runs (`all`: every service, the UI, the workers)."""
    names = names_of([service])
    lifespans: list[Lifespan] = []
    if service == "all":
        lifespans.append(background_work)
    if names & INDEXED:
        lifespans.append(index_check)
    if names & READING:
        lifespans.append(document_reader)
    if "jobs" in names:
        lifespans.append(career_index_build)
    if "ui" in names:
        # Chainlit's own start-up hook does not run when mounted: the parent app's
        # lifespan opens the UI's assistant and its notification listener.
        lifespans.append(ui_lifespan)
    app = build_app(names, lifespans=lifespans)
    if "ui" in names:
        mount_ui(app)
    return app


class _Server(uvicorn.Server):
    """uvicorn, minus re-raising the stop signal after shutdown.

    uvicorn re-raises a captured SIGTERM once it has shut down, which would kill the
    process before `redis_runtime` stops the embedded Valkey; we exit on our own terms
    (status 0: a requested stop is a clean stop).
    """

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        self._captured_signals.clear()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        freeze_start_up_heap()  # the app and its lifespan (demo data, workers) are up


async def _serve(service: str, host: str, port: int, demo: bool) -> None:
    async with redis_runtime() as redis_url:
        log.info("redis at %s", redis_url.split("@")[-1])
        if demo:
            await load_demo()
        config = uvicorn.Config(
            app_for(service), host=host, port=port, log_config=None, lifespan="on"
        )
        await _Server(config).serve()


def run(service: str, *, host: str, port: int, demo: bool = False) -> None:
    configure_logging()
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        runner.run(_serve(service, host, port, demo))
