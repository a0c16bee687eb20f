"""Redis resolution: the configured URL, or one embedded Valkey shared by the install."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis

from core.redis import (
    EmbeddedValkey,
    RedisUnavailable,
    embedded_url,
    get_redis,
    ping,
    redis_runtime,
    resolve_url,
)
from core.settings import reset_settings_cache

ROOT = Path(__file__).resolve().parents[2]


async def test_without_a_url_an_embedded_valkey_starts_answers_and_stops(
    isolated_settings: Path,
) -> None:
    async with redis_runtime() as url:
        assert url == embedded_url(isolated_settings)
        assert await get_redis().ping() is True
        assert await get_redis().config_get("appendonly") == {"appendonly": "yes"}
        assert (isolated_settings / "valkey" / "appendonlydir").is_dir()
        assert resolve_url() == url
    assert not await asyncio.to_thread(ping, url)


async def test_a_second_resolution_reuses_the_running_server(isolated_settings: Path) -> None:
    async with redis_runtime() as url:
        async with redis_runtime() as again:
            assert again == url
        assert await asyncio.to_thread(ping, url)  # the inner one did not own it

        # Another process of the same install (a CLI command) reuses it, too.
        probe = (
            "import sys; from pathlib import Path; from core.redis import EmbeddedValkey\n"
            "e = EmbeddedValkey(Path(sys.argv[1])); print(e.start(), e.owned)"
        )
        out = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-c", probe, str(isolated_settings)],
            capture_output=True, text=True, check=True, timeout=60,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )  # fmt: skip
        assert out.stdout.split() == [url, "False"]
    assert not await asyncio.to_thread(ping, url)


def test_owner_leaves_the_server_up_while_another_process_uses_it(tmp_path: Path) -> None:
    owner = EmbeddedValkey(tmp_path)
    url = owner.start()
    other = redis.Redis.from_url(url, client_name="another-process")
    try:
        assert other.ping()
        owner.stop()
        assert other.ping()  # still serving the other client
        assert EmbeddedValkey(tmp_path).start() == url  # and found again by the next one
    finally:
        other.shutdown()
        other.close()
    assert not ping(url)


async def test_a_configured_url_is_used_and_nothing_starts(
    isolated_settings: Path, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLEARVIEW_REDIS_URL", redis_url)
    reset_settings_cache()
    async with redis_runtime() as url:
        assert url == redis_url
        assert await get_redis().ping() is True
    assert not (isolated_settings / "valkey").exists()


def test_nothing_resolved_says_what_to_do() -> None:
    with pytest.raises(RedisUnavailable, match="CLEARVIEW_REDIS_URL"):
        resolve_url()


def test_ping_is_false_for_a_closed_port() -> None:
    assert ping("redis://127.0.0.1:1", timeout=0.5) is False
