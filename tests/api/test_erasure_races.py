"""An erasure and a write naming the same user, in either order: the chat posts each
turn's metric event after its reply, on a key another process may still hold for a few
seconds, so the event can meet the erasure. Whichever comes first, no row is left
pointing at the erased person.

PostgreSQL only: the order is kept by row locks (SQLite runs one writer at a time), and
each case holds one transaction open until the other is seen waiting on its lock."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from api.flows.erasure import ErasureService
from api.identity.schemas import Identity
from api.identity.service import identity_service
from api.metrics.schemas import EventIn
from api.metrics.service import metrics_service
from core.db import session_scope
from core.errors import Unauthorized
from core.models import MetricEvent, User
from tests.plugins.api import MakeKey, MakeResume

pytestmark = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


async def _no_history(_user_id: str) -> int:
    return 0


ERASURE = ErasureService(erase_chat_history=_no_history)


async def _waiting_on_a_lock(engine: AsyncEngine) -> None:
    """Until a session of this database waits on a lock (the other transaction's)."""
    query = text(
        "select count(*) from pg_stat_activity"
        " where datname = current_database() and wait_event_type = 'Lock'"
    )
    async with asyncio.timeout(60):
        while True:
            async with engine.connect() as conn:
                if await conn.scalar(query):
                    return
            await asyncio.sleep(0.02)


async def _post_event(engine: AsyncEngine, identity: Identity) -> None:
    async with session_scope(engine) as session:
        await metrics_service.record_event(session, identity, EventIn(name="chat_turn"))


async def _erase(engine: AsyncEngine, identity: Identity, candidate_id: str) -> None:
    async with session_scope(engine) as session:
        await ERASURE.erase(session, identity, candidate_id)


async def _rows(engine: AsyncEngine, user_id: str) -> tuple[int, int, int]:
    """(events, events naming the user, users with that id)."""
    async with engine.connect() as conn:
        events = await conn.scalar(select(func.count()).select_from(MetricEvent))
        naming = await conn.scalar(
            select(func.count()).where(MetricEvent.user_id == user_id).select_from(MetricEvent)
        )
        users = await conn.scalar(select(func.count()).where(User.id == user_id))
    return int(events or 0), int(naming or 0), int(users or 0)


async def _candidate(
    engine: AsyncEngine, make_key: MakeKey, make_resume: MakeResume
) -> tuple[Identity, str]:
    key = await make_key("org-a", "candidate")
    stored = await make_resume(key)
    async with session_scope(engine) as session:
        identity = await identity_service.authenticate(session, key.secret)
    return identity, stored.candidate_id


async def test_an_event_arriving_during_an_erasure_is_refused(
    engine: AsyncEngine, make_key: MakeKey, make_resume: MakeResume
) -> None:
    identity, candidate_id = await _candidate(engine, make_key, make_resume)

    async with session_scope(engine) as session:
        await ERASURE.erase(session, identity, candidate_id)
        posting = asyncio.create_task(_post_event(engine, identity))
        await _waiting_on_a_lock(engine)  # the event waits for the erasure to end
    with pytest.raises(Unauthorized, match="no longer exists"):
        await posting

    assert await _rows(engine, identity.user_id) == (0, 0, 0)


async def test_an_event_written_before_an_erasure_is_erased_with_the_rest(
    engine: AsyncEngine, make_key: MakeKey, make_resume: MakeResume
) -> None:
    identity, candidate_id = await _candidate(engine, make_key, make_resume)

    async with session_scope(engine) as session:
        await metrics_service.record_event(session, identity, EventIn(name="chat_turn"))
        erasing = asyncio.create_task(_erase(engine, identity, candidate_id))
        await _waiting_on_a_lock(engine)  # the erasure waits for the event's commit
    await erasing

    assert await _rows(engine, identity.user_id) == (1, 0, 0)  # counted, but nobody's
