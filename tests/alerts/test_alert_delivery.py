"""Job alerts end to end, on SQLite and PostgreSQL: jobs imported over HTTP, the match
worker's handler run on the entries the commit published, the notifications, ledger,
pushes and webhook deliveries it wrote.

The expected alerts are computed here independently: the matcher's `scoring.score` on
features computed afresh from the stored texts and the index's embeddings (what
`/api/v1/match/score` computes; checked against the endpoint for a sample), then the candidate's threshold, place
filter and daily cap applied by hand. The endpoint embeds texts one at a time, the index
in batches, which may differ in the last float bits: scores are compared to 2e-6 (the
score has 6 decimals).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import numpy as np
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from api.alerts import delivery
from api.alerts.delivery import is_alert_entry
from api.matching import scoring
from api.matching.features import JobSnapshot, location_tokens, prepare_resume, snapshot_features
from core import bus
from core.db import session_scope
from core.models import (
    Job,
    JobAlert,
    JobAlertDelivery,
    Notification,
    ResumeVersion,
    WebhookDelivery,
    WebhookSubscription,
    new_id,
    utcnow,
)
from core.redis import connect
from ingest.index import JOBS, RESUMES, Kind, get_index
from tests.helpers.db import count_rows
from tests.helpers.synthetic import job_rows, resume_text
from tests.helpers.tasks import drain
from tests.helpers.upload import upload_resume
from tests.plugins.api import Key, MakeKey
from workers import match

TOLERANCE = 2e-6
# Tests take `bus_url` first: it configures Redis before the app (and anything in it that
# connects to Redis) is built.


@dataclass(frozen=True)
class Candidate:
    key: Key
    resume_id: str
    settings: dict[str, Any]


def settings_for(n: int) -> dict[str, Any]:
    """Varied settings: thresholds around the scores' upper range, caps that bind for some,
    every kind of place filter."""
    places: list[dict[str, Any]] = [
        {"location": "Berlin", "remote": None},
        {"location": None, "remote": True},
        {"location": None, "remote": False},
        {"location": None, "remote": None},
        {"location": "London", "remote": False},
    ]
    place = places[n % len(places)]
    return {
        "enabled": True,
        "min_score": [0.45, 0.5, 0.55][n % 3],
        "max_per_day": [3, 5, 50][(n // 3) % 3],
        **place,
    }


async def make_candidates(
    client: httpx.AsyncClient, make_key: MakeKey, count: int, org: str = "people"
) -> list[Candidate]:
    candidates = []
    for n in range(count):
        key = await make_key(org, "candidate")
        resume_id = await upload_resume(client, key, resume_text(n))
        settings = settings_for(n)
        answer = await client.put("/api/v1/alerts", json=settings, headers=key.headers)
        assert answer.status_code == 200, answer.text
        candidates.append(Candidate(key, resume_id, settings))
    return candidates


async def import_jobs(
    client: httpx.AsyncClient, employer: Key, rows: list[dict[str, Any]]
) -> dict[str, str]:
    answer = await client.post("/api/v1/jobs/bulk", json={"jobs": rows}, headers=employer.headers)
    assert answer.status_code == 200, answer.text
    ids: dict[str, str] = answer.json()["ids"]
    return ids


def place_ok(settings: dict[str, Any], job: Job) -> bool:
    if settings["remote"] is True:
        return bool(job.remote)
    if settings["remote"] is False and job.remote:
        return False
    wanted = set(location_tokens(settings["location"]))
    return not wanted or bool(job.remote) or wanted <= set(location_tokens(job.location))


async def expected_scores(
    candidates: list[Candidate], job_ids: list[str]
) -> dict[tuple[str, str], float]:
    """(user_id, job_id) -> the matcher's score: features computed afresh from the stored
    texts, embeddings those of the vector index (what the matcher ranks with)."""
    index = get_index()
    async with session_scope() as session:
        jobs = (await session.scalars(select(Job).where(Job.id.in_(job_ids)))).all()
        texts: dict[str, str] = {}
        for c in candidates:
            texts[c.resume_id] = (
                await session.execute(
                    select(ResumeVersion.text).where(ResumeVersion.resume_id == c.resume_id)
                )
            ).scalar_one()
    users = {c.resume_id: c.key.user_id for c in candidates}

    def vectors(kind: Kind, ids: list[str]) -> dict[str, np.ndarray]:
        got = index.collection(kind).get(ids=ids, include=["embeddings"])
        return dict(zip(got["ids"], got["embeddings"], strict=True))  # type: ignore[arg-type]

    def compute() -> dict[tuple[str, str], float]:
        job_vectors = vectors(JOBS, [job.id for job in jobs])
        resume_vectors = vectors(RESUMES, list(texts))
        # An unpublished job is not in the index (and not announced): nothing to score.
        features = [
            (job.id, snapshot_features(JobSnapshot.from_row(job)))
            for job in jobs
            if job.id in job_vectors
        ]
        out = {}
        for resume_id, text in texts.items():
            prepared = prepare_resume(text)
            for job_id, job_features in features:
                dense = float(np.dot(resume_vectors[resume_id], job_vectors[job_id]))
                result = scoring.score(job_features, prepared.features, dense)
                out[(users[resume_id], job_id)] = result.score
        return out

    return await asyncio.to_thread(compute)


async def expected_alerts(
    candidates: list[Candidate],
    job_ids: list[str],
    scores: dict[tuple[str, str], float],
    already: dict[str, int] | None = None,
) -> dict[tuple[str, str], float]:
    async with session_scope() as session:
        jobs = {j.id: j for j in (await session.scalars(select(Job).where(Job.id.in_(job_ids))))}
    out = {}
    for c in candidates:
        s = c.settings
        passing = [
            (scores[(c.key.user_id, job_id)], job_id)
            for job_id in job_ids
            if jobs[job_id].published
            and scores[(c.key.user_id, job_id)] >= s["min_score"]
            and place_ok(s, jobs[job_id])
        ]
        passing.sort(key=lambda item: (-item[0], item[1]))
        room = s["max_per_day"] - (already or {}).get(c.key.user_id, 0)
        for score, job_id in passing[: max(room, 0)]:
            out[(c.key.user_id, job_id)] = score
    return out


async def delivered(engine: AsyncEngine) -> dict[tuple[str, str], dict[str, Any]]:
    async with session_scope(engine) as session:
        rows = (
            await session.scalars(select(Notification).where(Notification.kind == "job.alert"))
        ).all()
    return {(row.user_id, row.payload["job_id"]): {**row.payload, "_id": row.id} for row in rows}


def assert_same_alerts(
    got: dict[tuple[str, str], dict[str, Any]], want: dict[tuple[str, str], float]
) -> None:
    extra = {pair: got[pair]["score"] for pair in set(got) - set(want)}
    missing = {pair: want[pair] for pair in set(want) - set(got)}
    assert not extra and not missing, (extra, missing)
    for pair, score in want.items():
        assert abs(got[pair]["score"] - score) <= TOLERANCE, pair


async def test_import_delivers_exactly_the_alerts_the_scores_imply_once_each(
    bus_url: str, client: httpx.AsyncClient, make_key: MakeKey, engine: AsyncEngine
) -> None:
    employer = await make_key("acme", "employer")
    candidates = await make_candidates(client, make_key, 50)
    # A subscription of the candidates' organisation to job.alert (webhook event).
    async with session_scope(engine) as session:
        org_id = candidates[0].key.org_id
        session.add(
            WebhookSubscription(
                id=new_id(), org_id=org_id, url="https://hooks.example.org/cv",
                events=["job.alert"], secrets=["whsec_test"], active=True,
            )
        )  # fmt: skip
    ids = await import_jobs(client, employer, job_rows(200))
    job_ids = sorted(ids.values())

    scores = await expected_scores(candidates, job_ids)
    want = await expected_alerts(candidates, job_ids, scores)
    # Thresholds, filters and caps all matter in this data set.
    assert 50 < len(want) < sum(1 for s in scores.values() if s >= 0.45)
    # The independent computation is the endpoint's: checked on a sample of pairs.
    for c in candidates[:3]:
        for job_id in job_ids[:2]:
            answer = await client.post(
                "/api/v1/match/score",
                json={"resume_id": c.resume_id, "job_id": job_id},
                headers=c.key.headers,
            )
            assert answer.status_code == 200, answer.text
            assert abs(answer.json()["score"] - scores[(c.key.user_id, job_id)]) <= TOLERANCE

    # One commit, one alert entry on the match stream.
    listener = connect(bus_url)
    pubsub = listener.pubsub()
    watched = next(c for c in candidates if any(u == c.key.user_id for u, _ in want))
    await pubsub.subscribe(f"cv:user:{watched.key.user_id}")
    assert await drain(bus_url, bus.MATCH, match.handle, is_alert_entry) == 1
    got = await delivered(engine)
    assert_same_alerts(got, want)

    # Redelivered: nothing new, anywhere.
    assert await drain(bus_url, bus.MATCH, match.handle, is_alert_entry) == 1
    assert await delivered(engine) == got
    assert await count_rows(engine, JobAlertDelivery) == len(want)

    some = next(iter(got.values()))
    async with session_scope(engine) as session:
        row = await session.get_one(Notification, some["_id"])
    candidate = next(c for c in candidates if c.key.user_id == row.user_id)
    assert row.chat_session_id is None
    assert row.delivered_at is None
    assert row.dedupe_key.startswith("alert:") and row.dedupe_key.endswith(f":{some['job_id']}")
    assert set(row.payload) == {
        "job_id", "title", "company", "location", "score", "matched_skills",
        "missing_required", "job_url",
    }  # fmt: skip
    assert row.payload["job_url"].startswith("https://jobs.example.org/")
    assert candidate.key.user_id == row.user_id

    mine = {job_id for user_id, job_id in want if user_id == watched.key.user_id}
    pushed = []
    for _ in range(40):  # the subscribe confirmation reads as None: wait for the pushes
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.1)
        if message is not None:
            pushed.append(json.loads(message["data"]))
        elif len(pushed) >= len(mine):
            break
    assert {m["job_id"] for m in pushed} == mine
    assert all(m["kind"] == "job.alert" and m["notification_id"] for m in pushed)
    await pubsub.aclose()
    await listener.aclose()

    # One thin webhook event per alert of the subscribed organisation.
    async with session_scope(engine) as session:
        hooks = (await session.scalars(select(WebhookDelivery))).all()
    assert len(hooks) == len(want)
    data = hooks[0].payload["data"]
    assert hooks[0].event_type == "job.alert"
    assert {"candidate_id", "job_id", "score"} <= set(data)
    assert "title" not in data and "matched_skills" not in data


async def test_unpublished_before_delivery_is_not_announced_and_publishing_announces(
    bus_url: str, client: httpx.AsyncClient, make_key: MakeKey, engine: AsyncEngine
) -> None:
    employer = await make_key("acme", "employer")
    candidates = await make_candidates(client, make_key, 6)
    rows = job_rows(30, seed=3)
    rows[0]["published"] = False  # imported hidden: not announced
    ids = await import_jobs(client, employer, rows)
    hidden = ids[rows[0]["external_id"]]
    job_ids = sorted(ids.values())
    scores = await expected_scores(candidates, job_ids)
    want = await expected_alerts(candidates, job_ids, scores)
    assert want, "the data set must produce alerts"
    # Scored while published; the best-scoring announced job is withdrawn before delivery.
    picks, jobs = await delivery.compute(job_ids)
    assert hidden not in {p.job_id for p in picks}
    withdrawn = max(want, key=lambda pair: want[pair])[1]
    answer = await client.post(f"/api/v1/jobs/{withdrawn}/unpublish", headers=employer.headers)
    assert answer.status_code == 200, answer.text
    await delivery.deliver(new_id(), picks, jobs)
    got = await delivered(engine)
    assert_same_alerts(got, {pair: s for pair, s in want.items() if pair[1] != withdrawn})

    # Publishing the hidden job is a change that announces it to whoever it passes.
    await bus_reset(bus_url)
    answer = await client.post(f"/api/v1/jobs/{hidden}/publish", headers=employer.headers)
    assert answer.status_code == 200, answer.text
    assert await drain(bus_url, bus.MATCH, match.handle, is_alert_entry) == 1
    after = await delivered(engine)
    scores.update(await expected_scores(candidates, [hidden]))
    assert set(after) - set(got) == set(await expected_alerts(candidates, [hidden], scores))


async def bus_reset(url: str) -> None:
    conn = connect(url)
    await conn.delete(bus.MATCH)
    await conn.aclose()


async def test_opt_out_and_erasure_stop_alerts_even_between_scoring_and_delivery(
    bus_url: str, client: httpx.AsyncClient, make_key: MakeKey, engine: AsyncEngine
) -> None:
    employer = await make_key("acme", "employer")
    candidates = await make_candidates(client, make_key, 8)
    for c in candidates:  # everyone gets something
        answer = await client.put(
            "/api/v1/alerts", json={"min_score": 0.2, "max_per_day": 50}, headers=c.key.headers
        )
        assert answer.status_code == 200
    ids = await import_jobs(client, employer, job_rows(20, seed=5))
    # Scored with everyone still on ...
    picks, jobs = await delivery.compute(sorted(ids.values()))
    users = {p.candidate.user_id for p in picks}
    assert {c.key.user_id for c in candidates} <= users
    # ... then one opts out, one turns alerts off, one is erased, before the delivery.
    quitter, pauser, erased, *others = candidates
    assert (await client.delete("/api/v1/alerts", headers=quitter.key.headers)).status_code == 204
    answer = await client.put("/api/v1/alerts", json={"enabled": False}, headers=pauser.key.headers)
    assert answer.status_code == 200 and answer.json()["enabled"] is False
    profile = await client.get("/api/v1/candidates/me", headers=erased.key.headers)
    candidate_id = profile.json()["id"]
    answer = await client.delete(f"/api/v1/candidates/{candidate_id}", headers=erased.key.headers)
    assert answer.status_code == 204, answer.text
    alerts = await delivery.deliver(new_id(), picks, jobs)
    got_users = {a.user_id for a in alerts}
    assert got_users == {c.key.user_id for c in others}
    assert await count_rows(engine, JobAlert, JobAlert.user_id == erased.key.user_id) == 0
    # The stream entry of the import changes nothing more: every pair is in the ledger.
    before = await count_rows(engine, Notification)
    assert await drain(bus_url, bus.MATCH, match.handle, is_alert_entry) == 1
    assert await count_rows(engine, Notification) == before
    # Erasure removes the alerts already sent, too.
    victim = others[0]
    profile = await client.get("/api/v1/candidates/me", headers=victim.key.headers)
    answer = await client.delete(
        f"/api/v1/candidates/{profile.json()['id']}", headers=victim.key.headers
    )
    assert answer.status_code == 204
    assert await count_rows(engine, Notification, Notification.user_id == victim.key.user_id) == 0
    assert await count_rows(engine, JobAlertDelivery) == sum(
        1 for a in alerts if a.user_id != victim.key.user_id
    )


async def test_max_per_day_holds_across_imports(
    bus_url: str, client: httpx.AsyncClient, make_key: MakeKey, engine: AsyncEngine
) -> None:
    employer = await make_key("acme", "employer")
    [capped, roomy] = await make_candidates(client, make_key, 2)
    for c, cap in ((capped, 2), (roomy, 50)):
        body = {"min_score": 0.2, "max_per_day": cap}
        assert (await client.put("/api/v1/alerts", json=body, headers=c.key.headers)).is_success
    await import_jobs(client, employer, job_rows(15, seed=8))
    assert await drain(bus_url, bus.MATCH, match.handle, is_alert_entry) == 1
    await bus_reset(bus_url)
    first = await delivered(engine)
    per_user = {
        u: sum(1 for user, _ in first if user == u) for u in (capped.key.user_id, roomy.key.user_id)
    }
    assert per_user[capped.key.user_id] == 2
    assert per_user[roomy.key.user_id] > 2
    await import_jobs(client, employer, job_rows(15, seed=9))
    await drain(bus_url, bus.MATCH, match.handle, is_alert_entry)
    second = await delivered(engine)
    assert sum(1 for user, _ in second if user == capped.key.user_id) == 2
    assert sum(1 for user, _ in second if user == roomy.key.user_id) > per_user[roomy.key.user_id]
    # A day later the cap has room again.
    async with session_scope(engine) as session:
        yesterday = utcnow() - timedelta(hours=25)
        await session.execute(update(JobAlertDelivery).values(created_at=yesterday))
    await bus_reset(bus_url)
    await import_jobs(client, employer, job_rows(15, seed=10))
    await drain(bus_url, bus.MATCH, match.handle, is_alert_entry)
    third = await delivered(engine)
    assert sum(1 for user, _ in third if user == capped.key.user_id) == 4


async def test_no_alert_entry_when_nobody_changes_a_published_job(
    bus_url: str, client: httpx.AsyncClient, make_key: MakeKey
) -> None:
    employer = await make_key(f"acme-{uuid.uuid4().hex[:6]}", "employer")
    rows = job_rows(3, seed=11)
    await import_jobs(client, employer, rows)
    await bus_reset(bus_url)
    await import_jobs(client, employer, rows)  # unchanged: nothing to announce
    conn = connect(bus_url)
    assert await conn.xlen(bus.MATCH) == 0
    await conn.aclose()
