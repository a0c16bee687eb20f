"""Prometheus exposition: HTTP counters and latency histograms from a pure ASGI middleware
(cheaper per request than `BaseHTTPMiddleware`), plus product event counters."""

from __future__ import annotations

import hmac
import time
from collections.abc import Awaitable, Callable

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_response
from core.settings import Mode, Settings

# Module-level, as prometheus-client expects: one registry per process, however many
# apps `create_app` builds.
REQUESTS = Counter("clearview_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "clearview_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
EVENTS = Counter("clearview_product_events_total", "Product events recorded", ["name"])


class PrometheusMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            # The route template, not the raw path: ids in paths would make one series
            # per object. Unmatched paths share one label.
            route = getattr(scope.get("route"), "path", None) or "<unmatched>"
            counter, latency = _series(scope.get("method", ""), route, status)
            counter.inc()
            latency.observe(time.perf_counter() - start)


# The labelled children of REQUESTS and LATENCY, by (method, route, status): looking
# them up by labels costs more than counting and observing together.
_SERIES: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}


def _series(method: str, route: str, status: int) -> tuple[Counter, Histogram]:
    key = (method, route, status)
    found = _SERIES.get(key)
    if found is None:
        found = (
            REQUESTS.labels(method=method, route=route, status=str(status)),
            LATENCY.labels(method=method, route=route),
        )
        _SERIES[key] = found
    return found


async def metrics_endpoint(_request: Request) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def metrics_route(settings: Settings) -> Callable[[Request], Awaitable[Response]] | None:
    """`/metrics` as configured: open outside prod, behind `metrics_token` when one is
    set, and not served at all in prod without one (route names, error and latency
    figures are for the operator, not for anyone who finds the port)."""
    if settings.metrics_token is None:
        return None if settings.mode is Mode.prod else metrics_endpoint
    expected = f"Bearer {settings.metrics_token.get_secret_value()}".encode()

    async def guarded(request: Request) -> Response:
        given = request.headers.get("authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            return error_response(
                401, "unauthorized", "send Authorization: Bearer <CLEARVIEW_METRICS_TOKEN>"
            )
        return await metrics_endpoint(request)

    return guarded
