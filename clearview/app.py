"""Which routers make up each service, and the app serving a set of them.

`build_app({"jobs"})` is the jobs service alone; `build_app()` every service. What a
served process runs beside its routers is `clearview.serve.app_for`.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from agents.http import router as chat_router
from api.accounts.endpoints import router as accounts_router
from api.accounts.pages import router as account_pages_router
from api.alerts.endpoints import router as alerts_router
from api.app import Lifespan, create_app
from api.careers.endpoints import router as careers_router
from api.careers.service import get_career_index
from api.contacts.endpoints import router as contacts_router
from api.gateway.endpoints import router as gateway_router
from api.health import router as health_router
from api.identity.endpoints import router as identity_router
from api.jobs.endpoints import router as jobs_router
from api.matching.endpoints import router as matching_router
from api.matching.reindex import warn_if_stale
from api.metrics.endpoints import router as metrics_router
from api.notifications.endpoints import router as notifications_router
from api.reports.endpoints import router as reports_router
from api.resumes.endpoints import router as resumes_router
from api.rewrite.endpoints import router as drafts_router
from api.tasks.endpoints import job_router as job_tasks_router
from api.tasks.endpoints import resume_router as resume_tasks_router
from api.tasks.endpoints import router as tasks_router
from clearview import wiring
from ingest import sandbox
from mcp_server.http import router as mcp_router

SERVICES: dict[str, tuple[APIRouter, ...]] = {
    "jobs": (jobs_router, matching_router, careers_router, job_tasks_router, tasks_router),
    "resumes": (
        resumes_router,
        drafts_router,
        alerts_router,
        contacts_router,
        notifications_router,
        resume_tasks_router,
        tasks_router,
    ),
    "metrics": (metrics_router,),
    # Reports read resumes, jobs, matching and metrics alike: a service of their own.
    "reports": (reports_router,),
    # Integrators: webhooks, and MCP at /mcp for their agents.
    "gateway": (gateway_router, mcp_router),
    # People and organisations: the admin API and the self-service pages (sign-up,
    # invitations, password reset) the chat's sign-in page links to.
    "accounts": (accounts_router, account_pages_router),
    # The assistant over HTTP (`POST /api/v1/chat`); it calls the other services by HTTP.
    "chat": (chat_router,),
    # The chat UI adds no API routes; it is mounted at /chat by `app_for`.
    "ui": (),
}
# Mounted in every app: each service must be operable and authenticated on its own.
COMMON: tuple[APIRouter, ...] = (health_router, identity_router)
SERVICE_NAMES = ["all", *SERVICES]
# The services the chat and its tools call.
API_SERVICES = frozenset({"jobs", "resumes", "metrics", "reports", "gateway"})
# The services that match through the vector index.
INDEXED = frozenset({"jobs", "resumes"})
# Services that read uploaded documents (a resume upload, one sent with an inbound webhook).
READING = frozenset({"resumes", "gateway"})


def names_of(services: Iterable[str] | None) -> set[str]:
    names = set(services or ()) - {"all"}
    if services is None or not names:
        return set(SERVICES)
    unknown = names - set(SERVICES)
    if unknown:
        raise ValueError(f"unknown service(s) {sorted(unknown)}; choose from {sorted(SERVICES)}")
    return names


def build_app(
    services: Iterable[str] | None = None, *, lifespans: Sequence[Lifespan] = ()
) -> FastAPI:
    """An app serving `services` (every one when None or {"all"})."""
    names = names_of(services)
    routers = [*COMMON, *(router for name in sorted(names) for router in SERVICES[name])]
    return create_app(
        routers,
        services=names,
        collaborators=wiring.collaborators(),
        lifespans=lifespans,
    )


def build_api_app() -> FastAPI:
    """The services the assistant's tools call, for calling them in memory."""
    return build_app(API_SERVICES)


@asynccontextmanager
async def index_check(_app: FastAPI) -> AsyncIterator[None]:
    """Warn once when the vector index was built by an older matcher (it names the
    command that rebuilds it); checked in the background, so start-up never waits."""
    check = asyncio.create_task(warn_if_stale())
    try:
        yield
    finally:
        check.cancel()
        await asyncio.gather(check, return_exceptions=True)


@asynccontextmanager
async def document_reader(_app: FastAPI) -> AsyncIterator[None]:
    """Start the sandboxed document reader's forkserver (see `ingest.sandbox`) with the
    service, so the first upload does not wait for it to import the readers."""
    await asyncio.to_thread(sandbox.start)
    try:
        yield
    finally:
        await asyncio.to_thread(sandbox.stop)


log = logging.getLogger(__name__)


def _build_career_index(stop: threading.Event) -> None:
    try:
        get_career_index().ensure(stop)
    except Exception:  # a failed build is retried by the first question that needs it
        log.exception("building the career knowledge index failed")


@asynccontextmanager
async def career_index_build(_app: FastAPI) -> AsyncIterator[None]:
    """Build the career knowledge index (O*NET, ESCO) at start-up when the Chroma store
    lacks it, so the first career question does not wait for it. A stop waits for the
    batch being written (the rest is written by the next start): a thread left running
    in native code when the interpreter exits aborts the process."""
    stop = threading.Event()
    build = threading.Thread(target=_build_career_index, args=(stop,), name="career-index")
    build.start()
    try:
        yield
    finally:
        stop.set()
        await asyncio.to_thread(build.join)
