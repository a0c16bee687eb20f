"""Contact requests: the consent step between a blind shortlist and a conversation.

- An employer (or admin) asks about one of its jobs and a candidate who opted in to
  employer search; asking again returns the same request (one per job and candidate).
- The candidate is asked in their chat: a `contact.request` notification, pushed on their
  user channel after the commit and shown at their next visit if no chat is open. They
  answer there (or through the API), and may change the answer later.
- The employer who asked is told the answer the same way (`contact.answered`, no
  personal data: the shortlist itself then shows the contact), and the organisation's
  integrators get a `contact.answered` webhook event.
- Blind shortlists reveal a candidate's contact to an organisation only while one of its
  requests stands accepted (`accepted_for`), or if the candidate consented to every
  employer on their profile.
- Erasure removes the candidate's requests and the questions waiting in their chat.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.contacts.repository import ContactRepository
from api.contacts.schemas import (
    ContactAnswerIn,
    ContactRequestIn,
    ContactRequestOut,
    StatusFilter,
)
from api.deps import require_role
from api.gateway.service import emit
from api.identity.schemas import Identity
from api.jobs.repository import JobRepository
from api.notifications.service import notification_service
from api.resumes.repository import ResumeRepository
from core.errors import NotFound
from core.models import CandidateProfile, ContactRequest, ContactStatus, Job, Role, new_id, utcnow
from core.notifications import NotificationKind

LIST_LIMIT = 100


def _out(row: ContactRequest, job: Job) -> ContactRequestOut:
    return ContactRequestOut(
        id=row.id,
        job_id=row.job_id,
        job_title=job.title,
        company=job.company,
        candidate_id=row.candidate_id,
        status=row.status,
        created_at=row.created_at,
        answered_at=row.answered_at,
    )


class ContactService:
    async def ask(
        self, session: AsyncSession, identity: Identity, data: ContactRequestIn
    ) -> tuple[ContactRequestOut, bool]:
        """The request for this job and candidate, and whether it is new."""
        job = await JobRepository(session).get(identity.org_id, data.job_id)
        if job is None:
            raise NotFound(f"job {data.job_id} not found")
        require_role(identity, Role.employer, Role.admin)
        profile = await session.get(CandidateProfile, data.candidate_id)
        if profile is None or not profile.open_to_employers:
            # One answer for "no such candidate" and "not opted in": nothing leaks.
            raise NotFound(
                f"candidate {data.candidate_id} is not among the candidates open to employers; "
                "use a candidate_id from this job's shortlist or candidate search"
            )
        existing = await ContactRepository(session).for_pair(job.id, profile.id)
        if existing is not None:
            return _out(existing, job), False
        row = ContactRequest(
            id=new_id(),
            created_at=utcnow(),
            org_id=identity.org_id,
            job_id=job.id,
            candidate_id=profile.id,
            requested_by=identity.user_id,
            status=ContactStatus.pending,
        )
        try:
            async with session.begin_nested():
                session.add(row)
        except IntegrityError:  # the same request, created concurrently
            existing = await ContactRepository(session).for_pair(job.id, profile.id)
            assert existing is not None
            return _out(existing, job), False
        notification_service.notify(
            session,
            user_id=profile.user_id,
            org_id=profile.org_id,
            kind=NotificationKind.contact_request,
            payload={
                "request_id": row.id,
                "job_id": job.id,
                "job_title": job.title,
                "company": job.company,
            },
        )
        return _out(row, job), True

    async def answer(
        self, session: AsyncSession, identity: Identity, request_id: str, data: ContactAnswerIn
    ) -> ContactRequestOut:
        """Record the candidate's answer. A request is visible to its candidate and to the
        asking organisation (others: 404); only the candidate answers (the others: 403)."""
        profile = await ResumeRepository(session).profile_for_user(identity.user_id)
        found = await ContactRepository(session).with_job_for_update(request_id)
        mine = found is not None and profile is not None and found[0].candidate_id == profile.id
        asked = (
            found is not None
            and found[0].org_id == identity.org_id
            and identity.role is not Role.candidate
        )
        if found is None or not (mine or asked):
            raise NotFound(f"contact request {request_id} not found")
        require_role(identity, Role.candidate)
        row, job = found
        status = ContactStatus.accepted if data.accept else ContactStatus.declined
        if row.status is status:
            return _out(row, job)  # the same answer again: nothing new to tell
        row.status = status
        row.answered_at = utcnow()
        await session.flush()
        payload = {
            "request_id": row.id,
            "job_id": job.id,
            "job_title": job.title,
            "candidate_id": row.candidate_id,
            "status": status.value,
        }
        notification_service.notify(
            session,
            user_id=row.requested_by,
            org_id=row.org_id,
            kind=NotificationKind.contact_answered,
            payload=payload,
        )
        await emit(
            session,
            row.org_id,
            NotificationKind.contact_answered,
            {**payload, "shortlist_url": f"/api/v1/reports/jobs/{job.id}/shortlist"},
            event_id=f"{row.id}:{row.answered_at.isoformat()}",
        )
        return _out(row, job)

    async def list(
        self, session: AsyncSession, identity: Identity, status: StatusFilter | None
    ) -> list[ContactRequestOut]:
        """A candidate's own requests, or an organisation's, newest first."""
        repo = ContactRepository(session)
        wanted = ContactStatus(status) if status is not None else None
        if identity.role is Role.candidate:
            profile = await ResumeRepository(session).profile_for_user(identity.user_id)
            if profile is None:
                return []
            rows = await repo.list(wanted, LIST_LIMIT, candidate_id=profile.id)
        else:
            rows = await repo.list(wanted, LIST_LIMIT, org_id=identity.org_id)
        return [_out(row, job) for row, job in rows]


contact_service = ContactService()
