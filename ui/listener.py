"""Background results into the chat: the pub/sub listener and notification delivery.

A finished task has a `Notification` row, written with the task's end; the notify worker
publishes its ids on `cv:chat:<chat session id>` (`api.tasks.notify`). The chat session id is the Chainlit
session id of the conversation that asked (the tools send it as `chat_session_id`).
A job alert belongs to no conversation: it is published on `cv:user:<user id>` and shown
in any connected session of that user (as a job card with a "See how I match" button);
so are an employer's contact request (with Agree / Decline buttons) and its answer.

Every UI process subscribes to `cv:chat:*` and `cv:user:*`; the one holding that session,
while it is connected, shows the message (idle or not) with an action to view the result. Whoever
shows a notification first claims it (`delivered_at`, set only while still empty), so a
notification appears once even with several UI processes, or a push racing the
next-visit check. A notification nobody could show stays undelivered and is shown at
the user's next chat start (`show_pending`); so is one whose push was lost.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from typing import Any

import chainlit as cl
from chainlit.context import init_ws_context
from chainlit.session import WebsocketSession, ws_sessions_id
from redis.exceptions import RedisError
from sqlalchemy import select, update

from core.db import session_scope
from core.models import Job, Notification, utcnow
from core.redis import get_redis
from ui import render

log = logging.getLogger(__name__)

CHAT_PATTERN = "cv:chat:*"
USER_PATTERN = "cv:user:*"
CHAT_PREFIX = CHAT_PATTERN[:-1]
USER_PREFIX = USER_PATTERN[:-1]
PENDING_LIMIT = 20
RETRY_S = (0.5, 1.0, 2.0, 5.0)
# Deliveries in flight, referenced so they are not garbage-collected mid-way.
_deliveries: set[asyncio.Task[bool]] = set()


def live_session(chat_session_id: str) -> WebsocketSession | None:
    """The Chainlit session with this id, if its browser is connected right now.

    Chainlit keeps a disconnected session for `session_timeout` so a reconnect can resume
    it; what is emitted meanwhile is lost, so such a session counts as away."""
    from chainlit.server import sio

    session = WebsocketSession.get_by_id(chat_session_id)
    if session is None or session.user is None:
        return None
    return session if sio.manager.is_connected(session.socket_id, "/") else None


def live_sessions_of(user_id: str) -> list[WebsocketSession]:
    """The user's sessions connected to this process right now (several tabs)."""
    return [
        session
        for session in list(ws_sessions_id.values())
        if user_id_of(session) == user_id and live_session(session.id) is not None
    ]


def user_id_of(session: WebsocketSession) -> str | None:
    user = session.user
    value = (user.metadata or {}).get("user_id") if user is not None else None
    return str(value) if value else None


async def claim(notification_id: str, user_id: str) -> bool:
    """Mark the user's notification delivered; False if it was already (or is not theirs)."""
    async with session_scope() as db:
        result = await db.execute(
            update(Notification)
            .where(
                Notification.id == notification_id,
                Notification.user_id == user_id,
                Notification.delivered_at.is_(None),
            )
            .values(delivered_at=utcnow())
        )
        return bool(getattr(result, "rowcount", 0))


async def _published(alert: Mapping[str, Any]) -> bool:
    """Whether an alert's job is still published (it may be withdrawn while the alert
    waits for the candidate's next visit)."""
    async with session_scope() as db:
        published = await db.scalar(select(Job.published).where(Job.id == str(alert.get("job_id"))))
    return bool(published)


async def release(notification_id: str) -> None:
    """Undo a claim whose message could not be sent: it is shown at the next visit."""
    async with session_scope() as db:
        await db.execute(
            update(Notification).where(Notification.id == notification_id).values(delivered_at=None)
        )


async def send_notification(payload: Mapping[str, Any], kind: str | None = None) -> None:
    """The message for a notification (a finished task, a job alert, a contact request
    or its answer), in the current Chainlit context."""
    kind = kind or payload.get("kind")
    if kind == render.JOB_ALERT:
        await cl.Message(
            content=render.job_alert_card(payload),
            actions=render.alert_actions(str(payload.get("job_id") or "")),
        ).send()
        return
    if kind == render.CONTACT_REQUEST:
        await cl.Message(
            content=render.contact_question(payload),
            actions=render.contact_actions(str(payload.get("request_id") or "")),
        ).send()
        return
    if kind == render.CONTACT_ANSWERED:
        accepted = payload.get("status") == "accepted"
        await cl.Message(
            content=render.contact_answered(payload),
            actions=render.shortlist_actions(str(payload.get("job_id"))) if accepted else [],
        ).send()
        return
    task_id = str(payload.get("task_id") or "")
    actions = (
        [render.view_action(task_id, str(payload.get("task_kind")))]
        if task_id and payload.get("status") == "succeeded"
        else []
    )
    await cl.Message(content=render.notification_text(payload), actions=actions).send()


async def _show(
    session: WebsocketSession,
    notification_id: str,
    payload: Mapping[str, Any],
    kind: str | None = None,
) -> bool:
    user_id = user_id_of(session)
    if user_id is None or not await claim(notification_id, user_id):
        return False
    if (kind or payload.get("kind")) == render.JOB_ALERT and not await _published(payload):
        return False  # unpublished since: claimed, so it is never announced
    try:
        init_ws_context(session)
        await send_notification(payload, kind)
    except BaseException:
        await release(notification_id)
        raise
    return True


def _decode(data: str, where: str) -> tuple[str, dict[str, Any]] | None:
    try:
        message = json.loads(data)
    except ValueError:
        message = None
    notification_id = message.get("notification_id") if isinstance(message, dict) else None
    if not isinstance(message, dict) or not isinstance(notification_id, str):
        log.warning("ignored a malformed push on %s", where)
        return None
    return notification_id, message


async def deliver(chat_session_id: str, data: str) -> bool:
    """Show one pushed notification in its session, if connected here; whether shown."""
    decoded = _decode(data, f"session {chat_session_id[:8]}")
    session = live_session(chat_session_id)
    if session is None or decoded is None:
        return False
    return await _show(session, *decoded)


async def deliver_to_user(user_id: str, data: str) -> bool:
    """Show one pushed user notification (a job alert) in one of the user's connected
    sessions here; the claim makes it once across tabs and processes."""
    decoded = _decode(data, "a user channel")
    if decoded is None:
        return False
    for session in live_sessions_of(user_id):
        if await _show(session, *decoded):
            return True
    return False


async def show_pending(session: WebsocketSession) -> int:
    """At chat start: the user's notifications nobody has shown yet, oldest first."""
    user_id = user_id_of(session)
    if user_id is None:
        return 0
    async with session_scope() as db:
        rows = (
            await db.execute(
                select(Notification.id, Notification.payload, Notification.kind)
                .where(Notification.user_id == user_id, Notification.delivered_at.is_(None))
                .order_by(Notification.created_at)
                .limit(PENDING_LIMIT)
            )
        ).all()
    shown = 0
    for notification_id, payload, kind in rows:
        shown += await _show(session, notification_id, payload or {}, kind)
    return shown


def _on_done(task: asyncio.Task[bool]) -> None:
    _deliveries.discard(task)
    if not task.cancelled() and (error := task.exception()) is not None:
        # Left undelivered: the user sees it at the next visit.
        log.warning("could not show a notification: %s", type(error).__name__)


async def _listen_once(stop: asyncio.Event) -> None:
    pubsub = get_redis().pubsub()
    try:
        await pubsub.psubscribe(CHAT_PATTERN, USER_PATTERN)
        while not stop.is_set():
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            if message is None or message.get("type") != "pmessage":
                continue
            channel, data = str(message["channel"]), str(message["data"])
            delivery = (
                deliver_to_user(channel.removeprefix(USER_PREFIX), data)
                if channel.startswith(USER_PREFIX)
                else deliver(channel.removeprefix(CHAT_PREFIX), data)
            )
            task = asyncio.create_task(delivery)
            _deliveries.add(task)
            task.add_done_callback(_on_done)
    finally:
        await pubsub.aclose()


async def listen(stop: asyncio.Event) -> None:
    """Subscribe to every chat and user channel until `stop`; reconnect when Redis goes away
    (pushes missed meanwhile are shown at the next visit)."""
    attempt = 0
    while not stop.is_set():
        try:
            await _listen_once(stop)
        except (RedisError, OSError) as exc:
            delay = RETRY_S[min(attempt, len(RETRY_S) - 1)]
            attempt += 1
            log.warning(
                "chat listener lost Redis (%s); retrying in %.1fs", type(exc).__name__, delay
            )
            try:
                await asyncio.wait_for(stop.wait(), delay)
            except TimeoutError:
                continue
        else:
            attempt = 0
    if _deliveries:
        await asyncio.gather(*_deliveries, return_exceptions=True)
