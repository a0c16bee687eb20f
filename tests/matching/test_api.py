"""The match API contract on SQLite and PostgreSQL: shape, ordering, bounds, bad input,
determinism, name-blindness, tenancy and consent, and the index hooks."""

from __future__ import annotations

from typing import Any

import httpx

from tests.fixtures.matching import JOBS, NURSE_RESUME, RESUME, RESUME_SWAPPED
from tests.helpers.upload import import_jobs, upload_resume
from tests.plugins.api import Key, MakeKey

MATCH_FIELDS = {
    "job_id",
    "external_id",
    "title",
    "company",
    "location",
    "score",
    "matched_skills",
    "missing_required",
    "missing_preferred",
    "reasons",
}


async def _match(client: httpx.AsyncClient, key: Key, **body: Any) -> httpx.Response:
    return await client.post("/api/v1/match/jobs", json=body, headers=key.headers)


async def test_match_jobs_contract(client: httpx.AsyncClient, make_key: MakeKey) -> None:
    employer = await make_key("org-a", "employer")
    ids = await import_jobs(client, employer)
    candidate = await make_key("org-b", "candidate")  # candidates search every organisation

    answer = await _match(client, candidate, resume_text=RESUME, top_k=5)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    matches = body["matches"]
    assert len(matches) == 5 and body["took_ms"] >= 0
    assert all(set(m) >= MATCH_FIELDS for m in matches)
    scores = [m["score"] for m in matches]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    assert matches[0]["external_id"] == "py-backend"
    assert matches[0]["job_id"] == ids["py-backend"]
    assert matches[0]["company"] == "Northwind Labs"
    assert set(matches[0]["matched_skills"]) >= {"Python", "FastAPI", "PostgreSQL", "Kubernetes"}
    assert matches[0]["missing_preferred"] and matches[0]["reasons"]
    # an unpublished job is never matched
    everything = (await _match(client, candidate, resume_text=RESUME, top_k=100)).json()
    assert ids["hidden"] not in {m["job_id"] for m in everything["matches"]}
    assert len(everything["matches"]) == len(JOBS) - 1

    # filters run inside the vector query
    remote = (await _match(client, candidate, resume_text=RESUME, filters={"remote": True})).json()
    assert {m["external_id"] for m in remote["matches"]} == {"data-eng", "devops"}
    berlin = (
        await _match(client, candidate, resume_text=RESUME, filters={"location": "berlin"})
    ).json()
    assert [m["external_id"] for m in berlin["matches"]] == ["py-backend"]
    paid = (
        await _match(client, candidate, resume_text=RESUME, filters={"min_salary": 80000})
    ).json()
    assert [m["external_id"] for m in paid["matches"]] == ["py-backend"]


async def test_a_query_brings_the_jobs_naming_it_first_in_fit_order(
    client: httpx.AsyncClient, make_key: MakeKey
) -> None:
    await import_jobs(client, await make_key("org-a", "employer"))
    candidate = await make_key("org-b", "candidate")
    fit = (await _match(client, candidate, resume_text=RESUME, top_k=100)).json()["matches"]
    assert all(m["query_met"] is None for m in fit)  # no query, nothing claimed

    # "developers": a plural of a word in one title; the others follow in fit order
    answer = await _match(client, candidate, resume_text=RESUME, top_k=4, query="developers")
    assert answer.status_code == 200, answer.text
    matches = answer.json()["matches"]
    assert [(m["external_id"], m["query_met"]) for m in matches[:1]] == [("frontend", True)]
    others = [m["external_id"] for m in fit if m["external_id"] != "frontend"][:3]
    assert [m["external_id"] for m in matches[1:]] == others
    assert all(m["query_met"] is False for m in matches[1:])
    # a job far from the resume still comes first when it is what was asked for
    nurse = (await _match(client, candidate, resume_text=RESUME, top_k=1, query="nursing")).json()
    assert [(m["external_id"], m["query_met"]) for m in nurse["matches"]] == [("nurse", True)]

    blank = await _match(client, candidate, resume_text=RESUME, query="  ")
    assert blank.status_code == 422 and "query" in blank.text


async def test_employment_type_and_seniority_filter_as_the_job_states_them(
    client: httpx.AsyncClient, make_key: MakeKey
) -> None:
    jobs = [
        {**job, "employment_type": kind}
        for job, kind in zip(JOBS, ["Full-time", "part_time", None, "Contract"], strict=False)
    ]
    await import_jobs(client, await make_key("org-a", "employer"), jobs[:4])
    candidate = await make_key("org-b", "candidate")

    async def found(**filters: Any) -> list[str]:
        answer = await _match(client, candidate, resume_text=RESUME, filters=filters)
        assert answer.status_code == 200, answer.text
        return sorted(m["external_id"] for m in answer.json()["matches"])

    assert await found(employment_type="full_time") == ["py-backend"]
    assert await found(employment_type="part_time") == ["data-eng"]
    assert await found(employment_type="contract") == ["nurse"]
    assert await found(employment_type="internship") == []  # none states it
    assert await found(seniority="senior") == ["py-backend"]  # "Senior Python Backend ..."
    assert await found(seniority="junior") == []
    wrong = await _match(client, candidate, resume_text=RESUME, filters={"seniority": "guru"})
    assert wrong.status_code == 422 and "seniority" in wrong.text


async def test_deterministic_and_name_blind(client: httpx.AsyncClient, make_key: MakeKey) -> None:
    await import_jobs(client, await make_key("org-a", "employer"))
    candidate = await make_key("org-a", "candidate")
    first = (await _match(client, candidate, resume_text=RESUME, top_k=10)).json()["matches"]
    again = (await _match(client, candidate, resume_text=RESUME, top_k=10)).json()["matches"]
    swapped = (await _match(client, candidate, resume_text=RESUME_SWAPPED, top_k=10)).json()
    ranking = [(m["job_id"], m["score"], m["reasons"]) for m in first]
    assert ranking == [(m["job_id"], m["score"], m["reasons"]) for m in again]
    assert ranking == [(m["job_id"], m["score"], m["reasons"]) for m in swapped["matches"]]

    job = "Senior Python engineer: FastAPI, PostgreSQL, Kubernetes required; Go preferred."
    one = await client.post(
        "/api/v1/match/score",
        json={"resume_text": RESUME, "job_text": job},
        headers=candidate.headers,
    )
    other = await client.post(
        "/api/v1/match/score",
        json={"resume_text": RESUME_SWAPPED, "job_text": job},
        headers=candidate.headers,
    )
    assert one.status_code == 200, one.text
    assert one.json() == other.json()
    assert set(one.json()["breakdown"]) == {
        "dense",
        "lexical",
        "skills",
        "occupation",
        "experience",
        "location",
    }
    assert 0 <= one.json()["score"] <= 1


async def test_bad_input_says_what_to_fix(client: httpx.AsyncClient, make_key: MakeKey) -> None:
    candidate = await make_key("org-a", "candidate")
    other = await make_key("org-a", "candidate")
    resume_id = await upload_resume(client, other, RESUME, opt_in=False)
    for body in (
        {"resume_text": "", "top_k": 10},
        {"resume_text": "   ", "top_k": 10},
        {"resume_text": "x" * 100_001},
        {"resume_text": RESUME, "top_k": 0},
        {"resume_text": RESUME, "top_k": 101},
        {"top_k": 5},
        {"resume_text": RESUME, "resume_id": resume_id},
    ):
        answer = await _match(client, candidate, **body)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.json()["error"] and answer.json()["detail"]
    long_ok = await _match(client, candidate, resume_text=RESUME + "x " * 49_000)
    assert long_ok.status_code == 200
    # someone else's resume and an unknown one are both simply not found
    for rid in (resume_id, "0" * 32):
        answer = await _match(client, candidate, resume_id=rid)
        assert answer.status_code == 404 and "not found" in answer.json()["detail"]
    # the owner may use it
    assert (await _match(client, other, resume_id=resume_id)).status_code == 200
    unknown_job = await client.post(
        "/api/v1/match/score",
        json={"resume_text": RESUME, "job_id": "f" * 32},
        headers=candidate.headers,
    )
    assert unknown_job.status_code == 404
    neither = await client.post(
        "/api/v1/match/score", json={"resume_text": RESUME}, headers=candidate.headers
    )
    assert neither.status_code == 422 and "job_text" in neither.json()["detail"]


async def test_candidates_opted_in_and_own_jobs_only(
    client: httpx.AsyncClient, make_key: MakeKey
) -> None:
    employer = await make_key("org-a", "employer")
    ids = await import_jobs(client, employer)
    stranger = await make_key("org-z", "employer")
    z_jobs = await import_jobs(client, stranger)
    visible = await make_key("org-c", "candidate")
    hidden = await make_key("org-c", "candidate")
    nurse = await make_key("org-c", "candidate")
    visible_resume = await upload_resume(client, visible, RESUME, opt_in=True)
    await upload_resume(client, hidden, RESUME_SWAPPED, opt_in=False)
    nurse_resume = await upload_resume(client, nurse, NURSE_RESUME, opt_in=True)

    async def search(key: Key, **body: Any) -> httpx.Response:
        return await client.post("/api/v1/match/candidates", json=body, headers=key.headers)

    answer = await search(employer, job_id=ids["py-backend"], top_k=10)
    assert answer.status_code == 200, answer.text
    matches = answer.json()["matches"]
    assert [m["resume_id"] for m in matches] == [visible_resume, nurse_resume]
    assert matches[0]["score"] > matches[1]["score"]
    assert set(matches[0]) >= MATCH_FIELDS | {"candidate_id", "resume_id"}
    assert "Jordan" not in answer.text and "mail.com" not in answer.text
    by_text = await search(employer, job_text="Registered nurse: patient care, wound care.")
    assert by_text.json()["matches"][0]["resume_id"] == nurse_resume

    # employers narrow by skills (every one) and years of work
    python = await search(employer, job_id=ids["py-backend"], skills=["python", "Kubernetes"])
    assert [m["resume_id"] for m in python.json()["matches"]] == [visible_resume]
    care = await search(employer, job_id=ids["py-backend"], skills=["Wound care"], min_years=5)
    assert [m["resume_id"] for m in care.json()["matches"]] == [nurse_resume]
    senior = await search(employer, job_id=ids["py-backend"], min_years=5.5)
    assert [m["resume_id"] for m in senior.json()["matches"]] == [visible_resume]
    unknown = await search(employer, job_id=ids["py-backend"], skills=["Python", "Zorblax"])
    assert unknown.json()["matches"] == []  # a name the taxonomy lacks: matched by its words
    nothing = await search(employer, job_id=ids["py-backend"], skills=["Python", "&&"])
    assert nothing.status_code == 422 and "'&&'" in nothing.json()["detail"]

    # another organisation's job is not found; a candidate may not search candidates
    assert (await search(employer, job_id=z_jobs["py-backend"])).status_code == 404
    assert (await search(visible, job_text="Python developer")).status_code == 403

    # opting out leaves employer search at once
    out = await client.patch(
        "/api/v1/candidates/me", json={"open_to_employers": False}, headers=visible.headers
    )
    assert out.status_code == 200
    after = (await search(employer, job_id=ids["py-backend"])).json()["matches"]
    assert [m["resume_id"] for m in after] == [nurse_resume]


async def test_hooks_keep_the_index_in_step(client: httpx.AsyncClient, make_key: MakeKey) -> None:
    employer = await make_key("org-a", "employer")
    candidate = await make_key("org-b", "candidate")
    created = await client.post(
        "/api/v1/jobs",
        json={
            "title": "Registered Nurse",
            "description": "Patient care and wound care on a surgical ward.",
            "required_skills": ["Patient care", "Wound care"],
        },
        headers=employer.headers,
    )
    assert created.status_code == 201, created.text
    job_id = created.json()["id"]

    async def found() -> bool:
        answer = await _match(client, candidate, resume_text=NURSE_RESUME, top_k=5)
        return job_id in {m["job_id"] for m in answer.json()["matches"]}

    assert await found()
    # an update re-indexes: the new title is what a match shows
    await client.patch(
        f"/api/v1/jobs/{job_id}", json={"title": "Ward Nurse"}, headers=employer.headers
    )
    top = (await _match(client, candidate, resume_text=NURSE_RESUME)).json()["matches"][0]
    assert (top["job_id"], top["title"]) == (job_id, "Ward Nurse")
    await client.post(f"/api/v1/jobs/{job_id}/unpublish", headers=employer.headers)
    assert not await found()
    await client.post(f"/api/v1/jobs/{job_id}/publish", headers=employer.headers)
    assert await found()
    assert (
        await client.delete(f"/api/v1/jobs/{job_id}", headers=employer.headers)
    ).status_code == 204
    assert not await found()
