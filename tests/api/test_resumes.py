"""Resumes: upload, limits and bad files (nothing stored), versions, profile, erasure."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
import pytest
from docx import Document
from fpdf import FPDF
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db import session_scope
from core.models import (
    ApiKey,
    AuditLog,
    CandidateProfile,
    MatchResult,
    MetricEvent,
    Resume,
    ResumeVersion,
    Task,
    TaskKind,
    User,
    new_id,
)
from core.settings import get_settings, reset_settings_cache
from ingest.index import get_index, reset_index_cache
from tests.fixtures import documents as docs
from tests.helpers.db import count_rows
from tests.plugins.api import Key, MakeKey

RESUME = (
    b"Sam Lee\nsam@example.org\nData engineer, 4 years.\nExperience\n"
    b"Data Engineer, Foo Ltd (2020 - 2024)\n- Built Airflow pipelines moving 5TB/day\n"
    b"Skills: Python, SQL, Airflow, Spark\n"
)


def _pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    for line in RESUME.decode().splitlines():
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _docx() -> bytes:
    document = Document()
    for line in RESUME.decode().splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


async def _upload(
    client: httpx.AsyncClient,
    key: Key,
    name: str,
    data: bytes,
    mime: str = "application/octet-stream",
) -> httpx.Response:
    return await client.post(
        "/api/v1/resumes", files={"file": (name, data, mime)}, headers=key.headers
    )


def _stored_files() -> list[Path]:
    root = get_settings().uploads_dir
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    ("name", "make", "media_type"),
    [
        ("resume.txt", lambda: RESUME, "text/plain"),
        ("resume.pdf", _pdf, "application/pdf"),
        (
            "resume.docx",
            _docx,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
async def test_upload_creates_profile_resume_version_and_file(
    client: httpx.AsyncClient, make_key: MakeKey, name: str, make: Any, media_type: str
) -> None:
    key = await make_key("public", "candidate")
    answer = await _upload(client, key, name, make())
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["id"] and body["candidate_id"] and body["version_number"] == 1
    assert body["media_type"] == media_type and body["current_version_id"] == body["version_id"]
    [stored] = _stored_files()
    assert stored.parent.name == body["candidate_id"]
    version = await client.get(
        f"/api/v1/resumes/{body['id']}/versions/{body['version_id']}", headers=key.headers
    )
    assert "Airflow" in version.json()["text"] and version.json()["source"] == "uploaded"
    profile = (await client.get("/api/v1/candidates/me", headers=key.headers)).json()
    assert profile["id"] == body["candidate_id"] and profile["current_resume_id"] == body["id"]
    assert profile["open_to_employers"] is False


async def test_second_upload_reuses_the_profile(
    client: httpx.AsyncClient, make_key: MakeKey
) -> None:
    key = await make_key("public", "candidate")
    first = (await _upload(client, key, "a.txt", RESUME)).json()
    second = (await _upload(client, key, "b.md", b"# Sam\n- Python\n- SQL\n")).json()
    assert first["candidate_id"] == second["candidate_id"] and first["id"] != second["id"]
    listed = (await client.get("/api/v1/resumes", headers=key.headers)).json()
    assert listed["total"] == 2 and listed["items"][0]["id"] == second["id"]
    versions = await client.get(f"/api/v1/resumes/{first['id']}/versions", headers=key.headers)
    assert [v["number"] for v in versions.json()] == [1]
    same = await client.put(
        f"/api/v1/resumes/{first['id']}/current",
        json={"version_id": first["version_id"]},
        headers=key.headers,
    )
    assert same.status_code == 200 and same.json()["current_version_id"] == first["version_id"]
    wrong = await client.put(
        f"/api/v1/resumes/{first['id']}/current",
        json={"version_id": second["version_id"]},
        headers=key.headers,
    )
    assert wrong.status_code == 404


@pytest.mark.parametrize(
    ("name", "data", "status"),
    [
        ("big.txt", b"a" * 100_000, 413),  # the request is past the app's body limit
        ("edge.txt", b"a" * 2100, 413),  # body fits the envelope, the file does not
        ("cv.pdf", b"this is not a pdf", 415),  # faked extension
        ("cv.pdf", b"%PDF-1.4\n1 0 obj <<>> garbage", 422),  # corrupt PDF
        ("cv.docx", b"PK\x03\x04broken zip", 422),
        ("empty.txt", b"", 422),
        ("blank.txt", b"   \n\t ", 422),
        ("photo.png", b"\x89PNG\r\n\x1a\n0000", 415),
        ("cv.exe", RESUME, 415),
    ],
)
async def test_bad_uploads_are_refused_and_nothing_is_stored(
    engine: AsyncEngine,
    make_key: MakeKey,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    data: bytes,
    status: int,
) -> None:
    monkeypatch.setenv("CLEARVIEW_UPLOAD_MAX_BYTES", "2048")
    from api.app import MULTIPART_ENVELOPE
    from clearview.app import build_app
    from core.settings import reset_settings_cache

    reset_settings_cache()
    assert 2100 < 2048 + MULTIPART_ENVELOPE < 100_000  # the two 413 cases take different paths
    key = await make_key("public", "candidate")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=build_app()), base_url="http://t"
    ) as client:
        answer = await _upload(client, key, name, data)
    assert answer.status_code == status, answer.text
    assert set(answer.json()) == {"error", "detail"} and answer.json()["detail"]
    for model in (CandidateProfile, Resume, ResumeVersion):
        assert await count_rows(engine, model) == 0, model
    assert _stored_files() == []


async def test_a_file_too_costly_to_read_is_refused_and_the_next_one_is_read(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    make_key: MakeKey,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """11 kB of PDF that takes seconds of CPU to lay out: read in a process of its own,
    stopped at the CPU limit, 422 naming it; the service and the next upload are fine."""
    monkeypatch.setenv("CLEARVIEW_PARSE_CPU_S", "1")
    reset_settings_cache()
    key = await make_key("public", "candidate")
    answer = await _upload(client, key, "costly.pdf", docs.costly_pdf())
    assert answer.status_code == 422, answer.text
    assert "takes more than 1 s of CPU to read; the limit is 1 s" in answer.json()["detail"]
    for model in (CandidateProfile, Resume, ResumeVersion):
        assert await count_rows(engine, model) == 0, model
    assert _stored_files() == []

    assert (await _upload(client, key, "cv.txt", RESUME)).status_code == 201


async def test_a_failed_transaction_removes_the_written_file(
    app: Any, make_key: MakeKey, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = await make_key("public", "candidate")
    # As a server would: the 500 is answered, not re-raised into the client.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    # The vector index is down: the upload's index write, just before the commit, fails
    # after the file was written.
    monkeypatch.setenv("CLEARVIEW_CHROMA", "http://127.0.0.1:9")
    reset_settings_cache()
    reset_index_cache()
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            answer = await _upload(client, key, "cv.txt", RESUME)
    finally:
        reset_index_cache()
    assert answer.status_code == 500 and answer.json()["error"] == "internal_error"
    assert "127.0.0.1" not in answer.text
    assert await count_rows(engine, Resume) == 0
    assert _stored_files() == []


async def test_profile_update_and_opt_in(client: httpx.AsyncClient, make_key: MakeKey) -> None:
    key = await make_key("public", "candidate")
    assert (await client.get("/api/v1/candidates/me", headers=key.headers)).status_code == 404
    resume_id = (await _upload(client, key, "cv.txt", RESUME)).json()["id"]

    def visible() -> bool:
        return bool(get_index().metadata("resumes", [resume_id])[resume_id]["open_to_employers"])

    assert not visible()
    on = await client.patch(
        "/api/v1/candidates/me",
        json={"open_to_employers": True, "location": "Berlin"},
        headers=key.headers,
    )
    assert on.status_code == 200 and on.json()["open_to_employers"] is True
    assert visible()  # employer search shows them from the commit on
    off = await client.patch(
        "/api/v1/candidates/me", json={"open_to_employers": False}, headers=key.headers
    )
    assert off.json()["open_to_employers"] is False and off.json()["location"] == "Berlin"
    assert not visible()


@pytest.mark.parametrize("by", ["self", "admin"])
async def test_erasure_removes_rows_and_files_and_keeps_an_audit_row(
    client: httpx.AsyncClient, make_key: MakeKey, engine: AsyncEngine, by: str
) -> None:
    key = await make_key("public", "candidate")
    bystander = await make_key("public", "candidate")
    admin = await make_key("public", "admin")
    employer = await make_key("org-a", "employer")
    kept = (await _upload(client, bystander, "cv.txt", RESUME)).json()
    first = (await _upload(client, key, "cv.txt", RESUME)).json()
    second = (await _upload(client, key, "cv.pdf", _pdf())).json()
    candidate_id = first["candidate_id"]
    job = (
        await client.post(
            "/api/v1/jobs", json={"title": "DE", "description": "x"}, headers=employer.headers
        )
    ).json()
    async with session_scope(engine) as session:  # cached match and a task payload of theirs
        session.add(
            Task(
                id=new_id(),
                org_id=key.org_id,
                user_id=key.user_id,
                kind=TaskKind.match_jobs,
                payload={"resume": first["id"]},
            )
        )
        session.add(
            MatchResult(
                id=new_id(),
                org_id=employer.org_id,
                job_id=job["id"],
                resume_id=first["id"],
                candidate_id=candidate_id,
                rank=1,
                score=0.9,
                details={},
            )
        )
    assert len(_stored_files()) == 3
    resume_ids = [first["id"], second["id"]]
    assert get_index().metadata("resumes", resume_ids)  # the current one is indexed
    actor = key if by == "self" else admin
    answer = await client.delete(f"/api/v1/candidates/{candidate_id}", headers=actor.headers)
    assert answer.status_code == 204, answer.text

    assert get_index().metadata("resumes", resume_ids) == {}
    assert await count_rows(engine, CandidateProfile, CandidateProfile.id == candidate_id) == 0
    assert await count_rows(engine, Resume, Resume.candidate_id == candidate_id) == 0
    assert await count_rows(engine, ResumeVersion, ResumeVersion.resume_id.in_(resume_ids)) == 0
    assert await count_rows(engine, MatchResult, MatchResult.candidate_id == candidate_id) == 0
    assert await count_rows(engine, Task, Task.user_id == key.user_id) == 0
    assert await count_rows(engine, User, User.id == key.user_id) == 0
    assert await count_rows(engine, ApiKey, ApiKey.user_id == key.user_id) == 0
    assert await count_rows(engine, MetricEvent, MetricEvent.user_id == key.user_id) == 0
    assert await count_rows(engine, MetricEvent, MetricEvent.name == "resume_uploaded") == 3
    assert [p.parent.name for p in _stored_files()] == [kept["candidate_id"]]
    assert (
        await client.get(f"/api/v1/resumes/{first['id']}", headers=key.headers)
    ).status_code == 401
    assert (
        await client.get(f"/api/v1/resumes/{kept['id']}", headers=bystander.headers)
    ).status_code == 200

    async with session_scope(engine) as session:
        [audit] = (await session.scalars(select(AuditLog))).all()
    assert (audit.action, audit.subject_id) == ("candidate.erased", candidate_id)
    assert audit.details == {
        "by": "candidate" if by == "self" else "admin",
        "resumes": 2,
        "versions": 2,
        "files": 2,
        "conversations": 0,
    }
    assert audit.actor_id == (None if by == "self" else admin.user_id)
    again = await client.delete(f"/api/v1/candidates/{candidate_id}", headers=admin.headers)
    assert again.status_code == 404


async def test_chunked_upload_is_cut_off_at_the_limit(
    engine: AsyncEngine, make_key: MakeKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a Content-Length the body is counted while it streams in."""
    monkeypatch.setenv("CLEARVIEW_UPLOAD_MAX_BYTES", "2048")
    from clearview.app import build_app
    from core.settings import reset_settings_cache

    reset_settings_cache()
    key = await make_key("public", "candidate")
    sent: list[int] = []

    async def body() -> Any:
        yield b'--xx\r\nContent-Disposition: form-data; name="file"; filename="cv.txt"\r\n\r\n'
        for _ in range(1000):  # 1000 x 1 KiB; the limit is about 66 KiB
            sent.append(1)
            yield b"a" * 1024
        yield b"\r\n--xx--\r\n"

    headers = {**key.headers, "content-type": "multipart/form-data; boundary=xx"}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=build_app()), base_url="http://t"
    ) as client:
        answer = await client.post("/api/v1/resumes", content=body(), headers=headers)
    assert answer.status_code == 413 and answer.json()["error"] == "payload_too_large"
    assert len(sent) < 100  # stopped reading soon after the limit, not at the end
    assert await count_rows(engine, Resume) == 0 and _stored_files() == []
