"""Run a service (or all of them, with the workers) under uvicorn.

Embedded mode brings up what the process needs before serving: the schema (SQLite only;
PostgreSQL deployments migrate with `clearview db upgrade`), Redis (the embedded Valkey
when no URL is set) and, on request, the demo data.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import FrameType

import uvicorn
from fastapi import FastAPI

from core import migrate
from core.logging import configure_logging
from core.settings import get_settings

log = logging.getLogger(__name__)


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


def freeze_start_up_heap() -> None:
    """Exempt what a long-running process holds once started (its modules, app, models:
    some 150,000 objects) from garbage collection. A full collection then walks only what
    was allocated since, instead of pausing the process for 40 to 140 ms each time (seen
    in bench/pipeline.py's servers and workers, delaying requests and notifications)."""
    gc.collect()  # nothing that is garbage now stays for good
    gc.freeze()


def _service_names() -> list[str]:
    from api.app import SERVICES

    # The composition root wires the agent's chat endpoint in (`api` never imports `agents`).
    SERVICES.setdefault("chat", ["agents.http:router"])
    # The chat UI adds no API routes; it is mounted at /chat by `build_app`.
    SERVICES.setdefault("ui", [])
    return ["all", *SERVICES]


SERVICE_NAMES = _service_names()


@asynccontextmanager
async def background_work(_app: FastAPI) -> AsyncIterator[None]:
    """The in-process share of the event-driven work: outbox relay and stream workers."""
    from workers.runner import start_all

    stop = asyncio.Event()
    tasks = start_all(stop)
    try:
        yield
    finally:
        stop.set()
        # In-flight handlers finish (bounded by their own timeouts); unfinished entries
        # stay pending in their streams and are reclaimed by the next consumer.
        await asyncio.gather(*tasks, return_exceptions=True)


@asynccontextmanager
async def index_check(_app: FastAPI) -> AsyncIterator[None]:
    """Warn once when the vector index was built by an older matcher (it names the
    command that rebuilds it); checked in the background, so start-up never waits."""
    from api.matching.reindex import warn_if_stale

    check = asyncio.create_task(warn_if_stale())
    try:
        yield
    finally:
        check.cancel()
        await asyncio.gather(check, return_exceptions=True)


def build_app(service: str) -> FastAPI:
    from api.app import create_app, lifespan_hooks

    if service == "all":
        lifespan_hooks.append(background_work)
    if service in ("all", "jobs", "resumes"):  # the services that match through the index
        lifespan_hooks.append(index_check)
    app = create_app(None if service == "all" else {service})
    if service in ("all", "ui"):
        from ui.mount import mount_ui
        from ui.runtime import lifespan as ui_lifespan

        # Chainlit's own start-up hook does not run when mounted: the parent app's
        # lifespan opens the UI's assistant and its notification listener.
        lifespan_hooks.append(ui_lifespan)
        mount_ui(app)
    return app


async def _serve(service: str, host: str, port: int, demo: bool) -> None:
    from core.redis import redis_runtime

    async with redis_runtime() as redis_url:
        log.info("redis at %s", redis_url.split("@")[-1])
        if demo:
            from api.imports.demo import load_demo

            await load_demo()
        app = build_app(service)
        config = uvicorn.Config(app, host=host, port=port, log_config=None, lifespan="on")
        await _Server(config).serve()


def run(service: str, *, host: str, port: int, demo: bool = False) -> None:
    settings = get_settings()
    configure_logging()
    if not settings.is_postgres:
        # Embedded mode: one process owns the SQLite file, so migrating at start is safe.
        migrate.upgrade()
    # The loop uvicorn picks itself ("auto"): uvloop when installed, as uvicorn[standard]
    # brings it. `asyncio.run` alone would serve on the slower default loop.
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        runner.run(_serve(service, host, port, demo))


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop's event loop when installed (servers and workers alike), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()
