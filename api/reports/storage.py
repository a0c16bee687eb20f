"""Reports generated in the background: files under the data directory, and their erasure.

A background report is stored in every format at once (JSON, HTML, PDF, and its charts
as SVG when it has any), so whoever asked in one format can fetch another (the chat
wants the PDF and the chart). A report task's result holds links and sizes only; the
bytes live in `<data dir>/reports/<org id>/<task id>.<format>`, the volume every process
of a deployment already shares for uploads, served back through
`GET /api/v1/reports/tasks/{task_id}/download?format=...` with the task's visibility.

Erasing a candidate removes their own stored reports and every stored shortlist that
lists them (the result keeps the listed candidate ids for that), in the erasure's
transaction for the rows and right after it for the files, as uploads are.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.reports.repository import ReportRepository
from core.settings import get_settings


def report_dir(org_id: str) -> Path:
    return get_settings().data_dir.resolve() / "reports" / org_id


def report_path(org_id: str, task_id: str, fmt: str) -> Path:
    return report_dir(org_id) / f"{task_id}.{fmt}"


def download_url(task_id: str, fmt: str) -> str:
    return f"/api/v1/reports/tasks/{task_id}/download?format={fmt}"


def write_file(path: Path, body: bytes) -> None:
    """Write whole or not at all: a reader never sees half a PDF."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(body)
    os.replace(partial, path)


def remove_files(paths: Sequence[Path]) -> int:
    removed = 0
    for path in paths:
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            pass
    return removed


def _lists(result: dict[str, Any] | None, candidate_id: str) -> bool:
    return candidate_id in (result or {}).get("candidate_ids", ())


async def erase_reports(session: AsyncSession, user_id: str, candidate_id: str) -> None:
    """Forget the stored reports about the candidate (their own, and the shortlists that
    list them): rows now, files right after."""
    repo = ReportRepository(session)
    doomed = [
        row
        for row in await repo.stored_reports()
        if row.user_id == user_id or _lists(row.result, candidate_id)
    ]
    if not doomed:
        return
    await repo.forget_results([row.id for row in doomed])
    paths = [
        report_path(row.org_id, row.id, fmt)
        for row in doomed
        for fmt in (row.result or {}).get("files", {})
    ]
    await asyncio.to_thread(remove_files, paths)
