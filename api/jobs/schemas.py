"""Jobs payloads. `org_id` is never accepted from a client: it comes from the key."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    field_validator,
    model_validator,
)

_EXAMPLE: dict[str, JsonValue] = {
    "external_id": "ats-10042",
    "title": "Data Engineer",
    "company": "Acme Analytics",
    "location": "Berlin",
    "remote": True,
    "employment_type": "full_time",
    "description": "Build ETL pipelines in Python and SQL. Airflow required.",
    "required_skills": ["Python", "SQL", "Airflow"],
    "preferred_skills": ["Spark"],
    "min_years": 3,
    "salary_min": 60000,
    "salary_max": 75000,
    "currency": "EUR",
    "url": "https://jobs.example.org/10042",
    "published": True,
}


def _clean_skills(skills: list[str]) -> list[str]:
    # Stored trimmed and de-duplicated (case-insensitively, first spelling wins) so the
    # skill filter and the matcher see one spelling per skill.
    seen: set[str] = set()
    out: list[str] = []
    for skill in skills:
        skill = skill.strip()
        if skill and skill.lower() not in seen:
            seen.add(skill.lower())
            out.append(skill)
    return out


# Deeper `extra` objects are refused: nothing legitimate nests this far, and a hostile
# one 900 deep overflowed the stack of whatever walked it next (serialising, hashing).
EXTRA_MAX_DEPTH = 16


def _bounded_depth(value: dict[str, Any] | None) -> dict[str, Any] | None:
    # Iterative on purpose: a recursive walk is what a deep value breaks.
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        )
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > EXTRA_MAX_DEPTH:
                    raise ValueError(
                        f"nested too deep (more than {EXTRA_MAX_DEPTH} levels); "
                        "flatten the extra fields"
                    )
                stack.append((child, depth + 1))
    return value


Extra = Annotated[dict[str, Any] | None, AfterValidator(_bounded_depth)]


def _worded(title: str) -> str:
    """A title a person can read: markup left over from a copied post ("**", "#") is
    what a candidate's match card would show."""
    if not any(char.isalnum() for char in title):
        raise ValueError("has no letter or digit; send the job's title in words, e.g. 'Nurse'")
    return title


Title = Annotated[str, Field(min_length=1, max_length=300), AfterValidator(_worded)]

# What happened to a job, for what follows a change (`api.flows.jobs`).
JobAction = Literal["created", "updated", "deleted"]


class JobFields(BaseModel):
    """Fields a client may set on a job."""

    title: Title
    description: str = Field(min_length=1, max_length=100_000)
    company: str | None = Field(None, max_length=200)
    location: str | None = Field(None, max_length=200)
    remote: bool = False
    employment_type: str | None = Field(None, max_length=50)
    required_skills: list[str] = Field(default_factory=list, max_length=200)
    preferred_skills: list[str] = Field(default_factory=list, max_length=200)
    min_years: float | None = Field(None, ge=0, le=60)
    salary_min: float | None = Field(None, ge=0)
    salary_max: float | None = Field(None, ge=0)
    currency: str | None = Field(None, max_length=8)
    url: str | None = Field(None, max_length=1000)
    posted_at: datetime | None = None
    published: bool = True
    extra: Extra = None

    _skills = field_validator("required_skills", "preferred_skills")(_clean_skills)

    @field_validator("posted_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("posted_at needs a timezone, e.g. 2026-01-05T10:00:00Z")
        return value


class JobCreate(JobFields):
    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    external_id: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        description="your own id for the job, unique in your organisation; generated if omitted",
    )


class JobImportItem(JobFields):
    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    external_id: str = Field(min_length=1, max_length=200)


class JobReplace(JobImportItem):
    """A full replacement (PUT): every field, the external id included."""

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})


class JobUpdate(BaseModel):
    """A partial update (PATCH): only the fields sent change."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"title": "Senior Data Engineer", "remote": False}]}
    )

    external_id: str | None = Field(None, min_length=1, max_length=200)
    title: Title | None = None
    description: str | None = Field(None, min_length=1, max_length=100_000)
    company: str | None = Field(None, max_length=200)
    location: str | None = Field(None, max_length=200)
    remote: bool | None = None
    employment_type: str | None = Field(None, max_length=50)
    required_skills: list[str] | None = Field(None, max_length=200)
    preferred_skills: list[str] | None = Field(None, max_length=200)
    min_years: float | None = Field(None, ge=0, le=60)
    salary_min: float | None = Field(None, ge=0)
    salary_max: float | None = Field(None, ge=0)
    currency: str | None = Field(None, max_length=8)
    url: str | None = Field(None, max_length=1000)
    posted_at: datetime | None = None
    published: bool | None = None
    extra: Extra = None

    @field_validator("required_skills", "preferred_skills")
    @classmethod
    def _skills(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _clean_skills(value)

    @model_validator(mode="after")
    def _no_null_required(self) -> JobUpdate:
        for name in ("external_id", "title", "description", "remote", "published"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class JobOut(JobImportItem):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "3f2a9c1d5e6b4a7f8c9d0e1f2a3b4c5d",
                    **_EXAMPLE,
                    "created_at": "2026-01-05T10:00:00Z",
                    "updated_at": "2026-01-05T10:00:00Z",
                }
            ]
        },
    )

    id: str
    # As stored: a job written before titles were checked still reads.
    title: str
    created_at: datetime
    updated_at: datetime


class JobImport(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"jobs": [_EXAMPLE]}]})

    jobs: list[JobImportItem] = Field(min_length=1, max_length=1000)

    @field_validator("jobs")
    @classmethod
    def _unique_external_ids(cls, jobs: list[JobImportItem]) -> list[JobImportItem]:
        seen: set[str] = set()
        for job in jobs:
            if job.external_id in seen:
                raise ValueError(f"external_id {job.external_id!r} appears twice in the batch")
            seen.add(job.external_id)
        return jobs


class JobImportResult(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "created": 1,
                    "updated": 0,
                    "unchanged": 0,
                    "ids": {"ats-10042": "3f2a9c1d5e6b4a7f8c9d0e1f2a3b4c5d"},
                }
            ]
        }
    )

    created: int
    updated: int
    unchanged: int
    ids: dict[str, str] = Field(description="job id by external_id")


class JobDraftIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"title": "Warehouse worker"}]}
    )

    title: str = Field(
        min_length=2, max_length=200, description="the job title to draft a post for"
    )


class JobDraftOut(BaseModel):
    """A job-post draft: text to edit. Nothing was created or published."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "title": "Warehouse worker",
                    "text": "Warehouse worker\n\nOccupation (ESCO 9333.8): warehouse worker\n...",
                    "occupation": "warehouse worker",
                    "esco_code": "9333.8",
                    "onet_code": "53-7062.00",
                    "onet_title": "Laborers and Freight, Stock, and Material Movers, Hand",
                    "other_titles": ["warehouse operative"],
                    "required_skills": [],
                    "similar_jobs": 0,
                    "sources": ["ESCO v1.1.1 occupations (European Commission)"],
                    "created": False,
                }
            ]
        },
    )

    title: str
    text: str
    occupation: str | None = None
    esco_code: str | None = None
    onet_code: str | None = None
    onet_title: str | None = None
    other_titles: list[str] = Field(default_factory=list)
    required_skills: list[str] = Field(
        default_factory=list, description="skills jobs of this occupation on ClearView ask for"
    )
    similar_jobs: int = Field(0, description="published jobs of the same occupation counted")
    sources: list[str] = Field(default_factory=list)
    created: bool = Field(False, description="always false: a draft creates no job")
