"""The app factory: an app serving the routers it is given, with what every service has.

Every app carries the error format, request ids, the body limit, rate limiting, the API
key cache and Prometheus `/metrics`. Which routers make up a service, which lifespans a
process runs and which collaborators the services get is the composition root's choice
(`clearview.app`): nothing is registered by importing a module.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import cast

import fastapi_offline
from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.telemetry import TelemetryConfig

from api.bodylimit import BodyLimitMiddleware
from api.collaborators import Collaborators
from api.correlation import CorrelationMiddleware
from api.errors import install_error_handlers
from api.identity.cache import KeyCache
from api.metrics.prometheus import PrometheusMiddleware, metrics_route
from api.ratelimit import RateLimiter, rate_limit_store
from api.routetable import index_routes
from api.security_headers import SecurityHeadersMiddleware
from core.db import dispose_engines
from core.settings import get_settings

TELEMETRY_OFF: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]

# Swagger UI's script and style, shipped in a Python package: the docs page loads
# nothing from a CDN (no third party sees who reads our docs, and it works offline).
DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"
DOCS_ASSETS_PATH = "/docs-assets"

# Multipart framing around an uploaded file; the file itself is capped exactly later.
MULTIPART_ENVELOPE = 64 * 1024


def _lifespan(lifespans: Sequence[Lifespan]) -> Lifespan:
    """`lifespans` entered in order at start-up and left in reverse at shutdown; the
    database engines are disposed of last."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            async with AsyncExitStack() as stack:
                for each in lifespans:
                    await stack.enter_async_context(each(app))
                yield
        finally:
            await dispose_engines()

    return lifespan


def _router_lifespans(routers: Sequence[APIRouter]) -> list[Lifespan]:
    """Each router's lifespan (theirs, or FastAPI's default running its start-up and
    shutdown handlers), once per router."""
    unique = {id(router): router for router in routers}.values()
    return [cast(Lifespan, router.lifespan_context) for router in unique]


def create_app(
    routers: Sequence[APIRouter],
    *,
    services: set[str],
    collaborators: Collaborators,
    lifespans: Sequence[Lifespan] = (),
) -> FastAPI:
    """An app serving `routers` (each mounted once), named `services` in its state."""
    settings = get_settings()
    app = FastAPI(
        title="ClearView API",
        summary="Jobs, resumes and metrics services of ClearView",
        version="0.1.0",
        # The routers' own lifespans after the process's, as `include_router` would.
        lifespan=_lifespan([*lifespans, *_router_lifespans(routers)]),
        docs_url=None,  # served below with local assets
        openapi_url="/openapi.json" if settings.docs_on else None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        # FastAPI's own OpenTelemetry spans (requests) go with ours (`core.tracing`): off
        # unless tracing is configured, so no request pays for asking whether it is on.
        telemetry=None if settings.otel_endpoint else TELEMETRY_OFF,
    )
    app.state.services = services
    app.state.collaborators = collaborators
    # Shared through Redis, so every process serving a key counts against one limit.
    app.state.rate_limiter = RateLimiter(rate_limit_store())
    app.state.key_cache = KeyCache(settings.api_key_cache_ttl_s)
    install_error_handlers(app)
    app.add_middleware(PrometheusMiddleware)
    # Outermost: refuses an oversized body before anything is spooled to disk or memory.
    app.add_middleware(
        BodyLimitMiddleware, max_body_size=settings.upload_max_bytes + MULTIPART_ENVELOPE
    )
    # Outside even the body limit, so a refused request is logged with its id too.
    app.add_middleware(CorrelationMiddleware)
    # Outermost: every answer carries them, refusals and the mounted chat UI included.
    app.add_middleware(SecurityHeadersMiddleware)
    metrics = metrics_route(settings)
    if metrics is not None:
        app.add_route("/metrics", metrics, include_in_schema=False)
    if settings.docs_on:
        _add_docs(app)
    mounted: list[APIRouter] = []
    for router in routers:
        if not any(router is seen for seen in mounted):  # shared by several services: once
            add_routes(app, router)
            mounted.append(router)
    index_routes(app)
    return app


def _add_docs(app: FastAPI) -> None:
    app.mount(DOCS_ASSETS_PATH, StaticFiles(directory=DOCS_ASSETS), name="docs-assets")

    async def docs(_request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title=f"{app.title} - docs",
            swagger_js_url=f"{DOCS_ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS_PATH}/favicon.png",
        )

    app.add_route("/docs", docs, include_in_schema=False)


def add_routes(app: FastAPI, router: APIRouter) -> None:
    """`router`'s routes straight into the app's own route table, one flat list.

    `include_router` keeps each router as a layer of its own that every request walks
    through (matched router by router, then route by route in it, with a context per
    included route). An inclusion would add nothing here: a router's prefix, tags, error
    responses and dependencies are put on each of its routes when the route is declared,
    and we include routers with no options. (What the flat table gives up is
    `app.dependency_overrides`, which nothing uses.) A router's lifespan (the chat's) is
    entered by the app's lifespan, see `create_app`. Requests are matched through an
    index of the table (`api.routetable`).
    """
    app.router.routes.extend(router.routes)
