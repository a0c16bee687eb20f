"""Task payloads: what a client sends to start background work, and how it reads it back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from core.models import TaskKind, TaskStatus

_CHAT_SESSION = Field(
    None,
    min_length=1,
    max_length=100,
    description="the chat session to notify when the task finishes (the chat UI sends it)",
)
_TOP_K = Field(10, ge=1, le=100, description="how many results to keep, 1 to 100")


def status_url(task_id: str) -> str:
    return f"/api/v1/tasks/{task_id}"


def result_url(task_id: str) -> str:
    return f"/api/v1/tasks/{task_id}/result"


class MatchTaskIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"top_k": 10, "chat_session_id": "c-42"}]}
    )

    top_k: int = _TOP_K
    chat_session_id: str | None = _CHAT_SESSION


class RewriteTaskIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"job_id": "3f2a9c0d8e7b6a5f4e3d2c1b0a9f8e7d"}]},
    )

    job_id: str = Field(min_length=1, max_length=32, description="a published job to target")
    chat_session_id: str | None = _CHAT_SESSION


class TaskAccepted(BaseModel):
    """The answer to a submission (202): poll `status_url` or wait for the notification."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "task_id": "7c6d5e4f3a2b1c0d9f8e7d6c5b4a3928",
                    "status_url": "/api/v1/tasks/7c6d5e4f3a2b1c0d9f8e7d6c5b4a3928",
                    "status": "queued",
                }
            ]
        }
    )

    task_id: str
    status_url: str
    status: TaskStatus


class TaskOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "7c6d5e4f3a2b1c0d9f8e7d6c5b4a3928",
                    "kind": "match_jobs",
                    "status": "succeeded",
                    "attempts": 1,
                    "error": None,
                    "subject_id": "5b4a3c2d1e0f9a8b7c6d5e4f3a2b1c0d",
                    "chat_session_id": "c-42",
                    "result_url": "/api/v1/tasks/7c6d5e4f3a2b1c0d9f8e7d6c5b4a3928/result",
                    "created_at": "2026-01-05T10:00:00Z",
                    "started_at": "2026-01-05T10:00:00.020Z",
                    "finished_at": "2026-01-05T10:00:00.090Z",
                }
            ]
        }
    )

    id: str
    kind: TaskKind
    status: TaskStatus
    attempts: int
    error: str | None = Field(description="why the last attempt failed, in words")
    subject_id: str | None = Field(description="the resume or job the task is about")
    chat_session_id: str | None
    result_url: str | None = Field(description="set once the task succeeded")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class MatchResultOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    rank: int
    score: float
    job_id: str
    resume_id: str
    candidate_id: str
    details: dict[str, Any] = Field(description="matched and missing skills, reasons, titles")


class TaskResultOut(BaseModel):
    """A finished task's result: ranked matches, or the rewritten version and its diff."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "task_id": "7c6d5e4f3a2b1c0d9f8e7d6c5b4a3928",
                    "kind": "rewrite",
                    "status": "succeeded",
                    "matches": None,
                    "resume_id": "5b4a3c2d1e0f9a8b7c6d5e4f3a2b1c0d",
                    "version_id": "0d9c8b7a6f5e4d3c2b1a09f8e7d6c5b4",
                    "diff": "--- v1\n+++ v2\n@@ -3 +3 @@\n-Responsible for ETL\n+Built ETL\n",
                }
            ]
        }
    )

    task_id: str
    kind: TaskKind
    status: TaskStatus
    matches: list[MatchResultOut] | None = None
    resume_id: str | None = None
    version_id: str | None = None
    diff: str | None = None
    data: dict[str, Any] | None = Field(None, description="the stored result of other kinds")
