"""Keep the vector index in step with jobs, resumes and consent.

Each indexed item carries in its Chroma metadata everything the scorer needs
(`features.JobFeatures` / `ResumeFeatures` as JSON, plus display fields), so a match
query is one embedding and one Chroma call, with no SQL per pooled item.

What a job change, an upload, a profile change or an erasure means for the index
(`jobs_changed`, `resume_uploaded`, `visibility_changed`, `erase_candidate`, called by
the features' orchestration in `api.flows`) runs inside the request's transaction. It does
not write to Chroma at once: it queues the change on the session, and the queue is
applied just before that transaction commits (`core.db.before_commit`), in one batch. So a
bulk import of 200 jobs is one batched embedding and one Chroma upsert, and a transaction
that rolls back leaves the index untouched. If the index write fails, the commit fails
with it and the request reports the error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.jobs.schemas import JobAction
from api.matching.features import (
    FEATURES_VERSION,
    JobSnapshot,
    location_tokens,
    prepare_resume,
    snapshot_features,
)
from api.resumes.schemas import StoredUpload
from core.db import before_commit
from core.models import CandidateProfile, Job, ResumeVersion
from ingest.index import JobDoc, ResumeDoc, VectorIndex, get_index
from ingest.job_terms import employment_types, seniority

FEATURES_KEY = "match_features"
LOCATION_PREFIX = "loc:"
# `emp:full_time` and the like: each employment type the job states (`ingest.job_terms`).
EMPLOYMENT_PREFIX = "emp:"


@dataclass(frozen=True, slots=True)
class MatchJobDoc(JobDoc):
    """A job as indexed for matching: filter metadata plus scoring features."""

    extra: dict[str, Any] | None = None

    def metadata(self) -> dict[str, Any]:
        # JobDoc.metadata(self), not super(): zero-argument super() breaks in slots dataclasses
        return {**JobDoc.metadata(self), **(self.extra or {})}


@dataclass(frozen=True, slots=True)
class MatchResumeDoc(ResumeDoc):
    extra: dict[str, Any] | None = None

    def metadata(self) -> dict[str, Any]:
        return {**ResumeDoc.metadata(self), **(self.extra or {})}


def job_doc(job: JobSnapshot) -> MatchJobDoc:
    """Featurise a job for the index (CPU: parsing and term counting)."""
    features = snapshot_features(job)
    extra: dict[str, Any] = {
        FEATURES_KEY: features.to_json(),
        "features_version": FEATURES_VERSION,
        "external_id": job.external_id,
        "title": job.title,
        "company": job.company or "",
    }
    if job.salary_min is not None:
        extra["salary_min"] = float(job.salary_min)
    if job.salary_max is not None:
        extra["salary_max"] = float(job.salary_max)
    for token in location_tokens(job.location):
        extra[LOCATION_PREFIX + token] = True
    for kind in employment_types(job.employment_type, job.title):
        extra[EMPLOYMENT_PREFIX + kind] = True
    if (level := seniority(job.title)) is not None:
        extra["seniority"] = level
    return MatchJobDoc(
        job_id=job.job_id,
        org_id=job.org_id,
        text=job.text,
        published=job.published,
        remote=job.remote,
        location=job.location,
        extra=extra,
    )


def index_jobs_sync(jobs: Sequence[JobSnapshot], index: VectorIndex | None = None) -> int:
    """Index published jobs (featurised, embedded in batches, upserted) and remove
    unpublished ones: a hidden job is simply not in the index, so searches need no filter."""
    index = index or get_index()
    published = [job for job in jobs if job.published]
    for job in jobs:
        if not job.published:
            index.delete_job(job.job_id)
    if published:
        # Embedding needs only the texts: it runs in a worker thread while this one
        # featurises (onnxruntime releases the GIL, parsing holds it), so an import pays
        # for the slower of the two instead of their sum. Same texts, same batch: the
        # vectors are those the index would compute itself.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="embed") as pool:
            vectors = pool.submit(index.embedder.embed, [job.text for job in published])
            docs = [job_doc(job) for job in published]
            embedded = vectors.result()
        index.upsert_jobs(
            [replace(doc, embedding=vector) for doc, vector in zip(docs, embedded, strict=True)]
        )
    return len(published)


async def index_jobs(jobs: Sequence[Job | JobSnapshot], index: VectorIndex | None = None) -> int:
    """Index jobs (ORM rows or snapshots); blocking work runs in a thread."""
    snapshots = [j if isinstance(j, JobSnapshot) else JobSnapshot.from_row(j) for j in jobs]
    return await asyncio.to_thread(index_jobs_sync, snapshots, index)


async def remove_job(job_id: str, index: VectorIndex | None = None) -> None:
    await asyncio.to_thread((index or get_index()).delete_job, job_id)


@dataclass(frozen=True, slots=True)
class ResumeToIndex:
    """A candidate's current resume version, with what the index keeps of the candidate."""

    resume_id: str
    version_id: str
    candidate_id: str
    org_id: str
    text: str
    open_to_employers: bool


def resume_doc(item: ResumeToIndex) -> MatchResumeDoc:
    """Featurise a resume for the index (CPU: cleaning, parsing and term counting)."""
    prepared = prepare_resume(item.text)
    return MatchResumeDoc(
        resume_id=item.resume_id,
        candidate_id=item.candidate_id,
        org_id=item.org_id,
        version_id=item.version_id,
        text=prepared.embed_text,
        open_to_employers=item.open_to_employers,
        extra={
            FEATURES_KEY: prepared.features.to_json(),
            "features_version": FEATURES_VERSION,
        },
    )


def index_resumes_sync(items: Sequence[ResumeToIndex], index: VectorIndex | None = None) -> int:
    """Index candidates' current resumes (embedded together); their other resumes leave the
    index, so a candidate appears once in employer search, with what they last uploaded."""
    index = index or get_index()
    # One resume per candidate: of two for the same candidate, the later one wins.
    latest = list({item.candidate_id: item for item in items}.values())
    docs = [resume_doc(item) for item in latest]
    if not docs:
        return 0
    # Embedded before the old vectors go, so the candidate is out of search only briefly.
    vectors = index.embedder.embed([doc.text for doc in docs])
    for item in latest:
        index.delete_candidate(item.candidate_id)
    index.upsert_resumes(
        [replace(doc, embedding=vector) for doc, vector in zip(docs, vectors, strict=True)]
    )
    return len(docs)


async def index_resumes(items: Sequence[ResumeToIndex], index: VectorIndex | None = None) -> int:
    return await asyncio.to_thread(index_resumes_sync, items, index)


def index_resume_sync(
    *,
    resume_id: str,
    version_id: str,
    candidate_id: str,
    org_id: str,
    text: str,
    open_to_employers: bool,
    index: VectorIndex | None = None,
) -> None:
    """Index a candidate's current resume (see `index_resumes_sync`)."""
    item = ResumeToIndex(resume_id, version_id, candidate_id, org_id, text, open_to_employers)
    index_resumes_sync([item], index)


async def index_resume_version(
    *,
    resume_id: str,
    version_id: str,
    candidate_id: str,
    org_id: str,
    text: str,
    open_to_employers: bool,
    index: VectorIndex | None = None,
) -> None:
    item = ResumeToIndex(resume_id, version_id, candidate_id, org_id, text, open_to_employers)
    await index_resumes([item], index)


async def remove_candidate(candidate_id: str, index: VectorIndex | None = None) -> None:
    await asyncio.to_thread((index or get_index()).delete_candidate, candidate_id)


async def set_visibility(
    candidate_id: str, open_to_employers: bool, index: VectorIndex | None = None
) -> int:
    return await asyncio.to_thread(
        (index or get_index()).set_candidate_visibility, candidate_id, open_to_employers
    )


# --- changes to index: queued on the session, applied just before its commit -----------

_PENDING = "clearview.matching.pending"


# ("jobs", {job_id: snapshot or None}) keeps the last state of each job; other ops in order
_Op = tuple[str, Any]


def _queue(session: AsyncSession) -> list[_Op]:
    before_commit(session, _apply_pending)
    pending: list[_Op] = session.info.setdefault(_PENDING, [])
    return pending


async def _apply_pending(session: AsyncSession) -> None:
    """The queued changes, in one batch (an import of 200 jobs is one embedding call and
    one upsert); the commit fails with them if the index cannot be written."""
    ops: list[_Op] = session.info.pop(_PENDING, None) or []
    jobs: dict[str, JobSnapshot | None] = {}
    for kind, value in ops:
        if kind == "job":
            job_id, snapshot = value
            jobs[job_id] = snapshot  # the last change of a job in a transaction wins
    snapshots = [s for s in jobs.values() if s is not None]
    for job_id, snapshot in jobs.items():
        if snapshot is None:
            await remove_job(job_id)
    if snapshots:
        await index_jobs(snapshots)
    for kind, value in ops:
        if kind == "resume":
            await index_resumes([value])
        elif kind == "visibility":
            await set_visibility(*value)
        elif kind == "erase":
            await remove_candidate(value)


async def jobs_changed(session: AsyncSession, changes: Sequence[tuple[str, JobAction]]) -> None:
    """Index the jobs of `changes` as they now are (a deleted job leaves the index)."""
    queue = _queue(session)
    for job_id, action in changes:
        job = None if action == "deleted" else await session.get(Job, job_id)
        queue.append(("job", (job_id, JobSnapshot.from_row(job) if job is not None else None)))


async def resume_uploaded(session: AsyncSession, stored: StoredUpload) -> None:
    """Index a candidate's newly uploaded resume (it is their current one)."""
    version = await session.get(ResumeVersion, stored.version_id)
    profile = await session.get(CandidateProfile, stored.candidate_id)
    if version is None or profile is None:
        return
    item = ResumeToIndex(
        resume_id=stored.resume_id,
        version_id=stored.version_id,
        candidate_id=stored.candidate_id,
        org_id=stored.org_id,
        text=version.text,
        open_to_employers=bool(profile.open_to_employers),
    )
    _queue(session).append(("resume", item))


def visibility_changed(session: AsyncSession, profile: CandidateProfile) -> None:
    """Show or hide the candidate in employer search, as their profile now says."""
    _queue(session).append(("visibility", (profile.id, bool(profile.open_to_employers))))


def erase_candidate(session: AsyncSession, candidate_id: str) -> None:
    """Remove every vector of the candidate."""
    _queue(session).append(("erase", candidate_id))
