"""Access matrix derived from the OpenAPI document: no route works without a key, and every
route with an id answers 404 (not 403, not data) to anyone outside the owning tenant."""

from __future__ import annotations

import re
from typing import Any

import httpx
from fastapi import FastAPI

from tests.api.conftest import Key, MakeKey

OPEN = {"/healthz", "/readyz"}
ID_PARAM = re.compile(r"{(\w+)}")


def _operations(app: FastAPI) -> list[tuple[str, str, dict[str, Any]]]:
    paths = app.openapi()["paths"]
    return [(path, method, op) for path, ops in paths.items() for method, op in ops.items()]


def _example_body(app: FastAPI, op: dict[str, Any]) -> Any:
    content = op.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return None
    ref = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    return app.openapi()["components"]["schemas"][ref]["examples"][0]


async def test_only_health_and_docs_are_open(app: FastAPI, client: httpx.AsyncClient) -> None:
    checked = 0
    for path, method, _op in _operations(app):
        url = ID_PARAM.sub("0123456789abcdef0123456789abcdef", path)
        answer = await client.request(method, url)
        if path in OPEN:
            assert answer.status_code == 200, (method, path)
        else:
            assert answer.status_code == 401, (method, path, answer.text)
            assert answer.json()["error"] == "unauthorized"
            assert answer.headers["www-authenticate"] == "Bearer"
            checked += 1
    assert checked >= 20
    for open_path in ("/metrics", "/openapi.json", "/docs"):
        assert (await client.get(open_path)).status_code == 200, open_path


async def test_bad_and_revoked_keys_are_refused(
    client: httpx.AsyncClient, make_key: MakeKey
) -> None:
    key = await make_key("org-a", "employer")
    assert (await client.get("/api/v1/me", headers=key.headers)).status_code == 200
    forged = key.secret[:-4] + ("AAAA" if not key.secret.endswith("AAAA") else "BBBB")
    for bad in (forged, "cv_nothing", "not-a-key", ""):
        answer = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {bad}"})
        assert answer.status_code == 401, bad
    answer = await client.delete(f"/api/v1/apikeys/{key.key_id}", headers=key.headers)
    assert answer.status_code == 204
    assert (await client.get("/api/v1/me", headers=key.headers)).status_code == 401


async def test_ids_of_other_tenants_answer_404(
    app: FastAPI, client: httpx.AsyncClient, make_key: MakeKey, make_resume: Any
) -> None:
    keys: dict[str, Key] = {
        "employer_a": await make_key("org-a", "employer"),
        "admin_a": await make_key("org-a", "admin"),
        "employer_b": await make_key("org-b", "employer"),
        "admin_b": await make_key("org-b", "admin"),
        "candidate_x": await make_key("public", "candidate"),
        "candidate_y": await make_key("public", "candidate"),
        "admin_public": await make_key("public", "admin"),
    }
    answer = await client.post(
        "/api/v1/jobs",
        json={"external_id": "j-1", "title": "Data Engineer", "description": "ETL in Python"},
        headers=keys["employer_a"].headers,
    )
    assert answer.status_code == 201
    job_id = answer.json()["id"]
    stored = await make_resume(keys["candidate_x"])
    await make_resume(keys["candidate_y"])  # the outsider has data of its own

    ids = {
        "job_id": job_id,
        "resume_id": stored.resume_id,
        "version_id": stored.version_id,
        "candidate_id": stored.candidate_id,
        "key_id": keys["employer_a"].key_id,
    }
    owners = {
        "job_id": {"employer_a", "admin_a"},
        "key_id": {"employer_a", "admin_a"},
        "resume_id": {"candidate_x", "admin_public"},
        "version_id": {"candidate_x", "admin_public"},
        "candidate_id": {"candidate_x", "admin_public"},
    }
    probed = 0
    for path, method, op in _operations(app):
        params = ID_PARAM.findall(path)
        if not params:
            continue
        unknown = set(params) - set(ids)
        assert not unknown, f"add an owned object for {unknown} of {path} to this matrix"
        allowed = set.intersection(*(owners[p] for p in params))
        url = path.format(**{p: ids[p] for p in params})
        body = _example_body(app, op)
        for name, key in keys.items():
            if name in allowed:
                continue
            answer = await client.request(method, url, json=body, headers=key.headers)
            assert answer.status_code == 404, (name, method, path, answer.status_code, answer.text)
            assert answer.json()["error"] == "not_found"
            probed += 1
    assert probed >= 60

    # Nothing an outsider sent changed anything: the owners still read their objects.
    job = await client.get(f"/api/v1/jobs/{job_id}", headers=keys["employer_a"].headers)
    assert job.status_code == 200 and job.json()["title"] == "Data Engineer"
    assert job.json()["published"] is True
    for name in ("candidate_x", "admin_public"):
        resume = await client.get(f"/api/v1/resumes/{stored.resume_id}", headers=keys[name].headers)
        assert resume.status_code == 200, name
        version = await client.get(
            f"/api/v1/resumes/{stored.resume_id}/versions/{stored.version_id}",
            headers=keys[name].headers,
        )
        assert version.status_code == 200 and version.json()["text"].startswith("Sam Lee")
    assert (await client.get("/api/v1/me", headers=keys["employer_a"].headers)).status_code == 200


async def test_organisation_comes_from_the_key(
    client: httpx.AsyncClient, make_key: MakeKey
) -> None:
    a, b = await make_key("org-a", "employer"), await make_key("org-b", "employer")
    body = {"title": "Analyst", "description": "SQL", "org_id": b.org_id}
    created = await client.post("/api/v1/jobs", json=body, headers=a.headers)
    assert created.status_code == 201
    listed_b = await client.get("/api/v1/jobs", headers=b.headers)
    assert listed_b.json()["total"] == 0
    listed_a = await client.get("/api/v1/jobs", headers=a.headers)
    assert [j["id"] for j in listed_a.json()["items"]] == [created.json()["id"]]


async def test_roles(client: httpx.AsyncClient, make_key: MakeKey) -> None:
    candidate = await make_key("public", "candidate")
    employer = await make_key("org-a", "employer")
    job = {"title": "Analyst", "description": "SQL"}
    assert (
        await client.post("/api/v1/jobs", json=job, headers=candidate.headers)
    ).status_code == 403
    assert (await client.get("/api/v1/resumes", headers=employer.headers)).status_code == 403
    upload = await client.post(
        "/api/v1/resumes",
        files={"file": ("cv.txt", b"Sam", "text/plain")},
        headers=employer.headers,
    )
    assert upload.status_code == 403
    assert (
        await client.get("/api/v1/metrics/summary", headers=candidate.headers)
    ).status_code == 403
    assert (await client.get("/api/v1/apikeys", headers=employer.headers)).status_code == 403
