"""Report payloads: the data of each report, as served by `?format=json` and rendered to
HTML and PDF (the renderers read these objects and nothing else, so the three formats
cannot disagree)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from api.metrics.schemas import SummaryOut


class ReportFormat(StrEnum):
    json = "json"
    html = "html"
    pdf = "pdf"
    # The report's charts alone, as one standalone image (what the chat shows inline).
    svg = "svg"


class FindingOut(BaseModel):
    kind: str
    severity: str
    line: int | None
    excerpt: str
    message: str
    suggestion: str


class CritiqueOut(BaseModel):
    score: int = Field(ge=0, le=100)
    summary: str
    words: int
    pages: float
    findings: list[FindingOut]


class TopMatch(BaseModel):
    job_id: str | None
    title: str | None
    company: str | None
    location: str | None
    score: float
    matched_skills: list[str]
    missing_required: list[str]
    missing_preferred: list[str]
    reasons: list[str]


class SkillDemand(BaseModel):
    """One bar of the skill-gap chart."""

    skill: str
    jobs: int = Field(description="how many of the top matches ask for this skill")
    has: bool = Field(description="whether the candidate has it")


class RewriteEntry(BaseModel):
    version: int
    created_at: datetime
    target_job_id: str | None
    target_job_title: str | None
    accepted: bool | None
    lines_added: int
    lines_removed: int


class CandidateReport(BaseModel):
    candidate_id: str
    resume_id: str | None
    version: int | None
    generated_at: datetime
    skills: list[str] = Field(description="skills found in the current resume")
    critique: CritiqueOut | None
    matches: list[TopMatch]
    skill_gap: list[SkillDemand]
    rewrites: list[RewriteEntry]


class ShortlistEntry(BaseModel):
    """A candidate as an employer sees them: blind unless they agreed to be contacted."""

    rank: int
    label: str = Field(description='pseudonymous: "Candidate A", "Candidate B", ...')
    candidate_id: str
    score: float
    matched_skills: list[str]
    missing_required: list[str]
    missing_preferred: list[str]
    reasons: list[str]
    contact_consent: bool
    contact_email: str | None = Field(
        description="only with the candidate's consent, and only the e-mail of their resume"
    )


class ShortlistReport(BaseModel):
    job_id: str
    job_title: str
    generated_at: datetime
    blind: bool = Field(description="true: no personal detail of a non-consenting candidate")
    candidates: list[ShortlistEntry]


class FunnelReport(BaseModel):
    generated_at: datetime
    summary: SummaryOut


Report = CandidateReport | ShortlistReport | FunnelReport
