"""A bus consumer in its own process, for tests that kill a consumer for real.

    python -m tests.helpers.consumer_proc REDIS_URL DATABASE_URL STREAM GROUP HANG_AFTER

Consumes `STREAM` as member "doomed" of `GROUP`, applying `record_side_effect` for each
entry. After HANG_AFTER entries it prints `HANG <entry id>` once that entry's transaction
has committed, then hangs before acknowledging it: the parent kills the process there
(SIGKILL), leaving a committed-but-unacknowledged entry pending.
"""

from __future__ import annotations

import asyncio
import sys

from sqlalchemy.ext.asyncio import AsyncSession

from core import bus
from core.db import session_scope
from core.engine import make_engine
from core.models import MetricEvent
from core.redis import connect

SIDE_EFFECT_PREFIX = "bus-test:"


async def record_side_effect(session: AsyncSession, group: str, message: bus.Message) -> bool:
    """The test's side effect: one metric row per key, guarded by `bus.once`."""
    key = str(message.payload["n"])
    if not await bus.once(session, group, key):
        return False
    session.add(MetricEvent(name=f"{SIDE_EFFECT_PREFIX}{key}"))
    return True


async def main(redis_url: str, database_url: str, stream: str, group: str, hang_after: int) -> None:
    engine = make_engine(database_url)
    redis = connect(redis_url)
    handled = 0

    async def handle(message: bus.Message) -> None:
        nonlocal handled
        async with session_scope(engine) as session:
            await record_side_effect(session, group, message)
        handled += 1
        if handled == hang_after:
            print(f"HANG {message.id}", flush=True)
            await asyncio.Event().wait()  # never acknowledges; the parent kills us here

    consumer = bus.Consumer(redis, stream, group, handle, name="doomed", batch=10, block_ms=100)
    await consumer.run(asyncio.Event())


if __name__ == "__main__":
    redis_url, database_url, stream, group, hang_after = sys.argv[1:6]
    asyncio.run(main(redis_url, database_url, stream, group, int(hang_after)))
