"""Security headers on every HTTP response of the API and the mounted chat UI.

- `Content-Security-Policy: frame-ancestors 'none'` (and `X-Frame-Options: DENY` for
  older browsers): no other site may frame the chat and trick a signed-in person into
  clicking in it. Only `frame-ancestors` is set: a full script policy would have to
  follow Chainlit's own inline scripts release by release.
- `X-Content-Type-Options: nosniff`: an uploaded file or a report is never run as a
  script or page because its bytes look like one.
- `Referrer-Policy: no-referrer`: links out of the chat (a job posting) do not carry
  chat URLs with thread ids to another site.

Pure ASGI, so it adds headers without buffering or wrapping streamed bodies. A header a
route sets itself is kept.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADERS: tuple[tuple[str, str], ...] = (
    ("content-security-policy", "frame-ancestors 'none'"),
    ("x-frame-options", "DENY"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
)


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS:
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
