"""The demo data set (`ingest/data/demo`, derived from rjdb, CC BY-SA 4.0).

`load_demo()` is idempotent: `make run` calls it on every start and a second run changes
nothing. Jobs land in the employer organisation `demo`; each demo resume becomes an
opted-in candidate of the organisation `public`.

Two people can sign in to the chat with the password `demo`: `candidate@demo.clearview`
(organisation `public`, opted in, the first demo resume uploaded) and
`employer@demo.clearview` (organisation `demo`, which owns the demo jobs).
"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

from api.identity.service import identity_service
from api.imports.service import ImportReport, import_jobs, import_resume
from api.resumes.repository import ResumeRepository
from core.db import session_scope
from core.errors import Forbidden
from core.models import Role
from core.passwords import hash_password
from core.settings import Mode, get_settings
from ingest.bulk import read_job_rows

DEMO_DIR = Path(__file__).resolve().parents[2] / "ingest" / "data" / "demo"
EMPLOYER_ORG = "demo"
CANDIDATE_ORG = "public"
DEMO_CANDIDATE = "candidate@demo.clearview"
DEMO_EMPLOYER = "employer@demo.clearview"
DEMO_PASSWORD = "demo"

log = logging.getLogger(__name__)


async def load_demo() -> tuple[ImportReport, ImportReport]:
    if get_settings().mode is Mode.prod:
        # Its users sign in with a published password.
        raise Forbidden("the demo data is never loaded in prod mode (its password is public)")
    jobs = await import_jobs(EMPLOYER_ORG, read_job_rows(DEMO_DIR / "jobs.jsonl"))
    resumes = ImportReport()
    lines = (DEMO_DIR / "resumes.jsonl").read_text(encoding="utf-8").splitlines()
    for line in lines:
        item = json.loads(line)
        status, resume_id = await import_resume(
            CANDIDATE_ORG,
            f"{item['external_id']}.md",
            item["text"].encode(),
            item["external_id"],
            open_to_employers=True,
        )
        setattr(resumes, status, getattr(resumes, status) + 1)
        resumes.ids[item["external_id"]] = resume_id
    await _demo_user(EMPLOYER_ORG, DEMO_EMPLOYER, Role.employer)
    if not await _demo_user(CANDIDATE_ORG, DEMO_CANDIDATE, Role.candidate):
        first = json.loads(lines[0])
        await import_resume(
            CANDIDATE_ORG,
            f"{first['external_id']}.md",
            first["text"].encode(),
            DEMO_CANDIDATE,
            open_to_employers=True,
        )
    log.info(
        "demo data: %d jobs (%d new), %d candidates (%d new)",
        jobs.imported, jobs.created, resumes.imported, resumes.created,
    )  # fmt: skip
    return jobs, resumes


async def _demo_user(org_slug: str, username: str, role: Role) -> bool:
    """Create the sign-in user `username` with the demo password, once; whether the user
    already has a current resume (a candidate who uploaded one keeps it across restarts)."""
    async with session_scope() as session:
        org = await identity_service.get_or_create_org(session, org_slug)
        user = await identity_service.get_or_create_user(session, org.id, username, role)
        if user.password_hash is None:
            user.password_hash = await asyncio.to_thread(hash_password, DEMO_PASSWORD)
            user.display_name = f"Demo {role.value}"
            await session.flush()
        profile = await ResumeRepository(session).profile_for_user(user.id)
        return profile is not None and profile.current_resume_id is not None
