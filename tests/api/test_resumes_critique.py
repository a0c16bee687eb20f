"""Resume critique (findings at exact lines, score, funnel event) and the parsed view
it builds on."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.resumes.critique import MAX_PAGES, critique, starts_with_action_verb
from api.resumes.service import PARSED_FORMAT
from core.db import session_scope
from core.models import MetricEvent, ResumeVersion
from tests.helpers.db import count_rows
from tests.plugins.api import Key, MakeKey, MakeResume

STRONG = """Jordan Reyes
jordan.reyes@example.org | +44 20 7946 0958 | London

Summary
Data engineer with six years of experience building reliable batch and streaming pipelines for retail and logistics companies.

Experience
Senior Data Engineer, Northwind Retail (Mar 2021 - Present)
- Built a Kafka and Spark streaming pipeline that cut stock-out alerts from 6 hours to 10 minutes
- Led a team of 4 engineers migrating 300 Airflow jobs to Kubernetes, saving 25% of compute cost
- Designed a dbt model layer used by 40 analysts across 5 departments
Data Engineer, Contoso Logistics (Jan 2018 - Feb 2021)
- Automated 120 daily SQL reports in Python, freeing 2 analyst days a week
- Reduced warehouse query time by 60% by partitioning 3 TB of shipment data in PostgreSQL
- Mentored 3 junior engineers through their first production releases

Education
MSc Computer Science, University of Leeds, 2017
BSc Mathematics, University of York, 2015

Skills
Python, SQL, Apache Spark, Kafka, Airflow, Kubernetes, PostgreSQL, dbt
"""

# Line numbers matter: the expected findings below name them.
WEAK = """Alex Kim
Berlin | +49 170 1234567

Experience
Support Engineer, Acme GmbH (2019 - Present)
- Responsible for customer tickets
- Resolved 120 tickets a week with SQL queries across 3 product lines
- Improved the on-call runbook
- Built 4 dashboards and was responsible for their upkeep
Analyst at Beta AG
- I prepared weekly reports for 12 sales managers
- Produced the monthly forecast that the 5 regional directors used in every planning meeting to decide how many seasonal staff to hire for each of the stores in the region
- Migrated 30 reports to Looker, which were reviewed by the finance team
Skills: Python, Kubernetes, Excel, SQL
"""


def test_a_strong_resume_has_no_findings() -> None:
    result = critique(STRONG)
    assert result.findings == []
    assert result.score == 100 and result.summary == "100/100: no problems found."
    assert result.pages == 0.5 and result.words > 150


def test_a_weak_resume_gets_each_finding_at_its_line() -> None:
    result = critique(WEAK)
    found = {(f.kind, f.severity, f.line) for f in result.findings}
    assert found == {
        ("missing_section", "warning", None),  # education
        ("missing_section", "info", None),  # summary
        ("length", "warning", None),
        ("missing_contact", "critical", 1),
        ("weak_bullet", "warning", 6),  # no verb, no number
        ("weak_bullet", "info", 8),  # no number
        ("readability", "warning", 9),  # "responsible for" after a verb
        ("missing_dates", "warning", 10),
        ("weak_bullet", "info", 11),  # starts with "I"
        ("readability", "info", 11),  # first person
        ("readability", "info", 12),  # a 31-word bullet
        ("readability", "info", 13),  # passive voice
        ("unevidenced_skill", "warning", 14),
    }
    by_line = {(f.kind, f.line): f for f in result.findings}
    weak = by_line[("weak_bullet", 6)]
    assert weak.excerpt == "- Responsible for customer tickets"
    assert "Owned customer tickets" in weak.suggestion
    assert by_line[("missing_dates", 10)].suggestion.startswith("Add start and end")
    assert "'I'" in next(
        f.message
        for f in result.findings
        if f.line == 11 and f.severity == "info" and f.kind == "readability"
    )
    assert "were reviewed" in by_line[("readability", 13)].message
    skills = [f.excerpt for f in result.findings if f.kind == "unevidenced_skill"]
    assert skills == ["Python", "Kubernetes", "Excel"]  # SQL is shown at line 7
    sections = [f.message for f in result.findings if f.kind == "missing_section"]
    assert sections == ["No 'Education' section found.", "No 'Summary' section found."]
    assert result.findings[0].line is None and result.findings[-1].line == 14
    assert 0 <= result.score < 50
    assert result.summary.startswith(f"{result.score}/100: 1 critical, ")
    assert "No email address" in result.summary


def test_a_resume_without_experience_is_critical_and_claims_nothing() -> None:
    text = "Sam Lee\nsam@example.org\nSkills: Python, SQL\nEducation\nBSc Physics, 2019\n"
    result = critique(text)
    kinds = {(f.kind, f.severity, f.message) for f in result.findings}
    assert ("missing_section", "critical", "No 'Experience' section found.") in kinds
    assert not any(f.kind == "unevidenced_skill" for f in result.findings)


def test_a_long_resume_is_flagged() -> None:
    head, _, tail = STRONG.partition("Education\n")
    bullet = (
        "- Built a Kafka and Spark streaming pipeline that cut alerts from 6 hours to 10 minutes\n"
    )
    long_text = head + bullet * 120 + "Education\n" + tail
    result = critique(long_text)
    [length] = [f for f in result.findings if f.kind == "length"]
    assert result.pages > MAX_PAGES and f"{MAX_PAGES:g} pages" in length.suggestion


def test_the_critique_is_deterministic() -> None:
    assert critique(WEAK) == critique(WEAK)


@pytest.mark.parametrize(
    ("bullet", "expected"),
    [
        ("Built a pipeline", True),
        ("Led 4 engineers", True),
        ("Shipped v2", True),
        ("Simplified onboarding", True),
        ("Successfully launched the app", True),
        ("Managing a team", True),
        ("Owns the roadmap", True),
        ("Responsible for reports", False),
        ("Team player", False),
        ("Various tasks", False),
        ("", False),
    ],
)
def test_action_verbs(bullet: str, expected: bool) -> None:
    assert starts_with_action_verb(bullet) is expected


# --- the endpoints ----------------------------------------------------------------------


async def _upload(client: httpx.AsyncClient, key: Key, text: str) -> dict[str, str]:
    answer = await client.post(
        "/api/v1/resumes",
        files={"file": ("cv.txt", text.encode(), "text/plain")},
        headers=key.headers,
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


async def test_critique_endpoint_and_funnel(
    client: httpx.AsyncClient, make_key: MakeKey, engine: AsyncEngine
) -> None:
    key = await make_key("public", "candidate")
    admin = await make_key("public", "admin")
    strong = await _upload(client, key, STRONG)
    weak = await _upload(client, key, WEAK)

    answer = await client.post(f"/api/v1/resumes/{strong['id']}/critique", headers=key.headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["version_id"], body["score"], body["findings"]) == (
        strong["version_id"],
        100,
        [],
    )
    answer = await client.post(
        f"/api/v1/resumes/{weak['id']}/critique",
        params={"version_id": weak["version_id"]},
        headers=admin.headers,  # an admin of the candidate's organisation may look too
    )
    findings = answer.json()["findings"]
    assert {
        "kind": "weak_bullet",
        "severity": "warning",
        "line": 6,
        "excerpt": "- Responsible for customer tickets",
    }.items() <= findings[[f["line"] for f in findings].index(6)].items()
    assert all(f["suggestion"] for f in findings)

    assert await count_rows(engine, MetricEvent, MetricEvent.name == "resume_critiqued") == 2
    summary = await client.get("/api/v1/metrics/summary", headers=admin.headers)
    assert summary.json()["funnel"] == {
        "resumes_uploaded": 2,
        "critiqued": 2,
        "rewritten": 0,
        "matched": 0,
    }


async def test_critique_of_others_is_404_and_counts_nothing(
    client: httpx.AsyncClient, make_key: MakeKey, make_resume: MakeResume, engine: AsyncEngine
) -> None:
    key, other = await make_key("public", "candidate"), await make_key("public", "candidate")
    employer = await make_key("public", "employer")
    mine, theirs = await make_resume(key), await make_resume(other)
    url = f"/api/v1/resumes/{mine.resume_id}/critique"
    for who, params in (
        (other, {}),
        (employer, {}),
        (key, {"version_id": theirs.version_id}),
    ):
        answer = await client.post(url, params=params, headers=who.headers)
        assert answer.status_code == 404, (params, answer.text)
        assert answer.json()["error"] == "not_found"
    assert await count_rows(engine, MetricEvent, MetricEvent.name == "resume_critiqued") == 0
    assert (await client.post(url, headers=key.headers)).status_code == 200


async def test_parsed_view_is_stored_at_upload(
    client: httpx.AsyncClient, make_key: MakeKey, engine: AsyncEngine
) -> None:
    key = await make_key("public", "candidate")
    uploaded = await _upload(client, key, STRONG)
    async with session_scope(engine) as session:
        version = await session.get(ResumeVersion, uploaded["version_id"])
        assert version is not None and version.parsed is not None
        assert version.parsed["format"] == PARSED_FORMAT and "Python" in version.parsed["skills"]
        # contact details are stored as kinds only, never copied
        assert "jordan.reyes@example.org" not in str(version.parsed["contacts"])

    answer = await client.get(f"/api/v1/resumes/{uploaded['id']}/parsed", headers=key.headers)
    assert answer.status_code == 200, answer.text
    parsed = answer.json()
    assert parsed["version_id"] == uploaded["version_id"]
    assert {"summary", "experience", "education", "skills"} <= set(parsed["sections"])
    first = parsed["experience"][0]
    assert (first["title"], first["employer"], first["start"], first["current"]) == (
        "Senior Data Engineer",
        "Northwind Retail",
        "2021-03-01",
        True,
    )
    assert len(first["bullets"]) == 3 and len(parsed["experience"]) == 2
    assert {"Python", "SQL", "Kubernetes", "PostgreSQL"} <= set(parsed["skills"])
    assert parsed["years_experience"] >= 8.0  # Jan 2018 until now, with no gap
    assert "email" in parsed["contacts"]


async def test_parsed_view_of_an_unparsed_version_and_of_others(
    client: httpx.AsyncClient, make_key: MakeKey, make_resume: MakeResume, engine: AsyncEngine
) -> None:
    key, other = await make_key("public", "candidate"), await make_key("public", "candidate")
    stored = await make_resume(key)  # written directly, without a parse
    theirs = await make_resume(other)
    url = f"/api/v1/resumes/{stored.resume_id}/parsed"
    answer = await client.get(url, params={"version_id": stored.version_id}, headers=key.headers)
    assert answer.status_code == 200 and answer.json()["experience"] == []
    async with session_scope(engine) as session:  # parsed on read, not written by a GET
        parsed = await session.scalar(
            select(ResumeVersion.parsed).where(ResumeVersion.id == stored.version_id)
        )
    assert parsed is None
    assert (await client.get(url, headers=other.headers)).status_code == 404
    foreign = await client.get(url, params={"version_id": theirs.version_id}, headers=key.headers)
    assert foreign.status_code == 404


def test_jobs_dated_in_a_split_dates_column_are_not_called_undated() -> None:
    # a resume builder's dates column read out in text order: start / header / end + body
    text = """Amal Reyes
amal.reyes@example.org | +44 20 7946 0958 | Leeds

Summary
Finance manager with five years of experience in dealership lending.

Experience
March 2019
Northwind Traders Leeds, UK Finance Manager
June 2021 Secured loans for 40 customers a month with 6 partner banks.
October 2016
Blue Harbor Ltd York, UK Sales Manager
March 2019Managed a team of 10 and raised sales by 12%.

Education
B.A. Economics, University of York, 2012 - 2016

Skills: Negotiation, Excel
"""
    assert [f for f in critique(text).findings if f.kind == "missing_dates"] == []


# A resume builder's export: a skills list under "Highlights", the summary under
# "Executive Profile", the degree under "Academic Honors"; nothing of it is missing.
BUILDER_EXPORT = """Rana Haddad
rana.haddad@example.org | +44 20 7946 0101 | Leeds

Executive Profile
Interior designer with six years of drafting, space planning and site supervision for retail and hospitality clients.

Highlights
Proficient in AutoCAD
Adobe InDesign
Adobe Photoshop
Space planning

Experience
Interior Designer, Northwind Studio (Jan 2019 - Present)
- Drew 40 fabrication drawings a month in AutoCAD for 3 retail chains
Junior Designer, Blue Harbor Ltd (Mar 2016 - Dec 2018)
- Prepared 25 shop drawing submittals in InDesign and Photoshop

Academic Honors
Bachelor of Arts, Interior Design, University of Leeds, 2016
"""


def test_sections_written_under_other_headings_are_not_called_missing() -> None:
    missing = [f.message for f in critique(BUILDER_EXPORT).findings if f.kind == "missing_section"]
    assert missing == []


def test_a_section_with_no_content_of_its_kind_anywhere_is_still_missing() -> None:
    text = BUILDER_EXPORT.replace(
        "Bachelor of Arts, Interior Design, University of Leeds, 2016", "Dean's list, 2015"
    )
    missing = [f.message for f in critique(text).findings if f.kind == "missing_section"]
    assert missing == ["No 'Education' section found."]
