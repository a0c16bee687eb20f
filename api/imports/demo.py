"""The demo data set (`ingest/data/demo`, derived from rjdb, CC BY-SA 4.0).

`load_demo()` is idempotent: `make run` calls it on every start and a second run changes
nothing. Jobs land in the employer organisation `demo`; each demo resume becomes an
opted-in candidate of the organisation `public`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

import typer

from api.imports.service import ImportReport, import_jobs, import_resume
from ingest.bulk import read_job_rows

DEMO_DIR = Path(__file__).resolve().parents[2] / "ingest" / "data" / "demo"
EMPLOYER_ORG = "demo"
CANDIDATE_ORG = "public"

log = logging.getLogger(__name__)
demo_app = typer.Typer(no_args_is_help=True, help="The demo data set.")


async def load_demo() -> tuple[ImportReport, ImportReport]:
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
    log.info(
        "demo data: %d jobs (%d new), %d candidates (%d new)",
        jobs.imported, jobs.created, resumes.imported, resumes.created,
    )  # fmt: skip
    return jobs, resumes


@demo_app.command("load")
def load() -> None:
    """Load (or refresh) the demo jobs and candidates."""
    from core.db import dispose_engines

    async def main() -> tuple[ImportReport, ImportReport]:
        try:
            return await load_demo()
        finally:
            await dispose_engines()

    jobs, resumes = asyncio.run(main())
    typer.echo(f"demo: {jobs.imported} jobs, {resumes.imported} candidates")
