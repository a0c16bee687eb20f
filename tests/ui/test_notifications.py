"""The notification path at the protocol level: a python-socketio client on
`/chat/ws/socket.io` against a real `clearview serve`, notified of tasks the way a worker
finishing them notifies (`api.tasks.notify.record`: a `Notification` row and a notify
event in the task's transaction; the server's own notify worker then publishes on
`cv:chat:<session>`), and job alerts the way the alert delivery sends them (a
`job.alert` row for the user, then a publish on `cv:user:<user id>`)."""

from __future__ import annotations

import asyncio
import io
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import socketio
from sqlalchemy import select

from api.accounts.service import account_service
from api.identity.service import create_api_key, identity_service
from api.tasks.notify import FinishedTask, record
from core.db import dispose_engines, session_scope
from core.models import (
    CandidateProfile,
    Job,
    Notification,
    Role,
    Task,
    TaskKind,
    TaskStatus,
    User,
    new_id,
    utcnow,
)
from core.notifications import CHAT_CHANNEL_PREFIX, user_channel
from core.passwords import hash_password
from core.redis import close_clients, get_redis
from tests.helpers.server import Server, clearview_serve

PASSWORD = "correct horse battery"
WAIT_S = 15


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, model_cache_dir: Path) -> Iterator[Server]:
    settings = {"CLEARVIEW_MODE": "dev", "CLEARVIEW_MODEL_CACHE_DIR": str(model_cache_dir)}
    with clearview_serve(
        tmp_path_factory.mktemp("ui-protocol"), "--no-demo", settings=settings, timeout=120
    ) as server:
        yield server


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
    """A succeeded rewrite task and its notification, as the rewrite worker leaves them:
    the server's notify worker pushes it to the chat session."""
    task_id = new_id()
    async with session_scope() as session:
        session.add(
            Task(
                id=task_id,
                org_id=org_id,
                user_id=user_id,
                kind=TaskKind.rewrite,
                status=TaskStatus.succeeded,
                chat_session_id=chat_session_id,
                finished_at=utcnow(),
            )
        )
        finished = FinishedTask(
            task_id, TaskKind.rewrite, TaskStatus.succeeded, org_id, user_id, chat_session_id
        )
        await record(session, [finished])
    return task_id


async def delivered_at(task_id: str) -> Any:
    async with session_scope() as session:
        return await session.scalar(
            select(Notification.delivered_at).where(Notification.task_id == task_id)
        )


async def notification_of(task_id: str) -> str:
    async with session_scope() as session:
        found = await session.scalar(select(Notification.id).where(Notification.task_id == task_id))
    assert found is not None
    return found


class ChatClient:
    """A browser's socket, minus the browser: Chainlit's handshake, and what it receives."""

    def __init__(self, server: Server, cookies: httpx.Cookies) -> None:
        self.server = server
        self.cookies = cookies
        self.cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
        self.session_id = str(uuid.uuid4())
        self.sio = socketio.AsyncClient(reconnection=False)
        self.messages: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.actions: list[dict[str, Any]] = []
        self.elements: list[dict[str, Any]] = []
        self.attached = asyncio.Event()  # an action or an element arrived
        self.sio.on("new_message", self.messages.put_nowait)
        self.sio.on("action", lambda action: self._attach(self.actions, action))
        self.sio.on("element", lambda element: self._attach(self.elements, element))

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

    def _attach(self, into: list[dict[str, Any]], item: dict[str, Any]) -> None:
        into.append(item)
        self.attached.set()

    async def _attached_to(
        self, items: list[dict[str, Any]], message_id: str, count: int
    ) -> list[dict[str, Any]]:
        async def wait() -> list[dict[str, Any]]:
            while len(found := [i for i in items if i["forId"] == message_id]) < count:
                self.attached.clear()
                await self.attached.wait()
            return found

        return await asyncio.wait_for(wait(), WAIT_S)

    async def actions_for(self, message_id: str, count: int = 1) -> list[dict[str, Any]]:
        """The actions of a message, once `count` of them arrived (they follow it)."""
        return await self._attached_to(self.actions, message_id, count)

    async def elements_for(self, message_id: str, count: int = 1) -> list[dict[str, Any]]:
        """The elements of a message, once `count` of them arrived (they follow it)."""
        return await self._attached_to(self.elements, message_id, count)

    async def download(self, element: dict[str, Any]) -> httpx.Response:
        """A file element of a message, as the browser fetches it (the user's cookie)."""
        async with httpx.AsyncClient(base_url=self.server.base_url, cookies=self.cookies) as http:
            return await http.get(
                f"/chat/project/file/{element['chainlitKey']}",
                params={"session_id": self.session_id},
            )

    async def say(self, text: str) -> None:
        """What the browser sends when the user presses Enter."""
        message = {
            "id": str(uuid.uuid4()),
            "output": text,
            "name": "User",
            "type": "user_message",
            "createdAt": utcnow().isoformat(),
        }
        await self.sio.emit("client_message", {"message": message, "fileReferences": None})

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

        pushed = await client.next_message("Your resume rewrite is ready.")
        views = await client.actions_for(pushed["id"])
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
    # The server has handled the disconnect: the session counts as away from now on.
    await asyncio.wait_for(server.wait_for_log(f"chat session {first.session_id} ended"), WAIT_S)

    # The task finishes while nobody is connected to the session that asked for it.
    listener = get_redis().pubsub()
    await listener.subscribe(f"{CHAT_CHANNEL_PREFIX}{first.session_id}")
    task_id = await finished_task(user_id, org_id, first.session_id)
    pushed = await _next_push(listener)  # the push went out, to nobody
    await listener.aclose()
    assert pushed["task_id"] == task_id
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
        started = f"chat session {third.session_id} started: 0 waiting notification(s) shown"
        await asyncio.wait_for(server.wait_for_log(started), WAIT_S)
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
        refused = f"push {await notification_of(task_id)} handled: not shown"
        await asyncio.wait_for(server.wait_for_log(refused), WAIT_S)
        assert all("is ready" not in str(m.get("output")) for m in _drain(client.messages))
        assert await delivered_at(task_id) is None
    finally:
        await client.close()


async def _next_push(pubsub: Any) -> dict[str, Any]:
    async def wait() -> dict[str, Any]:
        while True:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=WAIT_S)
            if message is not None:
                return dict(json.loads(message["data"]))

    return await asyncio.wait_for(wait(), WAIT_S)


def _drain(queue: asyncio.Queue[dict[str, Any]]) -> list[dict[str, Any]]:
    items = []
    while not queue.empty():
        items.append(queue.get_nowait())
    return items


async def job_alert(user_id: str, org_id: str, *, published: bool = True) -> dict[str, Any]:
    """A job and the alert about it for the user, as the alert delivery records them;
    returns the push it publishes."""
    async with session_scope() as session:
        job = Job(
            id=new_id(),
            org_id=org_id,
            external_id=uuid.uuid4().hex,
            title="Data Engineer",
            company="Acme",
            location="Berlin",
            description="Pipelines in Python and SQL.",
            published=published,
        )
        session.add(job)
        payload = {
            "job_id": job.id,
            "title": job.title,
            "company": job.company,
            "location": job.location,
            "score": 0.8234,
            "matched_skills": ["Python", "SQL"],
            "missing_required": ["Airflow"],
            "job_url": "https://jobs.example.org/data-engineer",
        }
        notification = Notification(
            id=new_id(),
            user_id=user_id,
            org_id=org_id,
            chat_session_id=None,
            kind="job.alert",
            payload=payload,
            dedupe_key=f"alert:{user_id}:{job.id}",
        )
        session.add(notification)
    return {"notification_id": notification.id, "kind": "job.alert", **payload}


async def alert_delivered_at(notification_id: str) -> Any:
    async with session_scope() as session:
        return await session.scalar(
            select(Notification.delivered_at).where(Notification.id == notification_id)
        )


async def publish_alert(user_id: str, push: dict[str, Any]) -> None:
    await get_redis().publish(user_channel(user_id), json.dumps(push))


async def _first_message_in(tabs: list[ChatClient], containing: str) -> dict[str, Any]:
    """The first message containing `containing` to arrive in any of `tabs`."""
    waits = [asyncio.create_task(tab.next_message(containing)) for tab in tabs]
    try:
        done, _ = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        return next(iter(done)).result()
    finally:
        for wait in waits:
            wait.cancel()


def _alerts_in(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in messages if "New job for you" in str(m.get("output"))]


async def test_a_job_alert_reaches_one_open_session_of_the_user_once(
    server: Server, db: None
) -> None:
    username, user_id, org_id = await make_user()
    cookies = (await sign_in(server, username, PASSWORD)).cookies
    tabs = [ChatClient(server, cookies), ChatClient(server, cookies)]
    for tab in tabs:
        await tab.connect()
        await tab.next_message("signed in as")
    try:
        push = await job_alert(user_id, org_id)
        await publish_alert(user_id, push)
        await publish_alert(user_id, push)  # a repeated push changes nothing
        handled = f"push {push['notification_id']} handled: "
        await asyncio.wait_for(server.wait_for_log(handled, times=2), WAIT_S)
        # Both pushes are handled; the one shown is on its way to one tab (the server
        # logs once it has sent it, the socket delivers it a moment later).
        shown = [await _first_message_in(tabs, "New job for you")]
        shown += [m for tab in tabs for m in _alerts_in(_drain(tab.messages))]
        assert len(shown) == 1
        card = shown[0]["output"]
        assert "**New job for you: Data Engineer**" in card and "Acme · Berlin" in card
        assert "score 82%" in card and "Has: Python, SQL" in card
        assert "Missing (required): Airflow" in card and "Missing (preferred)" not in card
        assert "(https://jobs.example.org/data-engineer)" in card
        buttons = [a for tab in tabs for a in tab.actions if a["forId"] == shown[0]["id"]]
        assert [(b["name"], b["payload"]) for b in buttons] == [
            ("alert_match", {"job_id": push["job_id"]})
        ]
        assert await alert_delivered_at(push["notification_id"]) is not None
    finally:
        for tab in tabs:
            await tab.close()


async def test_a_job_alert_waits_for_the_next_visit_unless_the_job_is_withdrawn(
    server: Server, db: None
) -> None:
    username, user_id, org_id = await make_user()
    _, other_id, _ = await make_user()
    cookies = (await sign_in(server, username, PASSWORD)).cookies
    waiting = await job_alert(user_id, org_id)
    withdrawn = await job_alert(user_id, org_id, published=False)
    for push in (waiting, withdrawn):
        await publish_alert(user_id, push)  # nobody is connected
    await publish_alert(other_id, waiting)  # another user's channel: not theirs to show
    for push, times in ((waiting, 2), (withdrawn, 1)):
        handled = f"push {push['notification_id']} handled: not shown"
        await asyncio.wait_for(server.wait_for_log(handled, times=times), WAIT_S)
    assert await alert_delivered_at(waiting["notification_id"]) is None

    visit = ChatClient(server, cookies)
    await visit.connect()
    try:
        await visit.next_message("New job for you: Data Engineer")
        started = f"chat session {visit.session_id} started: 1 waiting notification(s) shown"
        await asyncio.wait_for(server.wait_for_log(started), WAIT_S)
        assert _alerts_in(_drain(visit.messages)) == []  # the withdrawn job's is not shown
        assert await alert_delivered_at(waiting["notification_id"]) is not None
    finally:
        await visit.close()


REPORT_RESUME = (
    "Lee Chan\nData analyst, 3 years.\nExperience\nData Analyst, Initech (2021 - 2024)\n"
    "- Built dashboards in SQL and Python for 40 managers\nSkills: SQL, Python, Excel\n"
)
REPORT_JOB = {
    "title": "Data Engineer",
    "company": "Acme",
    "description": "Pipelines. Required: Python, SQL, Airflow. Preferred: Kafka.",
    "required_skills": ["Python", "SQL", "Airflow"],
    "preferred_skills": ["Kafka"],
}


async def test_a_candidate_asks_for_their_report_and_gets_the_pdf_and_the_chart(
    server: Server, db: None
) -> None:
    client = await _candidate_with_a_resume(server)
    try:
        await client.say("Download my report")
        answer = await client.next_message("Here is your report")
        assert "Data Engineer" in answer["output"] and "Airflow" in answer["output"]
        await _check_report_elements(client, answer["id"])
    finally:
        await client.close()


async def test_a_candidate_exports_their_resume_and_gets_a_json_resume_file(
    server: Server, db: None
) -> None:
    client = await _candidate_with_a_resume(server)
    try:
        await client.say("Export my CV so I can use it on another site")
        answer = await client.next_message("Here is your resume as a JSON Resume file")
        [element] = await client.elements_for(answer["id"], count=1)
        assert (element["type"], element["name"], element["mime"]) == (
            "file",
            "resume.json",
            "application/json",
        )
        exported = (await client.download(element)).json()
        assert any("Python" in str(skill) for skill in exported["skills"]), exported["skills"]
        assert exported["work"]
    finally:
        await client.close()


async def test_a_report_made_in_the_background_arrives_when_ready(server: Server, db: None) -> None:
    client = await _candidate_with_a_resume(server)
    try:
        await client.say("Prepare my report in the background")
        await client.next_message("being prepared in the background")
        # The server's report worker makes it; its notify worker tells this session.
        ready = await client.next_message("Your report is ready.")
        (button,) = await client.actions_for(ready["id"])
        assert button["name"] == "view_result" and button["label"] == "Get the report"
        async with httpx.AsyncClient(base_url=server.base_url, cookies=client.cookies) as http:
            clicked = await http.post(
                "/chat/project/action", json={"sessionId": client.session_id, "action": button}
            )
        assert clicked.status_code == 200, clicked.text
        delivered = await client.next_message("Here is your report: the PDF")
        await _check_report_elements(client, delivered["id"])
    finally:
        await client.close()


async def _candidate_with_a_resume(server: Server) -> ChatClient:
    """A signed-in candidate whose resume matches one published job, connected."""
    username, _, _ = await make_user()
    async with session_scope() as session:
        employer = await create_api_key(session, "acme", "employer")
        candidate = await create_api_key(session, "public", "candidate", username=username)
    async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as http:
        job = await http.post(
            "/api/v1/jobs", json=REPORT_JOB, headers={"Authorization": f"Bearer {employer}"}
        )
        assert job.status_code == 201, job.text
        resume = await http.post(
            "/api/v1/resumes",
            files={"file": ("cv.txt", REPORT_RESUME.encode(), "text/plain")},
            headers={"Authorization": f"Bearer {candidate}"},
        )
        assert resume.status_code == 201, resume.text
    client = ChatClient(server, (await sign_in(server, username, PASSWORD)).cookies)
    await client.connect()
    await client.next_message("signed in as")
    return client


async def _check_report_elements(client: ChatClient, message_id: str) -> None:
    """The message carries the PDF (a file) and the chart (an inline SVG image), and both
    download from the chat with the user's cookie."""
    from pypdf import PdfReader

    by_type = {e["type"]: e for e in await client.elements_for(message_id, count=2)}
    assert set(by_type) == {"file", "image"}
    assert by_type["file"]["mime"] == "application/pdf"
    assert by_type["image"]["mime"] == "image/svg+xml"
    assert by_type["image"]["display"] == "inline"
    files = {kind: await client.download(element) for kind, element in by_type.items()}
    reader = PdfReader(io.BytesIO(files["file"].content))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    for section in ("Resume critique", "Top job matches", "Skill gap", "Rewrite history"):
        assert section in text
    chart = files["image"].text
    assert chart.startswith("<svg") and "Airflow" in chart and "you have it" in chart


async def test_a_contact_request_is_answered_in_the_candidates_chat(
    server: Server, db: None
) -> None:
    """An employer asks (HTTP, their key); the candidate's open chat shows the question
    with Agree / Decline; Agree records the answer, and the employer's chat is told."""
    client = await _candidate_with_a_resume(server)
    employer_name, _, _ = await make_user(Role.employer, org="acme")
    async with session_scope() as session:
        employer_key = await create_api_key(session, "acme", "employer", username=employer_name)
    employer_chat = ChatClient(server, (await sign_in(server, employer_name, PASSWORD)).cookies)
    await employer_chat.connect()
    await employer_chat.next_message("signed in as")
    headers = {"Authorization": f"Bearer {employer_key}"}
    try:
        async with httpx.AsyncClient(base_url=server.base_url, cookies=client.cookies) as http:
            user_id = (await http.get("/chat/user")).json()["metadata"]["user_id"]
            async with session_scope() as session:
                profile = await session.scalar(
                    select(CandidateProfile).where(CandidateProfile.user_id == user_id)
                )
                assert profile is not None
                profile.open_to_employers = True
            job = (
                await http.get("/api/v1/jobs", params={"q": "Data Engineer"}, headers=headers)
            ).json()["items"][0]
            asked = await http.post(
                "/api/v1/contact-requests",
                json={"job_id": job["id"], "candidate_id": profile.id},
                headers=headers,
            )
            assert asked.status_code == 201, asked.text
            question = await client.next_message("would like to contact you")
            assert "Acme" in question["output"] and "Data Engineer" in question["output"]
            buttons = {a["label"]: a for a in await client.actions_for(question["id"], count=2)}
            assert set(buttons) == {"Agree", "Decline"}
            clicked = await http.post(
                "/chat/project/action",
                json={"sessionId": client.session_id, "action": buttons["Agree"]},
            )
            assert clicked.status_code == 200, clicked.text
            await client.next_message("they can now see your e-mail address")
            stored = await http.get("/api/v1/contact-requests", headers=headers)
            assert [r["status"] for r in stored.json()] == ["accepted"]
        told = await employer_chat.next_message("agreed to be contacted")
        assert "Data Engineer" in told["output"]
        (button,) = await employer_chat.actions_for(told["id"])
        assert button["name"] == "open_shortlist" and button["payload"] == {"job_id": job["id"]}
    finally:
        await client.close()
        await employer_chat.close()


async def test_disabling_an_account_ends_its_open_chat(server: Server, db: None) -> None:
    username, user_id, _ = await make_user()
    cookies = (await sign_in(server, username, PASSWORD)).cookies
    client = ChatClient(server, cookies)
    disconnected = asyncio.Event()
    client.sio.on("disconnect", disconnected.set)
    await client.connect()
    try:
        await client.next_message("signed in as")
        async with session_scope() as session:
            user = await session.get(User, user_id)
            assert user is not None
            await account_service.disable_user(session, user, None)
        await client.next_message("Your session has ended")
        await asyncio.wait_for(disconnected.wait(), WAIT_S)
    finally:
        if client.sio.connected:
            await client.close()
    # Signing in again is refused, and so is a new chat with the old cookie.
    assert (await sign_in(server, username, PASSWORD)).status_code == 401
