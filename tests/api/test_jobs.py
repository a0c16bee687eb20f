"""Jobs service: CRUD, filters in SQL, conflicts, publish, idempotent bulk import."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.plugins.api import Key, MakeKey

JOB = {"title": "Data Engineer", "description": "Build ETL pipelines in Python and SQL."}


async def _create(client: httpx.AsyncClient, key: Key, **fields: Any) -> dict[str, Any]:
    answer = await client.post("/api/v1/jobs", json={**JOB, **fields}, headers=key.headers)
    assert answer.status_code == 201, answer.text
    return answer.json()


async def test_crud_round_trip(client: httpx.AsyncClient, make_key: MakeKey) -> None:
    key = await make_key()
    job = await _create(
        client, key, external_id="ext-1", required_skills=[" Python ", "python", "SQL"]
    )
    assert job["id"] and job["external_id"] == "ext-1"
    assert job["required_skills"] == ["Python", "SQL"]
    url = f"/api/v1/jobs/{job['id']}"
    assert (await client.get(url, headers=key.headers)).json()["title"] == "Data Engineer"

    patched = await client.patch(
        url, json={"location": "Berlin", "remote": True}, headers=key.headers
    )
    assert patched.status_code == 200
    assert (patched.json()["location"], patched.json()["remote"]) == ("Berlin", True)
    assert patched.json()["title"] == "Data Engineer"

    replaced = await client.put(
        url,
        json={"external_id": "ext-1", "title": "Analyst", "description": "SQL"},
        headers=key.headers,
    )
    assert replaced.status_code == 200
    assert (replaced.json()["title"], replaced.json()["location"]) == ("Analyst", None)

    assert (await client.post(f"{url}/unpublish", headers=key.headers)).json()["published"] is False
    assert (await client.post(f"{url}/publish", headers=key.headers)).json()["published"] is True

    assert (await client.delete(url, headers=key.headers)).status_code == 204
    assert (await client.get(url, headers=key.headers)).status_code == 404


async def test_generated_external_id_and_conflicts(
    client: httpx.AsyncClient, make_key: MakeKey
) -> None:
    key, other = await make_key("org-a"), await make_key("org-b")
    assert (await _create(client, key))["external_id"]
    await _create(client, key, external_id="dup")
    again = await client.post(
        "/api/v1/jobs", json={**JOB, "external_id": "dup"}, headers=key.headers
    )
    assert again.status_code == 409
    assert again.json()["error"] == "conflict" and "dup" in again.json()["detail"]
    # external ids are per organisation
    await _create(client, other, external_id="dup")
    second = await _create(client, key, external_id="other")
    clash = await client.patch(
        f"/api/v1/jobs/{second['id']}", json={"external_id": "dup"}, headers=key.headers
    )
    assert clash.status_code == 409
    listed = await client.get("/api/v1/jobs", headers=key.headers)
    assert listed.json()["total"] == 3


async def test_list_filters_and_paging(client: httpx.AsyncClient, make_key: MakeKey) -> None:
    key = await make_key()
    await _create(
        client,
        key,
        title="Data Engineer",
        location="Berlin, DE",
        remote=True,
        required_skills=["Python", "SQL"],
    )
    await _create(
        client,
        key,
        title="DBA",
        location="Paris",
        description="Tune PostgreSQL 100%",
        preferred_skills=["PostgreSQL"],
    )
    await _create(
        client,
        key,
        title="Frontend Developer",
        location="berlin",
        description="React",
        required_skills=["TypeScript"],
        published=False,
    )

    async def titles(**params: Any) -> list[str]:
        answer = await client.get("/api/v1/jobs", params=params, headers=key.headers)
        assert answer.status_code == 200, answer.text
        return sorted(job["title"] for job in answer.json()["items"])

    assert await titles(location="BERLIN") == ["Data Engineer", "Frontend Developer"]
    assert await titles(remote=True) == ["Data Engineer"]
    assert await titles(skill="sql") == ["Data Engineer"]  # whole skill: not PostgreSQL
    assert await titles(skill="postgresql") == ["DBA"]
    assert await titles(q="100%") == ["DBA"]  # LIKE wildcards are literal
    assert await titles(q="engineer") == ["Data Engineer"]
    assert await titles(published=False) == ["Frontend Developer"]
    page = (
        await client.get("/api/v1/jobs", params={"limit": 2, "offset": 2}, headers=key.headers)
    ).json()
    assert (page["total"], len(page["items"]), page["limit"], page["offset"]) == (3, 1, 2, 2)
    bad = await client.get("/api/v1/jobs", params={"limit": 0}, headers=key.headers)
    assert bad.status_code == 422 and "limit" in bad.json()["detail"]


async def test_a_title_of_markup_alone_is_refused(
    client: httpx.AsyncClient, make_key: MakeKey
) -> None:
    # "**" is what a post starting "**Job Title:**" on a line of its own gave as its title.
    key = await make_key()
    created = await client.post("/api/v1/jobs", json={**JOB, "title": "**"}, headers=key.headers)
    assert created.status_code == 422 and "no letter or digit" in created.json()["detail"]
    job = await _create(client, key)
    url = f"/api/v1/jobs/{job['id']}"
    patched = await client.patch(url, json={"title": " # "}, headers=key.headers)
    assert patched.status_code == 422 and "title" in patched.json()["detail"]
    listed = (await client.get("/api/v1/jobs", headers=key.headers)).json()
    assert [item["title"] for item in listed["items"]] == ["Data Engineer"]


async def test_bulk_rejects_duplicates_in_batch(
    client: httpx.AsyncClient, make_key: MakeKey
) -> None:
    key = await make_key()
    batch = {"jobs": [{**JOB, "external_id": "a"}, {**JOB, "external_id": "a"}]}
    answer = await client.post("/api/v1/jobs/bulk", json=batch, headers=key.headers)
    assert answer.status_code == 422 and "appears twice" in answer.json()["detail"]
    assert (await client.get("/api/v1/jobs", headers=key.headers)).json()["total"] == 0


_text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=30
)
_job = st.fixed_dictionaries(
    {
        "title": _text.filter(lambda title: any(char.isalnum() for char in title)),
        "description": _text,
        "location": st.none() | _text,
        "remote": st.booleans(),
        "required_skills": st.lists(_text, max_size=4),
        "min_years": st.none() | st.integers(0, 30),
        "published": st.booleans(),
    }
)
_batch = st.dictionaries(
    st.from_regex(r"[A-Za-z0-9_-]{1,20}", fullmatch=True), _job, min_size=1, max_size=8
)


def _as_batch(jobs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {"jobs": [{**job, "external_id": ext} for ext, job in jobs.items()]}


async def _snapshot(client: httpx.AsyncClient, key: Key) -> list[dict[str, Any]]:
    answer = await client.get("/api/v1/jobs", params={"limit": 100}, headers=key.headers)
    return sorted(answer.json()["items"], key=lambda job: job["external_id"])


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(first=_batch, second=_batch)
async def test_bulk_import_is_an_idempotent_upsert(
    client: httpx.AsyncClient, make_key: MakeKey, first: dict[str, Any], second: dict[str, Any]
) -> None:
    key = await make_key(f"org-{uuid.uuid4().hex[:12]}")  # a fresh tenant per example

    async def load(jobs: dict[str, Any]) -> dict[str, Any]:
        answer = await client.post("/api/v1/jobs/bulk", json=_as_batch(jobs), headers=key.headers)
        assert answer.status_code == 200, answer.text
        return answer.json()

    once = await load(first)
    assert once["created"] == len(first) and set(once["ids"]) == set(first)
    state_once = await _snapshot(client, key)
    twice = await load(first)
    assert (twice["created"], twice["updated"], twice["unchanged"]) == (0, 0, len(first))
    assert await _snapshot(client, key) == state_once  # timestamps included

    # A second batch overwrites what it names and keeps what it does not.
    await load(second)
    final = {job["external_id"]: job for job in await _snapshot(client, key)}
    assert set(final) == set(first) | set(second)
    for ext, job in final.items():
        expected = second.get(ext, first.get(ext))
        assert expected is not None
        assert job["title"] == expected["title"] and job["remote"] == expected["remote"]
        assert job["id"] == once["ids"].get(ext, job["id"])
