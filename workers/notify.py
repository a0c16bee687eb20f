"""`clearview worker notify`: tell the chat session that asked that its task finished
(stream `cv:notify`); see `api.tasks.notify`."""

from __future__ import annotations

import logging

from api.tasks.notify import notify_task
from core import bus
from core.logging import correlated
from core.redis import get_redis

log = logging.getLogger(__name__)


async def handle(message: bus.Message) -> None:
    task_id = message.payload.get("task_id")
    if not isinstance(task_id, str):
        raise ValueError(f"entry {message.id} carries no task_id")
    # The task id follows the task through every process's JSON log lines.
    with correlated(task_id):
        notification_id = await notify_task(
            get_redis(),
            task_id,
            _text(message.payload.get("kind")),
            _text(message.payload.get("status")),
        )
        if notification_id is None:
            log.info("task %s: nothing (more) to notify", task_id)
        else:
            log.info("task %s: notification %s recorded", task_id, notification_id)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
