"""The API under test: an httpx client over ASGI on the app, against the `engine` fixture
(so every test runs on SQLite and on PostgreSQL), and factories for keys and rows."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.identity.service import create_api_key, identity_service
from clearview.app import build_app
from core.db import session_scope
from core.models import CandidateProfile, Resume, ResumeSource, ResumeVersion, new_id, utcnow


@dataclass(frozen=True)
class Key:
    secret: str
    key_id: str
    user_id: str
    org_id: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret}"}


MakeKey = Callable[..., Awaitable[Key]]


@pytest.fixture
def app(engine: AsyncEngine) -> FastAPI:
    return build_app()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://clearview.test") as c:
        yield c


@pytest.fixture
def make_key(engine: AsyncEngine) -> MakeKey:
    async def _make(org: str = "org-a", role: str = "employer", username: str | None = None) -> Key:
        async with session_scope(engine) as session:
            secret = await create_api_key(session, org, role, username=username)
        async with session_scope(engine) as session:
            who = await identity_service.authenticate(session, secret)
        return Key(secret, who.key_id, who.user_id, who.org_id)

    return _make


@dataclass(frozen=True)
class StoredResume:
    candidate_id: str
    resume_id: str
    version_id: str


MakeResume = Callable[..., Awaitable[StoredResume]]
RESUME_TEXT = "Sam Lee\nData engineer"


@pytest.fixture
def make_resume(engine: AsyncEngine) -> MakeResume:
    """A profile, resume and version written directly, for tests not about uploading."""

    async def _make(key: Key, text: str = RESUME_TEXT) -> StoredResume:
        async with session_scope(engine) as session:
            profile = await session.scalar(
                select(CandidateProfile).where(CandidateProfile.user_id == key.user_id)
            )
            if profile is None:
                profile = CandidateProfile(id=new_id(), user_id=key.user_id, org_id=key.org_id)
                session.add(profile)
            resume = Resume(id=new_id(), candidate_id=profile.id, title="cv.txt")
            version = ResumeVersion(
                id=new_id(),
                resume_id=resume.id,
                number=1,
                source=ResumeSource.uploaded,
                text=text,
                created_at=utcnow(),
            )
            resume.current_version_id = version.id
            session.add_all([resume, version])
        return StoredResume(profile.id, resume.id, version.id)

    return _make
