"""Job alert settings of a candidate, and the hooks that start and stop alerts.

- Settings: a candidate key reads, sets and removes its own (`/api/v1/alerts`); other
  roles get a 403. Turning alerts off (or removing them) changes the row the match worker
  locks while it delivers, so no alert reaches the candidate after the change commits.
- Jobs: every created, imported, updated or published job of a transaction goes into ONE
  alert batch entry on the match stream (outbox), queued just before the commit, so an
  import of 200 jobs is one entry scored in bulk, and a rolled-back change queues nothing.
- Erasure: the candidate's settings, ledger and alert notifications go with them.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from api.alerts.delivery import entry
from api.alerts.repository import AlertRepository
from api.alerts.schemas import OFF, AlertSettingsIn, AlertSettingsOut
from api.deps import require_role
from api.identity.schemas import Identity
from api.jobs import service as jobs_service
from api.jobs.service import JobAction
from api.resumes import service as resumes_service
from api.resumes.service import ErasedCandidate, resume_service
from core import bus, outbox
from core.models import Job, JobAlert, Role, utcnow


def _out(alert: JobAlert | None) -> AlertSettingsOut:
    if alert is None:
        return OFF
    return AlertSettingsOut(
        enabled=alert.enabled,
        min_score=alert.min_score,
        location=alert.location,
        remote=alert.remote,
        max_per_day=alert.max_per_day,
        updated_at=alert.updated_at,
    )


class AlertService:
    async def get(self, session: AsyncSession, identity: Identity) -> AlertSettingsOut:
        require_role(identity, Role.candidate)
        return _out(await AlertRepository(session).settings_for_user(identity.user_id))

    async def put(
        self, session: AsyncSession, identity: Identity, data: AlertSettingsIn
    ) -> AlertSettingsOut:
        require_role(identity, Role.candidate)
        repo = AlertRepository(session)
        alert = await repo.settings_for_user(identity.user_id)
        if alert is None:
            profile = await resume_service.ensure_profile(session, identity)
            alert = JobAlert(
                candidate_id=profile.id, user_id=identity.user_id, org_id=profile.org_id
            )
            repo.add(alert)
        for name, value in data.model_dump().items():
            setattr(alert, name, value)
        alert.updated_at = utcnow()
        await session.flush()
        return _out(alert)

    async def delete(self, session: AsyncSession, identity: Identity) -> None:
        require_role(identity, Role.candidate)
        repo = AlertRepository(session)
        alert = await repo.settings_for_user(identity.user_id)
        if alert is not None:
            await repo.delete_settings(alert.candidate_id)


alert_service = AlertService()


# --- hooks ----------------------------------------------------------------------------------

_PENDING = "clearview.alerts.jobs"


async def on_job_change(session: AsyncSession, org_id: str, job_id: str, action: JobAction) -> None:
    if action == "deleted":
        return
    job = await session.get(Job, job_id)
    if job is not None and job.published:
        session.info.setdefault(_PENDING, []).append(job_id)


@event.listens_for(Session, "before_commit")
def _queue_batch(session: Session) -> None:
    job_ids = session.info.pop(_PENDING, None)
    if job_ids:
        outbox.enqueue(session, bus.MATCH, entry(job_ids))


@event.listens_for(Session, "after_rollback")
def _drop_batch(session: Session) -> None:
    session.info.pop(_PENDING, None)


async def on_erasure(session: AsyncSession, erased: ErasedCandidate) -> None:
    await AlertRepository(session).erase(erased.candidate_id, erased.user_id)


def register_hooks() -> None:
    """Append the alert hooks to the services' seams (idempotent)."""
    if on_job_change not in jobs_service.job_hooks:
        jobs_service.job_hooks.append(on_job_change)
    if on_erasure not in resumes_service.erasure_hooks:
        resumes_service.erasure_hooks.append(on_erasure)
