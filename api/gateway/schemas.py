"""Webhook API payloads: subscriptions, the delivery log, inbound events."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from api.jobs.schemas import JobImportItem

# Every event an organisation can subscribe to. Outbound payloads are thin: ids and links.
EVENT_TYPES: dict[str, str] = {
    "match.completed": "a match task finished; data: task_id, kind, subject ids, links",
    "match.failed": "a match task failed for good; data: task_id, error",
    "rewrite.completed": "a resume rewrite is stored; data: task_id, resume_id, version_id",
    "rewrite.failed": "a rewrite task failed for good; data: task_id, error",
    "resume.parsed": "an uploaded resume is parsed and indexed; data: resume_id, version_id",
    "job.indexed": "a job is indexed for matching; data: job_id",
    "job.alert": "a new job matches a candidate's alert; data: candidate_id, job_id, score",
    "contact.answered": "a candidate answered a contact request; data: request_id, job_id, "
    "candidate_id, status (accepted: the shortlist shows their contact)",
    "task.failed": "any background task failed for good; data: task_id, kind, error",
    "chat.reply": "the assistant answered an inbound chat.message; data: conversation_id, reply",
}

_SUBSCRIPTION: dict[str, JsonValue] = {
    "id": "5e1d0c9b8a7f6e5d4c3b2a1f0e9d8c7b",
    "url": "https://ats.example.org/hooks/clearview",
    "events": ["match.completed", "rewrite.completed"],
    "active": True,
    "disabled_reason": None,
    "created_at": "2026-01-05T10:00:00Z",
}


class SubscriptionCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"url": _SUBSCRIPTION["url"], "events": _SUBSCRIPTION["events"]}]
        }
    )

    url: str = Field(min_length=1, max_length=2000, description="public http(s) URL to POST to")
    events: list[str] = Field(
        min_length=1, max_length=50, description="event types, see GET /api/v1/webhooks/events"
    )


class SubscriptionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [_SUBSCRIPTION]})

    id: str
    url: str
    events: list[str]
    active: bool
    disabled_reason: str | None
    created_at: datetime


class SubscriptionWithSecret(SubscriptionOut):
    """A subscription with a new secret, shown only now: on create both, on a rotation the
    one rotated (the other is null)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_SUBSCRIPTION,
                    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                    "inbound_secret": "whsec_C2FsdC1pbmJvdW5kLW5vdC1yZWFsLWtleQ==",
                }
            ]
        }
    )

    secret: str | None = Field(description="we sign the deliveries to your URL with it")
    inbound_secret: str | None = Field(
        description="you sign inbound webhooks to POST /api/v1/webhooks/inbound with it"
    )


class EventTypeOut(BaseModel):
    type: str
    description: str


class AttemptOut(BaseModel):
    """One HTTP attempt of a delivery."""

    attempt: int
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: float
    webhook_timestamp: int


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    webhook_id: str = Field(description="the same on every attempt and replay; dedupe on it")
    event_type: str
    payload: dict[str, Any]
    status: Literal["pending", "delivered", "failed", "cancelled"]
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime
    history: list[AttemptOut] = Field(
        default_factory=list, description="every attempt, oldest first"
    )


# --- inbound -----------------------------------------------------------------------------


class InboundEnvelope(BaseModel):
    """A Standard Webhooks payload sent to us by a partner system."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "job.upsert",
                    "timestamp": "2026-01-05T10:00:00Z",
                    "data": {
                        "external_id": "ats-4711",
                        "title": "Data Engineer",
                        "description": "ETL pipelines in Python, SQL and Airflow.",
                    },
                },
                {
                    "type": "chat.message",
                    "timestamp": "2026-01-05T10:01:00Z",
                    "data": {"conversation_id": "c-42", "message": "Any jobs for nurses?"},
                },
            ]
        }
    )

    type: Literal["job.upsert", "resume.submit", "chat.message"]
    timestamp: datetime | None = None
    data: dict[str, Any]


class JobUpsert(JobImportItem):
    """`job.upsert`: the job's fields; `external_id` decides between create and update."""


class ResumeSubmit(BaseModel):
    """`resume.submit`: a resume file for a candidate known to the partner by `candidate_ref`."""

    candidate_ref: str = Field(
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9._:@-]+$",
        description="the partner's own id for the candidate; the same ref is the same candidate",
    )
    filename: str = Field(min_length=1, max_length=255, description="e.g. cv.pdf")
    content_base64: str = Field(min_length=1, description="the file, base64-encoded")
    display_name: str | None = Field(None, max_length=200)


class ChatMessage(BaseModel):
    """`chat.message`: a message for a conversation; the answer arrives as `chat.reply`."""

    conversation_id: str = Field(min_length=1, max_length=100)
    message: str = Field(min_length=1, max_length=4000)


class InboundResult(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "webhook_id": "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
                    "type": "job.upsert",
                    "duplicate": False,
                    "result": {"job_id": "3f2a9c1d5e6b4a7f8c9d0e1f2a3b4c5d", "action": "created"},
                }
            ]
        }
    )

    webhook_id: str
    type: str
    duplicate: bool = Field(description="true when this webhook-id was processed before")
    result: dict[str, Any]
