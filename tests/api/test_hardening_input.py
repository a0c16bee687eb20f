"""Hostile input to the jobs API: deep nesting is refused with a clear 422, stores nothing."""

from __future__ import annotations

from typing import Any

import httpx

from tests.plugins.api import Key, MakeKey


def _nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"leaf": 1}
    for _ in range(depth):
        value = {"a": value}
    return value


async def _count(client: httpx.AsyncClient, key: Key) -> int:
    listed = await client.get("/api/v1/jobs", headers=key.headers)
    return int(listed.json()["total"])


async def test_extra_nested_900_deep_is_refused_with_422(
    client: httpx.AsyncClient, make_key: MakeKey
) -> None:
    key = await make_key(role="admin")
    job = {"external_id": "deep", "title": "T", "description": "D", "extra": _nested(900)}
    for path, body in (("/api/v1/jobs/bulk", {"jobs": [job]}), ("/api/v1/jobs", job)):
        answer = await client.post(path, json=body, headers=key.headers)
        assert answer.status_code == 422, answer.text
        assert "extra" in answer.json()["detail"] and "deep" in answer.json()["detail"]
    assert await _count(client, key) == 0


async def test_a_body_too_deep_to_parse_is_a_client_error(
    client: httpx.AsyncClient, make_key: MakeKey
) -> None:
    key = await make_key(role="admin")
    depth = 100_000
    raw = '{"jobs": [{"external_id": "x", "title": "T", "description": "D", "extra": '
    raw += '{"a": ' * depth + "1" + "}" * depth + "}]}"
    answer = await client.post(
        "/api/v1/jobs/bulk",
        content=raw,
        headers={**key.headers, "Content-Type": "application/json"},
    )
    assert 400 <= answer.status_code < 500, answer.text
    assert await _count(client, key) == 0
