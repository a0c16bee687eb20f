"""Which background workers exist, and what each is built from.

Each runs in its own process (`clearview worker NAME`) or all inside `clearview serve`.
A stream worker's handlers are built when it starts, importing the code it runs only
then: listing workers (`clearview worker --help`) loads no service, and a notify worker
never loads the matching engine.
"""

from __future__ import annotations

import asyncio

from core import bus, outbox
from core.engine import get_engine
from core.redis import get_redis
from workers.base import StreamHandlers, WorkerSpec, stream_worker

# The builders below import what the worker runs when it starts (module docstring).


def _index() -> StreamHandlers:
    from workers import index

    return index.handlers()


def _match() -> StreamHandlers:
    from workers import match

    return match.handlers()


def _rewrite() -> StreamHandlers:
    from clearview import wiring
    from workers import rewrite

    return rewrite.handlers(wiring.rewriter())


def _report() -> StreamHandlers:
    from workers import report

    return report.handlers()


def _notify() -> StreamHandlers:
    from workers import notify

    return notify.handlers()


def _chat() -> StreamHandlers:
    from clearview import wiring
    from clearview.app import build_api_app
    from workers import chat

    assistant = wiring.InboundChatAssistant(api_app=build_api_app)
    return chat.handlers(assistant.answer, assistant.resources)


async def _relay(stop: asyncio.Event) -> None:
    await outbox.relay(get_redis(), get_engine(), stop)


async def _webhooks(stop: asyncio.Event) -> None:
    from workers import webhooks

    await webhooks.run(stop)


WORKERS: dict[str, WorkerSpec] = {
    spec.name: spec
    for spec in (
        WorkerSpec("outbox", "publish committed events a crashed process left behind", _relay),
        WorkerSpec(
            "webhooks", "deliver signed outbound webhooks, retrying with back-off", _webhooks
        ),
        stream_worker(
            "index", bus.INDEX, "re-index a resume or a batch of jobs", _index, cpu_heavy=True
        ),
        stream_worker(
            "match",
            bus.MATCH,
            "rank jobs or candidates; job alerts for new jobs",
            _match,
            cpu_heavy=True,
        ),
        stream_worker(
            "rewrite",
            bus.REWRITE,
            "rewrite a resume for a job as a new version",
            _rewrite,
            cpu_heavy=True,
        ),
        stream_worker(
            "report", bus.REPORT, "generate a long report for download", _report, cpu_heavy=True
        ),
        stream_worker("notify", bus.NOTIFY, "tell the chat session its task finished", _notify),
        stream_worker(
            "chat", bus.CHAT, "answer chat messages that partners send by webhook", _chat
        ),
    )
}


def start_all(stop: asyncio.Event) -> list[asyncio.Task[None]]:
    """Every worker as a task of the running loop (`clearview serve`)."""
    return [
        asyncio.create_task(spec.run(stop), name=f"worker-{name}") for name, spec in WORKERS.items()
    ]
