"""The notification path at the protocol level: a python-socketio client on
`/chat/ws/socket.io` against a real `clearview serve`, notified the way the notify
worker notifies (`api.tasks.notify.notify_task`: a `Notification` row, then a publish on
`cv:chat:<session>`)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import socketio
from sqlalchemy import select

from api.identity.service import identity_service
from api.tasks.notify import notify_task
from core.db import dispose_engines, session_scope
from core.models import Notification, Role, Task, TaskKind, TaskStatus, User, new_id, utcnow
from core.passwords import hash_password
from core.redis import close_clients, get_redis
from tests.ui.conftest import Server, start_server

PASSWORD = "correct horse battery"
WAIT_S = 15


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, model_cache_dir: Path) -> Iterator[Server]:
    yield from start_server(
        tmp_path_factory.mktemp("ui-protocol"), model_cache_dir, demo=False, timeout=120
    )


@pytest.fixture
async def db(server: Server, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[None]:
    server.use_database(monkeypatch)
    monkeypatch.setenv("CLEARVIEW_REDIS_URL", server.redis_url)
    yield
    await close_clients()
    await dispose_engines()


async def make_user(role: Role = Role.candidate, org: str = "public") -> tuple[str, str, str]:
    """A user who can sign in; (username, user id, org id)."""
    username = f"{role.value}-{uuid.uuid4().hex[:8]}@test.clearview"
    async with session_scope() as session:
        organisation = await identity_service.get_or_create_org(session, org)
        user = User(
            id=new_id(),
            org_id=organisation.id,
            username=username,
            role=role,
            password_hash=hash_password(PASSWORD),
        )
        session.add(user)
    return username, user.id, organisation.id


async def finished_task(user_id: str, org_id: str, chat_session_id: str) -> str:
    """A succeeded rewrite task, as the rewrite worker leaves it."""
    async with session_scope() as session:
        task = Task(
            id=new_id(),
            org_id=org_id,
            user_id=user_id,
            kind=TaskKind.rewrite,
            status=TaskStatus.succeeded,
            chat_session_id=chat_session_id,
            finished_at=utcnow(),
        )
        session.add(task)
    return task.id


async def delivered_at(task_id: str) -> Any:
    async with session_scope() as session:
        return await session.scalar(
            select(Notification.delivered_at).where(Notification.task_id == task_id)
        )


class ChatClient:
    """A browser's socket, minus the browser: Chainlit's handshake, and what it receives."""

    def __init__(self, server: Server, cookies: httpx.Cookies) -> None:
        self.server = server
        self.cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
        self.session_id = str(uuid.uuid4())
        self.sio = socketio.AsyncClient(reconnection=False)
        self.messages: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.actions: list[dict[str, Any]] = []
        self.sio.on("new_message", self.messages.put_nowait)
        self.sio.on("action", self.actions.append)

    async def connect(self) -> None:
        await self.sio.connect(
            self.server.base_url,
            socketio_path="/chat/ws/socket.io",
            headers={"Cookie": self.cookie},
            auth={"sessionId": self.session_id, "clientType": "webapp", "threadId": None},
            transports=["websocket"],
            wait_timeout=WAIT_S,
        )
        await self.sio.emit("connection_successful")

    async def next_message(self, containing: str) -> dict[str, Any]:
        """The next message whose content contains `containing` (others are skipped)."""

        async def wait() -> dict[str, Any]:
            while True:
                message = await self.messages.get()
                if containing in str(message.get("output", "")):
                    return message

        return await asyncio.wait_for(wait(), WAIT_S)

    async def close(self) -> None:
        await self.sio.disconnect()


async def sign_in(server: Server, username: str, password: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        return await http.post("/chat/login", data={"username": username, "password": password})


async def test_sign_in_checks_the_password_and_offers_only_the_role_profile(
    server: Server, db: None
) -> None:
    username, _, _ = await make_user(Role.candidate)
    assert (await sign_in(server, username, "wrong password")).status_code == 401
    assert (await sign_in(server, "nobody@test.clearview", PASSWORD)).status_code == 401

    answer = await sign_in(server, username, PASSWORD)
    assert answer.status_code == 200
    async with httpx.AsyncClient(base_url=server.base_url, cookies=answer.cookies) as http:
        settings = (await http.get("/chat/project/settings", params={"language": "en-US"})).json()
        user = (await http.get("/chat/user")).json()
    assert [p["name"] for p in settings["chatProfiles"]] == ["Candidate"]
    assert [s["message"] for s in settings["chatProfiles"][0]["starters"]]
    # What the browser holds about the user carries no API key.
    assert "cv_" not in str(user) and "cv_" not in str(answer.cookies.items())


async def test_a_finished_task_appears_in_the_open_session(server: Server, db: None) -> None:
    username, user_id, org_id = await make_user()
    client = ChatClient(server, (await sign_in(server, username, PASSWORD)).cookies)
    await client.connect()
    try:
        welcome = await client.next_message("signed in as **Candidate**")
        assert "Mode: **offline model**" in welcome["output"]

        task_id = await finished_task(user_id, org_id, client.session_id)
        # Exactly what the notify worker does for a finished task.
        assert await notify_task(get_redis(), task_id) is not None

        pushed = await client.next_message("Your resume rewrite is ready.")
        await asyncio.sleep(0.2)  # the action follows its message
        views = [a for a in client.actions if a["forId"] == pushed["id"]]
        assert [(a["name"], a["payload"]) for a in views] == [("view_result", {"task_id": task_id})]
        assert await delivered_at(task_id) is not None
    finally:
        await client.close()


async def test_a_notification_missed_while_away_is_shown_at_the_next_visit(
    server: Server, db: None
) -> None:
    username, user_id, org_id = await make_user()
    cookies = (await sign_in(server, username, PASSWORD)).cookies
    first = ChatClient(server, cookies)
    await first.connect()
    await first.next_message("signed in as")
    await first.close()

    # The task finishes while nobody is connected to the session that asked for it.
    task_id = await finished_task(user_id, org_id, first.session_id)
    assert await notify_task(get_redis(), task_id) is not None
    await asyncio.sleep(1.0)  # time for the listener to have seen the push (and passed)
    assert await delivered_at(task_id) is None

    second = ChatClient(server, cookies)
    await second.connect()
    try:
        await second.next_message("Your resume rewrite is ready.")
        assert await delivered_at(task_id) is not None
    finally:
        await second.close()
    # Shown once: a third visit starts with the welcome only.
    third = ChatClient(server, cookies)
    await third.connect()
    try:
        await third.next_message("signed in as")
        await asyncio.sleep(1.0)
        assert all("is ready" not in str(m.get("output")) for m in _drain(third.messages))
    finally:
        await third.close()


async def test_another_users_session_does_not_receive_the_notification(
    server: Server, db: None
) -> None:
    alice, _, _ = await make_user()
    _, bob_id, bob_org = await make_user()
    client = ChatClient(server, (await sign_in(server, alice, PASSWORD)).cookies)
    await client.connect()
    try:
        await client.next_message("signed in as")
        # Bob's task names Alice's session: the push reaches it, the UI refuses to show it.
        task_id = await finished_task(bob_id, bob_org, client.session_id)
        await notify_task(get_redis(), task_id)
        await asyncio.sleep(1.5)
        assert all("is ready" not in str(m.get("output")) for m in _drain(client.messages))
        assert await delivered_at(task_id) is None
    finally:
        await client.close()


def _drain(queue: asyncio.Queue[dict[str, Any]]) -> list[dict[str, Any]]:
    items = []
    while not queue.empty():
        items.append(queue.get_nowait())
    return items
