"""Mount the chat UI into a FastAPI app (`clearview serve`, `clearview serve ui`)."""

from __future__ import annotations

import json
import os

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.credentials import chat_token_secret
from core.settings import get_settings
from ui import PROJECT_ROOT, auth, sso

PATH = "/chat"
TARGET = PROJECT_ROOT / "ui" / "app.py"

_mounted = False


class SignInMiddleware:
    """Around the chat's requests: remember the browser's address (forwarded when the
    chat signs someone in), and answer a sign-in the identity service throttled with its
    429 and Retry-After instead of Chainlit's 401 (`ui.auth.SignInAttempt`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(PATH):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        attempt = auth.SignInAttempt(str(client[0]) if client else None)

        async def answer(message: Message) -> None:
            if attempt.throttled is None:
                await send(message)
                return
            if message["type"] == "http.response.start":
                detail, retry_after = attempt.throttled
                body = json.dumps({"error": "rate_limited", "detail": detail}).encode()
                await send(
                    {
                        "type": "http.response.start",
                        "status": 429,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"retry-after", retry_after.encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
            # Chainlit's own body (its 401) is dropped.

        token = auth.sign_in_attempt.set(attempt)
        try:
            await self.app(scope, receive, answer)
        finally:
            auth.sign_in_attempt.reset(token)


def _allow_only_public_origin() -> None:
    """Chainlit answers cross-origin requests (with credentials) from the origins of its
    configuration; ours is this deployment's public URL and nothing else (none when it is
    not set: the chat is used from its own pages). Set before Chainlit's server module is
    imported, which reads it."""
    from chainlit.config import config

    origin = get_settings().public_origin
    # In place: a middleware already built from the list sees the change too.
    config.project.allow_origins[:] = [origin] if origin else []


def mount_ui(app: FastAPI) -> None:
    """Serve the Chainlit app at `/chat` (socket at `/chat/ws/socket.io`).

    Chainlit's app and socket server are process globals: the first call loads
    `ui/app.py` and configures them; a later call (another app in the same process, as
    in tests) only mounts the same app again.
    """
    global _mounted
    os.environ.setdefault("CHAINLIT_AUTH_SECRET", chat_token_secret())
    app.add_middleware(SignInMiddleware)
    if _mounted:
        # Chainlit's server module reads its configuration when imported: after the
        # secret above is set, and only in a process that serves the chat.
        from chainlit.server import app as chainlit_app

        app.mount(PATH, chainlit_app)
        return
    _allow_only_public_origin()
    sso.configure_oidc()  # before `ui/app.py` is loaded: it registers the OAuth callback
    from chainlit.utils import mount_chainlit

    mount_chainlit(app=app, target=str(TARGET), path=PATH)
    _mounted = True
