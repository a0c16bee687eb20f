"""Notifications over HTTP: what the chat lists and claims (`core.notifications` has the
kinds and channels both sides share)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from core.notifications import NotificationKind


class NotificationOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "5f0c4c1e9b8a4d7e8f6a2b3c4d5e6f70",
                    "kind": "task.succeeded",
                    "payload": {
                        "task_id": "0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f50",
                        "task_kind": "rewrite",
                        "status": "succeeded",
                        "status_url": "/api/v1/tasks/0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f50",
                        "result_url": "/api/v1/tasks/0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f50/result",
                    },
                    "chat_session_id": "b9d0...",
                    "created_at": "2026-12-06T09:30:00Z",
                }
            ]
        },
    )

    id: str
    kind: NotificationKind
    payload: dict[str, Any] = Field(description="ids and links; fetch what they name")
    chat_session_id: str | None = Field(description="the chat session that asked, if any")
    created_at: datetime


class ClaimOut(BaseModel):
    """A claimed notification: yours to show, once."""

    notification: NotificationOut
    current: bool = Field(
        description="false when what it tells of is gone since (a job alert for a job that "
        "is no longer published): claimed, and not to be shown"
    )
