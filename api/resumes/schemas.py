"""Resumes and candidate profile payloads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from core.models import ResumeSource


@dataclass(frozen=True, slots=True)
class StoredUpload:
    """A resume stored by an upload, for what follows it (`api.flows.resumes`)."""

    candidate_id: str
    org_id: str
    user_id: str
    resume_id: str
    version_id: str


_IDS = {
    "id": "a1b2c3d4e5f60718293a4b5c6d7e8f90",
    "candidate_id": "c0ffee00c0ffee00c0ffee00c0ffee00",
}


class ResumeOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    **_IDS,
                    "title": "resume.pdf",
                    "current_version_id": "5e6f708192a3b4c5d6e7f8091a2b3c4d",
                    "created_at": "2026-01-05T10:00:00Z",
                }
            ]
        },
    )

    id: str
    candidate_id: str
    title: str | None
    current_version_id: str | None
    created_at: datetime


class UploadOut(ResumeOut):
    """The new resume and its first version."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_IDS,
                    "title": "resume.pdf",
                    "current_version_id": "5e6f708192a3b4c5d6e7f8091a2b3c4d",
                    "created_at": "2026-01-05T10:00:00Z",
                    "version_id": "5e6f708192a3b4c5d6e7f8091a2b3c4d",
                    "version_number": 1,
                    "media_type": "application/pdf",
                    "pages": 2,
                    "characters": 4180,
                    "warnings": [],
                }
            ]
        },
    )

    version_id: str
    version_number: int
    media_type: str
    pages: int | None
    characters: int
    warnings: list[str] = Field(description="problems found in the file, e.g. hidden text")


_VERSION_EXAMPLE: dict[str, JsonValue] = {
    "id": "5e6f708192a3b4c5d6e7f8091a2b3c4d",
    "resume_id": _IDS["id"],
    "number": 1,
    "source": "uploaded",
    "parent_version_id": None,
    "target_job_id": None,
    "filename": "resume.pdf",
    "media_type": "application/pdf",
    "accepted": None,
    "created_at": "2026-01-05T10:00:00Z",
}


class VersionSummary(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={"examples": [_VERSION_EXAMPLE]},
    )

    id: str
    resume_id: str
    number: int
    source: ResumeSource
    parent_version_id: str | None
    target_job_id: str | None
    filename: str | None
    media_type: str | None
    accepted: bool | None
    created_at: datetime


class VersionOut(VersionSummary):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_VERSION_EXAMPLE,
                    "text": "Sam Lee\nData engineer, 4 years.\n...",
                    "parsed": None,
                    "diff": None,
                }
            ]
        },
    )

    text: str
    parsed: dict[str, Any] | None
    diff: str | None


class SetCurrentVersion(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"version_id": "5e6f708192a3b4c5d6e7f8091a2b3c4d"}]}
    )

    version_id: str = Field(min_length=1, max_length=32)


class ProfileOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": _IDS["candidate_id"],
                    "headline": "Data engineer, 4 years",
                    "location": "Berlin",
                    "open_to_employers": True,
                    "contact_consent": False,
                    "current_resume_id": _IDS["id"],
                    "created_at": "2026-01-05T10:00:00Z",
                    "updated_at": "2026-01-06T09:30:00Z",
                }
            ]
        },
    )

    id: str
    headline: str | None
    location: str | None
    open_to_employers: bool
    contact_consent: bool
    current_resume_id: str | None
    created_at: datetime
    updated_at: datetime


class ProfileUpdate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"open_to_employers": True, "location": "Berlin"}]}
    )

    headline: str | None = Field(None, max_length=300)
    location: str | None = Field(None, max_length=200)
    open_to_employers: bool | None = Field(
        None, description="opt in to employer search; false removes you from it at once"
    )
    contact_consent: bool | None = None


_VERSION_ID = "5e6f708192a3b4c5d6e7f8091a2b3c4d"
_EXPERIENCE_EXAMPLE: dict[str, Any] = {
    "title": "Data Engineer",
    "employer": "Foo Ltd",
    "start": "2020-01-01",
    "end": None,
    "current": True,
    "bullets": ["Built Airflow pipelines moving 5 TB a day"],
}
_FINDING_EXAMPLE: dict[str, Any] = {
    "kind": "weak_bullet",
    "severity": "warning",
    "line": 10,
    "excerpt": "- Responsible for reports",
    "message": "This bullet does not start with an action verb and has no number: it reads "
    "as a duty, not an achievement.",
    "suggestion": "Replace 'Responsible for' with a verb and add a result: 'Owned reports, "
    "<result with a number, e.g. cutting costs by 20%>'",
}


class ExperienceOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_EXPERIENCE_EXAMPLE]})

    title: str | None
    employer: str | None
    start: date | None = Field(description="first month worked (day is always 1)")
    end: date | None = Field(description="last month worked; null while current")
    current: bool
    bullets: list[str]


class ParsedOut(BaseModel):
    """What the parser read in one version of a resume."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "resume_id": _IDS["id"],
                    "version_id": _VERSION_ID,
                    "summary": "Data engineer with 4 years of pipelines in Python.",
                    "sections": {
                        "summary": "Data engineer with 4 years of pipelines in Python.",
                        "experience": "Data Engineer, Foo Ltd (2020 - Present)\n- Built ...",
                        "skills": "Python, SQL, Airflow",
                    },
                    "experience": [_EXPERIENCE_EXAMPLE],
                    "education": ["BSc Computer Science, TU Berlin, 2019"],
                    "skills": ["Python", "SQL", "Apache Airflow"],
                    "skills_listed": ["Python", "SQL", "Airflow"],
                    "certifications": [],
                    "languages": ["English", "German"],
                    "contacts": ["email", "phone"],
                    "years_experience": 4.5,
                }
            ]
        }
    )

    resume_id: str
    version_id: str
    summary: str
    sections: dict[str, str] = Field(
        description="section kind (summary, experience, education, skills, ...) -> its text"
    )
    experience: list[ExperienceOut]
    education: list[str]
    skills: list[str] = Field(description="canonical skill names, in order of first mention")
    skills_listed: list[str] = Field(description="the Skills section's items, as written")
    certifications: list[str]
    languages: list[str]
    contacts: list[str] = Field(description="kinds of contact details found (email, phone, ...)")
    years_experience: float = Field(description="years covered by dated jobs, overlaps once")


class DiffOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "from_version": "5e6f708192a3b4c5d6e7f8091a2b3c4d",
                    "to_version": "6f708192a3b4c5d6e7f8091a2b3c4d5e",
                    "diff": "--- v1\n+++ v2\n@@ -3 +3 @@\n-- Responsible for reports\n"
                    "+- Built weekly sales reports for 12 stores\n",
                }
            ]
        }
    )

    from_version: str
    to_version: str
    diff: str = Field(description="unified diff from one text to the other; empty if equal")


class FindingOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={"examples": [_FINDING_EXAMPLE]},
    )

    kind: Literal[
        "weak_bullet",
        "missing_section",
        "unevidenced_skill",
        "length",
        "readability",
        "missing_dates",
        "missing_contact",
    ]
    severity: Literal["info", "warning", "critical"]
    line: int | None = Field(
        description="1-based line in the version's text; null for the resume as a whole "
        "(a missing section, the length)"
    )
    excerpt: str = Field(description="the line (or skill) the finding points at")
    message: str
    suggestion: str = Field(description="a concrete fix")


class CritiqueOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "resume_id": _IDS["id"],
                    "version_id": _VERSION_ID,
                    "score": 71,
                    "summary": "71/100: 0 critical, 4 warnings, 2 notes. Fix first: ...",
                    "words": 412,
                    "pages": 1.0,
                    "findings": [_FINDING_EXAMPLE],
                }
            ]
        },
    )

    resume_id: str
    version_id: str
    score: int = Field(ge=0, le=100, description="100 minus penalties per finding")
    summary: str
    words: int
    pages: float = Field(description="estimated printed pages, to the half page")
    findings: list[FindingOut] = Field(description="whole-resume findings first, then by line")
