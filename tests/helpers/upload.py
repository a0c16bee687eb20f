"""Jobs and resumes put in through the API, as an employer and a candidate do."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from tests.fixtures.matching import JOBS
from tests.plugins.api import Key


async def import_jobs(
    client: httpx.AsyncClient, key: Key, jobs: Sequence[dict[str, Any]] = JOBS
) -> dict[str, str]:
    """Bulk-imports `jobs` (the matching fixtures by default); external id -> job id."""
    answer = await client.post("/api/v1/jobs/bulk", json={"jobs": list(jobs)}, headers=key.headers)
    assert answer.status_code == 200, answer.text
    ids: dict[str, str] = answer.json()["ids"]
    return ids


async def upload_resume(client: httpx.AsyncClient, key: Key, text: str, opt_in: bool = True) -> str:
    """Uploads `text` as the candidate's resume and sets their opt-in; the resume id."""
    answer = await client.post(
        "/api/v1/resumes",
        files={"file": ("cv.txt", text.encode(), "text/plain")},
        headers=key.headers,
    )
    assert answer.status_code == 201, answer.text
    profile = await client.patch(
        "/api/v1/candidates/me", json={"open_to_employers": opt_in}, headers=key.headers
    )
    assert profile.status_code == 200, profile.text
    resume_id: str = answer.json()["id"]
    return resume_id


@dataclass(frozen=True)
class Candidate:
    key: Key
    candidate_id: str
    resume_id: str


async def upload_candidate(
    client: httpx.AsyncClient, key: Key, text: str, **profile: bool
) -> Candidate:
    """Uploads `text` and, when given, patches the profile's flags."""
    answer = await client.post(
        "/api/v1/resumes",
        files={"file": ("cv.txt", text.encode(), "text/plain")},
        headers=key.headers,
    )
    assert answer.status_code == 201, answer.text
    if profile:
        patched = await client.patch("/api/v1/candidates/me", json=profile, headers=key.headers)
        assert patched.status_code == 200, patched.text
    body = answer.json()
    return Candidate(key, body["candidate_id"], body["id"])
