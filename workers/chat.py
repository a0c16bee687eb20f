"""`clearview worker chat`: answer the chat messages partners send by webhook (stream
`cv:chat-turn`).

An inbound `chat.message` is queued as a `chat` task (`api.gateway.chat`); this worker
runs the assistant's turn for it (the `answer` the composition root passes in) as the
organisation's integration user, with an API key that lives for that turn only, and
answers with a `chat.reply` webhook event in the transaction that finishes the task.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from agents.context import Identity as ChatIdentity
from api.gateway.chat import reply_event
from api.identity.service import identity_service
from api.tasks.execution import Outcome, TaskFailure, TaskRun, TaskWork
from core.db import session_scope
from workers.base import StreamHandlers

# (who is chatting, conversation id, message) -> the assistant's reply.
ChatAnswer = Callable[[ChatIdentity, str, str], Awaitable[str]]
KEY_NAME = "inbound-chat turn"


async def compute(run: TaskRun, *, answer: ChatAnswer) -> str:
    """The assistant's reply; the turn's tools call the services with a key of the
    integration user that is deleted when the turn ends."""
    if run.user_id is None:
        raise TaskFailure("the chat message has no integration user; send it again")
    async with session_scope() as session:
        api_key, secret = await identity_service.issue_key(
            session, run.org_id, run.identity().role, name=KEY_NAME, user_id=run.user_id
        )
    try:
        identity = ChatIdentity(run.user_id, run.org_id, run.identity().role.value, secret)
        return await answer(
            identity, str(run.payload["conversation_id"]), str(run.payload["message"])
        )
    finally:
        async with session_scope() as session:
            await identity_service.delete_key(session, api_key.id)


async def store(session: AsyncSession, run: TaskRun, reply: str) -> Outcome:
    await reply_event(session, run.org_id, run.payload, reply)
    return Outcome({"conversation_id": str(run.payload["conversation_id"])})


def handlers(
    answer: ChatAnswer, resources: Callable[[], AbstractAsyncContextManager[None]]
) -> StreamHandlers:
    """`resources` opens what `answer` needs (the assistant's checkpointer and HTTP client)
    for as long as the worker runs."""
    work = TaskWork("chat", partial(compute, answer=answer), store)
    return StreamHandlers(work.handle, work.on_dead_letter, resources=resources)
