"""Metrics payloads."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class EventName(StrEnum):
    chat_turn = "chat_turn"
    tool_call = "tool_call"
    task_submitted = "task_submitted"
    task_finished = "task_finished"
    task_failed = "task_failed"
    llm_call = "llm_call"
    # A step of an LLM-configured chat that the offline model took (`agents.routing`);
    # `tokens_in` is the LLM request it saved, estimated.
    llm_call_avoided = "llm_call_avoided"
    match_served = "match_served"
    resume_uploaded = "resume_uploaded"
    resume_critiqued = "resume_critiqued"
    resume_rewritten = "resume_rewritten"


class EventIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "llm_call",
                    "duration_ms": 812.5,
                    "tokens_in": 1200,
                    "tokens_out": 310,
                    "cost_usd": 0.00037,
                    "attributes": {"model": "gpt-4o-mini", "purpose": "rewrite"},
                }
            ]
        }
    )

    name: EventName
    duration_ms: float | None = Field(None, ge=0)
    tokens_in: int | None = Field(None, ge=0)
    tokens_out: int | None = Field(None, ge=0)
    cost_usd: float | None = Field(None, ge=0)
    attributes: dict[str, Any] | None = Field(
        None, description="small, non-personal context (model, tool name, task kind)"
    )

    @field_validator("attributes")
    @classmethod
    def _small(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None and len(value) > 20:
            raise ValueError("at most 20 attributes")
        return value


class EventOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "7c6d5e4f3a2b1c0d9f8e7d6c5b4a3928",
                    "name": "llm_call",
                    "created_at": "2026-01-05T10:00:00Z",
                }
            ]
        },
    )

    id: str
    name: str
    created_at: datetime


class Funnel(BaseModel):
    resumes_uploaded: int
    critiqued: int
    rewritten: int
    matched: int


class TaskStats(BaseModel):
    submitted: int
    finished: int
    failed: int
    latency_ms_p50: float | None = Field(description="of finished tasks; nearest-rank")
    latency_ms_p95: float | None


class LlmDay(BaseModel):
    day: str = Field(description="UTC date, YYYY-MM-DD")
    calls: int
    tokens_in: int
    tokens_out: int
    cost_usd: float


class SummaryOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "since": "2026-01-01T00:00:00Z",
                    "until": "2026-01-31T00:00:00Z",
                    "funnel": {
                        "resumes_uploaded": 40,
                        "critiqued": 31,
                        "rewritten": 12,
                        "matched": 25,
                    },
                    "tasks": {
                        "submitted": 50,
                        "finished": 47,
                        "failed": 2,
                        "latency_ms_p50": 850.0,
                        "latency_ms_p95": 4100.0,
                    },
                    "llm_per_day": [
                        {
                            "day": "2026-01-05",
                            "calls": 12,
                            "tokens_in": 14000,
                            "tokens_out": 3900,
                            "cost_usd": 0.0044,
                        }
                    ],
                    "events": {"chat_turn": 220, "tool_call": 140},
                }
            ]
        }
    )

    since: datetime
    until: datetime
    funnel: Funnel
    tasks: TaskStats
    llm_per_day: list[LlmDay]
    events: dict[str, int] = Field(description="count of every event name in the period")
