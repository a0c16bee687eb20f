"""Job alerts from one batch of new or changed jobs: score, select, deliver (match worker).

A batch is an entry `{"kind": "job_alerts", "job_ids": [...], "batch_id": ...}` on the
match stream, enqueued (outbox) by the commit that created, imported, updated or
published the jobs. Its handler:

1. compute, with nothing locked: the candidates with alerts on and their current resume
   versions, the batch's jobs, the matcher's scores for just these pairs (`scoring`),
   minus pairs announced before, within each candidate's quota for the last 24 hours;
2. deliver, in ONE transaction: `bus.once` on the batch id (a redelivered entry stops
   here), lock the candidates' settings (an opt-out or erasure meanwhile: nothing for
   them; on PostgreSQL a later one waits for this commit), re-check that each job is still
   published, re-apply the settings and the quota as they are now, write the ledger
   (`JobAlertDelivery`, one row per candidate and job, ever) and a `Notification` per new
   alert (dedupe key `alert:<candidate>:<job>`), and queue the `job.alert` webhook event
   of each for the candidate's organisation;
3. after the commit, push each alert on the user's pub/sub channel. A push lost to a
   crash is not repeated: the chat shows undelivered notifications at the next visit.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.alerts import inputs
from api.alerts.repository import AlertRepository
from api.alerts.scoring import Pick, passes_filter, select
from api.gateway.repository import GatewayRepository
from api.gateway.service import emit
from api.matching.features import JobSnapshot
from api.notifications.repository import NotificationRepository
from api.notifications.service import message, push_to_users
from core import bus
from core.db import session_scope
from core.models import Job, new_id, utcnow
from core.notifications import NotificationKind
from ingest.index import VectorIndex, get_index

ENTRY_KIND = "job_alerts"
ONCE_GROUP = "alerts"
WINDOW = timedelta(hours=24)


def entry(job_ids: Sequence[str]) -> dict[str, Any]:
    """The stream payload of a batch (ids only)."""
    return {"kind": ENTRY_KIND, "job_ids": list(dict.fromkeys(job_ids)), "batch_id": new_id()}


def is_alert_entry(payload: dict[str, Any]) -> bool:
    return payload.get("kind") == ENTRY_KIND


def dedupe_key(candidate_id: str, job_id: str) -> str:
    return f"alert:{candidate_id}:{job_id}"


@dataclass(frozen=True, slots=True)
class Alert:
    """A delivered alert, as pushed after the commit."""

    notification_id: str
    user_id: str
    payload: dict[str, Any]


def alert_payload(job: Job, pick: Pick) -> dict[str, Any]:
    """What the candidate is told: the job and the matcher's reasons; nothing personal."""
    return {
        "job_id": job.id,
        "title": job.title,
        "company": job.company,
        "location": job.location,
        "score": pick.result.score,
        "matched_skills": pick.result.matched_skills,
        "missing_required": pick.result.missing_required,
        "job_url": job.url,
    }


async def handle(message: bus.Message) -> None:
    job_ids = message.payload.get("job_ids")
    batch_id = message.payload.get("batch_id")
    if not isinstance(job_ids, list) or not isinstance(batch_id, str):
        raise ValueError(f"alert entry {message.id} carries no job_ids / batch_id")
    picks, jobs = await compute([str(job_id) for job_id in job_ids])
    alerts = await deliver(batch_id, picks, jobs)
    await push(alerts)


async def compute(
    job_ids: Sequence[str], index: VectorIndex | None = None
) -> tuple[list[Pick], dict[str, Job]]:
    """The alerts this batch implies now (nothing written)."""
    index = index or get_index()
    async with session_scope() as session:
        repo = AlertRepository(session)
        candidates = await repo.enabled_candidates()
        if not candidates:
            return [], {}
        rows = [job for job in await repo.jobs(job_ids) if job.published]
        if not rows:
            return [], {}
        announced = await repo.announced([job.id for job in rows])
        sent = await repo.sent_since(utcnow() - WINDOW)
        snapshots = [JobSnapshot.from_row(job) for job in rows]
    resumes, missing = await asyncio.to_thread(inputs.cached_resumes, candidates, index)
    if missing:
        async with session_scope() as session:
            texts = await AlertRepository(session).version_texts(missing)
        resumes.update(await asyncio.to_thread(inputs.featurise_resumes, texts, index))
    candidates = [c for c in candidates if c.version_id in resumes]
    quota = {c.candidate_id: c.max_per_day - sent.get(c.candidate_id, 0) for c in candidates}
    jobs = await asyncio.to_thread(inputs.job_inputs, snapshots, index)
    picks = await asyncio.to_thread(
        select,
        candidates,
        [resumes[c.version_id] for c in candidates],
        jobs,
        quota=quota,
        announced=announced,
    )
    return picks, {job.id: job for job in rows}


async def deliver(batch_id: str, picks: Sequence[Pick], jobs: dict[str, Job]) -> list[Alert]:
    """Write the alerts still due (see the module docstring); returns the new ones."""
    async with session_scope() as session:
        if not await bus.once(session, ONCE_GROUP, batch_id) or not picks:
            return []
        repo = AlertRepository(session)
        settings = await repo.lock_enabled({pick.candidate.candidate_id for pick in picks})
        published = await repo.published_job_ids({pick.job_id for pick in picks})
        now = utcnow()
        sent = await repo.sent_since(now - WINDOW)
        due: list[tuple[Pick, str]] = []
        taken: dict[str, int] = defaultdict(int)
        for pick in picks:  # best first per candidate
            current = settings.get(pick.candidate.candidate_id)
            job = jobs[pick.job_id]
            if current is None or pick.job_id not in published:
                continue  # opted out, erased, or the job was withdrawn
            if pick.result.score < current.min_score or not passes_filter(
                current.location,
                current.remote,
                job.location,
                bool(job.remote),
                current.query,
                job.title,
            ):
                continue  # the settings changed since the scores were computed
            if (
                sent.get(current.candidate_id, 0) + taken[current.candidate_id]
                >= current.max_per_day
            ):
                continue
            taken[current.candidate_id] += 1
            due.append((pick, new_id()))
        inserted = await repo.record(
            [
                {
                    "candidate_id": pick.candidate.candidate_id,
                    "job_id": pick.job_id,
                    "notification_id": notification_id,
                    "score": pick.result.score,
                    "created_at": now,
                }
                for pick, notification_id in due
            ]
        )
        alerts: list[Alert] = []
        rows: list[dict[str, Any]] = []
        for pick, notification_id in due:
            candidate = settings[pick.candidate.candidate_id]
            if (candidate.candidate_id, pick.job_id) not in inserted:
                continue  # announced by a concurrent batch with the same job
            payload = alert_payload(jobs[pick.job_id], pick)
            rows.append(
                {
                    "id": notification_id,
                    "created_at": now,
                    "user_id": candidate.user_id,
                    "org_id": candidate.org_id,
                    "chat_session_id": None,
                    "task_id": None,
                    "kind": NotificationKind.job_alert,
                    "payload": payload,
                    "dedupe_key": dedupe_key(candidate.candidate_id, pick.job_id),
                }
            )
            alerts.append(Alert(notification_id, candidate.user_id, payload))
        await NotificationRepository(session).add_many(rows)
        await announce(session, rows)
    return alerts


async def announce(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Queue the `job.alert` webhook event of each alert for the candidate's organisation:
    thin (ids, the score, a link), and only to organisations subscribed to it."""
    if not rows:
        return
    repo = GatewayRepository(session)
    listening: dict[str, bool] = {}
    for row in rows:
        org_id = row["org_id"]
        if org_id not in listening:
            subscriptions = await repo.active_subscriptions(org_id)
            listening[org_id] = any(NotificationKind.job_alert in s.events for s in subscriptions)
        if not listening[org_id]:
            continue
        candidate_id = row["dedupe_key"].split(":")[1]
        data = {
            "candidate_id": candidate_id,
            "job_id": row["payload"]["job_id"],
            "score": row["payload"]["score"],
            "job_url": row["payload"]["job_url"],
            "alerts_url": "/api/v1/alerts",
        }
        await emit(session, org_id, NotificationKind.job_alert, data, event_id=row["dedupe_key"])


async def push(alerts: Sequence[Alert]) -> None:
    """Tell each user's open chat (pub/sub, best effort: the row is the durable record)."""
    await push_to_users(
        (
            (
                alert.user_id,
                message(alert.notification_id, NotificationKind.job_alert, alert.payload),
            )
            for alert in alerts
        ),
        "alerts",
    )
