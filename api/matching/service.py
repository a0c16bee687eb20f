"""Matching: jobs for a resume, candidates for a job, and the score of one pair.

The request path is lean on purpose: one embedding of the query text and one Chroma
query that returns the pool *with* each item's scoring features in its metadata; then
pure scoring (`scoring.score`) and a deterministic sort. All of it runs in one worker
thread per request (`asyncio.to_thread`), never on the event loop. SQL is touched only
to resolve ids the caller sent and, for employer search, to re-check consent.

The `..._many` methods answer several requests at once (a match worker's batch): one
thread, one Chroma call for all the queries of one pool size and filter (Chroma applies a
filter once per call, which is most of a small query's cost), one consent check; each
answer is the one its request would get alone.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import require_role
from api.identity.schemas import Identity
from api.jobs.repository import JobRepository
from api.jobs.service import job_service
from api.matching import scoring
from api.matching.features import (
    JobFeatures,
    JobSnapshot,
    ResumeFeatures,
    SkillRef,
    job_features,
    job_text,
    location_tokens,
    prepare_resume,
    skill_ref,
    snapshot_features,
)
from api.matching.indexing import EMPLOYMENT_PREFIX, FEATURES_KEY, LOCATION_PREFIX
from api.matching.repository import MatchingRepository
from api.matching.schemas import (
    CandidateMatch,
    JobMatch,
    MatchCandidatesIn,
    MatchCandidatesOut,
    MatchFilters,
    MatchJobsIn,
    MatchJobsOut,
    ScoreIn,
    ScoreOut,
)
from api.resumes.repository import ResumeRepository
from api.resumes.service import resume_service
from core.errors import ClearViewError, NotFound, Unprocessable
from core.models import Job, Role
from ingest.embeddings import Embedder
from ingest.index import JOBS, RESUMES, Kind, VectorIndex, get_index
from ingest.skills import get_lexicon

logger = logging.getLogger(__name__)

T = TypeVar("T")

# The pool dense retrieval hands to the scorer: wide enough that a job ranked low by the
# embedding alone but high on skills and terms still gets scored.
MIN_POOL = 50
POOL_FACTOR = 5


def pool_size(top_k: int) -> int:
    return max(MIN_POOL, POOL_FACTOR * top_k)


@dataclass(frozen=True, slots=True)
class Hit:
    item_id: str
    similarity: float
    metadata: dict[str, Any]


def query_pools(
    index: VectorIndex,
    kind: Kind,
    queries: Sequence[tuple[np.ndarray, int, dict[str, Any] | None]],
) -> list[list[Hit]]:
    """The pools of several `(vector, size, where)` queries: nearest items with their
    metadata (scoring features included). Queries of one size and filter share one Chroma
    call, so a batch pays the filter and the call once (the filter is most of a small
    query's cost); each query's pool is what it would be alone."""
    groups: dict[str, list[int]] = {}
    for position, (_, n, where) in enumerate(queries):
        groups.setdefault(json.dumps([n, where], sort_keys=True), []).append(position)
    pools: list[list[Hit]] = [[] for _ in queries]
    for members in groups.values():
        _, n, where = queries[members[0]]
        result = index.collection(kind).query(
            query_embeddings=np.stack(
                [np.asarray(queries[m][0], dtype=np.float32).reshape(-1) for m in members]
            ),
            n_results=n,
            where=where,
            include=["distances", "metadatas"],
        )
        distances = result["distances"] or [[] for _ in members]
        metadatas = result["metadatas"] or [[] for _ in members]
        for row, position in enumerate(members):
            pools[position] = [
                Hit(item_id, 1.0 - float(distance), dict(meta or {}))
                for item_id, distance, meta in zip(
                    result["ids"][row], distances[row], metadatas[row], strict=True
                )
            ]
    return pools


def query_pool(
    index: VectorIndex, kind: Kind, vector: np.ndarray, n: int, where: dict[str, Any] | None
) -> list[Hit]:
    """One query's pool (`query_pools`)."""
    return query_pools(index, kind, [(vector, n, where)])[0]


def job_where(filters: MatchFilters | None) -> dict[str, Any] | None:
    """Chroma's `where` for the caller's filters: they run inside the vector query."""
    clauses: list[dict[str, Any]] = []
    if filters is not None:
        if filters.remote is not None:
            clauses.append({"remote": filters.remote})
        clauses += [{LOCATION_PREFIX + t: True} for t in location_tokens(filters.location)]
        if filters.min_salary is not None:
            clauses.append({"salary_max": {"$gte": filters.min_salary}})
        if filters.max_salary is not None:
            clauses.append({"salary_min": {"$lte": filters.max_salary}})
        if filters.employment_type is not None:
            clauses.append({EMPLOYMENT_PREFIX + filters.employment_type: True})
        if filters.seniority is not None:
            clauses.append({"seniority": filters.seniority})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _features(hit: Hit, kind: str) -> str | None:
    raw = hit.metadata.get(FEATURES_KEY)
    if not isinstance(raw, str):
        # Indexed by something other than `api.matching.indexing`: cannot be scored.
        logger.warning(
            "%s %s has no match features in the index; run `clearview index rebuild`",
            kind,
            hit.item_id,
        )
        return None
    return raw


# Query texts recur (a chat asks for jobs, then explains one, then scores a pair with the
# same resume): their vectors are kept, keyed by model and exact text. Embedding is
# deterministic, so a cached vector is the vector; ~1.5 KB each.
QUERY_CACHE_SIZE = 4096


@lru_cache(maxsize=QUERY_CACHE_SIZE)
def _cached_vector(model: str, text: str, embedder: Embedder) -> np.ndarray:
    vector = embedder.embed([text])[0]
    vector.setflags(write=False)  # shared between requests: nobody may change it
    return vector


def forget_query_vectors() -> None:
    """Empty this process's cache of query vectors (keyed by resume text): an erasure
    must not leave a person's text behind in memory."""
    _cached_vector.cache_clear()


def query_vector(index: VectorIndex, text: str) -> np.ndarray:
    """The embedding of a query text (a resume or a job), from the cache when seen."""
    embedder = index.embedder
    return _cached_vector(embedder.name, text, embedder)


@dataclass(frozen=True, slots=True)
class JobsQuery:
    """Jobs for a resume: its text, how many, the caller's filters, and where they live."""

    resume_text: str
    top_k: int
    filters: MatchFilters | None = None
    candidate_location: str | None = None


# How many of the resume's best fits a title or keyword query is looked for in.
QUERY_POOL = 50


def _stems(query: str) -> list[str]:
    """The query's words, cut to a stem that survives plurals and endings ("nurses",
    "nursing" -> "nurs")."""
    return [word[: max(4, len(word) - 3)] for word in re.findall(r"[^\W\d_]{2,}", query.lower())]


def names_query(title: str | None, skills: Iterable[str], stems: Sequence[str]) -> bool:
    """Whether a job names every word of the query in its title or its skills."""
    text = " ".join([title or "", *skills]).lower()
    return bool(stems) and all(stem in text for stem in stems)


def order_by_query(
    pairs: Sequence[tuple[Hit, scoring.ScoreResult]], query: str, top_k: int
) -> list[tuple[Hit, scoring.ScoreResult, bool]]:
    """The fits (best first) naming the query first, each group in fit order, cut to
    `top_k`: the query narrows what comes first, the resume still orders it."""
    stems = _stems(query)
    marked = [
        (
            hit,
            result,
            names_query(
                hit.metadata.get("title"),
                [*result.matched_skills, *result.missing_required, *result.missing_preferred],
                stems,
            ),
        )
        for hit, result in pairs
    ]
    return sorted(marked, key=lambda item: not item[2])[:top_k]  # a stable sort


def rank_jobs_many(
    queries: Sequence[JobsQuery], index: VectorIndex | None = None
) -> list[list[tuple[Hit, scoring.ScoreResult]]]:
    """Published jobs for each resume, best first, in one Chroma call per distinct pool
    (blocking: run it in a thread)."""
    index = index or get_index()
    prepared = [prepare_resume(query.resume_text) for query in queries]
    pools = query_pools(
        index,
        JOBS,
        [
            (
                query_vector(index, resume.embed_text),
                pool_size(query.top_k),
                job_where(query.filters),
            )
            for resume, query in zip(prepared, queries, strict=True)
        ],
    )
    ranked: list[list[tuple[Hit, scoring.ScoreResult]]] = []
    for resume, query, hits in zip(prepared, queries, pools, strict=True):
        scored: list[tuple[str, tuple[Hit, scoring.ScoreResult]]] = []
        for hit in hits:
            raw = _features(hit, "job")
            if raw is None or hit.metadata.get("published") is False:
                continue
            result = scoring.score(
                JobFeatures.from_json(raw),
                resume.features,
                hit.similarity,
                candidate_location=query.candidate_location,
            )
            scored.append((hit.item_id, (hit, result)))
        best = sorted(scored, key=lambda item: (-item[1][1].score, item[0]))[: query.top_k]
        ranked.append([pair for _, pair in best])
    return ranked


def rank_jobs(
    resume_text: str,
    top_k: int,
    filters: MatchFilters | None = None,
    candidate_location: str | None = None,
    index: VectorIndex | None = None,
) -> list[tuple[Hit, scoring.ScoreResult]]:
    """Published jobs for a resume, best first (blocking: run it in a thread)."""
    return rank_jobs_many([JobsQuery(resume_text, top_k, filters, candidate_location)], index)[0]


@dataclass(frozen=True, slots=True)
class CandidatesQuery:
    """Candidates for a job: a stored job's snapshot, or a posted job text; how many."""

    job: JobSnapshot | str
    top_k: int
    # The employer's filters: every one of these skills, at least these years of work.
    skills: tuple[SkillRef, ...] = ()
    min_years: float | None = None

    def admits(self, resume: ResumeFeatures) -> bool:
        enough_years = self.min_years is None or resume.years >= self.min_years
        return enough_years and all(scoring.has_skill(ref, resume) for ref in self.skills)

    @property
    def text(self) -> str:
        return self.job if isinstance(self.job, str) else self.job.text

    def features(self) -> JobFeatures:
        return job_features(self.job) if isinstance(self.job, str) else snapshot_features(self.job)


# With skill or years filters, candidates are looked for among this many times the pool:
# the filters apply to the nearest resumes, and a strict one leaves few of them.
FILTERED_POOL_FACTOR = 4


def _candidate_pool(query: CandidatesQuery) -> int:
    filtered = bool(query.skills) or query.min_years is not None
    return pool_size(query.top_k) * (FILTERED_POOL_FACTOR if filtered else 1)


def skill_refs(names: Sequence[str]) -> tuple[SkillRef, ...]:
    """The skills an employer filters by (unknown to the taxonomy: matched by their words);
    a name with nothing to match is a 422 naming it."""
    lexicon = get_lexicon()
    refs = {name: skill_ref(name, lexicon) for name in names}
    empty = [name for name, ref in refs.items() if ref is None]
    if empty:
        raise Unprocessable(f"skill(s) {', '.join(map(repr, empty))} have no word to look for")
    return tuple(ref for ref in refs.values() if ref is not None)


def rank_resumes_many(
    queries: Sequence[CandidatesQuery], index: VectorIndex | None = None
) -> list[list[tuple[Hit, scoring.ScoreResult]]]:
    """Opted-in resumes for each job, best first, one per candidate, in one Chroma call
    per distinct pool (blocking: run it in a thread)."""
    index = index or get_index()
    pools = query_pools(
        index,
        RESUMES,
        [
            (query_vector(index, query.text), _candidate_pool(query), {"open_to_employers": True})
            for query in queries
        ],
    )
    ranked: list[list[tuple[Hit, scoring.ScoreResult]]] = []
    for query, hits in zip(queries, pools, strict=True):
        features = query.features()
        scored: list[tuple[str, tuple[Hit, scoring.ScoreResult]]] = []
        for hit in hits:
            raw = _features(hit, "resume")
            if raw is None or hit.metadata.get("open_to_employers") is not True:
                continue
            resume = ResumeFeatures.from_json(raw)
            if not query.admits(resume):
                continue
            result = scoring.score(features, resume, hit.similarity)
            scored.append((hit.item_id, (hit, result)))
        best: dict[str, tuple[Hit, scoring.ScoreResult]] = {}
        for _, (hit, result) in sorted(scored, key=lambda item: (-item[1][1].score, item[0])):
            best.setdefault(str(hit.metadata.get("candidate_id")), (hit, result))
        ranked.append(list(best.values()))
    return ranked


def score_pair(
    resume_text: str, features: JobFeatures, text: str, index: VectorIndex | None = None
) -> scoring.ScoreResult:
    """The score of one resume for one job (blocking)."""
    index = index or get_index()
    prepared = prepare_resume(resume_text)
    dense = float(np.dot(query_vector(index, prepared.embed_text), query_vector(index, text)))
    return scoring.score(features, prepared.features, dense)


def _job_matches(
    pairs: Sequence[tuple[Hit, scoring.ScoreResult]], body: MatchJobsIn
) -> list[JobMatch]:
    marked: Iterable[tuple[Hit, scoring.ScoreResult, bool | None]] = (
        order_by_query(pairs, body.query, body.top_k)
        if body.query
        else ((hit, result, None) for hit, result in pairs)
    )
    return [
        JobMatch(
            job_id=hit.item_id,
            external_id=hit.metadata.get("external_id"),
            title=hit.metadata.get("title"),
            company=hit.metadata.get("company") or None,
            location=hit.metadata.get("location") or None,
            query_met=met,
            **_gap(result),
        )
        for hit, result, met in marked
    ]


def _gap(result: scoring.ScoreResult) -> dict[str, Any]:
    return {
        "score": result.score,
        "matched_skills": result.matched_skills,
        "missing_required": result.missing_required,
        "missing_preferred": result.missing_preferred,
        "reasons": result.reasons,
    }


def _one(answers: Sequence[T | ClearViewError]) -> T:
    """The answer to a lone request of a `..._many` method, raised if an error."""
    (answer,) = answers
    if isinstance(answer, ClearViewError):
        raise answer
    return answer


def _in_place(asked: Sequence[object], answers: Iterable[T]) -> list[T | ClearViewError]:
    """The answers to a batch in request order: each valid request's answer (in turn from
    `answers`), each refused one's error where it stood."""
    given = iter(answers)
    return [item if isinstance(item, ClearViewError) else next(given) for item in asked]


def _elapsed_ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)


class MatchService:
    async def _resume(
        self, session: AsyncSession, identity: Identity, text: str | None, resume_id: str | None
    ) -> tuple[str, str | None]:
        """(resume text, candidate's location): the text sent, or the current version of a
        resume the caller may read (their own; 404 for anyone else's)."""
        if text is not None:
            return text, None
        assert resume_id is not None
        resume = await resume_service.get(session, identity, resume_id)
        version = (
            await ResumeRepository(session).version(resume.id, resume.current_version_id)
            if resume.current_version_id
            else None
        )
        if version is None:
            raise NotFound(f"resume {resume_id} has no text yet; upload it again")
        location = await MatchingRepository(session).candidate_location(resume.candidate_id)
        return version.text, location

    async def _job(self, session: AsyncSession, identity: Identity, job_id: str) -> Job:
        """A job of the caller's organisation, or any organisation's published job."""
        repo = JobRepository(session)
        job = await repo.get(identity.org_id, job_id) or await repo.get_published(job_id)
        if job is None:
            raise NotFound(f"job {job_id} not found; use the id of a published job")
        return job

    async def match_jobs(
        self, session: AsyncSession, identity: Identity, body: MatchJobsIn
    ) -> MatchJobsOut:
        return _one(await self.match_jobs_many(session, [(identity, body)]))

    async def match_jobs_many(
        self, session: AsyncSession, requests: Sequence[tuple[Identity, MatchJobsIn]]
    ) -> list[MatchJobsOut | ClearViewError]:
        """`match_jobs` for several callers at once (a match worker's batch), ranked in one
        worker thread with one Chroma call per distinct pool; a request the caller may not
        make gets its error in its place."""
        start = time.perf_counter()
        queries: list[JobsQuery | ClearViewError] = []
        for identity, body in requests:
            try:
                text, home = await self._resume(session, identity, body.resume_text, body.resume_id)
            except ClearViewError as exc:
                queries.append(exc)
                continue
            where = body.filters.location if body.filters and body.filters.location else home
            top_k = max(body.top_k, QUERY_POOL) if body.query else body.top_k
            queries.append(JobsQuery(text, top_k, body.filters, where))
        valid = [query for query in queries if isinstance(query, JobsQuery)]
        ranked = iter(await asyncio.to_thread(rank_jobs_many, valid))
        took_ms = _elapsed_ms(start)
        answers = (
            MatchJobsOut(matches=_job_matches(next(ranked), body), took_ms=took_ms)
            for (_, body), query in zip(requests, queries, strict=True)
            if isinstance(query, JobsQuery)
        )
        return _in_place(queries, answers)

    async def match_candidates(
        self, session: AsyncSession, identity: Identity, body: MatchCandidatesIn
    ) -> MatchCandidatesOut:
        return _one(await self.match_candidates_many(session, [(identity, body)]))

    async def match_candidates_many(
        self, session: AsyncSession, requests: Sequence[tuple[Identity, MatchCandidatesIn]]
    ) -> list[MatchCandidatesOut | ClearViewError]:
        """`match_candidates` for several callers at once (a match worker's batch): one
        worker thread, one Chroma call per distinct pool, one consent check for all; a
        request the caller may not make gets its error in its place."""
        start = time.perf_counter()
        asked: list[tuple[Job | None, CandidatesQuery] | ClearViewError] = []
        for identity, body in requests:
            try:
                job: Job | None = None
                if body.job_id is not None:
                    # tenant first: another organisation's job is a 404 whatever the role
                    job = await job_service.get(session, identity, body.job_id)
                require_role(identity, Role.employer, Role.admin)
                wanted = skill_refs(body.skills or [])
            except ClearViewError as exc:
                asked.append(exc)
                continue
            what = JobSnapshot.from_row(job) if job is not None else str(body.job_text)
            asked.append((job, CandidatesQuery(what, body.top_k, wanted, body.min_years)))
        valid = [item for item in asked if not isinstance(item, ClearViewError)]
        ranked = await asyncio.to_thread(rank_resumes_many, [query for _, query in valid])
        allowed = await MatchingRepository(session).consenting(
            [hit.item_id for pairs in ranked for hit, _ in pairs]
        )
        took_ms = _elapsed_ms(start)
        answers = (
            MatchCandidatesOut(
                matches=[
                    CandidateMatch(
                        job_id=job.id if job else None,
                        external_id=job.external_id if job else None,
                        title=job.title if job else None,
                        company=job.company if job else None,
                        location=job.location if job else None,
                        candidate_id=str(hit.metadata["candidate_id"]),
                        resume_id=hit.item_id,
                        **_gap(result),
                    )
                    for hit, result in pairs
                    if hit.item_id in allowed
                ][: query.top_k],
                took_ms=took_ms,
            )
            for (job, query), pairs in zip(valid, ranked, strict=True)
        )
        return _in_place(asked, answers)

    async def score(self, session: AsyncSession, identity: Identity, body: ScoreIn) -> ScoreOut:
        text, _ = await self._resume(session, identity, body.resume_text, body.resume_id)
        if body.job_id is not None:
            snapshot = JobSnapshot.from_row(await self._job(session, identity, body.job_id))
            features = await asyncio.to_thread(snapshot_features, snapshot)
            target = snapshot.text
        else:
            assert body.job_text is not None
            target = job_text(None, body.job_text)
            features = await asyncio.to_thread(job_features, target)
        result = await asyncio.to_thread(score_pair, text, features, target)
        return ScoreOut(breakdown=result.breakdown, **_gap(result))


match_service = MatchService()
