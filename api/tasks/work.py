"""The work of match and index tasks: compute through the matching engine, store ids.

Each kind is a (`compute`, `store`) pair run by `api.tasks.execution.TaskWork` (matches
also have the batch forms): compute calls the engine's own service functions (no matching
logic here), store writes the result in the task's final transaction, keeping only rows
whose resume and job still exist (locked on PostgreSQL), so an erasure racing the task
leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.matching import indexing
from api.matching.schemas import CandidateMatch, JobMatch, MatchCandidatesIn, MatchJobsIn
from api.matching.service import match_service
from api.tasks.execution import Outcome, TaskFailure, TaskRun
from api.tasks.repository import TaskRepository
from core.db import session_scope
from core.models import CandidateProfile, Job, Resume, ResumeVersion, TaskKind, new_id, utcnow
from ingest.index import get_index

log = logging.getLogger(__name__)

# What a match result keeps of the engine's answer besides ids and score.
_DETAILS = ("matched_skills", "missing_required", "missing_preferred", "reasons", "title", "company", "location", "external_id")  # fmt: skip


async def open_index() -> None:
    """Open the process's vector index now, in a worker thread. Best effort: when Chroma
    is not reachable yet, the first task opens it (and fails, and is retried) instead."""
    try:
        await asyncio.to_thread(get_index)
    except Exception as exc:  # the worker still starts; each task reports its own error
        log.warning("vector index not ready at start (%s); tasks will open it", type(exc).__name__)


@dataclass(frozen=True, slots=True)
class Match:
    job_id: str
    resume_id: str
    score: float
    details: dict[str, Any]


async def compute_matches(run: TaskRun) -> list[Match]:
    """Ranked matches for the task's resume (jobs) or job (candidates), best first."""
    (result,) = await compute_many_matches([run])
    if isinstance(result, Exception):
        raise result
    return result


async def compute_many_matches(runs: Sequence[TaskRun]) -> list[list[Match] | Exception]:
    """`compute_matches` for a batch, through the engine's batch calls: the tasks of one
    kind query the index together. A task the engine refuses (its subject gone, say)
    gets its error in its place."""
    results: list[list[Match] | Exception] = [
        TaskFailure(f"a {run.kind.value} task cannot be run by the match worker") for run in runs
    ]
    async with session_scope() as session:
        for kind, compute in (
            (TaskKind.match_jobs, _jobs_for_resumes),
            (TaskKind.match_candidates, _candidates_for_jobs),
        ):
            chosen = [n for n, run in enumerate(runs) if run.kind is kind]
            if chosen:
                computed = await compute(session, [runs[n] for n in chosen])
                for n, result in zip(chosen, computed, strict=True):
                    results[n] = result
    return results


async def _jobs_for_resumes(
    session: AsyncSession, runs: Sequence[TaskRun]
) -> list[list[Match] | Exception]:
    found = await match_service.match_jobs_many(
        session,
        [
            (run.identity(), MatchJobsIn(resume_id=str(run.subject_id), top_k=_top_k(run)))
            for run in runs
        ],
    )
    return [
        jobs
        if isinstance(jobs, Exception)
        else [
            Match(str(m.job_id), str(run.subject_id), m.score, _details(m))
            for m in jobs.matches
            if m.job_id is not None
        ]
        for run, jobs in zip(runs, found, strict=True)
    ]


async def _candidates_for_jobs(
    session: AsyncSession, runs: Sequence[TaskRun]
) -> list[list[Match] | Exception]:
    ranked = await match_service.match_candidates_many(
        session,
        [
            (run.identity(), MatchCandidatesIn(job_id=str(run.subject_id), top_k=_top_k(run)))
            for run in runs
        ],
    )
    return [
        candidates
        if isinstance(candidates, Exception)
        else [
            Match(str(run.subject_id), c.resume_id, c.score, _details(c))
            for c in candidates.matches
        ]
        for run, candidates in zip(runs, ranked, strict=True)
    ]


def _top_k(run: TaskRun) -> int:
    return int(run.payload.get("top_k", 10))


def _details(match: JobMatch | CandidateMatch) -> dict[str, Any]:
    return match.model_dump(include=set(_DETAILS))


async def store_matches(
    session: AsyncSession, run: TaskRun, matches: list[Match]
) -> Outcome | None:
    return (await store_many_matches(session, [(run, matches)]))[0]


async def store_many_matches(
    session: AsyncSession, computed: Sequence[tuple[TaskRun, list[Match]]]
) -> list[Outcome | None]:
    """Store several tasks' matches: one read of the resumes and one of the jobs they
    point at, one insert of all their rows."""
    repo = TaskRepository(session)
    resume_ids = {m.resume_id for _, matches in computed for m in matches}
    job_ids = {m.job_id for _, matches in computed for m in matches}
    for run, _ in computed:
        (resume_ids if run.kind is TaskKind.match_jobs else job_ids).add(str(run.subject_id))
    live_resumes = await repo.live_resumes(sorted(resume_ids))
    live_jobs = await repo.live_jobs(sorted(job_ids))
    now = utcnow()
    rows: list[dict[str, Any]] = []
    outcomes: list[Outcome | None] = []
    for run, matches in computed:
        subject = str(run.subject_id)
        if subject not in (live_resumes if run.kind is TaskKind.match_jobs else live_jobs):
            outcomes.append(None)
            continue
        kept = [m for m in matches if m.resume_id in live_resumes and m.job_id in live_jobs]
        rows.extend(
            {
                "id": new_id(),
                "created_at": now,
                "task_id": run.id,
                "org_id": run.org_id,
                "job_id": m.job_id,
                "resume_id": m.resume_id,
                "candidate_id": live_resumes[m.resume_id],
                "rank": rank,
                "score": m.score,
                "details": m.details,
            }
            for rank, m in enumerate(kept, start=1)
        )
        key = "resume_id" if run.kind is TaskKind.match_jobs else "job_id"
        outcomes.append(Outcome({key: subject, "matches": len(kept)}, event_type="match.completed"))
    await repo.insert_match_results(rows)
    return outcomes


@dataclass(frozen=True, slots=True)
class Indexed:
    count: int
    candidate_id: str | None = None
    version_id: str | None = None


async def compute_index(run: TaskRun) -> Indexed:
    """Re-index a resume's current version, or a batch of jobs, through the engine's
    indexing functions (the same ones its upload and job hooks use)."""
    async with session_scope() as session:
        if run.kind is TaskKind.index_resume:
            resume = await session.get(Resume, str(run.subject_id))
            version_id = resume.current_version_id if resume else None
            version = await session.get(ResumeVersion, version_id) if version_id else None
            profile = await session.get(CandidateProfile, resume.candidate_id) if resume else None
            if resume is None or version is None or profile is None:
                raise TaskFailure(f"resume {run.subject_id} has no current version to index")
            await indexing.index_resume_version(
                resume_id=resume.id,
                version_id=version.id,
                candidate_id=profile.id,
                org_id=profile.org_id,
                text=version.text,
                open_to_employers=bool(profile.open_to_employers),
            )
            return Indexed(1, profile.id, version.id)
        if run.kind is TaskKind.index_job:
            job_ids = [str(j) for j in run.payload.get("job_ids", [])]
            jobs = [job for j in job_ids if (job := await session.get(Job, j)) is not None]
            jobs = [job for job in jobs if job.org_id == run.org_id]
            return Indexed(await indexing.index_jobs(jobs))
    raise TaskFailure(f"a {run.kind.value} task cannot be run by the index worker")


async def store_index(session: AsyncSession, run: TaskRun, indexed: Indexed) -> Outcome | None:
    if run.kind is TaskKind.index_job:
        return Outcome({"indexed": indexed.count})
    live = await TaskRepository(session).live_resumes([str(run.subject_id)])
    if not live:
        # Erased while it was being embedded: take the vectors back out again.
        if indexed.candidate_id is not None:
            await indexing.remove_candidate(indexed.candidate_id)
        return None
    result = {"resume_id": str(run.subject_id), "version_id": indexed.version_id}
    return Outcome(result, event_type="resume.parsed")
