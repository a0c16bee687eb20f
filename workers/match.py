"""`clearview worker match`: jobs for a resume, candidates for a job, and job alerts
(stream `cv:match`).

Thin: a task's lifecycle is `api.tasks.execution.TaskWork`, the work itself the matching
engine's service (`api.tasks.work`); an alert batch (new or changed jobs scored against
the candidates with alerts on) is `api.alerts.delivery`.
"""

from __future__ import annotations

from api.alerts import delivery
from api.tasks.execution import TaskWork
from api.tasks.work import (
    compute_many_matches,
    compute_matches,
    open_index,
    store_many_matches,
    store_matches,
)
from core import bus
from workers.base import StreamHandlers, batched

work = TaskWork("match", compute_matches, store_matches, store_many_matches, compute_many_matches)


async def handle_many(messages: list[bus.Message]) -> dict[str, Exception]:
    """The entries read together: the tasks as one batch, each alert batch on its own."""
    failures = await work.handle_many(
        [message for message in messages if not delivery.is_alert_entry(message.payload)]
    )
    for message in messages:
        if delivery.is_alert_entry(message.payload):
            try:
                await delivery.handle(message)
            except Exception as exc:  # retried, then dead-lettered, as the bus does
                failures[message.id] = exc
    return failures


async def on_dead_letter(message: bus.Message, error: str) -> None:
    # An alert batch stands for no task: the dead-letter stream keeps it with its error.
    if not delivery.is_alert_entry(message.payload):
        await work.on_dead_letter(message, error)


async def handle(message: bus.Message) -> None:
    """One entry alone (a retry): the one-entry case of `handle_many`."""
    await bus.handle_one(handle_many, message)


def handlers() -> StreamHandlers:
    # The vector index (model, Chroma client) is opened before taking entries: handlers
    # running at once would otherwise each open it, and Chroma's client set-up races.
    return StreamHandlers(batched(handle_many), on_dead_letter, prepare=open_index)
