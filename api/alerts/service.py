"""Job alert settings of a candidate, and what starts and stops alerts.

- Settings: a candidate key reads, sets and removes its own (`/api/v1/alerts`); other
  roles get a 403. Turning alerts off (or removing them) changes the row the match worker
  locks while it delivers, so no alert reaches the candidate after the change commits.
- Jobs (`jobs_changed`, called when jobs change): every created, imported, updated or
  published job of a transaction goes into ONE alert batch entry on the match stream
  (outbox), queued just before the commit, so an import of 200 jobs is one entry scored
  in bulk, and a rolled-back change queues nothing.
- Erasure (`erase_candidate`): the candidate's settings and ledger go with them.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from api.alerts.delivery import entry
from api.alerts.repository import AlertRepository
from api.alerts.schemas import OFF, AlertSettingsIn, AlertSettingsOut
from api.deps import require_role
from api.identity.schemas import Identity
from api.resumes.service import resume_service
from core import bus, outbox
from core.db import before_commit
from core.models import JobAlert, Role, utcnow


def _out(alert: JobAlert | None) -> AlertSettingsOut:
    if alert is None:
        return OFF
    return AlertSettingsOut(
        enabled=alert.enabled,
        min_score=alert.min_score,
        location=alert.location,
        remote=alert.remote,
        max_per_day=alert.max_per_day,
        query=alert.query,
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


# --- what other features' changes mean for alerts -------------------------------------

# Key in `Session.info`: the published jobs the open transaction created or changed.
_CHANGED_JOBS = "clearview.alerts.jobs"


async def _queue_batch(session: AsyncSession) -> None:
    job_ids = session.info.pop(_CHANGED_JOBS, None)
    if job_ids:
        outbox.enqueue(session, bus.MATCH, entry(job_ids))


def jobs_changed(session: AsyncSession, published_job_ids: list[str]) -> None:
    """Alert candidates of these new or changed published jobs: every such job of the
    transaction goes into one batch entry, queued just before the commit."""
    if published_job_ids:
        session.info.setdefault(_CHANGED_JOBS, []).extend(published_job_ids)
        before_commit(session, _queue_batch)


async def erase_candidate(session: AsyncSession, candidate_id: str) -> None:
    """The candidate's settings and ledger (their alert notifications go with all their
    notifications)."""
    await AlertRepository(session).erase(candidate_id)
