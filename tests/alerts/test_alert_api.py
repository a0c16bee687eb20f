"""`/api/v1/alerts` on SQLite and PostgreSQL: defaults, set, read back, turn off, remove;
validation in the one error format; candidate keys only; documented with examples."""

from __future__ import annotations

import httpx
import pytest

from tests.plugins.api import MakeKey


async def test_defaults_set_read_back_turn_off_and_remove(
    client: httpx.AsyncClient, make_key: MakeKey
) -> None:
    me = await make_key("people", "candidate")
    answer = await client.get("/api/v1/alerts", headers=me.headers)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "enabled": False, "min_score": 0.6, "location": None, "remote": None,
        "max_per_day": 5, "query": None, "updated_at": None,
    }  # fmt: skip

    body = {
        "enabled": True, "min_score": 0.7, "location": "Berlin", "remote": None,
        "query": "staff nurse",
    }  # fmt: skip
    answer = await client.put("/api/v1/alerts", json=body, headers=me.headers)
    assert answer.status_code == 200, answer.text
    saved = answer.json()
    assert {k: saved[k] for k in body} == body
    assert saved["max_per_day"] == 5 and saved["updated_at"] is not None
    assert (await client.get("/api/v1/alerts", headers=me.headers)).json() == saved

    answer = await client.put(
        "/api/v1/alerts", json={"enabled": False, "max_per_day": 3}, headers=me.headers
    )
    assert answer.json()["enabled"] is False
    assert answer.json()["min_score"] == 0.6  # PUT replaces: omitted fields take defaults

    assert (await client.delete("/api/v1/alerts", headers=me.headers)).status_code == 204
    after = (await client.get("/api/v1/alerts", headers=me.headers)).json()
    assert after["enabled"] is False and after["updated_at"] is None
    # Removing settings that do not exist is no error.
    assert (await client.delete("/api/v1/alerts", headers=me.headers)).status_code == 204


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"min_score": 2}, "min_score"),
        ({"min_score": -0.1}, "min_score"),
        ({"max_per_day": 0}, "max_per_day"),
        ({"max_per_day": 51}, "max_per_day"),
        ({"remote": "sometimes"}, "remote"),
        ({"location": "x" * 201}, "location"),
        ({"query": "x" * 201}, "query"),
    ],
)
async def test_invalid_settings_are_422_naming_the_field(
    client: httpx.AsyncClient, make_key: MakeKey, body: dict[str, object], field: str
) -> None:
    me = await make_key("people", "candidate")
    answer = await client.put("/api/v1/alerts", json=body, headers=me.headers)
    assert answer.status_code == 422, answer.text
    error = answer.json()
    assert set(error) >= {"error", "detail"}
    assert field in str(error["detail"])
    # Nothing was stored.
    assert (await client.get("/api/v1/alerts", headers=me.headers)).json()["enabled"] is False


async def test_only_candidates_have_alerts(client: httpx.AsyncClient, make_key: MakeKey) -> None:
    employer = await make_key("acme", "employer")
    for method in ("GET", "PUT", "DELETE"):
        answer = await client.request(
            method,
            "/api/v1/alerts",
            json={"enabled": True} if method == "PUT" else None,
            headers=employer.headers,
        )
        assert answer.status_code == 403, (method, answer.text)
        assert answer.json()["error"] == "forbidden"
        assert "candidate" in answer.json()["detail"]
    assert (await client.get("/api/v1/alerts")).status_code == 401


async def test_openapi_documents_alerts_with_examples(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    path = spec["paths"]["/api/v1/alerts"]
    assert set(path) == {"get", "put", "delete"}
    assert "403" in path["put"]["responses"] and "422" in path["put"]["responses"]
    schemas = spec["components"]["schemas"]
    assert schemas["AlertSettingsIn"]["examples"]
    assert schemas["AlertSettingsOut"]["examples"]
