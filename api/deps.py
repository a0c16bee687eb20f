"""Request dependencies: one transaction per request, and the authenticated caller.

`SessionDep` has FastAPI's "function" scope: its exit code (commit, or rollback on error)
runs when the endpoint returns and before the response is sent, so a client that got a
2xx can read its write back at once, and a failed commit becomes an error response rather
than a silent loss after a 201.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, cast

from fastapi import Depends, Request
from fastapi.openapi.models import HTTPBearer as HTTPBearerModel
from fastapi.security.base import SecurityBase
from fastapi.security.utils import get_authorization_scheme_param
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import State

from api.identity.schemas import Identity
from api.identity.service import identity_service
from core.db import session_scope
from core.errors import Forbidden, Unauthorized
from core.models import Role


async def get_session() -> AsyncIterator[AsyncSession]:
    async with session_scope() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]

# Where a request's authenticated caller is kept once known (see `ApiKeyAuth`).
_IDENTITY = "clearview.identity"


class ApiKeyAuth(SecurityBase):
    """The caller of a request, from its API key; 401 without a valid one, 429 past the
    key's rate limit.

    One dependency for the whole of authentication (reading the bearer key, the key
    cache, counting the request), where a separate `HTTPBearer` dependency cost FastAPI
    one more dependency to solve on every request. The identity is kept in the request's
    scope, so the key is authenticated, and the request counted, once per request
    however many dependencies of a route ask for the caller. A `SecurityBase`, so the
    OpenAPI document shows the `ApiKey` bearer scheme on every route that uses it.
    """

    def __init__(self) -> None:
        self.model = HTTPBearerModel(
            description="An API key: `Authorization: Bearer cv_...` (`clearview apikey create`)."
        )
        self.scheme_name = "ApiKey"

    async def __call__(self, request: Request) -> Identity:
        known = request.scope.get(_IDENTITY)
        if known is not None:
            return cast(Identity, known)
        scheme, key = get_authorization_scheme_param(request.headers.get("Authorization"))
        if not key or scheme.lower() != "bearer":
            raise Unauthorized(
                "missing API key; send `Authorization: Bearer <key>`",
                headers={"WWW-Authenticate": "Bearer"},
            )
        state = request.app.state
        identity = await identity_service.authenticate_cached(
            key, getattr(state, "key_cache", None)
        )
        await count_request(state, identity)
        request.scope[_IDENTITY] = identity
        return identity


api_key_auth = ApiKeyAuth()


async def count_request(state: State, identity: Identity) -> None:
    """Count a request against its key's rate limit (`RateLimited` past it)."""
    limiter = getattr(state, "rate_limiter", None)
    if limiter is not None:
        await limiter.check(identity.key_id)


CurrentIdentity = Annotated[Identity, Depends(api_key_auth)]


def require_role(identity: Identity, *roles: Role) -> None:
    """Refuse callers of another role. Call it after any tenant-scoped lookup, so an
    object of another tenant answers 404 whatever the caller's role."""
    if identity.role not in roles:
        allowed = ", ".join(role.value for role in roles)
        raise Forbidden(f"this action needs a key with role {allowed}")
