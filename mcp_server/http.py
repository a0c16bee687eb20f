"""`/mcp`: the MCP server over streamable HTTP, mounted by the composition root.

Each request must carry `Authorization: Bearer <API key>`. The key is checked with the
identity service (`GET /api/v1/me`, with the key itself) before the MCP layer sees the
request, so a missing, unknown or revoked key is refused with 401 and a key over its rate
limit with 429: every MCP request counts against its key's limit like any API call, and
so does every service call its tools make. The SDK binds each MCP session to the key
that opened it; another key presenting the session's id gets 404.

Sessions live in the process that opened them (behind a load balancer, route `/mcp` by
the `Mcp-Session-Id` header, or pin clients to one instance).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from starlette.authentication import AuthCredentials
from starlette.datastructures import Headers
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from core.settings import get_settings
from mcp_server.server import ClearViewMcp, identify
from tools.client import ServiceError, services_http

PATH = "/mcp"
MISSING_KEY = "missing API key; send `Authorization: Bearer <key>`"


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The MCP sessions of this app, and the client its tools call the services with:
    `CLEARVIEW_SERVICES_URL` when the services run elsewhere, else this very app in
    memory (still HTTP: keys, validation, errors)."""
    settings = get_settings()
    url = str(settings.services_url) if settings.services_url else None
    http, base_url = services_http(url, None if url else app)
    mcp = ClearViewMcp()
    mcp.services.http, mcp.services.base_url = http, base_url
    sessions = StreamableHTTPSessionManager(mcp.server)
    async with http, sessions.run():
        app.state.mcp = _Endpoint(mcp, sessions)
        yield


class _Endpoint:
    def __init__(self, mcp: ClearViewMcp, sessions: StreamableHTTPSessionManager) -> None:
        self.mcp = mcp
        self.sessions = sessions

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        header = Headers(scope=scope).get("authorization", "")
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            await _refuse(send, 401, "unauthorized", MISSING_KEY)
            return
        services = self.mcp.services
        assert services.http is not None
        try:
            caller = await identify(services.http, services.base_url, key.strip())
        except ServiceError as exc:
            code = {401: "unauthorized", 429: "rate_limited"}.get(exc.status, "unavailable")
            await _refuse(send, exc.status if exc.status in (401, 429) else 503, code, exc.detail)
            return
        scope["user"] = AuthenticatedUser(caller.token())
        scope["auth"] = AuthCredentials([caller.role])
        await self.sessions.handle_request(scope, receive, send)


class _Asgi:
    """The route's ASGI app (a class, so Starlette passes it the raw request): it serves
    with the endpoint the app's lifespan opened."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint: _Endpoint | None = getattr(scope["app"].state, "mcp", None)
        if endpoint is None:  # an app run without its lifespan (some tests build those)
            await _refuse(send, 503, "unavailable", "MCP is not running in this process")
            return
        await endpoint.handle(scope, receive, send)


async def _refuse(send: Send, status: int, error: str, detail: str) -> None:
    body = json.dumps({"error": error, "detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    if status == 401:
        headers.append((b"www-authenticate", b"Bearer"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


router = APIRouter(lifespan=lifespan)
router.routes.append(Route(PATH, _Asgi(), include_in_schema=False))
