"""The general request path: the route index answers as the whole route table would, and
a request is authenticated (and counted) once however many dependencies ask for the
caller."""

from __future__ import annotations

import json
from typing import Annotated

import httpx
from fastapi import Depends, FastAPI

from api.deps import CurrentIdentity, api_key_auth
from api.identity.schemas import Identity
from api.ratelimit import Decision
from api.routetable import index_routes
from clearview.app import build_app
from tests.plugins.api import MakeKey


def _app(indexed: bool) -> FastAPI:
    app = FastAPI()

    @app.get("/{section}/v1/items")
    async def any_section(section: str) -> dict[str, str]:
        return {"by": "any section", "section": section}

    @app.get("/api/v1/items")
    async def items() -> dict[str, str]:  # after the route above: never reached
        return {"by": "items"}

    @app.get("/api/v1/things/{thing_id}")
    async def get_thing(thing_id: str) -> dict[str, str]:
        return {"by": "get thing", "thing": thing_id}

    @app.post("/api/v1/things/{thing_id}")
    async def post_thing(thing_id: str) -> dict[str, str]:
        return {"by": "post thing", "thing": thing_id}

    @app.get("/api/v1/things/special")
    async def special() -> dict[str, str]:  # shadowed by the parameter route above
        return {"by": "special"}

    @app.get("/healthz")
    async def health() -> dict[str, str]:
        return {"by": "health"}

    if indexed:
        index_routes(app)
    return app


REQUESTS = [
    ("GET", "/api/v1/items"),
    ("GET", "/other/v1/items"),
    ("GET", "/api/v1/things/special"),
    ("POST", "/api/v1/things/7"),
    ("PUT", "/api/v1/things/7"),
    ("GET", "/healthz"),
    ("GET", "/healthz/extra"),
    ("GET", "/api/v1/nothing"),
    ("GET", "/api/v1/things/7/"),
    ("GET", "/api/v1/late"),
]


async def _answers(app: FastAPI) -> list[tuple[int, str, str, bytes]]:
    transport = httpx.ASGITransport(app=app)
    answers = []
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for method, path in REQUESTS:
            if path == "/api/v1/late":  # a route added after the index was built

                @app.get("/api/v1/late")
                async def late() -> dict[str, str]:
                    return {"by": "late"}

            answer = await client.request(method, path, follow_redirects=False)
            allow, location = answer.headers.get("allow", ""), answer.headers.get("location", "")
            answers.append((answer.status_code, allow, location, answer.content))
    return answers


async def test_the_index_answers_as_the_whole_table() -> None:
    answers = await _answers(_app(indexed=True))
    assert answers == await _answers(_app(indexed=False))
    served = [json.loads(body).get("by") for status, _, _, body in answers if status == 200]
    # the first route of the table that matches wins, whatever group it is in
    assert served == ["any section", "any section", "get thing", "post thing", "health", "late"]
    assert [status for status, *_ in answers if status != 200] == [405, 404, 404, 307]


class _CountingStore:
    def __init__(self) -> None:
        self.hits = 0

    async def hit(self, key: str, limit: int, window_seconds: float) -> Decision:
        self.hits += 1
        return Decision(True, limit, limit - self.hits, window_seconds)


async def _again(
    identity: Annotated[Identity, Depends(api_key_auth, use_cache=False)],
) -> Identity:
    """The caller once more, not cached by FastAPI: only the scope keeps it to one."""
    return identity


async def test_a_request_is_authenticated_and_counted_once(make_key: MakeKey) -> None:
    app = build_app({"jobs"})
    store = _CountingStore()
    app.state.rate_limiter.store = store

    @app.get("/twice")
    async def twice(
        first: CurrentIdentity, second: Annotated[Identity, Depends(_again)]
    ) -> dict[str, bool]:
        return {"same": first is second}

    key = await make_key("org-a", "employer")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answer = await client.get("/twice", headers=key.headers)
        assert answer.json() == {"same": True}
        assert store.hits == 1
        refused = await client.get("/twice", headers={"Authorization": "Basic abc"})
        assert refused.status_code == 401
        assert refused.json()["error"] == "unauthorized"
        assert refused.headers["www-authenticate"] == "Bearer"
    assert store.hits == 1


def test_the_openapi_document_keeps_every_route_and_the_key_scheme() -> None:
    document = build_app().openapi()
    job = document["paths"]["/api/v1/jobs/{job_id}"]["get"]
    assert job["security"] == [{"ApiKey": []}]
    assert job["tags"] == ["jobs"] and "429" in job["responses"]
    assert document["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"
    assert "/api/v1/resumes/{resume_id}/versions/{version_id}/accept" in document["paths"]
