"""Subscription API: create/list/get/delete, event names, roles, tenancy, the SSRF guard."""

from __future__ import annotations

import base64
import ipaddress

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from api.gateway.ssrf import NOT_PUBLIC, address_problem
from tests.plugins.api import MakeKey

URL = "/api/v1/webhooks/subscriptions"
PUBLIC = "http://93.184.216.34/hook"  # an IP literal: resolving it needs no network


async def test_subscription_lifecycle(
    engine: AsyncEngine, client: httpx.AsyncClient, make_key: MakeKey
) -> None:
    key = await make_key("org-a", "employer")
    created = await client.post(
        URL, json={"url": PUBLIC, "events": ["match.completed", "job.alert"]}, headers=key.headers
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["events"] == ["match.completed", "job.alert"] and body["active"] is True
    assert len(base64.b64decode(body["secret"].removeprefix("whsec_"))) >= 24

    listed = (await client.get(URL, headers=key.headers)).json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]
    assert "secret" not in listed["items"][0]  # shown on create and rotate only
    got = await client.get(f"{URL}/{body['id']}", headers=key.headers)
    assert got.status_code == 200 and "secret" not in got.json()

    other = await make_key("org-b", "admin")
    assert (await client.get(f"{URL}/{body['id']}", headers=other.headers)).status_code == 404
    assert (await client.get(URL, headers=other.headers)).json()["total"] == 0

    assert (await client.delete(f"{URL}/{body['id']}", headers=key.headers)).status_code == 204
    assert (await client.get(f"{URL}/{body['id']}", headers=key.headers)).status_code == 404


async def test_unknown_events_are_named(
    engine: AsyncEngine, client: httpx.AsyncClient, make_key: MakeKey
) -> None:
    key = await make_key("org-a", "admin")
    response = await client.post(
        URL,
        json={"url": PUBLIC, "events": ["match.completed", "match.done", "resume.deleted"]},
        headers=key.headers,
    )
    assert response.status_code == 400
    assert "match.done, resume.deleted" in response.json()["detail"]
    events = (await client.get("/api/v1/webhooks/events", headers=key.headers)).json()
    assert {"match.completed", "rewrite.completed", "resume.parsed", "job.alert"} <= {
        e["type"] for e in events
    }


async def test_candidates_cannot_subscribe(
    engine: AsyncEngine, client: httpx.AsyncClient, make_key: MakeKey
) -> None:
    key = await make_key("org-a", "candidate")
    response = await client.post(
        URL, json={"url": PUBLIC, "events": ["match.completed"]}, headers=key.headers
    )
    assert response.status_code == 403
    assert (await client.get(URL)).status_code == 401


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:8080/hook", NOT_PUBLIC),
        ("http://localhost/hook", NOT_PUBLIC),
        ("http://[::1]/hook", NOT_PUBLIC),
        ("http://[::ffff:127.0.0.1]/hook", NOT_PUBLIC),
        ("http://10.1.2.3/hook", NOT_PUBLIC),
        ("http://192.168.0.10/hook", NOT_PUBLIC),
        ("http://169.254.169.254/latest/meta-data", NOT_PUBLIC),
        ("http://0.0.0.0/hook", NOT_PUBLIC),
        ("http://224.0.0.1/hook", NOT_PUBLIC),
        ("http://[2002:7f00:1::]/hook", NOT_PUBLIC),  # 6to4 around 127.0.0.1
        ("http://[2002:a9fe:a9fe::1]/hook", NOT_PUBLIC),  # 6to4 around the metadata service
        ("http://[64:ff9b::7f00:1]/hook", NOT_PUBLIC),  # NAT64 around 127.0.0.1
        ("http://[64:ff9b::a00:1]/hook", NOT_PUBLIC),  # NAT64 around 10.0.0.1
        ("http://[::127.0.0.1]/hook", NOT_PUBLIC),  # IPv4-compatible
        ("ftp://93.184.216.34/hook", "http or https"),
        ("file:///etc/passwd", "http or https"),
        ("http://user:pw@93.184.216.34/", "credentials"),
    ],
)
async def test_unsafe_targets_are_refused(
    engine: AsyncEngine, client: httpx.AsyncClient, make_key: MakeKey, url: str, reason: str
) -> None:
    key = await make_key("org-a", "employer")
    response = await client.post(
        URL, json={"url": url, "events": ["match.completed"]}, headers=key.headers
    )
    assert response.status_code == 422, response.text
    assert reason in response.json()["detail"]
    # The refusal says nothing of what the name resolved to or why it was refused.
    for revealing in ("127.0.0.1", "::1", "loopback", "private", "link-local"):
        if revealing not in url:
            assert revealing not in response.json()["detail"]


async def test_private_targets_allowed_when_configured(
    engine: AsyncEngine, client: httpx.AsyncClient, make_key: MakeKey, fast_webhooks: None
) -> None:
    key = await make_key("org-a", "employer")
    response = await client.post(
        URL,
        json={"url": "http://127.0.0.1:9/hook", "events": ["match.completed"]},
        headers=key.headers,
    )
    assert response.status_code == 201


def test_address_classes() -> None:
    assert address_problem(ipaddress.ip_address("93.184.216.34")) is None
    assert address_problem(ipaddress.ip_address("2606:2800:220:1::1")) is None
    assert address_problem(ipaddress.ip_address("100.64.0.1")) == "non-public"  # shared CGNAT
    assert address_problem(ipaddress.ip_address("fe80::1")) == "link-local"
    assert address_problem(ipaddress.ip_address("fd00::1")) == "private"
    assert address_problem(ipaddress.ip_address("240.0.0.1")) == "private"
    assert address_problem(ipaddress.ip_address("2002:7f00:1::")) == "IPv4-embedding"
    assert address_problem(ipaddress.ip_address("64:ff9b::808:808")) == "IPv4-embedding"
    assert address_problem(ipaddress.ip_address("::")) == "unspecified"
