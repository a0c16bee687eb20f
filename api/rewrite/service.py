"""Rewrites: produce, validate and store a rewritten resume version; accept or reject it.

The text comes from the `RewriteChain` the composition root passes to the rewrite worker:
the agent's LLM chain when a model is configured, else the deterministic `rewrite_resume`.
Whatever produced it, a text with any claim the source does not evidence
(`validate_rewrite`) is refused, never stored.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import require_role
from api.identity.schemas import Identity
from api.jobs.repository import JobRepository
from api.metrics.schemas import EventName
from api.metrics.service import record
from api.resumes.diff import unified_diff
from api.resumes.service import parse_for_storage, resume_service
from api.rewrite.drafts import cover_letter, stronger_summary
from api.rewrite.facts import resume_facts
from api.rewrite.rewriter import JobTarget, rewrite_resume, why_unchanged
from api.rewrite.schemas import DraftIn, DraftOut
from api.rewrite.validator import validate_rewrite
from api.tasks.execution import Outcome, TaskFailure, TaskRun
from api.tasks.repository import TaskRepository
from api.tasks.service import task_service
from core.db import session_scope
from core.errors import Conflict, NotFound, Unprocessable
from core.models import Resume, ResumeSource, ResumeVersion, Role, TaskKind, new_id, utcnow

# (source resume text, target job) -> rewritten text. Async: an LLM chain awaits a model.
RewriteChain = Callable[[str, JobTarget], Awaitable[str]]


async def deterministic_chain(source_text: str, job: JobTarget) -> str:
    return await asyncio.to_thread(rewrite_resume, source_text, job)


@dataclass(frozen=True, slots=True)
class Rewritten:
    """A validated rewrite, waiting to be stored."""

    source_version_id: str
    job_id: str
    text: str
    parsed: dict[str, Any]
    chain: str  # which rewriter wrote it, for the metrics
    unchanged: str = ""  # why nothing could change (then nothing is stored)


async def compute(run: TaskRun, *, rewriter: RewriteChain) -> Rewritten:
    """Rewrite the version the task was submitted for, towards its job, and validate it."""
    version_id, job_id = str(run.payload["version_id"]), str(run.payload["job_id"])
    async with session_scope() as session:
        source = await session.get(ResumeVersion, version_id)
        job = await JobRepository(session).get_published(job_id)
        target = JobTarget.from_job(job) if job is not None else None
    if source is None:
        raise TaskFailure("the resume version to rewrite no longer exists")
    if target is None:
        raise TaskFailure(f"job {job_id} is no longer published; choose another job")
    text = await rewriter(source.text, target)
    if text.strip() == source.text.strip():
        # An empty diff helps nobody: no version, and the result says why.
        facts = await asyncio.to_thread(resume_facts, source.text)
        reason = why_unchanged(facts, target)
        return Rewritten(source.id, job_id, source.text, {}, _chain_name(rewriter), reason)
    violations = await asyncio.to_thread(validate_rewrite, source.text, text)
    if violations:
        # Kinds only: the values are resume content, and errors are not a place for it.
        kinds = ", ".join(sorted({v.kind for v in violations}))
        raise TaskFailure(
            f"the rewrite was discarded: it claimed {len(violations)} thing(s) your resume "
            f"does not say ({kinds})"
        )
    if not text.strip():
        raise TaskFailure("the rewrite came back empty")
    parsed = await asyncio.to_thread(parse_for_storage, text)
    return Rewritten(source.id, job_id, text, parsed, _chain_name(rewriter))


def _chain_name(rewriter: RewriteChain) -> str:
    return getattr(rewriter, "__name__", "custom")


async def store(session: AsyncSession, run: TaskRun, rewritten: Rewritten) -> Outcome | None:
    """Store the rewrite as the resume's next version (with its diff); nothing but the
    reason when it changed nothing; None if the resume or its source version is gone
    (erased meanwhile)."""
    repo = TaskRepository(session)
    resume = await repo.lock_resume(str(run.payload["resume_id"]))
    parent = await repo.version(rewritten.source_version_id) if resume is not None else None
    if resume is None or parent is None or parent.resume_id != resume.id:
        return None
    if rewritten.unchanged:
        result = {
            "resume_id": resume.id,
            "version_id": None,
            "parent_version_id": parent.id,
            "job_id": rewritten.job_id,
            "unchanged": rewritten.unchanged,
        }
        return Outcome(result, event_type="rewrite.completed")
    number = await repo.next_version_number(resume.id)
    version = ResumeVersion(
        id=new_id(),
        created_at=utcnow(),
        resume_id=resume.id,
        number=number,
        source=ResumeSource.rewritten,
        parent_version_id=parent.id,
        target_job_id=rewritten.job_id,
        media_type="text/plain",
        text=rewritten.text,
        parsed=rewritten.parsed,
        diff=unified_diff(parent.text, rewritten.text, f"v{parent.number}", f"v{number}"),
        accepted=None,
    )
    session.add(version)
    await session.flush()
    await record(
        session,
        EventName.resume_rewritten,
        org_id=run.org_id,
        user_id=run.user_id,
        attributes={"chain": rewritten.chain},
    )
    result = {
        "resume_id": resume.id,
        "version_id": version.id,
        "parent_version_id": parent.id,
        "job_id": rewritten.job_id,
    }
    return Outcome(result, event_type="rewrite.completed")


class RewriteService:
    async def _rewritten_version(
        self, session: AsyncSession, identity: Identity, resume_id: str, version_id: str
    ) -> ResumeVersion:
        version = await resume_service.version(session, identity, resume_id, version_id)
        require_role(identity, Role.candidate)
        if version.source is not ResumeSource.rewritten:
            raise Conflict(
                f"version {version_id} is not a rewrite; make it current with "
                f"PUT /api/v1/resumes/{resume_id}/current instead"
            )
        return version

    async def accept(
        self, session: AsyncSession, identity: Identity, resume_id: str, version_id: str
    ) -> Resume:
        """The candidate takes the rewrite: it becomes current and is re-indexed (in the
        background, by the index worker) so matching sees what the candidate now shows."""
        version = await self._rewritten_version(session, identity, resume_id, version_id)
        version.accepted = True
        resume = await resume_service.set_current(session, identity, resume_id, version_id)
        await task_service.submit(
            session,
            identity,
            TaskKind.index_resume,
            subject_id=resume_id,
            payload={"resume_id": resume_id, "version_id": version_id},
        )
        return resume

    async def reject(
        self, session: AsyncSession, identity: Identity, resume_id: str, version_id: str
    ) -> Resume:
        """The candidate declines the rewrite: kept for the record, never current."""
        version = await self._rewritten_version(session, identity, resume_id, version_id)
        resume = await resume_service.get(session, identity, resume_id)
        if resume.current_version_id == version.id:
            raise Conflict(
                f"version {version_id} is the current version; make another version current first"
            )
        version.accepted = False
        await session.flush()
        return resume


rewrite_service = RewriteService()


class DraftService:
    """Summary and cover-letter drafts of a candidate's current resume; they write nothing."""

    async def draft(
        self, session: AsyncSession, identity: Identity, resume_id: str, body: DraftIn
    ) -> DraftOut:
        resume = await resume_service.get(session, identity, resume_id)
        require_role(identity, Role.candidate)
        version = await resume_service.version(
            session, identity, resume_id, resume.current_version_id or ""
        )
        target: JobTarget | None = None
        if body.job_id is not None:
            job = await JobRepository(session).get_published(body.job_id)
            if job is None:
                raise NotFound(f"job {body.job_id} not found; use the id of a published job")
            target = JobTarget.from_job(job)
        if body.kind == "cover_letter":
            if target is None:
                raise Unprocessable("a cover letter needs a job_id: which job is it for?")
            made = await asyncio.to_thread(cover_letter, version.text, target)
        else:
            made = await asyncio.to_thread(stronger_summary, version.text, target)
        return DraftOut.model_validate(
            {**asdict(made), "resume_id": resume_id, "job_id": body.job_id}
        )


draft_service = DraftService()
