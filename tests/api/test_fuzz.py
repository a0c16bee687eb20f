"""A CI-sized fuzz of the document readers and the bulk import, through the public API
(`bench/fuzz.py` runs the same checks for ten minutes)."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.helpers.fuzz import check_import, check_upload, documents, job_bodies
from tests.plugins.api import MakeKey

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """Parsing does not depend on the database; the services' suites cover both."""
    return sqlite_url


@FUZZ
@given(document=documents)
async def test_hostile_documents_are_read_or_refused_cleanly(
    client: httpx.AsyncClient, engine: AsyncEngine, make_key: MakeKey, document: tuple[str, bytes]
) -> None:
    key = await make_key("public", "candidate")
    await check_upload(client, engine, key.headers, *document)


@FUZZ
@given(body=job_bodies)
async def test_hostile_imports_are_taken_or_refused_cleanly(
    client: httpx.AsyncClient, engine: AsyncEngine, make_key: MakeKey, body: bytes
) -> None:
    key = await make_key("org-a", "admin")
    await check_import(client, engine, key.headers, body)
