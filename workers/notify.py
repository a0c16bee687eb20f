"""`clearview worker notify`: tell the chat sessions that asked that their tasks finished
(stream `cv:notify`); see `api.tasks.notify`. The notification rows are written with the
tasks; this worker publishes the entries read together in one round trip (and writes the
rows of entries an older version queued without them first)."""

from __future__ import annotations

import logging

from api.tasks.notify import Notice, Push, push, record_late
from core import bus
from core.correlation import correlated
from core.redis import get_redis
from workers.base import StreamHandlers, batched

log = logging.getLogger(__name__)


async def handle_many(messages: list[bus.Message]) -> dict[str, Exception]:
    entries, failures = bus.entries_by(messages, "task_id")
    payloads = {m.payload["task_id"]: m.payload for m in messages if m.id not in failures}
    pushes: list[Push] = []
    late: list[Notice] = []
    for task_id in entries:
        payload = payloads[task_id]
        recorded = Push.from_event(payload)
        if recorded is not None:
            pushes.append(recorded)
        else:
            late.append(Notice(task_id, _text(payload.get("kind")), _text(payload.get("status"))))
    written, failed = await record_late(late) if late else ([], {})
    pushed = await push(get_redis(), pushes + written)
    for task_id in entries:
        # The task id follows the task through every process's JSON log lines.
        with correlated(task_id):
            if task_id in failed:
                failures |= dict.fromkeys(entries[task_id], failed[task_id])
            elif task_id in pushed:
                log.info("task %s: notification pushed", task_id)
            else:
                log.info("task %s: nothing (more) to push", task_id)
    return failures


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


async def handle(message: bus.Message) -> None:
    """One entry alone (a retry): the one-entry case of `handle_many`."""
    await bus.handle_one(handle_many, message)


def handlers() -> StreamHandlers:
    return StreamHandlers(batched(handle_many))
