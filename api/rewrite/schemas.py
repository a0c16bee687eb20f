"""Drafts in and out: what a candidate asks for and the text they get back (never stored)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class DraftIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"kind": "cover_letter", "job_id": "3f2a9c0d8e7b6a5f4e3d2c1b0a9f8e7d"},
                {"kind": "summary"},
            ]
        },
    )

    kind: Literal["summary", "cover_letter"] = Field(
        description="a stronger summary, or a cover letter (which needs `job_id`)"
    )
    job_id: str | None = Field(
        None, min_length=1, max_length=32, description="a published job to aim at"
    )


class DraftOut(BaseModel):
    """A draft made only of the resume's facts and the job's; nothing is saved."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "kind": "summary",
                    "resume_id": "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d",
                    "job_id": None,
                    "text": "Data Analyst with 3 years of experience, skilled in SQL and Python.",
                    "before": "",
                    "diff": "--- summary\n+++ stronger summary\n@@ -0,0 +1 @@\n+Data Analyst "
                    "with 3 years of experience, skilled in SQL and Python.\n",
                    "facts_used": ["latest title: Data Analyst"],
                    "not_claimed": [],
                    "note": "",
                }
            ]
        },
    )

    kind: str
    resume_id: str
    job_id: str | None = None
    text: str = Field(description="the draft")
    before: str = Field("", description="the summary the draft would replace")
    diff: str = Field("", description="unified diff from `before` to `text`")
    facts_used: list[str] = Field(description="the resume's facts the draft is made of")
    not_claimed: list[str] = Field(
        description="skills the job requires that the resume does not show: left out"
    )
    note: str = Field("", description="why nothing changed, when nothing could")
