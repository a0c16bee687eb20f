"""The seam between inbound `chat.message` webhooks and the chat agent.

The agent (a later issue) replaces the hand-off with `set_chat_handoff`: it will queue the
message for the conversation and emit `chat.reply` when the answer is ready. Until then a
placeholder answers at once, so integrators can build and test the round trip today.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from api.gateway.service import emit

PLACEHOLDER_REPLY = (
    "Thanks, your message reached ClearView. The assistant is not connected to this "
    "conversation yet; its answer will arrive here as a chat.reply event."
)


@dataclass(frozen=True, slots=True)
class InboundChat:
    org_id: str
    conversation_id: str
    message: str
    webhook_id: str  # the inbound message's id; a reply refers to it


ChatHandoff = Callable[[AsyncSession, InboundChat], Awaitable[None]]


async def placeholder_reply(session: AsyncSession, chat: InboundChat) -> None:
    """Answer with a fixed text through a `chat.reply` webhook (no LLM involved)."""
    await emit(
        session,
        chat.org_id,
        "chat.reply",
        {
            "conversation_id": chat.conversation_id,
            "in_reply_to": chat.webhook_id,
            "reply": PLACEHOLDER_REPLY,
        },
        event_id=f"reply:{chat.webhook_id}",
    )


_handoff: ChatHandoff = placeholder_reply


def set_chat_handoff(handoff: ChatHandoff) -> None:
    """Route inbound chat messages to `handoff` (called in the inbound transaction)."""
    global _handoff
    _handoff = handoff


async def hand_off(session: AsyncSession, chat: InboundChat) -> None:
    await _handoff(session, chat)
