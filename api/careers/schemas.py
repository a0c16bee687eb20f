"""Career answers: every one names its source (O*NET, ESCO, or the platform's jobs)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Source(BaseModel):
    name: str = Field(description='"O*NET 29.2", "ESCO v1.1.1", or "N jobs on ClearView"')
    attribution: str | None = Field(None, description="the line the source asks to be shown")


class Technology(BaseModel):
    name: str
    hot: bool = Field(description="O*NET Hot Technology: often named in job postings")
    in_demand: bool = Field(description="O*NET In Demand: often named for this occupation")


class OnetOut(BaseModel):
    code: str
    title: str
    description: str
    alt_titles: list[str]
    technology: list[Technology]
    related: list[str] = Field(description="titles of related occupations, closest first")
    source: Source


class EscoOut(BaseModel):
    uri: str
    label: str
    description: str
    alt_titles: list[str]
    essential_skills: list[str]
    optional_skills: list[str]
    source: Source


class OccupationOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "query": "nurse",
                    "found_by": "title",
                    "similarity": 1.0,
                    "onet": {"code": "29-1141.00", "title": "Registered Nurses"},
                    "esco": {"label": "nurse responsible for general care"},
                }
            ]
        }
    )

    query: str
    found_by: str | None = Field(
        description="title: a known job title; search: the nearest titles; title within: the "
        "longest known title in the query (while the index is being built); null: not found"
    )
    similarity: float | None
    onet: OnetOut | None
    esco: EscoOut | None


class SkillCount(BaseModel):
    skill: str
    jobs: int = Field(description="published jobs on ClearView that ask for it")


class DemandOut(BaseModel):
    jobs: int = Field(description="published jobs on ClearView counted")
    skills: list[SkillCount] = Field(description="most asked for first")
    source: Source


class PayStats(BaseModel):
    low: float = Field(description="25th percentile")
    median: float
    high: float = Field(description="75th percentile")


class SalariesOut(BaseModel):
    title: str
    occupation: str | None = Field(description="the ESCO occupation the title names")
    currency: str | None
    jobs: int = Field(description="published jobs of this occupation with a salary counted")
    salary_min: PayStats | None
    salary_max: PayStats | None
    source: Source
