"""One HTTP attempt of one webhook delivery: sign, POST, classify the answer.

The request goes to the address `ssrf.resolve` just checked (the Host header and TLS
server name keep the original host), redirects are never followed (a 3xx is a failed
attempt: following it could lead to a private address), and proxies from the environment
are ignored (they would bypass the check).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from api.gateway import signing, ssrf

USER_AGENT = "ClearView-Webhooks/1"
# The receiver's body is not ours to read or keep: only this much is read, then dropped.
MAX_RESPONSE_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one attempt came to; `status_code` is None when no answer arrived."""

    status_code: int | None
    error: str | None
    retry_after_s: float | None
    duration_ms: float
    timestamp: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def gone(self) -> bool:
        return self.status_code == 410


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """`Retry-After` as seconds from `now`: delta-seconds or an HTTP-date (RFC 9110)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None  # unparseable: fall back to our own back-off
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - now).total_seconds(), 0.0)


async def _discard_body(response: httpx.Response) -> None:
    """Read and drop at most `MAX_RESPONSE_BYTES` of the receiver's body (a small one is
    read so the connection can be reused); a bigger one is cut off by closing."""
    read = 0
    try:
        async for chunk in response.aiter_raw():
            read += len(chunk)
            if read > MAX_RESPONSE_BYTES:
                break
    finally:
        await response.aclose()


def new_client() -> httpx.AsyncClient:
    """The client of one worker: pooled connections, no redirects, no environment proxies."""
    return httpx.AsyncClient(follow_redirects=False, trust_env=False)


async def send(
    client: httpx.AsyncClient,
    url: str,
    secrets: Sequence[str],
    webhook_id: str,
    body: bytes,
    *,
    allow_private: bool,
    timeout_s: float,
) -> Outcome:
    """POST `body` to `url`, signed with every secret; never raises for a failed attempt."""
    timestamp = int(time.time())  # fresh on every attempt; the id stays the same
    started = time.perf_counter()

    def outcome(status: int | None, error: str | None, retry_after: float | None = None) -> Outcome:
        elapsed = (time.perf_counter() - started) * 1000
        return Outcome(status, error, retry_after, round(elapsed, 1), timestamp)

    try:
        target = await ssrf.resolve(url, allow_private=allow_private)
    except ssrf.UnsafeTarget as exc:
        return outcome(None, f"target refused: {exc.detail}")
    headers = {
        "host": target.url.netloc.decode("ascii"),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signing.signature_header(secrets, webhook_id, timestamp, body),
    }
    extensions: dict[str, Any] = {"timeout": httpx.Timeout(timeout_s).as_dict()}
    if target.url.scheme == "https":
        extensions["sni_hostname"] = target.url.host
    request = client.build_request(
        "POST",
        target.url.copy_with(host=target.address),
        headers=headers,
        content=body,
        extensions=extensions,
    )
    try:
        # One deadline for the whole attempt (connect, headers, body): httpx's timeouts
        # are per read, so a receiver dripping a byte a second would hold the one
        # webhook consumer of every tenant for as long as it liked.
        async with asyncio.timeout(timeout_s):
            response = await client.send(request, stream=True)
            await _discard_body(response)
    except (httpx.TimeoutException, TimeoutError):
        return outcome(None, f"timed out after {timeout_s:g}s")
    except httpx.HTTPError as exc:
        return outcome(None, f"{type(exc).__name__}: {exc}"[:500])
    if response.is_redirect:
        location = response.headers.get("location", "")
        return outcome(response.status_code, f"redirect to {location[:200]!r} not followed")
    retry_after = retry_after_seconds(response.headers.get("retry-after"), datetime.now(UTC))
    error = None if response.is_success else f"receiver answered {response.status_code}"
    return outcome(response.status_code, error, retry_after)
