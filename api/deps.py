"""Request dependencies: one transaction per request, and the authenticated caller.

`SessionDep` has FastAPI's "function" scope: its exit code (commit, or rollback on error)
runs when the endpoint returns and before the response is sent, so a client that got a
2xx can read its write back at once, and a failed commit becomes an error response rather
than a silent loss after a 201.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
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

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key: `Authorization: Bearer cv_...` (`clearview apikey create`).",
)


async def get_identity(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Identity:
    if credentials is None:
        raise Unauthorized(
            "missing API key; send `Authorization: Bearer <key>`",
            headers={"WWW-Authenticate": "Bearer"},
        )
    state = request.app.state
    identity = await identity_service.authenticate_cached(
        credentials.credentials, getattr(state, "key_cache", None)
    )
    await count_request(state, identity)
    return identity


async def count_request(state: State, identity: Identity) -> None:
    """Count a request against its key's rate limit (`RateLimited` past it)."""
    limiter = getattr(state, "rate_limiter", None)
    if limiter is not None:
        await limiter.check(identity.key_id)


CurrentIdentity = Annotated[Identity, Depends(get_identity)]


def require_role(identity: Identity, *roles: Role) -> None:
    """Refuse callers of another role. Call it after any tenant-scoped lookup, so an
    object of another tenant answers 404 whatever the caller's role."""
    if identity.role not in roles:
        allowed = ", ".join(role.value for role in roles)
        raise Forbidden(f"this action needs a key with role {allowed}")
