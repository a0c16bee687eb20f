"""Match payloads (an exact contract: the chat tools and integrators depend on it)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from api.matching.features import MAX_TEXT_CHARS

_TEXT = Field(
    None,
    min_length=1,
    max_length=MAX_TEXT_CHARS,
    description=f"plain text, 1 to {MAX_TEXT_CHARS:,} characters",
)
_ID = Field(None, min_length=1, max_length=64)
# `ingest.job_terms.EMPLOYMENT_TYPES` and `SENIORITY_LEVELS` (a test keeps them equal).
EmploymentType = Literal["part_time", "full_time", "internship", "contract", "temporary"]
Seniority = Literal["junior", "senior", "lead"]
_TOP_K = Field(10, ge=1, le=100, description="how many results, 1 to 100")


def _one_of(values: dict[str, object], text: str, ident: str, what: str) -> None:
    has_text = values.get(text) is not None
    has_id = values.get(ident) is not None
    if has_text == has_id:
        raise ValueError(f"send either {text!r} (the {what} itself) or {ident!r}, not both")


def _not_blank(value: str | None, name: str) -> None:
    if value is not None and not value.strip():
        raise ValueError(f"{name} is blank; send the text itself")


class MatchFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    location: str | None = Field(
        None, min_length=1, max_length=200, description="jobs located here (every word)"
    )
    remote: bool | None = Field(None, description="true: remote jobs only; false: on-site only")
    min_salary: float | None = Field(None, ge=0, description="jobs paying at least this")
    max_salary: float | None = Field(None, ge=0, description="jobs starting at most at this")
    employment_type: EmploymentType | None = Field(
        None,
        description="jobs of this type, as their employer stated it (else as their title "
        "says it); a job that states none is left out",
    )
    seniority: Seniority | None = Field(
        None, description='jobs whose title states this level ("Senior ...", "Junior ...")'
    )


class MatchJobsIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"resume_text": "Python developer, 5 years...", "top_k": 10}]
        },
    )

    resume_text: str | None = _TEXT
    resume_id: str | None = _ID
    top_k: int = _TOP_K
    filters: MatchFilters | None = None
    query: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        description='a job title or keywords ("nurse", "data engineer"): among the '
        "resume's best-fitting jobs, those naming it in their title or skills come first, "
        "each in fit order; every match says whether it does (`query_met`)",
    )

    @model_validator(mode="after")
    def _check(self) -> MatchJobsIn:
        _one_of(self.__dict__, "resume_text", "resume_id", "resume")
        _not_blank(self.resume_text, "resume_text")
        _not_blank(self.query, "query")
        return self


class MatchCandidatesIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"job_id": "3f2a9c0d8e7b6a5f4e3d2c1b0a9f8e7d", "top_k": 10},
                {
                    "job_text": "Data Engineer: ETL pipelines in Python, SQL and Airflow",
                    "top_k": 5,
                },
            ]
        },
    )

    job_id: str | None = _ID
    job_text: str | None = _TEXT
    top_k: int = _TOP_K
    skills: list[Annotated[str, StringConstraints(min_length=1, max_length=100)]] | None = Field(
        None,
        max_length=20,
        description="only candidates whose resume shows every one of these skills "
        '(names as in the skills taxonomy: "Python", "patient care")',
    )
    min_years: float | None = Field(
        None, ge=0, le=60, description="only candidates with at least this many years of work"
    )

    @model_validator(mode="after")
    def _check(self) -> MatchCandidatesIn:
        _one_of(self.__dict__, "job_text", "job_id", "job")
        _not_blank(self.job_text, "job_text")
        return self


class ScoreIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "resume_id": "5b4a3c2d1e0f9a8b7c6d5e4f3a2b1c0d",
                    "job_id": "3f2a9c0d8e7b6a5f4e3d2c1b0a9f8e7d",
                },
                {
                    "resume_text": "Data engineer, 4 years of Python, SQL and Airflow",
                    "job_text": "Data Engineer: ETL pipelines in Python, SQL and Airflow",
                },
            ]
        },
    )

    resume_text: str | None = _TEXT
    resume_id: str | None = _ID
    job_text: str | None = _TEXT
    job_id: str | None = _ID

    @model_validator(mode="after")
    def _check(self) -> ScoreIn:
        _one_of(self.__dict__, "resume_text", "resume_id", "resume")
        _one_of(self.__dict__, "job_text", "job_id", "job")
        _not_blank(self.resume_text, "resume_text")
        _not_blank(self.job_text, "job_text")
        return self


class SkillGap(BaseModel):
    score: float = Field(ge=0, le=1)
    matched_skills: list[str]
    missing_required: list[str]
    missing_preferred: list[str]
    reasons: list[str]


class MatchedJob(SkillGap):
    job_id: str | None
    external_id: str | None
    title: str | None
    company: str | None
    location: str | None


class JobMatch(MatchedJob):
    query_met: bool | None = Field(
        None, description="with a `query`: whether the job names it in its title or skills"
    )


class CandidateMatch(MatchedJob):
    """A candidate for a job: ids only, never a name or a contact detail."""

    candidate_id: str
    resume_id: str


class MatchJobsOut(BaseModel):
    matches: list[JobMatch]
    took_ms: float


class MatchCandidatesOut(BaseModel):
    matches: list[CandidateMatch]
    took_ms: float


class ScoreOut(SkillGap):
    breakdown: dict[str, float | None]
