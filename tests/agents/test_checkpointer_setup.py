"""The conversation store's set-up on a new PostgreSQL database, by processes started
together (the chat and its worker): every one of them opens it."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from agents.checkpointer import open_checkpointer
from core.engine import make_engine
from core.settings import reset_settings_cache

ADMIN_URL = os.environ.get(
    "CLEARVIEW_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


async def _admin(sql: str) -> None:
    engine = make_engine(ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(sql))
    await engine.dispose()


@pytest.fixture
async def new_database(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    name = f"cvckpt_{uuid.uuid4().hex[:8]}"
    await _admin(f'CREATE DATABASE "{name}"')
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    monkeypatch.setenv("CLEARVIEW_DATABASE_URL", url)
    reset_settings_cache()
    yield url
    await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_openers_started_together_all_set_it_up(new_database: str) -> None:
    started = asyncio.Barrier(6)

    async def open_once() -> bool:
        await started.wait()
        async with open_checkpointer() as saver:
            return await saver.aget_tuple({"configurable": {"thread_id": "t"}}) is None

    assert await asyncio.gather(*(open_once() for _ in range(6))) == [True] * 6
