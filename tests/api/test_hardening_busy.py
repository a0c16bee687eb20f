"""A SQLite database locked by another writer answers 503 with Retry-After, soon."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.engine import make_url

from core.settings import reset_settings_cache
from tests.plugins.api import MakeKey


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


@pytest.fixture(autouse=True)
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CLEARVIEW_SQLITE_BUSY_TIMEOUT_MS", "200")
    reset_settings_cache()
    yield


async def test_a_locked_database_answers_503_with_retry_after(
    client: httpx.AsyncClient, make_key: MakeKey, sqlite_url: str
) -> None:
    key = await make_key()
    other_writer = sqlite3.connect(str(make_url(sqlite_url).database), isolation_level=None)
    try:
        other_writer.execute("BEGIN IMMEDIATE")  # holds the write lock
        answer = await client.post(
            "/api/v1/jobs", json={"title": "T", "description": "D"}, headers=key.headers
        )
    finally:
        other_writer.execute("ROLLBACK")
        other_writer.close()
    assert answer.status_code == 503, answer.text
    assert answer.headers["retry-after"] == "2"
    assert answer.json()["error"] == "unavailable" and "busy" in answer.json()["detail"]
    again = await client.post(
        "/api/v1/jobs", json={"title": "T", "description": "D"}, headers=key.headers
    )
    assert again.status_code == 201
