"""The one way tools reach the services: HTTP with the caller's own API key.

Tools never hold credentials of their own, so every scope rule (tenant, role, opt-in) is
enforced by the services exactly as for any other client, whatever the model asks for.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.types import ASGIApp

# The services of this very process, reached without a socket (`services_http`).
IN_PROCESS_URL = "http://clearview.internal"
TIMEOUT = httpx.Timeout(60.0, connect=5.0)


def services_http(
    services_url: str | None, in_process: ASGIApp | None
) -> tuple[httpx.AsyncClient, str]:
    """A pooled client for the services and their base URL: `services_url` when the
    services run elsewhere, else the app `in_process` of this very process, called in
    memory (every call still goes through HTTP semantics: authentication by key,
    validation, the error format, without a port to discover)."""
    if services_url:
        return httpx.AsyncClient(timeout=TIMEOUT), services_url.rstrip("/")
    if in_process is None:
        raise RuntimeError("no services to call: set CLEARVIEW_SERVICES_URL")
    transport = httpx.ASGITransport(app=in_process, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, timeout=TIMEOUT), IN_PROCESS_URL


class ServiceError(RuntimeError):
    """A service refused or failed a call; `detail` is its own explanation."""

    def __init__(self, status: int, detail: str, retry_after: str | None = None) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail
        self.retry_after = retry_after  # a 429's or 503's Retry-After, as sent


@dataclass(frozen=True, slots=True)
class Download:
    """A file a service answered (a report), with its type and download name."""

    body: bytes
    media_type: str
    filename: str


_FILENAME_RE = re.compile(r'filename="([^"]+)"')


class ServiceClient:
    """Calls to the services on behalf of one caller.

    `http` is shared by every caller of the process (connection pooling keeps a turn
    fast); the key travels per request. `service_seconds` adds up the time spent waiting
    for the services, so a turn's latency can be split between our code and theirs.
    """

    def __init__(self, http: httpx.AsyncClient, base_url: str, api_key: str | None) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        # No key: calls that need none (signing in).
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.service_seconds = 0.0

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """The decoded JSON answer (None for 204); raises `ServiceError` on 4xx/5xx."""
        response = await self._send(method, path, params, headers, json=json, files=files)
        if response.status_code == 204 or not response.content:
            return None
        if "json" not in response.headers.get("content-type", ""):
            return response.text
        return response.json()

    async def download(self, path: str, **params: Any) -> Download:
        """A file (bytes, not decoded); raises `ServiceError` on 4xx/5xx."""
        response = await self._send("GET", path, params)
        disposition = _FILENAME_RE.search(response.headers.get("content-disposition", ""))
        return Download(
            response.content,
            response.headers.get("content-type", "application/octet-stream"),
            disposition.group(1) if disposition else path.rsplit("/", 1)[-1],
        )

    async def _send(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        **body: Any,
    ) -> httpx.Response:
        """The service's response (`body`: httpx's `json` or `files`); 4xx/5xx raise."""
        started = time.perf_counter()
        try:
            response = await self.http.request(
                method,
                f"{self.base_url}{path}",
                params={k: v for k, v in (params or {}).items() if v is not None},
                headers=self._headers | (headers or {}),
                **body,
            )
        except httpx.HTTPError as exc:
            raise ServiceError(
                503, f"the service could not be reached ({type(exc).__name__})"
            ) from exc
        finally:
            self.service_seconds += time.perf_counter() - started
        if response.status_code >= 400:
            raise ServiceError(
                response.status_code, _detail(response), response.headers.get("retry-after")
            )
        return response

    async def get(self, path: str, **params: Any) -> Any:
        return await self.request("GET", path, params=params)

    async def post(self, path: str, body: Any = None) -> Any:
        return await self.request("POST", path, json=body)


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300] or response.reason_phrase
    if isinstance(body, dict):
        detail = body.get("detail") or body.get("error")
        if isinstance(detail, list):  # FastAPI validation errors
            return "; ".join(str(item.get("msg", item)) for item in detail)[:300]
        if detail:
            return str(detail)[:300]
    return str(body)[:300]
