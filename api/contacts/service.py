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

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.contacts.schemas import (
    ANSWER_KIND,
    REQUEST_KIND,
    ContactAnswerIn,
    ContactRequestIn,
    ContactRequestOut,
    StatusFilter,
)
from api.deps import require_role
from api.identity.schemas import Identity
from api.jobs.repository import JobRepository
from api.resumes import service as resumes_service
from api.resumes.repository import ResumeRepository
from api.resumes.service import ErasedCandidate
from api.tasks.notify import push_to_users
from core import db
from core.errors import NotFound
from core.models import (
    CandidateProfile,
    ContactRequest,
    ContactStatus,
    Job,
    Notification,
    Role,
    new_id,
    utcnow,
)

LIST_LIMIT = 100
# Pushes to send once the transaction that wrote their notifications commits.
_PUSHES = "clearview.contacts.pushes"


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


def _notify(
    session: AsyncSession, *, user_id: str, org_id: str, kind: str, payload: dict[str, Any]
) -> None:
    """A chat notification for `user_id` (durable row now, push after the commit)."""
    notification_id = new_id()
    session.add(
        Notification(
            id=notification_id,
            user_id=user_id,
            org_id=org_id,
            kind=kind,
            payload=payload,
            dedupe_key=f"{kind}:{notification_id}",
        )
    )
    session.info.setdefault(_PUSHES, []).append(
        (user_id, {"notification_id": notification_id, "kind": kind, **payload})
    )


async def push_after_commit(session: AsyncSession) -> None:
    """Tell the users' open chats of what the committed transaction asked or answered."""
    await push_to_users(session.info.pop(_PUSHES, None) or (), "contacts")


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
        existing = await self._for_pair(session, job.id, profile.id)
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
            existing = await self._for_pair(session, job.id, profile.id)
            assert existing is not None
            return _out(existing, job), False
        _notify(
            session,
            user_id=profile.user_id,
            org_id=profile.org_id,
            kind=REQUEST_KIND,
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
        found = (
            await session.execute(
                select(ContactRequest, Job)
                .join(Job, Job.id == ContactRequest.job_id)
                .where(ContactRequest.id == request_id)
                .with_for_update(of=ContactRequest)
            )
        ).first()
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
        _notify(
            session, user_id=row.requested_by, org_id=row.org_id, kind=ANSWER_KIND, payload=payload
        )
        from api.gateway.service import emit  # optional in a slim deployment

        await emit(
            session,
            row.org_id,
            ANSWER_KIND,
            {**payload, "shortlist_url": f"/api/v1/reports/jobs/{job.id}/shortlist"},
            event_id=f"{row.id}:{row.answered_at.isoformat()}",
        )
        return _out(row, job)

    async def list(
        self, session: AsyncSession, identity: Identity, status: StatusFilter | None
    ) -> list[ContactRequestOut]:
        """A candidate's own requests, or an organisation's, newest first."""
        query = select(ContactRequest, Job).join(Job, Job.id == ContactRequest.job_id)
        if identity.role is Role.candidate:
            profile = await ResumeRepository(session).profile_for_user(identity.user_id)
            if profile is None:
                return []
            query = query.where(ContactRequest.candidate_id == profile.id)
        else:
            query = query.where(ContactRequest.org_id == identity.org_id)
        if status is not None:
            query = query.where(ContactRequest.status == ContactStatus(status))
        rows = await session.execute(
            query.order_by(ContactRequest.created_at.desc(), ContactRequest.id).limit(LIST_LIMIT)
        )
        return [_out(row, job) for row, job in rows]

    @staticmethod
    async def _for_pair(
        session: AsyncSession, job_id: str, candidate_id: str
    ) -> ContactRequest | None:
        return await session.scalar(
            select(ContactRequest).where(
                ContactRequest.job_id == job_id, ContactRequest.candidate_id == candidate_id
            )
        )


contact_service = ContactService()


async def accepted_for(
    session: AsyncSession, org_id: str, candidate_ids: Iterable[str]
) -> set[str]:
    """The candidates among `candidate_ids` with an accepted request of `org_id`."""
    ids = list(candidate_ids)
    if not ids:
        return set()
    rows = await session.scalars(
        select(ContactRequest.candidate_id)
        .where(
            ContactRequest.org_id == org_id,
            ContactRequest.candidate_id.in_(ids),
            ContactRequest.status == ContactStatus.accepted,
        )
        .distinct()
    )
    return set(rows)


# --- hooks ----------------------------------------------------------------------------------


async def on_erasure(session: AsyncSession, erased: ErasedCandidate) -> None:
    await session.execute(
        delete(ContactRequest).where(ContactRequest.candidate_id == erased.candidate_id)
    )
    await session.execute(
        delete(Notification).where(
            Notification.user_id == erased.user_id, Notification.kind == REQUEST_KIND
        )
    )


def register_hooks() -> None:
    """Append the contact hooks to the seams (idempotent)."""
    if on_erasure not in resumes_service.erasure_hooks:
        resumes_service.erasure_hooks.append(on_erasure)
    if push_after_commit not in db.after_commit_hooks:
        db.after_commit_hooks.append(push_after_commit)
