"""Rebuild the vector index from the database, after a matcher or embedding upgrade.

The SQL rows are the source of truth; the index holds one entry per published job and
one per candidate's current resume (`api.matching.indexing`). Per kind, an entry is

- *current*: wanted, and its metadata agrees with what the live hooks would write now:
  the current `FEATURES_VERSION` (and for a job `published`, for a resume the candidate's
  current version and consent);
- *stale*: wanted, but written by an older matcher or out of step with its row;
- *missing*: wanted, not in the index;
- *orphan*: in the index, not wanted (a deleted or unpublished job, an erased candidate,
  a resume that is no longer a candidate's current one).

A rebuild re-featurises and re-embeds through the live hooks' own functions
(`indexing.index_jobs`, `indexing.index_resumes`), batch by batch. Each batch is read
from SQL just before it is written, and its consent and publication are read again just
after, so a candidate who opts out (or a job unpublished) meanwhile is left as the live
hooks left it. Orphans are confirmed against SQL before they go. Every batch is whole
once written: an interrupted rebuild loses nothing, and running it again finishes the job.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.matching import indexing
from api.matching.features import FEATURES_VERSION, JobSnapshot
from api.matching.repository import MatchingRepository
from core.batches import chunks
from core.db import session_scope
from ingest.index import JOBS, RESUMES, Kind, VectorIndex, get_index

log = logging.getLogger(__name__)

KINDS: tuple[Kind, ...] = (JOBS, RESUMES)
# Items re-indexed per batch: one SQL read, one embedding call and one upsert each.
DEFAULT_BATCH = 256
# Ids per Chroma read when scanning and checking entries (ids only, no vectors).
SCAN_PAGE = 5_000
CHECK_BATCH = 500
# Ids per SQL `IN (...)`: far below every driver's parameter limit.
SQL_BATCH = 1_000
# The start-up check counts stale entries up to this many (one filtered id read).
STALE_SAMPLE = 10_000
REBUILD_COMMAND = "clearview index rebuild"

# (step, done, total): step is "jobs", "resumes" or "orphans"
Progress = Callable[[str, int, int], None]


# --- what there is ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KindStatus:
    kind: Kind
    wanted: int  # rows that should be indexed
    indexed: int  # entries in the index (= current + stale + orphans)
    current: int
    stale: int
    missing: int
    orphans: int

    @property
    def in_step(self) -> bool:
        return not (self.stale or self.missing or self.orphans)


@dataclass(frozen=True, slots=True)
class IndexStatus:
    features_version: int
    embedder: str
    jobs: KindStatus
    resumes: KindStatus

    @property
    def kinds(self) -> tuple[KindStatus, KindStatus]:
        return (self.jobs, self.resumes)

    @property
    def in_step(self) -> bool:
        return self.jobs.in_step and self.resumes.in_step


@dataclass(frozen=True, slots=True)
class _Wanted:
    """What the live hooks would have written for a resume, as far as metadata shows."""

    version_id: str
    open_to_employers: bool


@dataclass(slots=True)
class _Plan:
    kind: Kind
    wanted: set[str]
    indexed: set[str]
    current: set[str] = field(default_factory=set)

    @property
    def stale(self) -> set[str]:
        return (self.wanted & self.indexed) - self.current

    @property
    def missing(self) -> set[str]:
        return self.wanted - self.indexed

    @property
    def orphans(self) -> set[str]:
        return self.indexed - self.wanted

    def todo(self, only_stale: bool) -> list[str]:
        return sorted(self.stale | self.missing if only_stale else self.wanted)

    def status(self) -> KindStatus:
        return KindStatus(
            kind=self.kind,
            wanted=len(self.wanted),
            indexed=len(self.indexed),
            current=len(self.current),
            stale=len(self.stale),
            missing=len(self.missing),
            orphans=len(self.orphans),
        )


# SQL: the rows that should be in the index


async def _wanted_jobs(session: AsyncSession, ids: Sequence[str] | None = None) -> set[str]:
    return await MatchingRepository(session).published_job_ids(ids)


async def _wanted_resumes(
    session: AsyncSession, ids: Sequence[str] | None = None
) -> dict[str, _Wanted]:
    rows = await MatchingRepository(session).current_versions(ids)
    return {
        resume_id: _Wanted(version_id, bool(consent)) for resume_id, version_id, consent in rows
    }


async def _wanted(session: AsyncSession) -> tuple[set[str], dict[str, _Wanted]]:
    return await _wanted_jobs(session), await _wanted_resumes(session)


# Chroma: what the index holds (ids only, read in pages; no vectors, no feature blobs)


def _indexed_ids(index: VectorIndex, kind: Kind) -> set[str]:
    collection = index.collection(kind)
    ids: set[str] = set()
    offset = 0
    while True:
        page = collection.get(include=[], limit=SCAN_PAGE, offset=offset)["ids"]
        ids.update(page)
        if len(page) < SCAN_PAGE:
            return ids
        offset += len(page)


def _matching(
    index: VectorIndex, kind: Kind, ids: Sequence[str], where: dict[str, Any]
) -> set[str]:
    got = index.collection(kind).get(ids=list(ids), where=where, include=[])
    return set(got["ids"])


def _current_jobs(index: VectorIndex, ids: Sequence[str]) -> set[str]:
    where = {"$and": [{"features_version": FEATURES_VERSION}, {"published": True}]}
    found: set[str] = set()
    for batch in chunks(ids, CHECK_BATCH):
        found |= _matching(index, JOBS, batch, where)
    return found


def _current_resume_entries(index: VectorIndex, wanted: Mapping[str, _Wanted]) -> set[str]:
    found: set[str] = set()
    for consent in (True, False):
        ids = sorted(rid for rid, want in wanted.items() if want.open_to_employers is consent)
        for batch in chunks(ids, CHECK_BATCH):
            # A version id belongs to one resume, so "its version is one of these" is exact.
            versions = [wanted[rid].version_id for rid in batch]
            where = {
                "$and": [
                    {"features_version": FEATURES_VERSION},
                    {"open_to_employers": consent},
                    {"version_id": {"$in": versions}},
                ]
            }
            found |= _matching(index, RESUMES, batch, where)
    return found


def _plans(
    index: VectorIndex, jobs: set[str], resumes: Mapping[str, _Wanted]
) -> tuple[_Plan, _Plan]:
    job_plan = _Plan(JOBS, set(jobs), _indexed_ids(index, JOBS))
    job_plan.current = _current_jobs(index, sorted(job_plan.wanted & job_plan.indexed))
    resume_plan = _Plan(RESUMES, set(resumes), _indexed_ids(index, RESUMES))
    present = {rid: resumes[rid] for rid in resume_plan.wanted & resume_plan.indexed}
    resume_plan.current = _current_resume_entries(index, present)
    return job_plan, resume_plan


async def _plan(index: VectorIndex) -> tuple[_Plan, _Plan]:
    async with session_scope() as session:
        jobs, resumes = await _wanted(session)
    return await asyncio.to_thread(_plans, index, jobs, resumes)


async def _open(index: VectorIndex | None) -> VectorIndex:
    return index if index is not None else await asyncio.to_thread(get_index)


async def status(index: VectorIndex | None = None) -> IndexStatus:
    """Per kind: rows that should be indexed, and current, stale, missing and orphan entries."""
    index = await _open(index)
    jobs, resumes = await _plan(index)
    return IndexStatus(FEATURES_VERSION, index.embedder.name, jobs.status(), resumes.status())


# --- rebuilding ------------------------------------------------------------------------------


@dataclass(slots=True)
class RebuildReport:
    jobs: int = 0  # entries (re)written
    resumes: int = 0
    removed: int = 0  # orphans deleted


async def rebuild(
    *,
    only_stale: bool = True,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
    index: VectorIndex | None = None,
) -> RebuildReport:
    """Re-index stale and missing entries (every wanted entry when not `only_stale`) from
    SQL, then delete orphans. Blocking work runs in threads; safe to interrupt and re-run."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    index = await _open(index)
    jobs, resumes = await _plan(index)
    report = RebuildReport()
    notify = progress or (lambda _step, _done, _total: None)

    job_ids = jobs.todo(only_stale)
    notify("jobs", 0, len(job_ids))
    for done, batch in enumerate(chunks(job_ids, batch_size)):
        report.jobs += await _rebuild_jobs(index, batch)
        notify("jobs", min((done + 1) * batch_size, len(job_ids)), len(job_ids))

    resume_ids = resumes.todo(only_stale)
    notify("resumes", 0, len(resume_ids))
    for done, batch in enumerate(chunks(resume_ids, batch_size)):
        report.resumes += await _rebuild_resumes(index, batch)
        notify("resumes", min((done + 1) * batch_size, len(resume_ids)), len(resume_ids))

    orphans = [(JOBS, item) for item in sorted(jobs.orphans)]
    orphans += [(RESUMES, item) for item in sorted(resumes.orphans)]
    notify("orphans", 0, len(orphans))
    for done, part in enumerate(chunks(orphans, batch_size)):
        report.removed += await _remove_orphans(index, part)
        notify("orphans", min((done + 1) * batch_size, len(orphans)), len(orphans))
    return report


async def _rebuild_jobs(index: VectorIndex, ids: Sequence[str]) -> int:
    async with session_scope() as session:
        rows = await MatchingRepository(session).jobs(ids)
        snapshots = [JobSnapshot.from_row(row) for row in rows]
    # As the job hook does: published jobs are written, unpublished ones removed.
    written = await indexing.index_jobs(snapshots, index)
    # Unpublished or deleted while this batch was embedded: its hook may have run first.
    async with session_scope() as session:
        still = await _wanted_jobs(session, [s.job_id for s in snapshots if s.published])
    for snapshot in snapshots:
        if snapshot.published and snapshot.job_id not in still:
            await indexing.remove_job(snapshot.job_id, index)
    return written


async def _rebuild_resumes(index: VectorIndex, ids: Sequence[str]) -> int:
    async with session_scope() as session:
        rows = await MatchingRepository(session).current_resumes_to_index(ids)
        items = [
            indexing.ResumeToIndex(rid, vid, cid, org, text, bool(consent))
            for rid, vid, cid, org, text, consent in rows
        ]
    written = await indexing.index_resumes(items, index)
    # Consent changed (or the candidate was erased) while this batch was embedded: the
    # profile hook may have run before our write, so apply the answer SQL gives now.
    async with session_scope() as session:
        consent = await MatchingRepository(session).consent_of(
            [item.candidate_id for item in items]
        )
    for item in items:
        if item.candidate_id not in consent:
            await indexing.remove_candidate(item.candidate_id, index)
        elif consent[item.candidate_id] != item.open_to_employers:
            await indexing.set_visibility(item.candidate_id, consent[item.candidate_id], index)
    return written


async def _remove_orphans(index: VectorIndex, orphans: Sequence[tuple[Kind, str]]) -> int:
    job_ids = [item for kind, item in orphans if kind == JOBS]
    resume_ids = [item for kind, item in orphans if kind == RESUMES]
    # Made wanted since the plan was read (a job published, a resume uploaded): keep them.
    async with session_scope() as session:
        wanted_jobs = await _wanted_jobs(session, job_ids) if job_ids else set()
        wanted_resumes = await _wanted_resumes(session, resume_ids) if resume_ids else {}
    gone = [(JOBS, i) for i in job_ids if i not in wanted_jobs]
    gone += [(RESUMES, i) for i in resume_ids if i not in wanted_resumes]
    await asyncio.to_thread(_delete, index, gone)
    return len(gone)


def _delete(index: VectorIndex, items: Sequence[tuple[Kind, str]]) -> None:
    for kind, item_id in items:
        if kind == JOBS:
            index.delete_job(item_id)
        else:
            index.delete_resume(item_id)


# --- start-up hint ---------------------------------------------------------------------------


def stale_counts(index: VectorIndex, limit: int = STALE_SAMPLE) -> dict[Kind, int]:
    """Entries per kind written with other features than the current version (or none),
    counted up to `limit`: one filtered read of ids, cheap on a large index."""
    where = {"features_version": {"$ne": FEATURES_VERSION}}
    return {
        kind: len(index.collection(kind).get(where=where, include=[], limit=limit)["ids"])  # type: ignore[arg-type]
        for kind in KINDS
    }


async def warn_if_stale(index: VectorIndex | None = None) -> dict[Kind, int]:
    """Log one warning when the index holds entries of an older matcher. Never raises: a
    hint at start-up must not stop the service."""
    try:
        index = await _open(index)
        counts = await asyncio.to_thread(stale_counts, index)
    except Exception as exc:  # Chroma unreachable or of another model: say so, serve anyway
        log.warning("could not check the vector index for stale entries: %s", exc)
        return {}
    if any(counts.values()):
        found = ", ".join(
            f"{'at least ' if n >= STALE_SAMPLE else ''}{n} {kind}" for kind, n in counts.items()
        )
        log.warning(
            "the vector index holds entries built by an older matcher (%s; current features "
            "version %d): matches use their old features until you run `%s`",
            found,
            FEATURES_VERSION,
            REBUILD_COMMAND,
        )
    return counts
