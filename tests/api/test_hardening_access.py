"""Who sees what inside one organisation: candidates see published jobs only; a candidate's
tasks are theirs and their organisation's admins', not the employers'."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from tests.plugins.api import MakeKey, StoredResume


async def test_a_candidate_sees_published_jobs_only(
    client: httpx.AsyncClient, make_key: MakeKey
) -> None:
    employer, candidate = await make_key(role="employer"), await make_key(role="candidate")
    draft = await client.post(
        "/api/v1/jobs",
        json={"title": "Confidential", "description": "SQL", "published": False},
        headers=employer.headers,
    )
    public = await client.post(
        "/api/v1/jobs", json={"title": "Open", "description": "SQL"}, headers=employer.headers
    )
    draft_url = f"/api/v1/jobs/{draft.json()['id']}"
    # The employer's read fills the job cache first: the candidate must not be served from it.
    assert (await client.get(draft_url, headers=employer.headers)).status_code == 200
    assert (await client.get(draft_url, headers=candidate.headers)).status_code == 404
    assert (await client.get(draft_url, headers=candidate.headers)).status_code == 404
    public_url = f"/api/v1/jobs/{public.json()['id']}"
    assert (await client.get(public_url, headers=candidate.headers)).status_code == 200

    listed = (await client.get("/api/v1/jobs", headers=candidate.headers)).json()
    assert [job["title"] for job in listed["items"]] == ["Open"] and listed["total"] == 1
    drafts = await client.get("/api/v1/jobs?published=false", headers=candidate.headers)
    assert drafts.json()["total"] == 0
    assert (await client.get("/api/v1/jobs", headers=employer.headers)).json()["total"] == 2


async def test_a_candidates_report_task_is_hidden_from_employers(
    client: httpx.AsyncClient,
    make_key: MakeKey,
    make_resume: Callable[..., Awaitable[StoredResume]],
) -> None:
    candidate = await make_key(role="candidate", username="kim")
    employer = await make_key(role="employer", username="boss")
    admin = await make_key(role="admin", username="root")
    stored = await make_resume(candidate)
    answer = await client.get(
        f"/api/v1/reports/candidates/{stored.candidate_id}?async=true", headers=candidate.headers
    )
    assert answer.status_code == 202, answer.text
    task_url = f"/api/v1/tasks/{answer.json()['task_id']}"
    assert (await client.get(task_url, headers=candidate.headers)).status_code == 200
    assert (await client.get(task_url, headers=admin.headers)).status_code == 200
    hidden = await client.get(task_url, headers=employer.headers)
    assert hidden.status_code == 404 and stored.candidate_id not in hidden.text

    # An admin's report about the candidate is just as private.
    answer = await client.get(
        f"/api/v1/reports/candidates/{stored.candidate_id}?async=true", headers=admin.headers
    )
    assert answer.status_code == 202, answer.text
    task_url = f"/api/v1/tasks/{answer.json()['task_id']}"
    assert (await client.get(task_url, headers=admin.headers)).status_code == 200
    assert (await client.get(task_url, headers=employer.headers)).status_code == 404

    # The employer's own organisation-wide report stays visible to them.
    answer = await client.get("/api/v1/reports/funnel?async=true", headers=employer.headers)
    assert answer.status_code == 202, answer.text
    own = await client.get(f"/api/v1/tasks/{answer.json()['task_id']}", headers=employer.headers)
    assert own.status_code == 200
