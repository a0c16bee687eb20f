"""The hot read, `GET /api/v1/jobs/{id}`, answered in front of the router when it can be.

Integrators poll single jobs far more often than anything else, and the job read cache
(`api.jobs.cache`) already spares such a read the database. Through FastAPI a cache hit
still pays for matching the path against every service's routes and for solving the
route's dependencies: about two thirds of its time (bench/api.py, profiled). This pure
ASGI layer sits inside the request id, body limit and metrics middleware and answers the
request itself only when everything the route would use is already in memory:

- the key of `Authorization: Bearer ...` in the app's key cache (`app.state.key_cache`);
- the job in the job read cache for the key's organisation (tenancy as in the route);

and then applies the same rate limit as the route (a 429 in the same error format).
Anything else (no key or an uncached one, a cache miss, another organisation's job, any
other path or method) passes to the router untouched, which takes the same steps the
slow way. So a request gets the same answer either way, and the limiter counts it once.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from api.deps import count_request
from api.errors import domain_error_response
from api.identity.schemas import Identity
from api.identity.service import hash_key
from api.jobs import endpoints
from core.errors import ClearViewError

PREFIX = "/api/v1/jobs/"
# The route these requests belong to: metrics and logs label them with its path template.
ROUTE = next(
    route
    for route in endpoints.router.routes
    if getattr(route, "endpoint", None) is endpoints.get_job
)


def job_id_in(path: str) -> str | None:
    """The `{job_id}` of a `/api/v1/jobs/{job_id}` path (one segment), else None."""
    if not path.startswith(PREFIX):
        return None
    job_id = path[len(PREFIX) :]
    return job_id if job_id and "/" not in job_id else None


def bearer_key(scope: Scope) -> str | None:
    """The key of an `Authorization: Bearer <key>` header, read as FastAPI's HTTPBearer does."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, key = value.decode("latin-1").partition(" ")
            key = key.strip()
            return key if key and scheme.lower() == "bearer" else None
    return None


class CachedJobReads:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and not scope.get("root_path"):
            job_id = job_id_in(scope["path"])
            if job_id is not None and await self._answered(scope, receive, send, job_id):
                return
        await self.app(scope, receive, send)

    async def _answered(self, scope: Scope, receive: Receive, send: Send, job_id: str) -> bool:
        state = scope["app"].state
        key = bearer_key(scope)
        key_cache = getattr(state, "key_cache", None)
        identity: Identity | None = (
            key_cache.get(hash_key(key)) if key is not None and key_cache is not None else None
        )
        # The route's own cache, looked up through its module as the route does.
        reads = endpoints.job_reads
        body = reads.lookup(identity.org_id, job_id) if identity is not None else None
        if identity is None or body is None:
            return False
        scope["route"] = ROUTE
        response: Response = Response(body, media_type="application/json")
        try:
            await count_request(state, identity)
        except ClearViewError as exc:
            response = domain_error_response(exc)
        await response(scope, receive, send)
        return True
