"""The careers API: occupation knowledge with its sources, and the platform's figures
counted on published jobs only, with how many."""

from __future__ import annotations

from typing import Any

import httpx

from ingest.careers import ESCO_ATTRIBUTION, ONET_ATTRIBUTION
from tests.plugins.api import Key, MakeKey


async def _post_jobs(client: httpx.AsyncClient, key: Key, *jobs: dict[str, Any]) -> list[str]:
    ids = []
    for job in jobs:
        body = {"description": f"{job['title']}. Join us.", **job}
        r = await client.post("/api/v1/jobs", json=body, headers=key.headers)
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    return ids


async def test_an_occupation_with_both_sources(
    client: httpx.AsyncClient, make_key: MakeKey
) -> None:
    candidate = await make_key("org-a", "candidate")
    r = await client.get(
        "/api/v1/careers/occupation", params={"q": "Software Developer"}, headers=candidate.headers
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["found_by"] == "title"
    assert body["onet"]["title"] == "Software Developers"
    assert body["onet"]["source"] == {"name": "O*NET 29.2", "attribution": ONET_ATTRIBUTION}
    assert body["esco"]["label"] == "software developer"
    assert body["esco"]["source"] == {"name": "ESCO v1.1.1", "attribution": ESCO_ATTRIBUTION}
    assert body["esco"]["essential_skills"] and body["onet"]["related"]
    assert any(t["in_demand"] or t["hot"] for t in body["onet"]["technology"])


async def test_the_occupation_needs_a_key(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/careers/occupation", params={"q": "nurse"})
    assert r.status_code == 401


async def test_skill_demand_counts_published_jobs_only(
    client: httpx.AsyncClient, make_key: MakeKey
) -> None:
    employer = await make_key("org-a", "employer")
    await _post_jobs(
        client,
        employer,
        {"title": "Data Engineer", "required_skills": ["Python", "SQL"]},
        {"title": "Backend Developer", "required_skills": ["python"], "preferred_skills": ["AWS"]},
    )
    (hidden,) = await _post_jobs(client, employer, {"title": "Analyst", "required_skills": ["SQL"]})
    r = await client.post(f"/api/v1/jobs/{hidden}/unpublish", headers=employer.headers)
    assert r.status_code == 200, r.text
    candidate = await make_key("org-b", "candidate")
    r = await client.get(
        "/api/v1/careers/demand",
        params=[("skill", "Python"), ("skill", "SQL"), ("skill", "COBOL")],
        headers=candidate.headers,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["jobs"] == 2 and body["source"]["name"] == "2 jobs on ClearView"
    assert [(s["skill"], s["jobs"]) for s in body["skills"]] == [
        ("Python", 2),
        ("SQL", 1),
        ("COBOL", 0),
    ]


async def test_salaries_of_the_same_occupation(
    client: httpx.AsyncClient, make_key: MakeKey
) -> None:
    employer = await make_key("org-a", "employer")
    await _post_jobs(
        client,
        employer,
        *(
            {"title": title, "salary_min": low, "salary_max": high, "currency": "EUR"}
            for title, low, high in (
                ("Staff Nurse", 30000, 36000),
                ("Registered Nurse (nights)", 32000, 38000),
                ("Nurse", 34000, 40000),
                ("Software Developer", 60000, 80000),
                ("Nurse", 90000, 99000),
            )
        ),
    )
    r = await client.get(
        "/api/v1/careers/salaries",
        params={"title": "Senior Staff Nurse", "currency": "GBP"},
        headers=employer.headers,
    )
    assert r.json()["jobs"] == 0  # pay in another currency is not compared
    r = await client.get(
        "/api/v1/careers/salaries",
        params={"title": "Senior Staff Nurse", "currency": "EUR"},
        headers=employer.headers,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["occupation"] == "nurse responsible for general care"
    assert body["jobs"] == 4 and body["source"]["name"] == "4 jobs on ClearView"
    assert body["salary_min"]["median"] == 33000
    assert body["salary_max"] == {"low": 37500.0, "median": 39000.0, "high": 54750.0}


async def test_salaries_without_a_currency_never_mix_currencies(
    client: httpx.AsyncClient, make_key: MakeKey
) -> None:
    employer = await make_key("org-a", "employer")
    await _post_jobs(
        client,
        employer,
        *(
            {"title": title, "salary_min": low, "salary_max": high, "currency": currency}
            for title, low, high, currency in (
                ("Staff Nurse", 30000, 36000, "GBP"),
                ("Nurse", 32000, 38000, "GBP"),
                ("Registered Nurse", 34000, 40000, "GBP"),
                ("Nurse", 60000, 70000, "USD"),
            )
        ),
    )
    candidate = await make_key("org-b", "candidate")
    r = await client.get(
        "/api/v1/careers/salaries", params={"title": "nurse"}, headers=candidate.headers
    )
    assert r.status_code == 200, r.text
    body = r.json()
    # the currency most of the occupation's jobs state, and only their pay
    assert body["currency"] == "GBP" and body["jobs"] == 3
    assert body["salary_max"]["high"] <= 40000
