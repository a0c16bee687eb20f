"""Stores of a test's own: a fresh embedded Chroma, and a Redis database for the fixed
stream names. Folders whose every test needs the fresh Chroma request `fresh_index` from
an autouse fixture of their conftest."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis.asyncio as aioredis

from core import bus
from core.redis import close_clients, connect
from core.settings import reset_settings_cache
from ingest.index import reset_index_cache


@pytest.fixture
def fresh_index(isolated_settings: Path) -> Iterator[None]:
    """This test's data dir gets its own embedded Chroma (the index is cached per process)."""
    reset_index_cache()
    yield
    reset_index_cache()


@pytest.fixture
async def bus_url(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    """The configured Redis for this test: a database number of its xdist worker's own,
    since stream names are fixed (`cv:match`, ...) and tests on other workers run at the
    same time (tests of one worker run one after another)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    database = 1 + int(worker) % 15 if worker.isdigit() else 15  # db 0 is the shared one
    # The embedded Valkey's URL has no database path ("redis://127.0.0.1:PORT").
    url = urlunsplit(urlsplit(redis_url)._replace(path=f"/{database}"))
    conn = connect(url)
    await _drop_streams(conn)
    monkeypatch.setenv("CLEARVIEW_REDIS_URL", url)
    reset_settings_cache()
    yield url
    await _drop_streams(conn)
    await conn.aclose()
    await close_clients()


async def _drop_streams(conn: aioredis.Redis) -> None:
    names = [*bus.STREAMS, *(bus.dead_letter_stream(s) for s in bus.STREAMS)]
    await conn.delete(*names)
