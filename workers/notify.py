"""`clearview worker notify`: tell the chat session that asked that its task finished
(stream `cv:notify`); see `api.tasks.notify`."""

from __future__ import annotations

from api.tasks.notify import notify_task
from core import bus
from core.redis import get_redis


async def handle(message: bus.Message) -> None:
    task_id = message.payload.get("task_id")
    if not isinstance(task_id, str):
        raise ValueError(f"entry {message.id} carries no task_id")
    await notify_task(get_redis(), task_id)
