"""`clearview worker notify`: tell the chat sessions that asked that their tasks finished
(stream `cv:notify`); see `api.tasks.notify`. The entries read together are recorded on
one connection and pushed in one round trip."""

from __future__ import annotations

import logging

from api.tasks.notify import Notice, notify_tasks
from core import bus
from core.logging import correlated
from core.redis import get_redis

log = logging.getLogger(__name__)


async def handle_many(messages: list[bus.Message]) -> dict[str, Exception]:
    entries, failures = bus.entries_by(messages, "task_id")
    payloads = {m.payload["task_id"]: m.payload for m in messages if m.id not in failures}
    notices = [
        Notice(
            task_id, _text(payloads[task_id].get("kind")), _text(payloads[task_id].get("status"))
        )
        for task_id in entries
    ]
    recorded, failed = await notify_tasks(get_redis(), notices)
    for task_id in entries:
        # The task id follows the task through every process's JSON log lines.
        with correlated(task_id):
            if task_id in failed:
                failures |= dict.fromkeys(entries[task_id], failed[task_id])
            elif task_id in recorded:
                log.info("task %s: notification %s recorded", task_id, recorded[task_id])
            else:
                log.info("task %s: nothing (more) to notify", task_id)
    return failures


async def handle(message: bus.Message) -> None:
    await bus.handle_one(handle_many, message)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
