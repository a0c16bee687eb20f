"""Request ids: every request's log lines carry one, so a request (and the task it
submits) can be followed across the services' and workers' JSON logs.

The id comes from the caller's `X-Request-ID` (a load balancer or client that already
traces requests) when it is a short printable token, or is made up here; it is echoed in
the response's `X-Request-ID`. Pure ASGI, so streamed responses are not buffered.
"""

from __future__ import annotations

import itertools
import re
import secrets

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.correlation import correlation_id

HEADER = "X-Request-ID"
# A caller's id goes into every log line: only short, harmless tokens are taken as they are.
_ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# New ids: a random per-process prefix and a counter, 32 hex characters like a uuid4's,
# unique across processes without an entropy read per request.
_PROCESS = secrets.token_hex(8)
_SEQUENCE = itertools.count(1)


def new_request_id() -> str:
    return f"{_PROCESS}{next(_SEQUENCE):016x}"


def request_id(headers: Headers) -> str:
    """The caller's request id when acceptable, else a new one."""
    given = headers.get(HEADER, "")
    return given if given and _ACCEPTED.fullmatch(given) else new_request_id()


class CorrelationMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id(Headers(scope=scope))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = rid
            await send(message)

        token = correlation_id.set(rid)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            correlation_id.reset(token)
