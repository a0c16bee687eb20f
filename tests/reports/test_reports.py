"""Reports on SQLite and PostgreSQL: contents match the services they summarise, the three
formats carry the same data, the shortlist is blind, the HTML is standalone, the PDF opens
and reads back, and another tenant gets a 404."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from pypdf import PdfReader
from sqlalchemy.ext.asyncio import AsyncEngine

from api.reports.pdf import latin1
from api.reports.service import diff_counts, pseudonym
from core.db import session_scope
from core.models import ResumeSource, ResumeVersion, new_id, utcnow
from tests.fixtures.matching import ANALYST, NURSE_RESUME, RESUME
from tests.helpers.reports import CANDIDATE_SECTIONS, OUTSIDE
from tests.helpers.upload import Candidate, import_jobs, upload_candidate
from tests.plugins.api import Key, MakeKey
from tests.plugins.browser import CHROMIUM

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "reports"


async def _report(
    client: httpx.AsyncClient, key: Key, path: str, fmt: str, **params: str
) -> httpx.Response:
    return await client.get(
        f"/api/v1/reports/{path}", params={"format": fmt, **params}, headers=key.headers
    )


def _pdf_text(answer: httpx.Response) -> str:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"].startswith("attachment; filename=")
    assert answer.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(answer.content))
    return " ".join(page.extract_text() or "" for page in reader.pages)


def _html(answer: httpx.Response) -> str:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert answer.text.startswith("<!DOCTYPE html>")
    assert not OUTSIDE.search(answer.text), OUTSIDE.search(answer.text)
    return answer.text


def _json(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    body: dict[str, Any] = answer.json()
    return body


async def _add_rewrite(engine: AsyncEngine, candidate: Candidate, job_id: str) -> None:
    """A rewritten, accepted version with a stored diff of 2 added and 1 removed lines."""
    diff = "--- v1\n+++ v2\n@@ -1,2 +1,3 @@\n-old line\n+new line\n+another line\n same\n"
    async with session_scope(engine) as session:
        session.add(
            ResumeVersion(
                id=new_id(),
                resume_id=candidate.resume_id,
                number=2,
                source=ResumeSource.rewritten,
                text=ANALYST + "- Presented results to the board\n",
                target_job_id=job_id,
                diff=diff,
                accepted=True,
                created_at=utcnow(),
            )
        )


async def test_candidate_report_matches_the_services(
    client: httpx.AsyncClient, make_key: MakeKey, engine: AsyncEngine
) -> None:
    ids = await import_jobs(client, await make_key("org-a", "employer"))
    me = await upload_candidate(client, await make_key("public", "candidate"), ANALYST)
    await _add_rewrite(engine, me, ids["data-eng"])
    path = f"candidates/{me.candidate_id}"

    report = _json(await client.get(f"/api/v1/reports/{path}", headers=me.key.headers))
    assert report["candidate_id"] == me.candidate_id and report["version"] == 1
    assert "SQL" in report["skills"]

    # Top matches: exactly what the match endpoint answers for the same resume.
    matched = await client.post(
        "/api/v1/match/jobs", json={"resume_id": me.resume_id, "top_k": 8}, headers=me.key.headers
    )
    expected = matched.json()["matches"]
    assert 5 <= len(report["matches"]) <= 10
    assert [(m["job_id"], m["score"]) for m in report["matches"]] == [
        (m["job_id"], m["score"]) for m in expected
    ]
    assert report["matches"][0]["job_id"] == ids["data-eng"]
    assert "SQL" in report["matches"][0]["matched_skills"]

    # Skill gap: counted from the matches themselves, with the candidate's verdict.
    gap = {row["skill"]: row for row in report["skill_gap"]}
    for skill, row in gap.items():
        asking = [
            m
            for m in expected
            if skill in m["matched_skills"] + m["missing_required"] + m["missing_preferred"]
        ]
        assert row["jobs"] == len(asking)
        assert row["has"] == any(skill in m["matched_skills"] for m in asking)
    assert gap["SQL"]["has"] is True and gap["Apache Airflow"]["has"] is False
    assert [row["jobs"] for row in report["skill_gap"]] == sorted(
        (row["jobs"] for row in report["skill_gap"]), reverse=True
    )

    # Critique: the same as the resumes service's own critique of that version.
    critique = await client.post(f"/api/v1/resumes/{me.resume_id}/critique", headers=me.key.headers)
    assert critique.status_code == 200, critique.text
    assert report["critique"]["score"] == critique.json()["score"]
    assert len(report["critique"]["findings"]) == len(critique.json()["findings"])

    assert report["rewrites"] == [
        {
            "version": 2,
            "created_at": report["rewrites"][0]["created_at"],
            "target_job_id": ids["data-eng"],
            "target_job_title": "Data Engineer",
            "accepted": True,
            "lines_added": 2,
            "lines_removed": 1,
        }
    ]

    text = _pdf_text(await _report(client, me.key, path, "pdf"))
    for heading in CANDIDATE_SECTIONS:
        assert heading in text
    assert "SQL" in text and "Data Engineer" in text and "match" in text

    html = _html(await _report(client, me.key, path, "html"))
    for heading in CANDIDATE_SECTIONS:
        assert f"<h2>{heading}</h2>" in html
    # One bar per skill of the chart, drawn in the page itself.
    assert html.count("<rect ") == len(report["skill_gap"])
    assert "Apache Airflow" in html and "+2" in html


async def test_candidate_report_without_jobs_still_names_skills_and_matches(
    client: httpx.AsyncClient, make_key: MakeKey
) -> None:
    """The acceptance scenario: a fresh instance with no job yet."""
    me = await upload_candidate(client, await make_key("public", "candidate"), ANALYST)
    path = f"candidates/{me.candidate_id}"
    assert _json(await _report(client, me.key, path, "json"))["matches"] == []
    text = _pdf_text(await _report(client, me.key, path, "pdf")).lower()
    assert "sql" in text and "match" in text
    assert "no rewrites yet" in _html(await _report(client, me.key, path, "html")).lower()


async def test_candidate_report_is_the_candidates_own(
    client: httpx.AsyncClient, make_key: MakeKey
) -> None:
    me = await upload_candidate(client, await make_key("public", "candidate"), ANALYST)
    path = f"candidates/{me.candidate_id}"
    admin = await make_key("public", "admin")
    assert (await _report(client, admin, path, "json")).status_code == 200

    someone = await make_key("public", "candidate")
    employer = await make_key("public", "employer")
    other_admin = await make_key("org-z", "admin")
    for key in (someone, employer, other_admin):
        for fmt in ("json", "pdf"):
            answer = await _report(client, key, path, fmt)
            assert answer.status_code == 404, (key, fmt, answer.text)
            assert answer.json()["error"] == "not_found"
    assert (await _report(client, me.key, "candidates/nope", "json")).status_code == 404
    bad = await _report(client, me.key, path, "docx")
    assert bad.status_code == 422


def _without(ids: list[str], text: str) -> str:
    """`text` with each of `ids` replaced, also where a PDF cell wrapped it across lines."""
    for id_ in ids:
        text = re.sub(r"\s*".join(id_), "<id>", text)
    return text


async def test_shortlist_is_blind_unless_the_candidate_consents(
    client: httpx.AsyncClient, make_key: MakeKey
) -> None:
    employer = await make_key("org-a", "employer")
    ids = await import_jobs(client, employer)
    blind = await upload_candidate(
        client, await make_key("public", "candidate"), RESUME, open_to_employers=True
    )
    consenting = await upload_candidate(
        client,
        await make_key("public", "candidate"),
        RESUME.replace("Jordan Smith", "Priya Raman")
        .replace("jordan.smith@mail.com", "priya.raman@example.net")
        .replace("+1 555 0100", "+1 555 0142"),
        open_to_employers=True,
        contact_consent=True,
    )
    hidden = await upload_candidate(client, await make_key("public", "candidate"), RESUME)
    nurse = await upload_candidate(
        client, await make_key("public", "candidate"), NURSE_RESUME, open_to_employers=True
    )
    path = f"jobs/{ids['py-backend']}/shortlist"

    report = _json(await _report(client, employer, path, "json"))
    ranked = await client.post(
        "/api/v1/match/candidates",
        json={"job_id": ids["py-backend"], "top_k": 20},
        headers=employer.headers,
    )
    expected = ranked.json()["matches"]
    rows = report["candidates"]
    assert [(r["candidate_id"], r["score"], r["reasons"]) for r in rows] == [
        (m["candidate_id"], m["score"], m["reasons"]) for m in expected
    ]
    assert [r["label"] for r in rows] == [pseudonym(i) for i in range(1, len(rows) + 1)]
    by_id = {r["candidate_id"]: r for r in rows}
    assert hidden.candidate_id not in by_id  # not opted in
    assert {blind.candidate_id, consenting.candidate_id, nurse.candidate_id} <= set(by_id)
    assert by_id[consenting.candidate_id]["contact_email"] == "priya.raman@example.net"
    assert by_id[blind.candidate_id]["contact_email"] is None
    assert by_id[nurse.candidate_id]["missing_required"]  # gaps are shown

    html = _html(await _report(client, employer, path, "html"))
    pdf = _pdf_text(await _report(client, employer, path, "pdf"))
    # Table cells wrap long words in the PDF: also search its text without any whitespace.
    compact = re.sub(r"\s+", "", pdf)
    # Random hex ids may happen to hold "1990" or a phone's digits: they are taken out first.
    shown_ids = [report["job_id"], *(r["candidate_id"] for r in rows)]
    for rendered in (_without(shown_ids, text) for text in (str(report), html, pdf, compact)):
        for personal in (
            "Jordan",
            "Smith",
            "jordan.smith@mail.com",
            "555 0100",
            "5550100",
            "Maria",
            "Garcia",
            "maria.garcia@example.com",
            "Priya",
            "555 0142",
            "5550142",
            "1990",
        ):
            assert personal not in rendered, personal
    assert "priya.raman@example.net" in html and "priya.raman@example.net" in compact
    assert "Candidate A" in pdf and "Ranked candidates" in pdf

    # Another organisation's employer, and a candidate, cannot read it.
    stranger = await make_key("org-b", "employer")
    assert (await _report(client, stranger, path, "pdf")).status_code == 404
    assert (await _report(client, blind.key, path, "json")).status_code == 404


async def test_funnel_report_matches_the_metrics_summary(
    client: httpx.AsyncClient, make_key: MakeKey
) -> None:
    employer, other = await make_key("org-a", "employer"), await make_key("org-b", "employer")
    events = [("resume_uploaded", 4), ("resume_critiqued", 3), ("match_served", 2)]
    for name, count in events:
        for _ in range(count):
            answer = await client.post(
                "/api/v1/metrics/events", json={"name": name}, headers=employer.headers
            )
            assert answer.status_code == 201
    for ms in (100, 300, 900):
        await client.post(
            "/api/v1/metrics/events",
            json={"name": "task_finished", "duration_ms": ms},
            headers=employer.headers,
        )
    await client.post(
        "/api/v1/metrics/events",
        json={"name": "llm_call", "tokens_in": 1200, "tokens_out": 300, "cost_usd": 0.0021},
        headers=employer.headers,
    )
    summary = (await client.get("/api/v1/metrics/summary", headers=employer.headers)).json()
    report = _json(await _report(client, employer, "funnel", "json"))
    assert (
        report["summary"]["funnel"]
        == summary["funnel"]
        == {
            "resumes_uploaded": 4,
            "critiqued": 3,
            "rewritten": 0,
            "matched": 2,
        }
    )
    assert report["summary"]["tasks"]["latency_ms_p50"] == 300
    assert report["summary"]["tasks"] == summary["tasks"]
    assert report["summary"]["llm_per_day"] == summary["llm_per_day"]

    pdf = _pdf_text(await _report(client, employer, "funnel", "pdf"))
    for heading in ("Funnel", "Task latency", "LLM usage", "Resumes uploaded", "300 ms", "1200"):
        assert heading in pdf, heading
    html = _html(await _report(client, employer, "funnel", "html"))
    assert html.count("<svg ") == 2 and html.count("<rect ") == 7

    # Another organisation sees its own (empty) figures; a candidate is refused.
    theirs = _json(await _report(client, other, "funnel", "json"))
    assert theirs["summary"]["funnel"]["resumes_uploaded"] == 0
    candidate = await make_key("org-a", "candidate")
    assert (await _report(client, candidate, "funnel", "json")).status_code == 403
    period = await _report(
        client, employer, "funnel", "json", since="2026-02-01T00:00:00", until="2026-01-01T00:00:00"
    )
    assert period.status_code == 400


async def test_html_report_renders_in_chromium(
    client: httpx.AsyncClient, make_key: MakeKey
) -> None:
    from playwright.async_api import async_playwright

    await import_jobs(client, await make_key("org-a", "employer"))
    me = await upload_candidate(client, await make_key("public", "candidate"), ANALYST)
    html = _html(await _report(client, me.key, f"candidates/{me.candidate_id}", "html"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "candidate-report.png"
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = await browser.new_page(viewport={"width": 1100, "height": 900})
            outside: list[str] = []
            page.on("request", lambda r: outside.append(r.url))
            await page.set_content(html, wait_until="load")
            headings = await page.locator("h2").all_inner_texts()
            bars = await page.locator("svg rect").count()
            width = await page.locator("svg").first.evaluate("e => e.getBoundingClientRect().width")
            await page.screenshot(path=str(shot), full_page=True)
        finally:
            await browser.close()
    assert headings == list(CANDIDATE_SECTIONS)
    assert bars > 0 and width > 300
    assert outside == []  # standalone: the page asked the network for nothing
    assert shot.stat().st_size > 10_000


def test_helpers() -> None:
    assert [pseudonym(n) for n in (1, 2, 26, 27, 28)] == [
        "Candidate A",
        "Candidate B",
        "Candidate Z",
        "Candidate AA",
        "Candidate AB",
    ]
    assert diff_counts("--- a\n+++ b\n@@ -1 +1,2 @@\n-x\n+y\n+z\n ctx\n") == (2, 1)
    assert latin1("“Led” — 5 teams • naïve ☃") == '"Led" - 5 teams * naïve ?'


@pytest.mark.parametrize("fmt", ["json", "html", "pdf"])
async def test_each_format_has_its_content_type(
    client: httpx.AsyncClient, make_key: MakeKey, fmt: str
) -> None:
    employer = await make_key("org-a", "employer")
    answer = await _report(client, employer, "funnel", fmt)
    assert answer.status_code == 200
    media = {"json": "application/json", "html": "text/html", "pdf": "application/pdf"}[fmt]
    assert answer.headers["content-type"].startswith(media)
    if fmt != "json":
        assert f'filename="funnel-report.{fmt}"' in answer.headers["content-disposition"]
