"""Database engines: one per URL and process, tuned per dialect.

Engines made by `make_engine` watch the statements each transaction runs, so the unit of
work (`core.db.session_scope`) can tell a transaction that only read from one that wrote.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from core.settings import get_settings

_engines: dict[str, AsyncEngine] = {}
# `get_engine()` runs on every request: remember the default URL per settings object
# (resolving it touches the file system).
_default_url: tuple[object, str] | None = None
# In the connection's `info` while its transaction has run nothing but SELECTs.
_READ_ONLY = "clearview.read_only"
# A pooled connection is pinged before use only after this long unused (in the record's
# `info` since its checkin): pinging on every checkout (`pool_pre_ping`) would cost three
# round trips (BEGIN, ";", ROLLBACK) per unit of work, while a connection back within the
# second is alive.
PING_AFTER_IDLE_S = 1.0
_IDLE_SINCE = "clearview.idle_since"


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the one writer; busy_timeout makes concurrent writers
    # (API + workers in one process) wait instead of failing with "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={get_settings().sqlite_busy_timeout_ms}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Deleted content is overwritten, not left in free pages (an erasure must leave no
    # readable trace of the person in the file).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _checked_in(_dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        record.info[_IDLE_SINCE] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Ping a pooled connection before use if it sat idle for `PING_AFTER_IDLE_S`: a
    server restart or an idle timeout may have closed it meanwhile. A dead one is
    replaced (the pool retries the checkout on `DisconnectionError`)."""
    idle_since = record.info.get(_IDLE_SINCE)
    if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_S:
        return
    try:
        dbapi_connection.ping()
    except Exception as exc:
        raise DisconnectionError(f"a pooled connection was closed ({type(exc).__name__})") from exc


def _transaction_begins(conn: Connection) -> None:
    conn.info[_READ_ONLY] = True


def _statement_runs(
    conn: Connection,
    _cursor: Any,
    statement: str,
    _parameters: Any,
    _context: Any,
    executemany: bool,
) -> None:
    # Anything but a plain SELECT (DML, DDL, WITH ... INSERT, PRAGMA) may have written.
    if executemany or statement.lstrip()[:6].upper() != "SELECT":
        conn.info[_READ_ONLY] = False


def _watch_writes(engine: AsyncEngine) -> AsyncEngine:
    event.listen(engine.sync_engine, "begin", _transaction_begins)
    event.listen(engine.sync_engine, "before_cursor_execute", _statement_runs)
    return engine


async def only_read(session: AsyncSession) -> bool:
    """True when committing `session` would change nothing: no pending objects, and its
    transaction (if any) ran only SELECTs on an engine that watches its statements."""
    if session.new or session.dirty or session.deleted:
        return False
    if not session.in_transaction():
        return True
    connection = (await session.connection()).sync_connection  # the transaction's own
    return connection is not None and connection.info.get(_READ_ONLY, False) is True


def _pool_size() -> dict[str, Any]:
    """Connections kept open, and opened beyond those under a burst and closed again when
    returned. Sized for a server's concurrent requests plus its workers: with a pool
    smaller than the steady concurrency, each return past the pool's size closed a
    connection that the next request opened again (a new backend process and a TLS
    handshake), 20-40 times a second under 32 clients (bench/api.py, counted in
    `pg_stat_database.sessions`)."""
    settings = get_settings()
    return {"pool_size": settings.db_pool_size, "max_overflow": settings.db_pool_overflow}


def make_engine(url: str) -> AsyncEngine:
    """A new engine for `url`, with SQLite tuned for a server that also runs workers."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        pool: dict[str, Any] = {}
        if parsed.database and parsed.database != ":memory:":
            # A file: pooled like PostgreSQL, so a burst of requests does not open and
            # close connections (each a thread of its own, plus the pragmas) per request.
            pool = _pool_size()
        # A writer waits this long for another one, then the request answers 503 with
        # Retry-After (`api.errors`) instead of holding its client for 30 s and failing.
        timeout_s = get_settings().sqlite_busy_timeout_ms / 1000
        engine = create_async_engine(url, connect_args={"timeout": timeout_s}, **pool)
        event.listen(engine.sync_engine, "connect", _set_sqlite_pragmas)
        return _watch_writes(engine)
    engine = create_async_engine(url, **_pool_size())
    event.listen(engine.sync_engine.pool, "checkin", _checked_in)
    event.listen(engine.sync_engine.pool, "checkout", _ping_if_idle)
    return _watch_writes(engine)


def get_engine(url: str | None = None) -> AsyncEngine:
    """The process-wide engine for `url` (default: the configured database)."""
    global _default_url
    if url is None:
        settings = get_settings()
        if _default_url is None or _default_url[0] is not settings:
            _default_url = (settings, settings.effective_database_url)
        url = _default_url[1]
    if url not in _engines:
        _engines[url] = make_engine(url)
    return _engines[url]


def sessionmaker_for(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def dispose_all() -> None:
    """Close every engine of this process (`core.db.dispose_engines` first lets the outbox
    finish its markings)."""
    for engine in list(_engines.values()):
        await engine.dispose()
    _engines.clear()


async def checkpoint_wal(url: str | None = None) -> None:
    """Copy the SQLite write-ahead log into the database and truncate it: the log keeps
    old page images (deleted rows included) until then. Best effort: a long reader can
    keep some frames, which the next checkpoint takes."""
    async with get_engine(url).connect() as conn:
        await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
