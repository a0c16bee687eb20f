"""Webhook test helpers: a real HTTP receiver on 127.0.0.1 answering from a script, and
subscribing through the API."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.gateway import signing
from api.gateway.service import emit, webhook_id_for
from core.db import session_scope
from core.models import WebhookDelivery
from tests.plugins.api import Key


@dataclass(frozen=True)
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # longer than the delivery timeout: the attempt times out


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]  # lower-cased names
    body: bytes
    at: float  # time.time() on arrival


class Receiver:
    """An HTTP server answering POSTs from a script (then 200), recording each request."""

    def __init__(self, script: list[Reply] | None = None) -> None:
        self.script = list(script or [])
        self.requests: list[Received] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                with receiver._lock:
                    receiver.requests.append(
                        Received({k.lower(): v for k, v in self.headers.items()}, body, time.time())
                    )
                    reply = receiver.script.pop(0) if receiver.script else Reply()
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                with contextlib.suppress(OSError):  # the client may have given up
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("content-length", "0")
                    self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hook"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


MakeReceiver = Callable[..., Receiver]


async def wait_for(
    predicate: Callable[[], Awaitable[bool]], within_s: float = 60.0, what: str = "condition"
) -> None:
    """Until `predicate` holds; `within_s` only bounds a failing test (a busy machine may
    take many times longer than a quiet one to deliver with retries)."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if await predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def subscribe(
    http: httpx.AsyncClient, key: Key, url: str, events: list[str] | None = None
) -> dict[str, Any]:
    response = await http.post(
        "/api/v1/webhooks/subscriptions",
        json={"url": url, "events": events or ["match.completed"]},
        headers=key.headers,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


# Deliveries: emitting an event, reading its delivery, checking its signature.


async def emit_match(engine: AsyncEngine, org_id: str, task_id: str = "task-1") -> str:
    async with session_scope(engine) as session:
        await emit(
            session,
            org_id,
            "match.completed",
            {"task_id": task_id, "links": {"task": f"/api/v1/tasks/{task_id}"}},
        )
    return webhook_id_for(org_id, "match.completed", task_id)


async def delivery_of(engine: AsyncEngine, webhook_id: str) -> WebhookDelivery:
    async with session_scope(engine) as session:
        row = await session.scalar(
            select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)
        )
    assert row is not None
    return row


async def settled(engine: AsyncEngine, webhook_id: str) -> bool:
    return (await delivery_of(engine, webhook_id)).status != "pending"


def verifies(request: Received, secret: str) -> bool:
    h = request.headers
    return (
        signing.matching_secret(
            h["webhook-signature"],
            [secret],
            h["webhook-id"],
            int(h["webhook-timestamp"]),
            request.body,
        )
        == secret
    )
