"""Migrations build the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from core import migrate
from core.engine import make_engine
from core.models import Base
from tests.helpers.schema import schema_diff


async def test_upgrade_builds_every_table_and_matches_models(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables
    # A model change without a migration shows up here as a non-empty diff.
    assert await schema_diff(engine) == []


def test_fresh_sqlite_file_upgrades_and_downgrades(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    migrate.upgrade(url)
    migrate.downgrade(url)
    migrate.upgrade(url)

    async def tables() -> set[str]:
        engine = make_engine(url)
        async with engine.connect() as conn:
            names = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
        await engine.dispose()
        return names

    import asyncio

    assert set(Base.metadata.tables) <= asyncio.run(tables())


@pytest.mark.parametrize("bad", ["mysql://x", "nonsense"])
def test_unsupported_database_url_is_refused_naming_the_variable(monkeypatch, bad) -> None:  # type: ignore[no-untyped-def]
    from core.settings import ConfigError, get_settings, reset_settings_cache

    monkeypatch.setenv("CLEARVIEW_DATABASE_URL", bad)
    reset_settings_cache()
    with pytest.raises(ConfigError, match="CLEARVIEW_DATABASE_URL"):
        get_settings()


async def test_tables_of_the_langgraph_checkpointer_are_not_ours(engine: AsyncEngine) -> None:
    from sqlalchemy import text

    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE checkpoint_probe (id integer primary key)"))
    try:
        assert await schema_diff(engine) == []  # not reported as a table to drop
    finally:
        async with engine.begin() as conn:
            await conn.execute(text("DROP TABLE checkpoint_probe"))


def test_processes_started_together_on_a_fresh_sqlite_file_all_migrate_it(tmp_path: Path) -> None:
    # A worker started beside `serve` on a fresh data dir: without the lock the second
    # failed on "table ... already exists".
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    code = f"from core.migrate import upgrade; upgrade({url!r})"
    processes = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(3)]
    assert [process.wait(timeout=300) for process in processes] == [0, 0, 0]
