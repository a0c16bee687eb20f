"""Job alert settings in and out (`/api/v1/alerts`), and the message of a delivered alert."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_MIN_SCORE = 0.6
DEFAULT_MAX_PER_DAY = 5
MAX_PER_DAY_LIMIT = 50

_SETTINGS_EXAMPLE: dict[str, Any] = {
    "enabled": True,
    "min_score": 0.6,
    "location": "Berlin",
    "remote": None,
    "max_per_day": 5,
    "query": "nurse",
}


class AlertSettingsIn(BaseModel):
    """What a candidate chooses; omitted fields take their defaults."""

    model_config = ConfigDict(json_schema_extra={"examples": [_SETTINGS_EXAMPLE]})

    enabled: bool = Field(True, description="false keeps the settings but sends no alert")
    min_score: float = Field(
        DEFAULT_MIN_SCORE,
        ge=0.0,
        le=1.0,
        description="announce a job only when the matcher scores your resume at least this",
    )
    location: str | None = Field(
        None,
        max_length=200,
        description="only jobs whose location names every word of this (e.g. 'Berlin'); "
        "remote jobs pass too unless `remote` is false",
    )
    remote: bool | None = Field(
        None, description="true: remote jobs only; false: on-site jobs only; null: both"
    )
    max_per_day: int = Field(
        DEFAULT_MAX_PER_DAY,
        ge=1,
        le=MAX_PER_DAY_LIMIT,
        description="at most this many alerts in any 24 hours; the best-scoring jobs first",
    )
    query: str | None = Field(
        None,
        max_length=200,
        description="only jobs whose title names every word of this (e.g. 'staff nurse'; "
        "plurals match: 'nurses')",
    )


class AlertSettingsOut(BaseModel):
    """Your alert settings; the defaults, with `enabled` false, until you set them."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{**_SETTINGS_EXAMPLE, "updated_at": "2026-11-29T10:00:00Z"}]
        }
    )

    enabled: bool
    min_score: float
    location: str | None
    remote: bool | None
    max_per_day: int
    query: str | None = None
    updated_at: datetime | None


OFF = AlertSettingsOut(
    enabled=False,
    min_score=DEFAULT_MIN_SCORE,
    location=None,
    remote=None,
    max_per_day=DEFAULT_MAX_PER_DAY,
    query=None,
    updated_at=None,
)
