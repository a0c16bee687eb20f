"""Metrics: the summary's numbers match the recorded events; Prometheus text is served."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from api.metrics.service import percentile, record
from core.db import session_scope
from tests.plugins.api import MakeKey


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 21)]  # 1..20
    assert percentile(values, 0.5) == 10.0
    assert percentile(values, 0.95) == 19.0
    assert percentile([7.0], 0.95) == 7.0
    assert percentile([], 0.5) is None


async def test_summary_matches_recorded_events(
    client: httpx.AsyncClient, make_key: MakeKey, engine: AsyncEngine
) -> None:
    key, other = await make_key("org-a", "employer"), await make_key("org-b", "employer")

    async def post(body: dict[str, object], who: object = key) -> None:
        answer = await client.post("/api/v1/metrics/events", json=body, headers=who.headers)  # type: ignore[attr-defined]
        assert answer.status_code == 201, answer.text
        assert answer.json()["id"]

    durations = [100.0, 200.0, 300.0, 400.0, 5000.0]
    for ms in durations:
        await post({"name": "task_finished", "duration_ms": ms})
    await post({"name": "task_submitted"})
    await post({"name": "task_failed", "duration_ms": 10})
    for _ in range(3):
        await post({"name": "llm_call", "tokens_in": 1000, "tokens_out": 200, "cost_usd": 0.0015})
    for name, times in (
        ("resume_uploaded", 4),
        ("resume_critiqued", 3),
        ("resume_rewritten", 2),
        ("match_served", 1),
    ):
        for _ in range(times):
            await post({"name": name})
    await post({"name": "llm_call", "tokens_in": 999_999}, who=other)  # another tenant
    async with session_scope(engine) as session:  # what other packages call
        await record(session, "tool_call", org_id=key.org_id, duration_ms=12.5)

    answer = await client.get("/api/v1/metrics/summary", headers=key.headers)
    assert answer.status_code == 200, answer.text
    summary = answer.json()
    assert summary["funnel"] == {
        "resumes_uploaded": 4,
        "critiqued": 3,
        "rewritten": 2,
        "matched": 1,
    }
    assert summary["tasks"] == {
        "submitted": 1,
        "finished": 5,
        "failed": 1,
        "latency_ms_p50": 300.0,
        "latency_ms_p95": 5000.0,
    }
    today = datetime.now(UTC).date().isoformat()
    [day] = summary["llm_per_day"]
    assert day == {
        "day": today,
        "calls": 3,
        "tokens_in": 3000,
        "tokens_out": 600,
        "cost_usd": 0.0045,
    }
    assert summary["events"]["tool_call"] == 1

    # The period bounds the counts.
    past = {"since": "2020-01-01T00:00:00Z", "until": "2020-02-01T00:00:00Z"}
    empty = (await client.get("/api/v1/metrics/summary", params=past, headers=key.headers)).json()
    assert empty["funnel"]["resumes_uploaded"] == 0 and empty["llm_per_day"] == []
    # A period given in another zone means the same instants.
    since = (datetime.now(UTC) - timedelta(hours=1)).astimezone(ZoneInfo("America/New_York"))
    shifted = await client.get(
        "/api/v1/metrics/summary", params={"since": since.isoformat()}, headers=key.headers
    )
    assert shifted.json()["funnel"]["resumes_uploaded"] == 4


@pytest.mark.parametrize(
    "params",
    [
        {"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"},
        {"since": "2000-01-01T00:00:00Z"},
    ],
)
async def test_summary_refuses_bad_periods(
    client: httpx.AsyncClient, make_key: MakeKey, params: dict[str, str]
) -> None:
    key = await make_key()
    answer = await client.get("/api/v1/metrics/summary", params=params, headers=key.headers)
    assert answer.status_code == 400 and answer.json()["error"] == "bad_request"


async def test_unknown_event_name_is_named_in_the_error(
    client: httpx.AsyncClient, make_key: MakeKey
) -> None:
    key = await make_key()
    answer = await client.post("/api/v1/metrics/events", json={"name": "nope"}, headers=key.headers)
    assert answer.status_code == 422
    assert answer.json()["error"] == "validation_error" and "`name`" in answer.json()["detail"]


async def test_prometheus_counts_requests_by_route_template(
    client: httpx.AsyncClient, make_key: MakeKey
) -> None:
    key = await make_key()
    for _ in range(2):
        await client.get("/api/v1/jobs/abc123", headers=key.headers)
    text = (await client.get("/metrics")).text
    assert "# TYPE clearview_http_requests_total counter" in text
    line = 'clearview_http_requests_total{method="GET",route="/api/v1/jobs/{job_id}",status="404"}'
    assert line in text
    assert "abc123" not in text
