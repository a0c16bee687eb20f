"""The one-transaction-per-unit-of-work session scope, and what runs around its commit.

Services only `flush()`; the scope that opened the session commits or rolls back, then
hands the outbox its committed events (see `core.outbox`). Work that belongs to the
transaction but must wait for its end is attached to the session by the code that causes
it, explicitly, for this transaction only:

- `before_commit(session, callback)`: awaited just before the commit (a batch of index
  writes, one event for every job the transaction changed); if it fails, nothing commits.
- `after_commit(session, callback)`: awaited after the commit and the outbox (a cache drops
  the rows that changed). It must not raise for an unavailable service: the commit is done.
- `on_rollback(session, callback)`: awaited when the transaction does not commit (remove a
  file written for rows that will now never exist).

A callback attached several times in one transaction runs once, so a feature may attach
it at every change and still do its work once per transaction.

A unit of work that only read (every statement a SELECT, nothing pending in the session)
is not committed: closing the session ends its transaction, and there is nothing for the
outbox (see `core.engine.only_read`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from core import outbox
from core.engine import dispose_all, get_engine, only_read, sessionmaker_for

log = logging.getLogger(__name__)

SessionCallback = Callable[[AsyncSession], Awaitable[None]]
RollbackCallback = Callable[[], Awaitable[None]]

# Keys in `Session.info`: the callbacks attached to the open transaction, in order.
_BEFORE_COMMIT = "clearview.before_commit"
_AFTER_COMMIT = "clearview.after_commit"
_ON_ROLLBACK = "clearview.on_rollback"


def before_commit(session: AsyncSession, callback: SessionCallback) -> None:
    """Await `callback(session)` once, just before this transaction commits."""
    session.info.setdefault(_BEFORE_COMMIT, {})[callback] = None


def after_commit(session: AsyncSession, callback: SessionCallback) -> None:
    """Await `callback(session)` once, after this transaction has committed."""
    session.info.setdefault(_AFTER_COMMIT, {})[callback] = None


def on_rollback(session: AsyncSession, callback: RollbackCallback) -> None:
    """Await `callback()` if this transaction does not commit."""
    session.info.setdefault(_ON_ROLLBACK, {})[callback] = None


async def _run_before_commit(session: AsyncSession) -> None:
    # A callback may attach another (an index batch enqueues an event): run until none is left.
    while pending := session.info.pop(_BEFORE_COMMIT, None):
        for callback in pending:
            await callback(session)


async def _rolled_back(session: AsyncSession) -> None:
    session.info.pop(_BEFORE_COMMIT, None)
    session.info.pop(_AFTER_COMMIT, None)
    outbox.discard(session)
    for callback in session.info.pop(_ON_ROLLBACK, {}):
        try:
            await callback()
        except OSError:
            log.exception("clean-up after a rollback failed")


@asynccontextmanager
async def session_scope(engine: AsyncEngine | None = None) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit on success, roll back on error, then flush the outbox."""
    maker = sessionmaker_for(engine or get_engine())
    async with maker() as session:
        try:
            yield session
            await _run_before_commit(session)
            if await only_read(session):
                session.info.pop(_ON_ROLLBACK, None)
                return  # closing the session ends the transaction; no events to publish
            await session.commit()
        except BaseException:
            await session.rollback()
            await _rolled_back(session)
            raise
    session.info.pop(_ON_ROLLBACK, None)
    # Only now are the events real: the rows they refer to are committed.
    await outbox.after_commit(session)
    for callback in session.info.pop(_AFTER_COMMIT, {}):
        await callback(session)


async def dispose_engines() -> None:
    await outbox.settle()  # the outbox's markings still use the engines
    await dispose_all()
