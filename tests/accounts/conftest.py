"""Accounts fixtures: the app over ASGI, a real SMTP server in this process (aiosmtpd),
and helpers to fill in the self-service pages as a browser would (CSRF cookie and field)."""

from __future__ import annotations

import email
import re
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from clearview.app import build_app
from core.settings import reset_settings_cache

BASE_URL = "http://clearview.test"
LINK = re.compile(r"http://clearview\.test/\S+")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Inbox:
    """What the SMTP server received; `wait_for` blocks until a message to an address
    arrives (mail is handed over before the page answers, so normally at once)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        content = envelope.content
        assert isinstance(content, bytes)
        message = email.message_from_bytes(content, policy=default_policy)
        assert isinstance(message, EmailMessage)
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def wait_for(self, address: str, count: int = 1, timeout: float = 30) -> EmailMessage:
        with self._arrived:
            assert self._arrived.wait_for(lambda: len(self.to(address)) >= count, timeout), (
                f"no mail #{count} to {address}; got {[m['To'] for m in self.messages]}"
            )
            return self.to(address)[count - 1]


def link_in(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    found = LINK.search(body.get_content())
    assert found, body.get_content()
    return found.group(0)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def inbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    """A real SMTP server on a free port, configured as the deployment's mail server."""
    received = Inbox()
    port = _free_port()
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


async def submit(
    client: httpx.AsyncClient, page: str, fields: dict[str, str], *, action: str | None = None
) -> httpx.Response:
    """Open `page`, then post its form with `fields`, as a browser would."""
    shown = await client.get(page)
    assert shown.status_code == 200, shown.text
    found = CSRF.search(shown.text)
    assert found, shown.text
    hidden = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', shown.text))
    target = action or page.split("?")[0]
    return await client.post(target, data={**hidden, **fields, "csrf": found.group(1)})
