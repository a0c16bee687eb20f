"""Deployment defaults: security headers everywhere, /docs and /metrics in prod, local docs
assets, owner-only data files."""

from __future__ import annotations

import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from clearview.app import build_app
from core.settings import reset_settings_cache

CLI = str(Path(sys.executable).with_name("clearview"))
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://cv.test")


def _assert_secured(response: httpx.Response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (response.request.url, name)
    assert "frame-ancestors 'none'" in response.headers.get("content-security-policy", "")


async def test_every_answer_carries_the_security_headers() -> None:
    app = build_app()
    # A mounted app, as the chat UI is mounted at /chat, is covered too.
    app.mount("/chat", app=FastAPI(routes=[Route("/", lambda _r: PlainTextResponse("chat"))]))
    async with _client(app) as client:
        for path in ("/healthz", "/api/v1/jobs", "/nowhere", "/chat/", "/docs"):
            _assert_secured(await client.get(path))
        refused = await client.post("/api/v1/jobs", content=b"x" * 20_000_000)
        assert refused.status_code == 413
        _assert_secured(refused)


async def test_the_docs_page_loads_its_assets_from_us() -> None:
    async with _client(build_app()) as client:
        page = await client.get("/docs")
        assert page.status_code == 200
        assert "cdn" not in page.text and "/docs-assets/swagger-ui-bundle.js" in page.text
        script = await client.get("/docs-assets/swagger-ui-bundle.js")
        assert script.status_code == 200 and "SwaggerUIBundle" in script.text
        assert (await client.get("/openapi.json")).status_code == 200


@pytest.fixture
def prod(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLEARVIEW_MODE", "prod")
    monkeypatch.setenv("CLEARVIEW_SECRET_KEY", secrets.token_hex(32))
    reset_settings_cache()


async def test_in_prod_docs_and_metrics_are_off(prod: None) -> None:
    async with _client(build_app()) as client:
        for path in ("/docs", "/openapi.json", "/metrics"):
            assert (await client.get(path)).status_code == 404, path
        assert (await client.get("/healthz")).status_code == 200


async def test_in_prod_metrics_ask_for_their_token(
    prod: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLEARVIEW_METRICS_TOKEN", "m" * 32)
    reset_settings_cache()
    async with _client(build_app()) as client:
        assert (await client.get("/metrics")).status_code == 401
        wrong = {"Authorization": "Bearer " + "x" * 32}
        assert (await client.get("/metrics", headers=wrong)).status_code == 401
        right = {"Authorization": "Bearer " + "m" * 32}
        answer = await client.get("/metrics", headers=right)
        assert answer.status_code == 200 and "clearview_http_requests_total" in answer.text


def test_the_cli_creates_data_files_for_its_owner_only(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CLEARVIEW_")},
        "CLEARVIEW_DATA_DIR": str(data_dir),
        "CLEARVIEW_MODE": "test",
    }
    done = subprocess.run(
        [CLI, "db", "upgrade"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    created = [path for path in data_dir.rglob("*")]
    assert any(path.name == "clearview.db" for path in created)
    for path in [data_dir, *created]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, f"{path} is {oct(mode)}"
