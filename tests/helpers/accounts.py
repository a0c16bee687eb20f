"""Accounts test helpers: a real SMTP server's inbox (aiosmtpd handler), the link in a
mail, and filling in the self-service pages as a browser would (CSRF cookie and field)."""

from __future__ import annotations

import email
import re
import threading
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import httpx
from aiosmtpd.smtp import Envelope, Session

BASE_URL = "http://clearview.test"
LINK = re.compile(r"http://clearview\.test/\S+")
ANY_LINK = re.compile(r"https?://\S+")
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


def link_in(message: EmailMessage, pattern: re.Pattern[str] = LINK) -> str:
    """The first link in the mail's text (by default one to the test app's BASE_URL)."""
    body = message.get_body(("plain",))
    assert body is not None
    found = pattern.search(body.get_content())
    assert found, body.get_content()
    return found.group(0)


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
