"""The baseline of `bench/api.py`: bare FastAPI endpoints doing the same reads as ours.

Each endpoint runs the SQL statements our route runs, through SQLAlchemy on an engine
made by the same factory (`core.engine.make_engine`, so the same pool and dialect
settings), and returns the same response model, but with none of our app around it: no
authentication, rate limiting, tenancy resolution, middleware, metrics or error format.
Whose rows to read (the tenancy our routes take from the API key) comes from the
environment, set by the benchmark once it has created its data:

    BARE_DATABASE_URL, BARE_EMPLOYER_ORG, BARE_CANDIDATE_ORG, BARE_CANDIDATE_USER

The match score calls the same scoring functions as the matching service, so the row
compares what surrounds the work, not the work.

Run by `bench/api.py` under uvicorn: `uvicorn bench._bare_api:app`.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from api.jobs.schemas import JobOut
from api.matching.features import JobSnapshot, snapshot_features
from api.matching.schemas import ScoreIn, ScoreOut
from api.matching.service import score_pair
from api.pagination import Page
from api.resumes.schemas import ResumeOut
from api.tasks.schemas import TaskOut
from api.tasks.service import task_out
from core.engine import make_engine
from core.models import CandidateProfile, Job, Resume, Task
from core.process import freeze_start_up_heap

engine = make_engine(os.environ["BARE_DATABASE_URL"])
Session = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
EMPLOYER_ORG = os.environ["BARE_EMPLOYER_ORG"]
CANDIDATE_ORG = os.environ["BARE_CANDIDATE_ORG"]
CANDIDATE_USER = os.environ["BARE_CANDIDATE_USER"]


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    # As `clearview serve` does once started: the modules this app imported (the scoring
    # pulls in numpy and Chroma) are left out of garbage collection, so neither app pays
    # for walking its start-up heap again and again.
    freeze_start_up_heap()
    yield
    await engine.dispose()


app = FastAPI(lifespan=lifespan)


@app.get("/constant")
async def constant() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/jobs/{job_id}", response_model=JobOut)
async def get_job(job_id: str) -> JobOut:
    async with Session() as session:
        job = await session.scalar(select(Job).where(Job.id == job_id, Job.org_id == EMPLOYER_ORG))
        if job is None:
            raise HTTPException(404)
        return JobOut.model_validate(job)


@app.get("/jobs", response_model=Page[JobOut])
async def list_jobs(limit: int = 20, offset: int = 0) -> Page[JobOut]:
    query = select(Job).where(Job.org_id == EMPLOYER_ORG)
    async with Session() as session:
        total = await session.scalar(select(func.count()).select_from(query.subquery()))
        jobs = await session.scalars(
            query.order_by(Job.created_at.desc(), Job.id.desc()).limit(limit).offset(offset)
        )
        items = [JobOut.model_validate(job) for job in jobs]
    return Page[JobOut](items=items, total=int(total or 0), limit=limit, offset=offset)


@app.get("/resumes/{resume_id}", response_model=ResumeOut)
async def get_resume(resume_id: str) -> ResumeOut:
    async with Session() as session:
        resume = await session.scalar(
            select(Resume)
            .join(CandidateProfile, CandidateProfile.id == Resume.candidate_id)
            .where(Resume.id == resume_id, CandidateProfile.user_id == CANDIDATE_USER)
        )
        if resume is None:
            raise HTTPException(404)
        return ResumeOut.model_validate(resume)


@app.get("/tasks/{task_id}", response_model=TaskOut)
async def get_task(task_id: str) -> TaskOut:
    async with Session() as session:
        task = await session.scalar(
            select(Task).where(
                Task.id == task_id, Task.org_id == CANDIDATE_ORG, Task.user_id == CANDIDATE_USER
            )
        )
        if task is None:
            raise HTTPException(404)
        return task_out(task)


@app.post("/match/score", response_model=ScoreOut)
async def score(body: ScoreIn) -> ScoreOut:
    assert body.resume_text is not None and body.job_id is not None
    async with Session() as session:
        # The route's two lookups: the caller's own job, else a published one.
        job = await session.scalar(
            select(Job).where(Job.id == body.job_id, Job.org_id == CANDIDATE_ORG)
        ) or await session.scalar(select(Job).where(Job.id == body.job_id, Job.published.is_(True)))
        if job is None:
            raise HTTPException(404)
        snapshot = JobSnapshot.from_row(job)
    features = await asyncio.to_thread(snapshot_features, snapshot)
    result = await asyncio.to_thread(score_pair, body.resume_text, features, snapshot.text)
    return ScoreOut(
        breakdown=result.breakdown,
        score=result.score,
        matched_skills=result.matched_skills,
        missing_required=result.missing_required,
        missing_preferred=result.missing_preferred,
        reasons=result.reasons,
    )
