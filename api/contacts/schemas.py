"""Contact requests in and out (`/api/v1/contact-requests`), and the chat messages."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from core.models import ContactStatus


class ContactRequestIn(BaseModel):
    """Ask a candidate of a shortlist whether your organisation may contact them."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "job_id": "3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c",
                    "candidate_id": "8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f",
                }
            ]
        },
    )

    job_id: str = Field(min_length=1, max_length=32, description="one of your jobs")
    candidate_id: str = Field(
        min_length=1, max_length=32, description="a candidate of the job's shortlist"
    )


class ContactAnswerIn(BaseModel):
    """The candidate's answer; a later answer replaces an earlier one."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"accept": True}]})

    accept: bool = Field(description="true: this employer may see your contact details")


class ContactRequestOut(BaseModel):
    """A request as both sides see it: the job, its employer, the answer. Nothing about
    the candidate but their id (the employer only sees more once they accepted)."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    job_id: str
    job_title: str
    company: str | None
    candidate_id: str
    status: ContactStatus
    created_at: datetime
    answered_at: datetime | None


StatusFilter = Literal["pending", "accepted", "declined"]
