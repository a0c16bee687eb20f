"""Match endpoints (served by the jobs service)."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CurrentIdentity, SessionDep
from api.errors import ERROR_RESPONSES
from api.matching.schemas import (
    MatchCandidatesIn,
    MatchCandidatesOut,
    MatchJobsIn,
    MatchJobsOut,
    ScoreIn,
    ScoreOut,
)
from api.matching.service import match_service

router = APIRouter(prefix="/api/v1/match", tags=["matching"], responses=ERROR_RESPONSES)


@router.post("/jobs", response_model=MatchJobsOut)
async def match_jobs(
    body: MatchJobsIn, session: SessionDep, identity: CurrentIdentity
) -> MatchJobsOut:
    """Published jobs of every organisation ranked for a resume (text or your resume_id)."""
    return await match_service.match_jobs(session, identity, body)


@router.post("/candidates", response_model=MatchCandidatesOut)
async def match_candidates(
    body: MatchCandidatesIn, session: SessionDep, identity: CurrentIdentity
) -> MatchCandidatesOut:
    """Opted-in candidates ranked for one of your jobs (or a job text); ids only."""
    return await match_service.match_candidates(session, identity, body)


@router.post("/score", response_model=ScoreOut)
async def score(body: ScoreIn, session: SessionDep, identity: CurrentIdentity) -> ScoreOut:
    """The score of one resume for one job, with its breakdown and skill gap."""
    return await match_service.score(session, identity, body)
