"""Mount the chat UI into a FastAPI app (`clearview serve`, `clearview serve ui`)."""

from __future__ import annotations

import hashlib
import hmac
import os

from fastapi import FastAPI

from core.settings import get_settings
from ui import PROJECT_ROOT

PATH = "/chat"
TARGET = PROJECT_ROOT / "ui" / "app.py"

_mounted = False


def _auth_secret() -> str:
    """The key Chainlit signs its session tokens with, derived from the product's secret
    (a label, so the token key is not the key that hashes API keys)."""
    secret = get_settings().secret_key.get_secret_value().encode()
    return hmac.new(secret, b"clearview chat session tokens", hashlib.sha256).hexdigest()


def mount_ui(app: FastAPI) -> None:
    """Serve the Chainlit app at `/chat` (socket at `/chat/ws/socket.io`).

    Chainlit's app and socket server are process globals: the first call loads
    `ui/app.py` and configures them; a later call (another app in the same process, as
    in tests) only mounts the same app again.
    """
    global _mounted
    os.environ.setdefault("CHAINLIT_AUTH_SECRET", _auth_secret())
    if _mounted:
        from chainlit.server import app as chainlit_app

        app.mount(PATH, chainlit_app)
        return
    from chainlit.utils import mount_chainlit

    mount_chainlit(app=app, target=str(TARGET), path=PATH)
    _mounted = True
