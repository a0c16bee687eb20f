"""Inbound `chat.message` webhooks: a partner's message for the assistant, answered as a
`chat.reply` webhook event.

The inbound request only queues the message: `queue_chat_turn` (the hand-off the
composition root gives the inbound service) writes a `chat` task in the inbound
transaction, so the partner's 202 means a worker will answer. The chat worker
(`workers.chat`) runs the assistant's turn as the organisation's integration (an employer
of the organisation) and emits the reply with `reply_event`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.gateway.service import emit
from api.identity.schemas import Identity
from api.identity.service import identity_service
from api.tasks.service import task_service
from core.models import Role, TaskKind

# The username of an inbound subscription's integration user, who chats for the partner.
INTEGRATION_PREFIX = "integration:"


@dataclass(frozen=True, slots=True)
class InboundChat:
    org_id: str
    subscription_id: str
    conversation_id: str
    message: str
    webhook_id: str  # the inbound message's id; the reply refers to it


ChatHandoff = Callable[[AsyncSession, InboundChat], Awaitable[None]]


def integration_username(subscription_id: str) -> str:
    return INTEGRATION_PREFIX + subscription_id


async def queue_chat_turn(session: AsyncSession, chat: InboundChat) -> None:
    """Queue the assistant's answer to an inbound message (a `chat` task; the message
    text stays in the database, the stream carries the task id)."""
    user = await identity_service.get_or_create_user(
        session, chat.org_id, integration_username(chat.subscription_id), Role.employer
    )
    identity = Identity(
        key_id=f"webhook:{chat.subscription_id}",
        user_id=user.id,
        org_id=chat.org_id,
        role=Role.employer,
    )
    await task_service.submit(
        session,
        identity,
        TaskKind.chat,
        subject_id=None,
        payload={
            "conversation_id": chat.conversation_id,
            "message": chat.message,
            "webhook_id": chat.webhook_id,
        },
        idempotency_key=f"chat:{chat.webhook_id}",
    )


async def reply_event(
    session: AsyncSession, org_id: str, payload: dict[str, Any], reply: str
) -> None:
    """The `chat.reply` webhook event answering an inbound message."""
    webhook_id = str(payload["webhook_id"])
    await emit(
        session,
        org_id,
        "chat.reply",
        {
            "conversation_id": payload["conversation_id"],
            "in_reply_to": webhook_id,
            "reply": reply,
        },
        event_id=f"reply:{webhook_id}",
    )
