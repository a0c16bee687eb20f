"""Bulk import of jobs and resumes for an organisation (the `clearview ingest` commands).

Jobs go through the same service as the API (`JobService.bulk_upsert`), a chunk per
transaction: a row is imported whole or not at all, a bad row is reported with its line
and skipped, and a re-import updates by `external_id` instead of duplicating. What
follows a change of jobs (`api.flows.jobs`) keeps the vector index in step inside each
chunk's transaction, so when `import_jobs`
returns, every imported row is searchable; it checks, and reports any that is not.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from api.identity.schemas import Identity
from api.identity.service import identity_service
from api.jobs.schemas import JobImport, JobImportItem
from api.jobs.service import job_service
from api.resumes.repository import ResumeRepository
from api.resumes.schemas import ProfileUpdate
from api.resumes.service import resume_service
from core.db import session_scope
from core.errors import ClearViewError
from core.models import Role
from ingest.bulk import Row
from ingest.index import get_index
from ingest.sandbox import read_document

CHUNK = 200
Progress = Callable[[int], None]


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: list[tuple[int | str, str]] = field(default_factory=list)  # (line or file, why)
    ids: dict[str, str] = field(default_factory=dict)  # external id or file -> our id
    not_searchable: list[str] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.created + self.updated + self.unchanged


def _validation_message(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"]) or "row"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)


async def _actor(session: AsyncSession, org_slug: str, username: str, role: Role) -> Identity:
    """The user the import acts as, created on first use (no API key is issued)."""
    org = await identity_service.get_or_create_org(session, org_slug)
    user = await identity_service.get_or_create_user(session, org.id, username, role)
    return Identity(key_id="cli", user_id=user.id, org_id=org.id, role=user.role)


async def import_jobs(
    org_slug: str, rows: Iterable[Row], *, on_progress: Progress | None = None
) -> ImportReport:
    report = ImportReport()
    seen: dict[str, int] = {}
    chunk: list[tuple[int, JobImportItem]] = []

    async def flush() -> None:
        if not chunk:
            return
        async with session_scope() as session:
            actor = await _actor(session, org_slug, "importer", Role.admin)
            batch = JobImport.model_construct(jobs=[item for _, item in chunk])
            result = await job_service.bulk_upsert(session, actor, batch)
        report.created += result.created
        report.updated += result.updated
        report.unchanged += result.unchanged
        report.ids.update(result.ids)
        if on_progress:
            on_progress(len(chunk))
        chunk.clear()

    for row in rows:
        if row.error is not None or row.data is None:
            report.failed.append((row.line, row.error or "empty row"))
            if on_progress:
                on_progress(1)
            continue
        try:
            item = JobImportItem.model_validate(row.data)
        except ValidationError as exc:
            report.failed.append((row.line, _validation_message(exc)))
            if on_progress:
                on_progress(1)
            continue
        if item.external_id in seen:
            report.failed.append(
                (
                    row.line,
                    f"external_id {item.external_id!r} repeats line {seen[item.external_id]}",
                )
            )
            if on_progress:
                on_progress(1)
            continue
        seen[item.external_id] = row.line
        chunk.append((row.line, item))
        if len(chunk) >= CHUNK:
            await flush()
    await flush()
    report.not_searchable = await _missing_from_index("jobs", list(report.ids.values()))
    return report


async def _missing_from_index(kind: str, ids: list[str]) -> list[str]:
    if not ids:
        return []
    index = get_index()
    found: set[str] = set()
    for start in range(0, len(ids), 1000):
        part = ids[start : start + 1000]
        found.update(await asyncio.to_thread(index.metadata, kind, part))  # type: ignore[arg-type]
    return [item for item in ids if item not in found]


def _username_for(path: Path) -> str:
    """A stable user per imported file, so a re-import updates instead of duplicating."""
    stem = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")[:60] or "resume"
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:8]
    return f"import-{stem}-{digest}"


async def import_resume(
    org_slug: str, filename: str, data: bytes, username: str, *, open_to_employers: bool
) -> tuple[str, str]:
    """One resume as its own candidate; returns (status, resume id). Raises on bad files."""
    async with session_scope() as session:
        actor = await _actor(session, org_slug, username, Role.candidate)
        previous = await ResumeRepository(session).current_text_of_user(actor.user_id)
        if previous is not None:
            loaded = await read_document(data, filename)
            if loaded.text == previous:
                profile = await resume_service.own_profile(session, actor)
                return "unchanged", (profile.current_resume_id or "") if profile else ""
        result = await resume_service.upload(session, actor, data, filename)
        await resume_service.update_profile(
            session, actor, ProfileUpdate(open_to_employers=open_to_employers)
        )
        return ("updated" if previous is not None else "created"), result.resume.id


async def import_resumes(
    org_slug: str,
    files: list[Path],
    *,
    open_to_employers: bool = False,
    on_progress: Progress | None = None,
) -> ImportReport:
    report = ImportReport()
    for path in files:
        try:
            data = await asyncio.to_thread(path.read_bytes)
            status, resume_id = await import_resume(
                org_slug, path.name, data, _username_for(path), open_to_employers=open_to_employers
            )
        except ClearViewError as exc:
            report.failed.append((str(path), exc.detail))
        except OSError as exc:
            report.failed.append((str(path), f"cannot read: {exc.strerror}"))
        else:
            setattr(report, status, getattr(report, status) + 1)
            report.ids[str(path)] = resume_id
        if on_progress:
            on_progress(1)
    return report
