"""The app factory: every service in one process, or any subset of them alone.

`create_app({"jobs"})` serves the jobs service alone; `create_app()` serves all. Every app
carries health, identity, the error format, rate limiting and Prometheus `/metrics`.

Seams for other packages:
- `SERVICES[name]` lists "module:attribute" routers; the matching engine appends its
  router to "jobs", the gateway adds its own service.
- `lifespan_hooks` are entered in order at start-up and left in reverse at shutdown
  (start stream listeners, embedded servers, ...).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from importlib import import_module

from fastapi import APIRouter, FastAPI
from fastapi.telemetry import TelemetryConfig

from api.bodylimit import BodyLimitMiddleware
from api.correlation import CorrelationMiddleware
from api.errors import install_error_handlers
from api.identity.cache import KeyCache
from api.metrics.prometheus import PrometheusMiddleware, metrics_endpoint
from api.ratelimit import RateLimiter, rate_limit_store
from api.wiring import wire_services
from core.settings import get_settings

SERVICES: dict[str, list[str]] = {
    "jobs": [
        "api.jobs.endpoints:router",
        "api.matching.endpoints:router",
        "api.tasks.endpoints:job_router",
        "api.tasks.endpoints:router",
    ],
    "resumes": [
        "api.resumes.endpoints:router",
        "api.alerts.endpoints:router",
        "api.contacts.endpoints:router",
        "api.tasks.endpoints:resume_router",
        "api.tasks.endpoints:router",
    ],
    "metrics": ["api.metrics.endpoints:router"],
    # Reports read resumes, jobs, matching and metrics alike: a service of their own.
    "reports": ["api.reports.endpoints:router"],
    "gateway": ["api.gateway.endpoints:router"],
}
# Mounted in every app: each service must be operable and authenticated on its own.
COMMON: list[str] = ["api.health:router", "api.identity.endpoints:router"]

TELEMETRY_OFF: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]
lifespan_hooks: list[Lifespan] = []

# Multipart framing around an uploaded file; the file itself is capped exactly later.
MULTIPART_ENVELOPE = 64 * 1024


@asynccontextmanager
async def _dispose_engines(_app: FastAPI) -> AsyncIterator[None]:
    from core.db import dispose_engines

    yield
    await dispose_engines()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with AsyncExitStack() as stack:
        for hook in [_dispose_engines, *lifespan_hooks]:
            await stack.enter_async_context(hook(app))
        yield


def _router(ref: str) -> APIRouter:
    module_name, _, attribute = ref.partition(":")
    router = getattr(import_module(module_name), attribute)
    assert isinstance(router, APIRouter), ref
    return router


def _service_names(services: Iterable[str] | None) -> set[str]:
    names = set(services or ()) - {"all"}
    if services is None or not names:
        return set(SERVICES)
    unknown = names - set(SERVICES)
    if unknown:
        raise ValueError(f"unknown service(s) {sorted(unknown)}; choose from {sorted(SERVICES)}")
    return names


def create_app(services: set[str] | None = None) -> FastAPI:
    """A FastAPI app serving `services` (all when None or {"all"})."""
    names = _service_names(services)
    settings = get_settings()
    wire_services()
    app = FastAPI(
        title="ClearView API",
        summary="Jobs, resumes and metrics services of ClearView",
        version="0.1.0",
        lifespan=lifespan,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        # FastAPI's own OpenTelemetry spans (requests) go with ours (`core.tracing`): off
        # unless tracing is configured, so no request pays for asking whether it is on.
        telemetry=None if settings.otel_endpoint else TELEMETRY_OFF,
    )
    app.state.services = names
    # Shared through Redis, so every process serving a key counts against one limit.
    app.state.rate_limiter = RateLimiter(rate_limit_store())
    app.state.key_cache = KeyCache(settings.api_key_cache_ttl_s)
    install_error_handlers(app)
    if "jobs" in names:
        from api.jobs.fastread import CachedJobReads

        # Innermost: its answers still get a request id, the body limit and metrics.
        app.add_middleware(CachedJobReads)
    app.add_middleware(PrometheusMiddleware)
    # Outermost: refuses an oversized body before anything is spooled to disk or memory.
    app.add_middleware(
        BodyLimitMiddleware, max_body_size=settings.upload_max_bytes + MULTIPART_ENVELOPE
    )
    # Outside even the body limit, so a refused request is logged with its id too.
    app.add_middleware(CorrelationMiddleware)
    app.add_route("/metrics", metrics_endpoint, include_in_schema=False)
    # A router shared by several services (task status) is mounted once.
    refs = dict.fromkeys([*COMMON, *(ref for name in sorted(names) for ref in SERVICES[name])])
    for ref in refs:
        app.include_router(_router(ref))
    return app
