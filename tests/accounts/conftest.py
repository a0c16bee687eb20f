"""Accounts fixtures: the app over ASGI and a real SMTP server in this process (aiosmtpd),
configured as the deployment's mail server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from clearview.app import build_app
from core.settings import reset_settings_cache
from tests.helpers.accounts import BASE_URL, Inbox
from tests.helpers.server import free_port


@pytest.fixture
def inbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    """A real SMTP server on a free port, configured as the deployment's mail server."""
    received = Inbox()
    port = free_port()
    controller = Controller(received, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("CLEARVIEW_SMTP_URL", f"smtp://127.0.0.1:{port}?tls=none")
    monkeypatch.setenv("CLEARVIEW_PUBLIC_URL", BASE_URL)
    reset_settings_cache()
    yield received
    controller.stop()


@pytest.fixture
def app(engine: AsyncEngine, inbox: Inbox) -> FastAPI:
    return build_app()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as c:
        yield c
