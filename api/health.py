"""Liveness and readiness, open without a key (load balancers and orchestrators call them)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from redis.asyncio import from_url
from sqlalchemy import text

from core.engine import get_engine
from core.redis import RedisUnavailable, resolve_url

logger = logging.getLogger(__name__)
router = APIRouter(tags=["health"])

CHECK_TIMEOUT = 3.0


class Health(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"status": "ok", "checks": {"database": "ok", "redis": "skipped"}}]
        }
    )

    status: str
    checks: dict[str, str] = {}
    # Set when not ready, so the 503 also reads as the usual error format.
    error: str | None = None
    detail: str | None = None


async def _database() -> None:
    async with get_engine().connect() as conn:
        await conn.execute(text("select 1"))


async def _redis(url: str) -> None:
    client = from_url(url, socket_connect_timeout=CHECK_TIMEOUT)
    try:
        await client.ping()
    finally:
        await client.aclose()


@router.get("/healthz", response_model=Health, response_model_exclude_none=True)
async def healthz() -> Health:
    """The process is up (no dependency is checked)."""
    return Health(status="ok")


@router.get("/readyz", response_model=Health, responses={503: {"model": Health}})
async def readyz() -> JSONResponse:
    """The database and Redis (configured, or the embedded one in use) answer; 503 otherwise."""
    probes = {"database": _database()}
    # No Redis in this process (a service run alone without streams): skipped.
    with contextlib.suppress(RedisUnavailable):
        probes["redis"] = _redis(resolve_url())
    checks: dict[str, str] = {}
    for name, probe in probes.items():
        try:
            await asyncio.wait_for(probe, CHECK_TIMEOUT)
            checks[name] = "ok"
        except Exception as exc:
            # Any driver error means "not ready"; only its type is shown (no URLs, secrets).
            logger.warning("readiness check %s failed: %s", name, type(exc).__name__)
            checks[name] = f"unavailable ({type(exc).__name__})"
    if "redis" not in checks:
        checks["redis"] = "skipped"
    ok = all(value in ("ok", "skipped") for value in checks.values())
    if ok:
        return JSONResponse(Health(status="ok", checks=checks).model_dump(exclude_none=True))
    failed = "; ".join(f"{name}: {state}" for name, state in checks.items() if state != "ok")
    body = Health(status="unavailable", checks=checks, error="unavailable", detail=failed)
    return JSONResponse(body.model_dump(), status_code=503)
