"""Schema migrations (Alembic), callable from the CLI, the server start and tests."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import make_url, text

from core.engine import make_engine
from core.settings import get_settings

MIGRATIONS = Path(__file__).parent / "migrations"


# Tables in our database that other libraries own (LangGraph's Postgres checkpointer creates
# `checkpoints`, `checkpoint_blobs`, `checkpoint_writes`, `checkpoint_migrations`):
# migrations neither create nor drop them.
FOREIGN_TABLE_PREFIXES = ("checkpoint",)


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic filter: compare only the tables our models own."""
    return not (type_ == "table" and name is not None and name.startswith(FOREIGN_TABLE_PREFIXES))


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser treats % as interpolation; URLs may carry %-escapes in passwords.
    config.set_main_option(
        "sqlalchemy.url", (url or get_settings().effective_database_url).replace("%", "%%")
    )
    return config


@contextmanager
def _one_at_a_time(url: str) -> Iterator[None]:
    """Processes started together on a fresh SQLite file (a worker beside `serve`) would
    both create its tables; the second then fails on "table already exists". A file lock
    beside the database serialises them, and the second finds the schema current.
    (PostgreSQL: an advisory lock in the migration's transaction, `migrations/env.py`.)"""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        yield
        return
    database = Path(str(parsed.database))
    database.parent.mkdir(parents=True, exist_ok=True)
    with open(database.with_name(database.name + ".migrate-lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Bring the database at `url` (default: configured) up to `revision`; one process at
    a time.

    Runs its own event loop: call it from sync code or via `asyncio.to_thread`.
    """
    url = url or get_settings().effective_database_url
    with _one_at_a_time(url):
        command.upgrade(alembic_config(url), revision)


def downgrade(url: str | None = None, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def revision(message: str, url: str | None = None) -> None:
    """Autogenerate a new migration from the models (developers)."""
    command.revision(alembic_config(url), message=message, autogenerate=True)


@dataclass(frozen=True, slots=True)
class SchemaState:
    """Where a database's schema is, against the migrations this code ships."""

    current: str | None  # None: never migrated (no `alembic_version` table, or empty)
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def head_revision(url: str | None = None) -> str:
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    assert head is not None, "no migrations found"
    return head


async def schema_state(url: str | None = None) -> SchemaState:
    """The database's current revision and the code's head (raises the driver's error
    when the database cannot be reached)."""
    url = url or get_settings().effective_database_url
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            current = None
            if await conn.run_sync(lambda c: c.dialect.has_table(c, "alembic_version")):
                current = (
                    await conn.execute(text("select version_num from alembic_version"))
                ).scalar()
    finally:
        await engine.dispose()
    return SchemaState(current, head_revision(url))
