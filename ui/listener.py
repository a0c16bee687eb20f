"""Background results into the chat: the pub/sub listener and notification delivery.

A finished task has a notification, written with the task's end; the notify worker
publishes it on the channel of the chat session that asked (`core.notifications`; the
chat session id is the Chainlit session id of the conversation, which the tools send as
`chat_session_id`). A job alert belongs to no conversation: it is published on the user's
channel and shown in any connected session of that user (as a job card with a "See how I
match" button); so are an employer's contact request (with Agree / Decline buttons) and
its answer.

Every UI process subscribes to every chat and user channel; the one holding that session,
while it is connected, shows the message (idle or not) with an action to view the
result. Whoever shows a notification first claims it through the notifications API, so
it appears once even with several UI processes, or a push racing the next-visit check.
A notification nobody could show stays pending and is shown at the user's next chat
start (`show_pending`); so is one whose push was lost.
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

from core.notifications import (
    CHAT_CHANNEL_PREFIX,
    SESSION_ENDED,
    USER_CHANNEL_PREFIX,
    NotificationKind,
)
from core.redis import get_redis
from tools.client import ServiceClient, ServiceError
from ui import auth, render, runtime

log = logging.getLogger(__name__)

CHAT_PATTERN = CHAT_CHANNEL_PREFIX + "*"
USER_PATTERN = USER_CHANNEL_PREFIX + "*"
PENDING_LIMIT = 20
RETRY_S = (0.5, 1.0, 2.0, 5.0)
# Deliveries in flight, referenced so they are not garbage-collected mid-way.
_deliveries: set[asyncio.Task[bool]] = set()


def live_session(chat_session_id: str) -> WebsocketSession | None:
    """The Chainlit session with this id, if its browser is connected right now.

    Chainlit keeps a disconnected session for `session_timeout` so a reconnect can resume
    it; what is emitted meanwhile is lost, so such a session counts as away."""
    # Imported once the chat is mounted (see `ui.mount`): the server module reads its
    # configuration when imported.
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


async def _services(user_id: str) -> ServiceClient:
    """A client of the services with the user's chat key."""
    services = runtime.current().services()
    return runtime.current().services(await auth.identity_for(services, {"user_id": user_id}))


async def claim(services: ServiceClient, notification_id: str) -> bool | None:
    """Take the notification to show it: True to show, False when what it tells of is
    gone since (claimed, never shown), None when it was shown already."""
    try:
        claimed = await services.post(f"/api/v1/notifications/{notification_id}/claim")
    except ServiceError as exc:
        if exc.status in (404, 409):
            return None
        raise
    return bool(claimed["current"])


async def release(services: ServiceClient, notification_id: str) -> None:
    """Undo a claim whose message could not be sent: it is shown at the next visit."""
    await services.post(f"/api/v1/notifications/{notification_id}/release")


async def send_notification(payload: Mapping[str, Any], kind: str | None = None) -> None:
    """The message for a notification (a finished task, a job alert, a contact request
    or its answer), in the current Chainlit context."""
    kind = kind or payload.get("kind")
    if kind == NotificationKind.job_alert:
        await cl.Message(
            content=render.job_alert_card(payload),
            actions=render.alert_actions(str(payload.get("job_id") or "")),
        ).send()
        return
    if kind == NotificationKind.contact_request:
        await cl.Message(
            content=render.contact_question(payload),
            actions=render.contact_actions(str(payload.get("request_id") or "")),
        ).send()
        return
    if kind == NotificationKind.contact_answered:
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
    if user_id is None:
        return False
    services = await _services(user_id)
    if not await claim(services, notification_id):
        return False  # shown elsewhere already, or its job is no longer published
    try:
        init_ws_context(session)
        await send_notification(payload, kind)
    except BaseException:
        await release(services, notification_id)
        raise
    return True


def _is_session_end(data: str) -> bool:
    try:
        message = json.loads(data)
    except ValueError:
        return False
    return isinstance(message, dict) and message.get("kind") == SESSION_ENDED


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


async def end_sessions(user_id: str) -> int:
    """End every chat of the user connected here (their account was disabled, or their
    password changed): say so, forget their key, and close the connection; a reconnect
    finds the account refused. How many ended."""
    # Chainlit's server module reads its configuration when imported (`ui.mount`): only
    # once the chat is mounted, which it is when a session is connected.
    from chainlit.server import sio

    auth.forget_key(user_id)
    sessions = live_sessions_of(user_id)
    for session in sessions:
        init_ws_context(session)
        await cl.Message(content=render.SESSION_ENDED).send()
        await sio.disconnect(session.socket_id)
    return len(sessions)


async def deliver_to_user(user_id: str, data: str) -> bool:
    """Show one pushed user notification (a job alert) in one of the user's connected
    sessions here; the claim makes it once across tabs and processes."""
    if _is_session_end(data):
        return await end_sessions(user_id) > 0
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
    services = await _services(user_id)
    pending = await services.get("/api/v1/notifications", limit=PENDING_LIMIT)
    shown = 0
    for item in pending:
        shown += await _show(session, item["id"], item["payload"] or {}, item["kind"])
    log.info("chat session %s started: %d waiting notification(s) shown", session.id, shown)
    return shown


async def _handle(channel: str, data: str) -> bool:
    """One push, to the session or user its channel names; logs once handled (operators
    and tests see that a push was seen, even one this process did not show)."""
    if channel.startswith(USER_CHANNEL_PREFIX):
        shown = await deliver_to_user(channel.removeprefix(USER_CHANNEL_PREFIX), data)
    else:
        shown = await deliver(channel.removeprefix(CHAT_CHANNEL_PREFIX), data)
    log.info("push %s handled: %s", _push_id(data), "shown" if shown else "not shown")
    return shown


def _push_id(data: str) -> str:
    try:
        message = json.loads(data)
    except ValueError:
        return "-"
    return str(message.get("notification_id", "-")) if isinstance(message, dict) else "-"


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
            task = asyncio.create_task(_handle(channel, data))
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
