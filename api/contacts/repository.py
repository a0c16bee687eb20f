"""All SQL of contact requests."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, select

from core.models import ContactRequest, ContactStatus, Job
from core.repository import Repository


class ContactRepository(Repository):
    async def for_pair(self, job_id: str, candidate_id: str) -> ContactRequest | None:
        return await self.session.scalar(
            select(ContactRequest).where(
                ContactRequest.job_id == job_id, ContactRequest.candidate_id == candidate_id
            )
        )

    async def with_job_for_update(self, request_id: str) -> tuple[ContactRequest, Job] | None:
        """The request and its job, the request locked until the transaction ends."""
        row = (
            await self.session.execute(
                select(ContactRequest, Job)
                .join(Job, Job.id == ContactRequest.job_id)
                .where(ContactRequest.id == request_id)
                .with_for_update(of=ContactRequest)
            )
        ).first()
        return (row[0], row[1]) if row is not None else None

    async def list(
        self,
        status: ContactStatus | None,
        limit: int,
        *,
        candidate_id: str | None = None,
        org_id: str | None = None,
    ) -> Sequence[tuple[ContactRequest, Job]]:
        """A candidate's requests, or an organisation's, newest first."""
        query = select(ContactRequest, Job).join(Job, Job.id == ContactRequest.job_id)
        if candidate_id is not None:
            query = query.where(ContactRequest.candidate_id == candidate_id)
        if org_id is not None:
            query = query.where(ContactRequest.org_id == org_id)
        if status is not None:
            query = query.where(ContactRequest.status == status)
        rows = await self.session.execute(
            query.order_by(ContactRequest.created_at.desc(), ContactRequest.id).limit(limit)
        )
        return [(row, job) for row, job in rows]

    async def accepted_for(self, org_id: str, candidate_ids: Iterable[str]) -> set[str]:
        """The candidates among `candidate_ids` with an accepted request of `org_id`."""
        ids = list(candidate_ids)
        if not ids:
            return set()
        rows = await self.session.scalars(
            select(ContactRequest.candidate_id)
            .where(
                ContactRequest.org_id == org_id,
                ContactRequest.candidate_id.in_(ids),
                ContactRequest.status == ContactStatus.accepted,
            )
            .distinct()
        )
        return set(rows)

    async def erase_candidate(self, candidate_id: str) -> None:
        await self.session.execute(
            delete(ContactRequest).where(ContactRequest.candidate_id == candidate_id)
        )
