"""The match score: pure, deterministic, explainable.

    base  = (0.40 dense + 0.45 lexical + 0.10 skills + 0.10 occupation)
            / (sum of the weights of the terms present)
    score = base x experience x location            (in [0, 1], rounded to 6 decimals)

(weights fitted on real resumes and job ads, see WEIGHTS and ADR 0003)

- dense: cosine similarity of the two embeddings, clipped to [0, 1] (same kind of role and
  domain, even in other words; the model reads only the first 256 word pieces, yet on
  real resumes it is the strongest single signal: it reads the headline and latest role);
- lexical: BM25 of the resume for the job's most distinctive terms, with a fixed IDF
  table, as a calibrated share of its maximum (`lexical.calibrate`: a resume covering half
  of a posting's query is a full match); it reads the whole text and catches exact terms
  the lexicon does not know;
- skills: IDF-weighted share of the job's skills the resume has, a required skill
  counting twice a preferred one, shrunk by a prior (SKILL_PRIOR) so that a job naming
  only a couple of generic skills cannot let that term dominate; a job listing no skills
  leaves this term out and the others share;
- occupation: how close the resume's recent roles are to the job's occupation (ESCO's
  hierarchy, O*NET's families, the essential skills the two share); left out when either
  side names no known occupation;
- experience: 1 when the resume meets the job's minimum years, down to 0.75 for none
  (a graded penalty: a shortfall is a reason to rank lower, not to hide the job);
- location: 0.9 when an on-site job is elsewhere than the candidate (a soft factor;
  hard location filters run inside the vector query).

Every float is computed in a fixed order from the features alone, so the same features
give bit-identical scores; nothing personal is in the features (see `features`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from api.matching import lexical
from api.matching.features import (
    LISTED_SKILL_CREDIT,
    JobFeatures,
    ResumeFeatures,
    Role,
    SkillRef,
    location_tokens,
)
from ingest.careers import get_careers
from ingest.occupations import closeness, get_occupations, relation, soc_closeness

# Fitted on the development half of the real-data benchmark, within what rjdb keeps (see
# ADR 0003): the skills term is noisy on real postings and weighs little; the occupation
# term is present only when both titles link to an occupation.
WEIGHTS = {"dense": 0.40, "lexical": 0.45, "skills": 0.10, "occupation": 0.10}
# Pseudo-weight of "no evidence" added to a job's skill total: a job naming two generic
# skills says less about fit than one naming ten rare ones (see ADR 0003).
SKILL_PRIOR = 3.0
REQUIRED_WEIGHT = 2.0
PREFERRED_WEIGHT = 1.0
EXPERIENCE_MAX_PENALTY = 0.25
LOCATION_MISMATCH = 0.9
DECIMALS = 6
# Names listed in a reason before "and N more".
REASON_NAMES = 4


@dataclass(frozen=True, slots=True)
class ScoreResult:
    score: float
    breakdown: dict[str, float | None]
    matched_skills: list[str]
    missing_required: list[str]
    missing_preferred: list[str]
    reasons: list[str]


def has_skill(ref: SkillRef, resume: ResumeFeatures) -> bool:
    return skill_credit(ref, resume) > 0.0


def skill_credit(ref: SkillRef, resume: ResumeFeatures) -> float:
    """1 for a skill the resume shows in its work, less for one it only lists, 0 if absent.
    A name the lexicon does not know counts when all its terms occur (no evidence grade)."""
    if ref.key.startswith("term:"):
        return float(all(term in resume.counts for term in ref.key[5:].split(" ")))
    return resume.credit(ref.key)


# Closeness from the essential skills two occupations share (ESCO), beside the hierarchy
# (which files a health services manager with managers, far from the nurses they employ):
# SHARED_SKILLS_MAX for a Jaccard share of SHARED_SKILLS_FULL or more (the top 1% of
# random occupation pairs), in proportion below it. Fitted on the development half of
# the real-data benchmark (0.5-0.7 x 0.08-0.3 tried; see ADR 0003).
SHARED_SKILLS_MAX = 0.7
SHARED_SKILLS_FULL = 0.15


class OccupationMatch(NamedTuple):
    value: float  # closeness in [0, 1]
    role: Role  # the resume's role closest to the job's occupation
    shared_skills: int  # essential skills in common, when they made the value; else 0


def occupation_match(job: JobFeatures, resume: ResumeFeatures) -> OccupationMatch | None:
    """How close the resume's recent roles are to the job's occupation (the closest role),
    or None when either side names no known occupation."""
    if job.role is None or not resume.roles:
        return None
    occupations = get_occupations()
    target = occupations.by_code(job.role.code)
    best: OccupationMatch | None = None
    for role in resume.roles:
        mine = occupations.by_code(role.code)
        if target is None or mine is None:
            continue
        value, shared = closeness(mine, target), 0
        if role.soc and job.role.soc:  # O*NET's families of work say "related" too
            value = max(value, soc_closeness(role.soc, job.role.soc))
        count, share = get_careers().shared_essential_skills(mine.uri_id, target.uri_id)
        by_skills = SHARED_SKILLS_MAX * min(1.0, share / SHARED_SKILLS_FULL)
        if by_skills > value:
            value, shared = by_skills, count
        if best is None or value > best.value:
            best = OccupationMatch(value, role, shared)
    return best


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:REASON_NAMES])
    rest = len(names) - REASON_NAMES
    return f"{shown} and {rest} more" if rest > 0 else shown


def _years(value: float) -> str:
    rounded = round(value, 1)
    number = f"{rounded:g}"
    return f"{number} year" if rounded == 1 else f"{number} years"


def _skill_reason(kind: str, have: int, total: int, missing: list[str]) -> str:
    if not missing:
        return f"Has all {total} {kind} skills" if total > 1 else f"Has the {kind} skill"
    return f"Has {have} of {total} {kind} skills; missing {_names(missing)}"


def score(
    job: JobFeatures,
    resume: ResumeFeatures,
    dense_similarity: float,
    *,
    candidate_location: str | None = None,
) -> ScoreResult:
    """Score one (job, resume) pair from their features and embedding similarity."""
    dense = min(1.0, max(0.0, float(dense_similarity)))
    lex = lexical.bm25(
        job.query, resume.counts, resume.length, resume.listed_terms, LISTED_SKILL_CREDIT
    )

    matched: list[str] = []
    missing_required: list[str] = []
    missing_preferred: list[str] = []
    listed: list[str] = []  # matched, but only listed, never shown in the work
    got = total = 0.0
    for refs, factor, missing in (
        (job.required, REQUIRED_WEIGHT, missing_required),
        (job.preferred, PREFERRED_WEIGHT, missing_preferred),
    ):
        for ref in refs:
            total += factor * ref.weight
            credit = skill_credit(ref, resume)
            if credit > 0.0:
                got += factor * ref.weight * credit
                matched.append(ref.name)
                if credit < 1.0:
                    listed.append(ref.name)
            else:
                missing.append(ref.name)
    skills = got / (total + SKILL_PRIOR) if total > 0.0 else None
    occupation = occupation_match(job, resume)

    parts: list[tuple[float, float]] = [(WEIGHTS["dense"], dense), (WEIGHTS["lexical"], lex)]
    if skills is not None:
        parts.append((WEIGHTS["skills"], skills))
    if occupation is not None and WEIGHTS["occupation"] > 0.0:
        parts.append((WEIGHTS["occupation"], occupation.value))
    base = sum(w * v for w, v in parts) / sum(w for w, _ in parts)

    experience = 1.0
    reasons: list[str] = []
    if job.required:
        have = len(job.required) - len(missing_required)
        reasons.append(_skill_reason("required", have, len(job.required), missing_required))
    if job.preferred:
        have = len(job.preferred) - len(missing_preferred)
        reasons.append(_skill_reason("preferred", have, len(job.preferred), missing_preferred))
    if listed:
        reasons.append(f"Only listed, not shown in the work: {_names(listed)}")
    if skills is None:
        reasons.append("The job lists no skills; ranked on how closely the texts match")
    if occupation is not None and job.role is not None:
        value, role, shared = occupation
        if shared:
            said = f"shares {shared} essential skill{'s' if shared > 1 else ''} (ESCO) with"
        else:
            said = f"is {relation(value)}"
        reasons.insert(0, f"Recent role {role.title} {said} this job ({job.role.title})")
    if job.min_years:
        shortfall = max(0.0, 1.0 - resume.years / job.min_years)
        experience = 1.0 - EXPERIENCE_MAX_PENALTY * shortfall
        if resume.years > 0:
            reasons.append(
                f"{_years(resume.years)} of experience; the job asks for {job.min_years:g}+"
            )
        else:
            reasons.append(f"No dated experience found; the job asks for {job.min_years:g}+ years")
    elif resume.years > 0:
        reasons.append(f"{_years(resume.years)} of experience")

    location = 1.0
    if job.remote:
        reasons.append("Remote job")
    elif job.location:
        wanted = set(location_tokens(candidate_location))
        if wanted and not wanted & set(location_tokens(job.location)):
            location = LOCATION_MISMATCH
            reasons.append(f"On site in {job.location}, not in {candidate_location}")
        else:
            reasons.append(f"Located in {job.location}")

    final = min(1.0, max(0.0, base * experience * location))
    return ScoreResult(
        score=round(final, DECIMALS),
        breakdown={
            "dense": round(dense, DECIMALS),
            "lexical": round(lex, DECIMALS),
            "skills": None if skills is None else round(skills, DECIMALS),
            "occupation": None if occupation is None else round(occupation.value, DECIMALS),
            "experience": round(experience, DECIMALS),
            "location": round(location, DECIMALS),
        },
        matched_skills=matched,
        missing_required=missing_required,
        missing_preferred=missing_preferred,
        reasons=reasons,
    )


def rank(scored: Iterable[tuple[str, ScoreResult]], top_k: int) -> list[tuple[str, ScoreResult]]:
    """Best first; equal scores in id order, so the order never depends on luck."""
    return sorted(scored, key=lambda item: (-item[1].score, item[0]))[:top_k]
