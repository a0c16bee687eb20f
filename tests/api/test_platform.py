"""Cross-cutting behaviour: error format, rate limiting, health, services alone, the CLI."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from api.identity.service import hash_key
from api.ratelimit import InMemoryRateLimitStore
from clearview.app import SERVICES, build_app
from clearview.commands.apikey import app as apikey_app
from core.db import session_scope
from core.engine import make_engine
from core.models import ApiKey
from core.settings import reset_settings_cache
from tests.helpers.openapi import json_body_schema
from tests.plugins.api import MakeKey


async def test_error_format(client: httpx.AsyncClient, make_key: MakeKey) -> None:
    key = await make_key()
    cases = [
        (await client.get("/api/v1/nowhere", headers=key.headers), 404, "not_found"),
        (
            await client.put("/api/v1/metrics/summary", headers=key.headers),
            405,
            "method_not_allowed",
        ),
        (await client.get("/api/v1/jobs/missing", headers=key.headers), 404, "not_found"),
        (
            await client.post(
                "/api/v1/jobs",
                content=b"{not json",
                headers={**key.headers, "content-type": "application/json"},
            ),
            422,
            "validation_error",
        ),
    ]
    for answer, status, error in cases:
        assert answer.status_code == status, answer.text
        assert answer.json()["error"] == error and answer.json()["detail"]
    missing = await client.post("/api/v1/jobs", json={"title": "x"}, headers=key.headers)
    assert missing.status_code == 422
    assert "body field `description`" in missing.json()["detail"]
    nested = await client.post(
        "/api/v1/jobs/bulk",
        json={"jobs": [{"external_id": "a", "title": "", "description": "d"}]},
        headers=key.headers,
    )
    assert "jobs[0].title" in nested.json()["detail"]


async def test_rate_limit_per_key(
    client: httpx.AsyncClient, make_key: MakeKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = await make_key(), await make_key()
    monkeypatch.setenv("CLEARVIEW_RATE_LIMIT_PER_MINUTE", "3")
    reset_settings_cache()
    statuses = [(await client.get("/api/v1/me", headers=a.headers)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = await client.get("/api/v1/jobs", headers=a.headers)
    assert limited.status_code == 429 and limited.json()["error"] == "rate_limited"
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert (await client.get("/api/v1/me", headers=b.headers)).status_code == 200


async def test_fixed_window_resets() -> None:
    now = [1000.0]
    store = InMemoryRateLimitStore(clock=lambda: now[0], prune_every=1)
    assert [(await store.hit("k", 2, 60)).allowed for _ in range(3)] == [True, True, False]
    denied = await store.hit("k", 2, 60)
    assert not denied.allowed and denied.retry_after == 60
    now[0] += 59.5
    assert (await store.hit("k", 2, 60)).retry_after == pytest.approx(0.5)
    now[0] += 0.5
    assert (await store.hit("k", 2, 60)).allowed
    now[0] += 120
    await store.hit("other", 2, 60)  # pruning drops the quiet key
    assert "k" not in store._windows


async def test_health_and_readiness(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, redis_url: str
) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok", "checks": {}}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {
        "database": "ok",
        "redis": "skipped",
    }
    monkeypatch.setenv("CLEARVIEW_REDIS_URL", redis_url)
    reset_settings_cache()
    assert (await client.get("/readyz")).json()["checks"]["redis"] == "ok"
    monkeypatch.setenv("CLEARVIEW_REDIS_URL", "redis://127.0.0.1:1/0")
    reset_settings_cache()
    down = await client.get("/readyz")
    assert down.status_code == 503 and down.json()["error"] == "unavailable"
    assert down.json()["checks"]["database"] == "ok" and "redis" in down.json()["detail"]


@pytest.mark.usefixtures("engine")
async def test_each_service_runs_alone() -> None:
    paths = {
        name: set(build_app({name}).openapi()["paths"]) for name in ("jobs", "resumes", "metrics")
    }
    assert "/api/v1/jobs/{job_id}" in paths["jobs"] and "/api/v1/resumes" not in paths["jobs"]
    assert (
        "/api/v1/resumes" in paths["resumes"] and "/api/v1/metrics/summary" not in paths["resumes"]
    )
    assert "/api/v1/metrics/summary" in paths["metrics"] and "/api/v1/jobs" not in paths["metrics"]
    assert all({"/healthz", "/api/v1/me"} <= p for p in paths.values())

    every = {name: set(build_app({name}).openapi()["paths"]) for name in SERVICES}
    assert set(build_app({"all"}).openapi()["paths"]) == set().union(*every.values())
    with pytest.raises(ValueError, match="unknown service"):
        build_app({"nope"})


@pytest.mark.usefixtures("engine")
def test_every_route_has_a_docstring_and_examples() -> None:
    spec = build_app().openapi()
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            assert op.get("description") or op.get("summary"), (method, path)
            body = json_body_schema(spec, op)
            if body is not None:
                assert body.get("examples"), (method, path, body.get("title"))


def test_cli_creates_and_revokes_keys(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLEARVIEW_DATABASE_URL", database_url)
    reset_settings_cache()
    runner = CliRunner()
    created = runner.invoke(apikey_app, ["create", "--org", "org-cli", "--role", "employer"])
    assert created.exit_code == 0, created.output
    key = created.stdout.strip().splitlines()[-1]
    assert key.startswith("cv_") and len(key) >= 40

    async def stored() -> ApiKey:
        engine = make_engine(database_url)
        try:
            async with session_scope(engine) as session:
                row = await session.scalar(select(ApiKey).where(ApiKey.prefix == key[:15]))
                assert row is not None
                return row
        finally:
            await engine.dispose()

    row = asyncio.run(stored())
    assert row.key_hash == hash_key(key) and key not in row.key_hash and row.revoked_at is None
    revoked = runner.invoke(apikey_app, ["revoke", row.prefix])
    assert revoked.exit_code == 0, revoked.output
    assert asyncio.run(stored()).revoked_at is not None
    bad = runner.invoke(apikey_app, ["create", "--org", "Bad Org!", "--role", "employer"])
    assert bad.exit_code == 1 and "slug" in bad.output
