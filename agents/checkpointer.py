"""Conversation memory: LangGraph checkpointers on the product's own database engine.

SQLite installs keep threads in `<data_dir>/checkpoints.db` (a file of its own, so the
checkpointer's connection never contends with the main database's writers); PostgreSQL
installs keep them in the same database, in a schema of their own (`langgraph`): the
product's migrations own the default schema, and alembic's autogenerate would otherwise
propose dropping LangGraph's tables. Both survive a restart.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from psycopg.errors import InvalidSchemaName, UndefinedTable
from sqlalchemy.engine import make_url

from core.settings import Settings, get_settings

CHECKPOINT_SCHEMA = "langgraph"
# pg_advisory_lock key of the checkpointer's set-up (any fixed number of our own).
SETUP_LOCK = 0x636B7074  # "ckpt"
SETUP_RETRY_S = 0.05


def checkpoint_path(settings: Settings) -> Path:
    return settings.data_dir.resolve() / "checkpoints.db"


@asynccontextmanager
async def open_checkpointer(
    settings: Settings | None = None, *, setup: bool = True
) -> AsyncIterator[BaseCheckpointSaver[str]]:
    """The checkpointer for this install, set up and ready; closed on exit.

    `setup=False` skips LangGraph's migrations, for callers inside a transaction of the
    same PostgreSQL database: they create an index CONCURRENTLY, which waits for every
    open transaction to end, the caller's own included (a deadlock)."""
    settings = settings or get_settings()
    if settings.is_postgres and not setup:
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

        async with AsyncPostgresSaver.from_conn_string(
            postgres_conninfo(settings.effective_database_url)
        ) as saver:
            yield saver
        return
    if settings.is_postgres:
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
        from psycopg import AsyncConnection

        conninfo = postgres_conninfo(settings.effective_database_url)
        async with AsyncPostgresSaver.from_conn_string(conninfo) as saver:
            # Processes started together (the chat, its worker) set up at once, and
            # PostgreSQL's IF NOT EXISTS does not hold against a concurrent creator (a
            # duplicate-key error stopped one of them): one at a time, under a lock held
            # by this connection until it closes. Tried, not waited for: a statement
            # waiting for the lock would be an open transaction, which the set-up's
            # CREATE INDEX CONCURRENTLY waits for in turn (a deadlock).
            async with await AsyncConnection.connect(conninfo, autocommit=True) as conn:
                # Held by another process: no event to wait on but asking again.
                while not await _try_lock(conn):  # noqa: ASYNC110
                    await asyncio.sleep(SETUP_RETRY_S)
                await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {CHECKPOINT_SCHEMA}")
                await saver.setup()
            yield saver
        return
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    path = checkpoint_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    async with AsyncSqliteSaver.from_conn_string(str(path)) as saver:
        await saver.setup()
        yield saver


async def _try_lock(conn: Any) -> bool:
    cursor = await conn.execute("SELECT pg_try_advisory_lock(%s)", (SETUP_LOCK,))
    row = await cursor.fetchone()
    return bool(row and row[0])


def postgres_conninfo(database_url: str) -> str:
    """psycopg's URL for the checkpointer: SQLAlchemy's without its driver name, with the
    checkpoint schema as the connection's search_path."""
    url = make_url(database_url).set(drivername="postgresql")
    url = url.update_query_dict({"options": f"-csearch_path={CHECKPOINT_SCHEMA}"})
    return url.render_as_string(hide_password=False)


async def forget_user(saver: BaseCheckpointSaver[str], user_id: str) -> int:
    """Delete every conversation of a user (erasure); returns how many threads."""
    threads = set()
    async for item in saver.alist(None):
        thread = str(item.config["configurable"].get("thread_id", ""))
        if thread.startswith(f"{user_id}:"):
            threads.add(thread)
    for thread in threads:
        await saver.adelete_thread(thread)
    return len(threads)


async def erase_history(user_id: str) -> int:
    """Delete every conversation of a user from this install's checkpointer (erasure:
    called in whichever process erases, whether or not it serves the chat, inside the
    erasure's transaction). Where the chat never ran, there is no history to delete."""
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver  # as in open_checkpointer

    try:
        async with open_checkpointer(setup=False) as saver:
            threads = await forget_user(saver, user_id)
            if threads and isinstance(saver, AsyncSqliteSaver):
                # Deleted rows leave their text in free pages and in the write-ahead log
                # until the space is reused: rewrite the file and empty the log.
                await saver.conn.execute("VACUUM")
                await saver.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return threads
    except (UndefinedTable, InvalidSchemaName):
        return 0
