"""Resumes business rules: uploads, versions, the candidate profile.

What follows an upload or a profile change (the vector index, ...) is in `api.flows`;
erasing a candidate is `api.flows.erasure`.

Whoever stores a new version (a rewrite) should set `version.parsed` with
`parse_for_storage(text)`, so the parsed view stays a plain read.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path, PurePath
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import require_role
from api.flows.resumes import profile_changed, resume_uploaded
from api.identity.schemas import Identity
from api.metrics.schemas import EventName
from api.metrics.service import record
from api.resumes.critique import Critique, critique
from api.resumes.diff import unified_diff
from api.resumes.repository import ResumeRepository, Viewer
from api.resumes.schemas import ProfileUpdate, StoredUpload
from core.db import on_rollback
from core.errors import (
    Forbidden,
    NotFound,
    PayloadTooLarge,
    Unprocessable,
    UnsupportedMediaType,
)
from core.models import (
    CandidateProfile,
    Resume,
    ResumeSource,
    ResumeVersion,
    Role,
    new_id,
    utcnow,
)
from core.settings import get_settings
from ingest.instructions import review_flags
from ingest.parsing import parse_resume
from ingest.sandbox import read_document

logger = logging.getLogger(__name__)

_PDF = "application/pdf"
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_PLAIN = frozenset({"text/plain", "text/markdown"})
_JSON = "application/json"
# What the file's name promises -> what its content may turn out to be. The loader detects
# the type from the bytes; a mismatch ("cv.pdf" that is really text) is refused, since it
# is either a mistake or an attempt to slip something past a type check.
RESUME_TYPES: dict[str, frozenset[str]] = {
    ".pdf": frozenset({_PDF}),
    ".docx": frozenset({_DOCX}),
    ".txt": _PLAIN,
    ".md": _PLAIN,
    ".json": frozenset({_JSON}),  # JSON Resume, read as the text of its fields
}


@dataclass(frozen=True, slots=True)
class UploadResult:
    resume: Resume
    version: ResumeVersion
    pages: int | None
    warnings: list[str]


@dataclass(frozen=True, slots=True)
class VersionDiff:
    from_version: ResumeVersion
    to_version: ResumeVersion
    diff: str


# Bumped when the stored shape or the parser's output changes: older parses are redone on
# read instead of being served stale.
PARSED_FORMAT = 2


def parse_for_storage(text: str) -> dict[str, Any]:
    """The parse of a version's text, JSON-ready for `ResumeVersion.parsed` (CPU-bound:
    call it through `asyncio.to_thread`). Contact details are kept as kinds only: the
    details themselves are in the text, and one copy of personal data is enough."""
    parsed = parse_resume(text)
    experience = []
    for entry in parsed.experience:
        item = asdict(entry)
        item["start"] = entry.start.isoformat() if entry.start else None
        item["end"] = entry.end.isoformat() if entry.end else None
        experience.append(item)
    return {
        "format": PARSED_FORMAT,
        "summary": parsed.summary,
        "sections": parsed.sections,
        "experience": experience,
        "education": parsed.education,
        "skills": parsed.skills,
        "skill_ids": parsed.skill_ids,
        "skills_listed": parsed.skills_listed,
        "certifications": parsed.certifications,
        "languages": parsed.languages,
        "contacts": list(dict.fromkeys(span.kind for span in parsed.contacts)),
        "years_experience": parsed.years_experience,
    }


async def _parse_or_none(text: str) -> dict[str, Any] | None:
    try:
        return await asyncio.to_thread(parse_for_storage, text)
    except Exception:
        # A parser bug must not lose the candidate's upload; the parsed view retries on
        # read. The traceback is logged, the resume text is not.
        logger.exception("resume parse failed; version stored without a parse")
        return None


def viewer_for(identity: Identity) -> Viewer:
    """Candidates see their own; an admin sees its organisation's candidates. Employers
    never read resumes directly: they get matches of opted-in profiles instead."""
    if identity.role is Role.candidate:
        return Viewer(user_id=identity.user_id)
    if identity.role is Role.admin:
        return Viewer(org_id=identity.org_id)
    raise NotFound("not found")


def _suffix(filename: str) -> str:
    return PurePath(filename).suffix.lower()


def _write_file(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


class ResumeService:
    # profile
    async def own_profile(
        self, session: AsyncSession, identity: Identity
    ) -> CandidateProfile | None:
        require_role(identity, Role.candidate)
        return await ResumeRepository(session).profile_for_user(identity.user_id)

    async def ensure_profile(self, session: AsyncSession, identity: Identity) -> CandidateProfile:
        profile = await self.own_profile(session, identity)
        if profile is None:
            now = utcnow()
            profile = CandidateProfile(
                id=new_id(),
                user_id=identity.user_id,
                org_id=identity.org_id,
                created_at=now,
                updated_at=now,
                open_to_employers=False,
                contact_consent=False,
            )
            ResumeRepository(session).add(profile)
            await session.flush()
        return profile

    async def update_profile(
        self, session: AsyncSession, identity: Identity, data: ProfileUpdate
    ) -> CandidateProfile:
        profile = await self.ensure_profile(session, identity)
        for name, value in data.model_dump(exclude_unset=True).items():
            if value is None and name in ("open_to_employers", "contact_consent"):
                continue
            setattr(profile, name, value)
        profile.updated_at = utcnow()
        await session.flush()
        profile_changed(session, profile)
        return profile

    # upload
    def check_upload_name(self, filename: str) -> None:
        if _suffix(filename) not in RESUME_TYPES:
            raise UnsupportedMediaType(
                f"{filename!r}: upload a resume as PDF, DOCX, TXT, MD or JSON (JSON Resume)"
            )

    async def upload(
        self, session: AsyncSession, identity: Identity, data: bytes, filename: str
    ) -> UploadResult:
        """Validate and parse the file, then store rows and the file; nothing is kept if any
        step fails (the file is removed again if the transaction does not commit)."""
        if identity.role is not Role.candidate:
            raise Forbidden("only a candidate key can upload a resume")
        settings = get_settings()
        self.check_upload_name(filename)
        if not data:
            raise Unprocessable(f"{filename!r} is empty; upload the resume file itself")
        if len(data) > settings.upload_max_bytes:
            raise PayloadTooLarge(f"the file exceeds {settings.upload_max_bytes} bytes")
        loaded = await read_document(data, filename)
        if loaded.media_type not in RESUME_TYPES[_suffix(filename)]:
            raise UnsupportedMediaType(
                f"{filename!r} is named {_suffix(filename)} but holds {loaded.media_type}; "
                "upload a real PDF, DOCX, TXT or MD resume"
            )
        if not loaded.text.strip():
            raise Unprocessable(
                f"no text found in {filename!r}; if it is a scan, upload a text-based PDF or DOCX"
            )

        profile = await self.ensure_profile(session, identity)
        now = utcnow()
        resume = Resume(id=new_id(), candidate_id=profile.id, title=filename[:200], created_at=now)
        version = ResumeVersion(
            id=new_id(),
            resume_id=resume.id,
            number=1,
            source=ResumeSource.uploaded,
            filename=filename[:255],
            media_type=loaded.media_type,
            text=loaded.text,
            parsed=await _parse_or_none(loaded.text),
            created_at=now,
        )
        path = settings.uploads_dir / profile.id / f"{version.id}{_suffix(filename)}"
        version.file_path = str(path)
        resume.current_version_id = version.id
        profile.current_resume_id = resume.id
        profile.updated_at = now
        ResumeRepository(session).add(resume, version)
        await session.flush()
        await record(
            session,
            EventName.resume_uploaded,
            org_id=identity.org_id,
            user_id=identity.user_id,
            attributes={"media_type": loaded.media_type},
        )
        await asyncio.to_thread(_write_file, path, data)
        on_rollback(session, lambda: asyncio.to_thread(path.unlink, missing_ok=True))
        stored = StoredUpload(profile.id, identity.org_id, identity.user_id, resume.id, version.id)
        await resume_uploaded(session, stored)
        warnings = [*(loaded.warnings or []), *review_flags(loaded.text)]
        return UploadResult(resume, version, loaded.pages, warnings)

    # reads
    async def get(self, session: AsyncSession, identity: Identity, resume_id: str) -> Resume:
        resume = await ResumeRepository(session).resume(viewer_for(identity), resume_id)
        if resume is None:
            raise NotFound(f"resume {resume_id} not found")
        return resume

    async def list(
        self, session: AsyncSession, identity: Identity, limit: int, offset: int
    ) -> tuple[Sequence[Resume], int]:
        require_role(identity, Role.candidate, Role.admin)
        return await ResumeRepository(session).resumes(viewer_for(identity), limit, offset)

    async def versions(
        self, session: AsyncSession, identity: Identity, resume_id: str
    ) -> Sequence[ResumeVersion]:
        await self.get(session, identity, resume_id)
        return await ResumeRepository(session).versions(resume_id)

    async def version(
        self, session: AsyncSession, identity: Identity, resume_id: str, version_id: str
    ) -> ResumeVersion:
        await self.get(session, identity, resume_id)
        version = await ResumeRepository(session).version(resume_id, version_id)
        if version is None:
            raise NotFound(f"version {version_id} of resume {resume_id} not found")
        return version

    async def _version_or_current(
        self, session: AsyncSession, resume: Resume, version_id: str | None
    ) -> ResumeVersion:
        wanted = version_id or resume.current_version_id
        if wanted is None:
            raise NotFound(f"resume {resume.id} has no version yet; upload one")
        version = await ResumeRepository(session).version(resume.id, wanted)
        if version is None:
            raise NotFound(f"version {wanted} of resume {resume.id} not found")
        return version

    async def parsed(
        self, session: AsyncSession, identity: Identity, resume_id: str, version_id: str | None
    ) -> tuple[ResumeVersion, dict[str, Any]]:
        """The stored parse of a version (the current one by default)."""
        resume = await self.get(session, identity, resume_id)
        version = await self._version_or_current(session, resume, version_id)
        parsed = version.parsed
        if not parsed or parsed.get("format") != PARSED_FORMAT:
            # Stored before parsing at upload, by an older parser, or the parse failed:
            # parse now, without turning this read into a write.
            parsed = await asyncio.to_thread(parse_for_storage, version.text)
        return version, parsed

    async def diff(
        self,
        session: AsyncSession,
        identity: Identity,
        resume_id: str,
        from_id: str | None,
        to_id: str | None,
    ) -> VersionDiff:
        """Unified diff between two versions. `to` defaults to the current version, `from`
        to the version `to` was derived from (else the one numbered before it)."""
        resume = await self.get(session, identity, resume_id)
        new = await self._version_or_current(session, resume, to_id)
        if from_id is not None:
            old = await self._version_or_current(session, resume, from_id)
        else:
            repo = ResumeRepository(session)
            parent = new.parent_version_id
            found = await (
                repo.version(resume.id, parent)
                if parent
                else repo.previous_version(resume.id, new.number)
            )
            old = found or new
        text = await asyncio.to_thread(
            unified_diff, old.text, new.text, f"v{old.number}", f"v{new.number}"
        )
        return VersionDiff(old, new, text)

    async def critique(
        self, session: AsyncSession, identity: Identity, resume_id: str, version_id: str | None
    ) -> tuple[ResumeVersion, Critique]:
        """Critique a version (the current one by default) and count it in the funnel."""
        resume = await self.get(session, identity, resume_id)
        version = await self._version_or_current(session, resume, version_id)
        result = await asyncio.to_thread(critique, version.text)
        await record(
            session,
            EventName.resume_critiqued,
            org_id=identity.org_id,
            user_id=identity.user_id,
            attributes={"score": result.score, "findings": len(result.findings)},
        )
        return version, result

    async def set_current(
        self, session: AsyncSession, identity: Identity, resume_id: str, version_id: str
    ) -> Resume:
        version = await self.version(session, identity, resume_id, version_id)
        resume = await self.get(session, identity, resume_id)
        resume.current_version_id = version.id
        await session.flush()
        return resume


resume_service = ResumeService()
