"""The webhooks worker: one HTTP attempt per stream entry, retries from the database.

Each entry of `bus.WEBHOOKS` names a delivery. The handler reads it in a short
transaction, sends outside any transaction (a slow receiver must not hold a database
connection or an SQLite write lock for ten seconds), then records the outcome. A failed
attempt never fails the handler: the entry is acknowledged and the retry is a row state.

Why retries live in the database (`next_attempt_at`) and not in the stream or a Redis
ZSET: the delivery row is already the source of truth (the delivery log shows it), a
retry then survives a restart or a lost Redis alike, the consumer is never blocked by a
sleeping retry, and there is no second store to keep consistent. A small scheduler loop in
every webhooks worker looks for due rows each `CLEARVIEW_WEBHOOK_RETRY_POLL_S`, claims
each with a conditional UPDATE (so two workers never both re-send it) and re-publishes it
through the outbox, in one transaction.
"""

from __future__ import annotations

import asyncio
import json
import logging

import httpx
from sqlalchemy.exc import SQLAlchemyError

from api.gateway.delivery import new_client, send
from api.gateway.service import Attempt, delivery_service
from core import bus
from core.correlation import correlated
from core.db import session_scope
from core.settings import get_settings
from workers.base import StreamHandlers, consume

log = logging.getLogger(__name__)

GROUP = "webhooks"


def make_handler(client: httpx.AsyncClient) -> bus.Handler:
    async def handle(message: bus.Message) -> None:
        delivery_id = str(message.payload["delivery_id"])
        async with session_scope() as session:
            attempt = await delivery_service.prepare(session, delivery_id)
        if attempt is None:
            return
        # The task behind the event (if any) follows it through every process's logs.
        with correlated(task_of(attempt.body) or attempt.webhook_id):
            await deliver(client, attempt)

    return handle


async def deliver(client: httpx.AsyncClient, attempt: Attempt) -> None:
    settings = get_settings()
    outcome = await send(
        client,
        attempt.url,
        attempt.secrets,
        attempt.webhook_id,
        attempt.body,
        allow_private=settings.webhooks_allow_private,
        timeout_s=settings.webhook_timeout_s,
    )
    # A crash here re-sends the same webhook-id once the entry is reclaimed: at least
    # once, and receivers deduplicate on the id.
    async with session_scope() as session:
        await delivery_service.record(session, attempt, outcome)
    log.info(
        "webhook %s attempt: %s",
        attempt.webhook_id,
        outcome.status_code if outcome.error is None else outcome.error,
    )


def task_of(body: bytes) -> str | None:
    """The task id in an event body (`data.task_id`), for log correlation only."""
    try:
        data = json.loads(body).get("data")
    except (ValueError, AttributeError):
        return None
    task_id = data.get("task_id") if isinstance(data, dict) else None
    return task_id if isinstance(task_id, str) else None


async def schedule_retries(stop: asyncio.Event) -> None:
    """Re-publish due retries until `stop` is set."""
    while not stop.is_set():
        try:
            async with session_scope() as session:
                dispatched = await delivery_service.dispatch_due(session)
            if dispatched:
                continue  # a backlog: keep going without waiting
        except SQLAlchemyError as exc:
            log.warning("webhook retry scheduler: %s; trying again", type(exc).__name__)
        await bus.sleep_until(stop, get_settings().webhook_retry_poll_s)


async def run(stop: asyncio.Event, *, group: str = GROUP) -> None:
    """The consumer and the retry scheduler, sharing one pooled HTTP client."""
    async with new_client() as client:
        handlers = StreamHandlers(make_handler(client))
        await asyncio.gather(consume(stop, group, bus.WEBHOOKS, handlers), schedule_retries(stop))
