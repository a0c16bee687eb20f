"""A unit of work that only read is not committed; one that wrote anything is.

Commits are counted with an event listener on the engine the app (or the scope) uses.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from sqlalchemy import event, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from core.db import session_scope
from core.engine import get_engine
from core.models import Job, Organisation, new_id
from tests.helpers.db import count_rows
from tests.plugins.api import MakeKey


@contextmanager
def counting_commits(engine: AsyncEngine) -> Iterator[list[int]]:
    commits = [0]

    def on_commit(_conn: object) -> None:
        commits[0] += 1

    event.listen(engine.sync_engine, "commit", on_commit)
    try:
        yield commits
    finally:
        event.remove(engine.sync_engine, "commit", on_commit)


async def test_job_reads_do_not_commit(client: httpx.AsyncClient, make_key: MakeKey) -> None:
    key = await make_key()
    created = await client.post(
        "/api/v1/jobs", json={"title": "Analyst", "description": "SQL"}, headers=key.headers
    )
    assert created.status_code == 201
    url = f"/api/v1/jobs/{created.json()['id']}"
    assert (await client.get(url, headers=key.headers)).status_code == 200  # key now cached
    with counting_commits(get_engine()) as commits:
        for _ in range(5):
            answer = await client.get(url, headers=key.headers)
            assert answer.status_code == 200 and answer.json()["title"] == "Analyst"
        assert (await client.get("/api/v1/jobs", headers=key.headers)).status_code == 200
        assert commits[0] == 0
        patched = await client.patch(url, json={"title": "Lead"}, headers=key.headers)
        assert patched.status_code == 200
        assert commits[0] == 1
    assert (await client.get(url, headers=key.headers)).json()["title"] == "Lead"


async def test_scope_commits_only_what_wrote(engine: AsyncEngine) -> None:
    with counting_commits(engine) as commits:
        async with session_scope(engine) as session:
            await session.scalar(select(func.count()).select_from(Job))
            await session.execute(text("  select 1"))
        async with session_scope(engine):
            pass  # never touched the database
        assert commits[0] == 0
        org_id = new_id()
        async with session_scope(engine) as session:  # added, never flushed
            session.add(Organisation(id=org_id, slug=f"o-{org_id[:8]}", name="o"))
        assert commits[0] == 1
        async with session_scope(engine) as session:  # a statement that writes
            await session.execute(
                update(Organisation).where(Organisation.id == org_id).values(name="renamed")
            )
        assert commits[0] == 2
        async with session_scope(engine) as session:  # read, then wrote in raw SQL
            await session.execute(select(Organisation.id))
            await session.execute(
                text("UPDATE organisations SET name = 'raw' WHERE id = :id"), {"id": org_id}
            )
        assert commits[0] == 3
    async with session_scope(engine) as session:
        assert await session.scalar(select(Organisation.name).where(Organisation.id == org_id)) == (
            "raw"
        )
    assert await count_rows(engine, Organisation, Organisation.id == org_id) == 1


async def test_scope_commits_on_an_engine_that_does_not_watch(database_url: str) -> None:
    # An engine built without `make_engine` cannot tell reads from writes: always commit.
    engine = create_async_engine(database_url)
    try:
        with counting_commits(engine) as commits:
            async with session_scope(engine) as session:
                await session.execute(select(1))
            assert commits[0] == 1
    finally:
        await engine.dispose()
