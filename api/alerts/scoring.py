"""Which new jobs to announce to which candidates: the matcher's own score, in bulk.

The score of a pair is `api.matching.scoring.score` on the job's and the resume's
features and the dot product of their embeddings: exactly what `/api/v1/match/score`
computes, so an alert and the score a candidate then asks for agree. Scoring every pair
that way costs a few hundred microseconds each, so a batch goes in two steps:

1. `approximate`: the same formula on whole matrices (numpy, float64: dense similarity,
   BM25 through the matcher's own `lexical.calibrate`, IDF-weighted skill overlap,
   experience factor, with the matcher's constants) for every candidate x job at once;
2. the exact `scoring.score` only for pairs the approximation cannot rule out.

The formula is restated here for speed, so each block checks a sample of its pairs
against the exact score first (`_verified`): if the matcher changed and this module did
not follow, the block is scored pair by pair (slow, never wrong) and an error is logged;
`tests/alerts/test_alert_scoring.py` fails on the same drift.

The pruning is exact: a pair is dropped only when its approximate score is more than
`EPS` below what it would need (the candidate's `min_score`, or the score of the jobs that
already fill their daily quota). The approximation differs from the exact score only by
float rounding: float32 dot products of unit vectors (at most 384 x 2^-24 ~ 2.3e-5 in
similarity, weighted by at most 0.47), summation order, and the exact score's rounding to
six decimals (5e-7) -- all far below EPS.

Nothing here touches the database or the network: callers pass plain values in and get
`Pick`s out (run it in a thread).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from api.alerts.repository import AlertCandidate
from api.matching import lexical
from api.matching.features import (
    LISTED_SKILL_CREDIT,
    JobFeatures,
    ResumeFeatures,
    location_tokens,
)
from api.matching.scoring import (
    EXPERIENCE_MAX_PENALTY,
    PREFERRED_WEIGHT,
    REQUIRED_WEIGHT,
    SKILL_PRIOR,
    WEIGHTS,
    ScoreResult,
    occupation_match,
    score,
)

log = logging.getLogger(__name__)

EPS = 1e-4
# Pairs of each block whose exact score checks the approximation (`_verified`).
CHECK_PAIRS = 16
# Candidates scored per matrix block: bounds memory to a few (BLOCK x jobs) float64 arrays.
BLOCK = 2048


@dataclass(frozen=True, slots=True)
class ResumeInput:
    """A resume version as the matcher sees it: its features and its embedding."""

    features: ResumeFeatures
    vector: np.ndarray  # float32, unit length


@dataclass(frozen=True, slots=True)
class JobInput:
    """A job as the matcher sees it, plus what the alert filters read."""

    job_id: str
    features: JobFeatures
    vector: np.ndarray  # float32, unit length
    location: str | None
    remote: bool
    title: str | None = None  # read by an alert's title filter


@dataclass(frozen=True, slots=True)
class Pick:
    """An alert to deliver: the candidate, the job, and the matcher's exact result."""

    candidate: AlertCandidate
    job_id: str
    result: ScoreResult


def exact_score(job: JobInput, resume: ResumeInput) -> ScoreResult:
    """`/api/v1/match/score` for this pair (`match.service.score_pair`, features given)."""
    return score(job.features, resume.features, float(np.dot(resume.vector, job.vector)))


def title_names(title: str, query: str) -> bool:
    """Every word of `query` is a word of `title`, by light stems, one word's stem a
    letter longer at most ("nursing" names "Staff Nurse", "baristas" "Barista"; "care"
    does not name "Careers Adviser")."""
    own = lexical.terms(title)

    def close(stem: str, word: str) -> bool:
        if stem == word:
            return True
        near = abs(len(stem) - len(word)) <= 1 and min(len(stem), len(word)) >= 4
        return near and (stem.startswith(word) or word.startswith(stem))

    def named(word: str) -> bool:
        return any(close(stem, word) for stem in own)

    return all(named(word) for word in lexical.terms(query))


def passes_filter(
    location: str | None,
    remote: bool | None,
    job_location: str | None,
    job_remote: bool,
    query: str | None = None,
    job_title: str | None = None,
) -> bool:
    """The alert's filters: `query` keeps jobs whose title names every word of it
    (`title_names`); `remote` true keeps remote jobs only, false on-site jobs only;
    `location` keeps jobs whose location names every word of it, and remote jobs unless
    `remote` is false."""
    if query and not title_names(job_title or "", query):
        return False
    if remote is True:
        return job_remote
    if remote is False and job_remote:
        return False
    wanted = set(location_tokens(location))
    if not wanted or job_remote:
        return True
    return wanted <= set(location_tokens(job_location))


# --- step 1: the score formula on matrices --------------------------------------------------


@dataclass(frozen=True, slots=True)
class _JobMatrices:
    vectors: np.ndarray  # (jobs, dim) float64
    vocabulary: dict[str, int]  # lexical term -> row of `query`
    query: np.ndarray  # (terms, jobs): term weight / the job's total weight
    skill_keys: dict[str, int]  # skill key -> row of `skill_weights`
    skill_weights: np.ndarray  # (keys, jobs): factor x IDF weight
    term_skills: list[tuple[int, tuple[str, ...]]]  # "term:" keys: row, stems
    skill_denominator: np.ndarray  # (jobs,) total + prior, 1 where the job has no skills
    has_skills: np.ndarray  # (jobs,) bool
    min_years: np.ndarray  # (jobs,) 0 where none


def _job_matrices(jobs: Sequence[JobInput]) -> _JobMatrices:
    n = len(jobs)
    vocabulary: dict[str, int] = {}
    for job in jobs:
        for term in job.features.query:
            vocabulary.setdefault(term, len(vocabulary))
    query = np.zeros((len(vocabulary), n))
    for j, job in enumerate(jobs):
        total = sum(job.features.query.values())
        if total > 0.0:
            for term, weight in job.features.query.items():
                query[vocabulary[term], j] = weight / total
    skill_keys: dict[str, int] = {}
    for job in jobs:
        for ref in (*job.features.required, *job.features.preferred):
            skill_keys.setdefault(ref.key, len(skill_keys))
    weights = np.zeros((len(skill_keys), n))
    totals = np.zeros(n)
    for j, job in enumerate(jobs):
        for refs, factor in (
            (job.features.required, REQUIRED_WEIGHT),
            (job.features.preferred, PREFERRED_WEIGHT),
        ):
            for ref in refs:
                weights[skill_keys[ref.key], j] += factor * ref.weight
                totals[j] += factor * ref.weight
    has_skills = totals > 0.0
    term_skills = [
        (row, tuple(key[5:].split(" ")))
        for key, row in skill_keys.items()
        if key.startswith("term:")
    ]
    return _JobMatrices(
        vectors=np.stack([job.vector for job in jobs]).astype(np.float64),
        vocabulary=vocabulary,
        query=query,
        skill_keys=skill_keys,
        skill_weights=weights,
        term_skills=term_skills,
        skill_denominator=np.where(has_skills, totals + SKILL_PRIOR, 1.0),
        has_skills=has_skills,
        min_years=np.array([job.features.min_years or 0.0 for job in jobs]),
    )


# `lexical.calibrate` element-wise: the matcher's own function, so the two cannot part.
_calibrate = np.frompyfunc(lexical.calibrate, 1, 1)


def _lexical(jobs: _JobMatrices, resumes: Sequence[ResumeInput]) -> np.ndarray:
    """BM25 of each resume for each job's query (`lexical.bm25`). A resume row gathers
    only the query rows of its own terms: work is terms x jobs per resume."""
    out = np.zeros((len(resumes), jobs.query.shape[1]))
    for i, resume in enumerate(resumes):
        norm = lexical.K1 * (
            1.0 - lexical.B + lexical.B * resume.features.length / lexical.AVG_DOC_LEN
        )
        rows, values = [], []
        listed = resume.features.listed_terms
        for term, tf in resume.features.counts.items():
            row = jobs.vocabulary.get(term)
            if row is not None and tf:
                rows.append(row)
                value = tf / (tf + norm)
                values.append(value * LISTED_SKILL_CREDIT if term in listed else value)
        if rows:
            out[i] = np.asarray(values) @ jobs.query[rows]
    return np.asarray(_calibrate(out), dtype=np.float64)


def _skills(jobs: _JobMatrices, resumes: Sequence[ResumeInput]) -> np.ndarray:
    """Weight of each job's skills each resume has, times the resume's credit for it
    (`scoring.skill_credit`), before the division by the job's total."""
    got = np.zeros((len(resumes), jobs.skill_weights.shape[1]))
    for i, resume in enumerate(resumes):
        features = resume.features
        rows = [jobs.skill_keys[s] for s in features.skill_ids if s in jobs.skill_keys]
        credits = [features.credit(s) for s in features.skill_ids if s in jobs.skill_keys]
        counts = features.counts
        for row, stems in jobs.term_skills:
            if all(s in counts for s in stems):
                rows.append(row)
                credits.append(1.0)
        if rows:
            got[i] = np.asarray(credits) @ jobs.skill_weights[rows]
    return got


def _occupations(
    jobs: Sequence[JobInput], resumes: Sequence[ResumeInput]
) -> tuple[np.ndarray, np.ndarray]:
    """(closeness, known) matrices of `scoring.occupation_match`; pairs are grouped by
    distinct occupation codes, so the work is codes x codes, not resumes x jobs."""
    closeness = np.zeros((len(resumes), len(jobs)))
    known = np.zeros((len(resumes), len(jobs)), dtype=bool)
    by_code: dict[tuple[str, str | None], list[int]] = {}
    for j, job in enumerate(jobs):
        role = job.features.role
        if role is not None:
            by_code.setdefault((role.code, role.soc), []).append(j)
    if not by_code:
        return closeness, known
    cache: dict[tuple[tuple[str, str | None], ...], tuple[np.ndarray, np.ndarray]] = {}
    for i, resume in enumerate(resumes):
        roles = tuple((r.code, r.soc) for r in resume.features.roles)
        if not roles:
            continue
        if roles not in cache:
            row, seen = np.zeros(len(jobs)), np.zeros(len(jobs), dtype=bool)
            for columns in by_code.values():
                sample = jobs[columns[0]].features
                match = occupation_match(sample, resume.features)
                if match is not None:
                    row[columns], seen[columns] = match.value, True
            cache[roles] = (row, seen)
        closeness[i], known[i] = cache[roles]
    return closeness, known


def _approximate(
    jobs: _JobMatrices,
    resumes: Sequence[ResumeInput],
    occupation: tuple[np.ndarray, np.ndarray],
) -> np.ndarray:
    vectors = np.stack([resume.vector for resume in resumes]).astype(np.float64)
    dense = np.clip(vectors @ jobs.vectors.T, 0.0, 1.0)
    lex = _lexical(jobs, resumes)
    skills = _skills(jobs, resumes) / jobs.skill_denominator
    closeness, known = occupation
    # The terms present in a pair share the weight (`scoring.score`): skills when the job
    # names any, occupation when both sides link to one.
    with_skills = np.where(jobs.has_skills, WEIGHTS["skills"], 0.0)
    with_occupation = np.where(known, WEIGHTS["occupation"], 0.0)
    total = WEIGHTS["dense"] + WEIGHTS["lexical"] + with_skills + with_occupation
    base = (
        WEIGHTS["dense"] * dense
        + WEIGHTS["lexical"] * lex
        + with_skills * skills
        + with_occupation * closeness
    ) / total
    years = np.array([resume.features.years for resume in resumes])[:, None]
    wanted = np.where(jobs.min_years > 0.0, jobs.min_years, 1.0)
    shortfall = np.maximum(0.0, 1.0 - years / wanted)
    experience = np.where(jobs.min_years > 0.0, 1.0 - EXPERIENCE_MAX_PENALTY * shortfall, 1.0)
    return np.asarray(np.clip(base * experience, 0.0, 1.0))


def _verified(
    approx: np.ndarray, resumes: Sequence[ResumeInput], jobs: Sequence[JobInput]
) -> np.ndarray:
    """`approx`, once a sample of its pairs (the highest and some at random) agree with the
    exact score. The formula is restated above for speed; should the matcher change and
    this module not follow, the batch is scored pair by pair (slow, never wrong) and the
    difference is logged, instead of pruning on a wrong bound."""
    flat = approx.ravel()
    top = np.argpartition(flat, -min(CHECK_PAIRS, flat.size))[-CHECK_PAIRS:]
    rng = np.random.default_rng(flat.size)  # deterministic: same batch, same sample
    sample = np.concatenate([top, rng.integers(0, flat.size, CHECK_PAIRS)])
    worst, detail = 0.0, ""
    for index in map(int, sample):
        i, j = divmod(index, approx.shape[1])
        exact = exact_score(jobs[j], resumes[i])
        if abs(approx[i, j] - exact.score) > worst:
            worst = abs(approx[i, j] - exact.score)
            detail = f"approximation {approx[i, j]:.6f}, exact {exact.breakdown} {exact.score}"
    if worst <= EPS / 2:
        return approx
    log.error(
        "alerts: the bulk score formula differs from the matcher's by %.3g (%s); "
        "scoring every pair exactly until api.alerts.scoring follows it",
        worst,
        detail,
    )
    return np.array([[exact_score(job, resume).score for job in jobs] for resume in resumes])


def approximate(jobs: Sequence[JobInput], resumes: Sequence[ResumeInput]) -> np.ndarray:
    """(resumes x jobs) scores within EPS of `exact_score` for every pair."""
    return _approximate(_job_matrices(jobs), resumes, _occupations(jobs, resumes))


# --- step 2: exact scores where they can matter ---------------------------------------------


def _filter_mask(candidates: Sequence[AlertCandidate], jobs: Sequence[JobInput]) -> np.ndarray:
    """(candidates x jobs) title and place filter; computed once per distinct setting."""
    by_setting: dict[tuple[str | None, bool | None, str | None], np.ndarray] = {}
    rows = []
    for candidate in candidates:
        location, remote, query = setting = (candidate.location, candidate.remote, candidate.query)
        if setting not in by_setting:
            by_setting[setting] = np.array(
                [
                    passes_filter(location, remote, job.location, job.remote, query, job.title)
                    for job in jobs
                ]
            )
        rows.append(by_setting[setting])
    return np.stack(rows) if rows else np.zeros((0, len(jobs)), dtype=bool)


def select(
    candidates: Sequence[AlertCandidate],
    resumes: Sequence[ResumeInput],
    jobs: Sequence[JobInput],
    *,
    quota: dict[str, int],
    announced: set[tuple[str, str]],
) -> list[Pick]:
    """The alerts of a batch of jobs: for each candidate (aligned with `resumes`), the
    jobs passing their filter and `min_score`, never announced to them before, best
    first (ties by job id), at most `quota[candidate_id]` of them."""
    if not jobs or not candidates:
        return []
    matrices = _job_matrices(jobs)
    picks: list[Pick] = []
    for start in range(0, len(candidates), BLOCK):
        block = candidates[start : start + BLOCK]
        block_resumes = resumes[start : start + BLOCK]
        approx = _verified(
            _approximate(matrices, block_resumes, _occupations(jobs, block_resumes)),
            block_resumes,
            jobs,
        )
        thresholds = np.array([c.min_score for c in block])[:, None] - EPS
        keep = (approx >= thresholds) & _filter_mask(block, jobs)
        for i in map(int, np.flatnonzero(keep.any(axis=1))):
            candidate = block[i]
            limit = quota.get(candidate.candidate_id, candidate.max_per_day)
            columns = [
                j
                for j in map(int, np.flatnonzero(keep[i]))
                if (candidate.candidate_id, jobs[j].job_id) not in announced
            ]
            if limit <= 0 or not columns:
                continue
            picks += _best(candidate, block_resumes[i], jobs, approx[i], columns, limit)
    return picks


def _best(
    candidate: AlertCandidate,
    resume: ResumeInput,
    jobs: Sequence[JobInput],
    approx: np.ndarray,
    columns: list[int],
    limit: int,
) -> list[Pick]:
    if len(columns) > limit:
        # Only jobs that could still be among the best `limit`: an exact score is within
        # EPS of its approximation, so one more than 2 EPS below the limit-th best
        # approximation scores below each of those `limit` jobs.
        values = approx[columns]
        cut = np.partition(values, len(values) - limit)[len(values) - limit] - 2 * EPS
        columns = [j for j, value in zip(columns, values, strict=True) if value >= cut]
    scored = [(jobs[j].job_id, exact_score(jobs[j], resume)) for j in columns]
    passing = [(job_id, r) for job_id, r in scored if r.score >= candidate.min_score]
    passing.sort(key=lambda item: (-item[1].score, item[0]))
    return [Pick(candidate, job_id, result) for job_id, result in passing[:limit]]
