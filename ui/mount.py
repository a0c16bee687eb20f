"""Mount the chat UI into a FastAPI app (`clearview serve`, `clearview serve ui`)."""

from __future__ import annotations

import os

from fastapi import FastAPI

from core.credentials import chat_token_secret
from ui import PROJECT_ROOT

PATH = "/chat"
TARGET = PROJECT_ROOT / "ui" / "app.py"

_mounted = False


def mount_ui(app: FastAPI) -> None:
    """Serve the Chainlit app at `/chat` (socket at `/chat/ws/socket.io`).

    Chainlit's app and socket server are process globals: the first call loads
    `ui/app.py` and configures them; a later call (another app in the same process, as
    in tests) only mounts the same app again.
    """
    global _mounted
    os.environ.setdefault("CHAINLIT_AUTH_SECRET", chat_token_secret())
    if _mounted:
        # Chainlit's server module reads its configuration when imported: after the
        # secret above is set, and only in a process that serves the chat.
        from chainlit.server import app as chainlit_app

        app.mount(PATH, chainlit_app)
        return
    from chainlit.utils import mount_chainlit

    mount_chainlit(app=app, target=str(TARGET), path=PATH)
    _mounted = True
