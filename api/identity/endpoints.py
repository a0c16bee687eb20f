"""Identity endpoints: who am I, API key management for organisation admins, and the
chat's sign-in (a password for a key; the chat UI is a client like any other)."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Header, Request, status

from api.deps import CurrentIdentity, SessionDep, require_role
from api.errors import ERROR_RESPONSES
from api.identity.schemas import (
    AccountOut,
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyOut,
    IdentityOut,
    PasswordSignIn,
    SessionOut,
    SessionRenew,
)
from api.identity.service import identity_service
from api.identity.throttle import SignInThrottle, client_address
from core.credentials import SERVICE_HEADER, service_credential
from core.errors import Forbidden
from core.models import Role, User

router = APIRouter(prefix="/api/v1", tags=["identity"], responses=ERROR_RESPONSES)


@router.get("/me", response_model=IdentityOut)
async def whoami(identity: CurrentIdentity) -> IdentityOut:
    """The organisation, user and role behind the calling key."""
    return IdentityOut(
        key_id=identity.key_id, user_id=identity.user_id, org_id=identity.org_id, role=identity.role
    )


@router.post("/apikeys", response_model=ApiKeyCreated, status_code=status.HTTP_201_CREATED)
async def create_key(
    body: ApiKeyCreate, session: SessionDep, identity: CurrentIdentity
) -> ApiKeyCreated:
    """Issue a key in your organisation (admins); the secret is shown only in this answer."""
    require_role(identity, Role.admin)
    api_key, secret = await identity_service.issue_key(
        session, identity.org_id, body.role, body.username, body.name
    )
    return ApiKeyCreated.model_validate(
        {**ApiKeyOut.model_validate(api_key).model_dump(), "key": secret}
    )


@router.get("/apikeys", response_model=list[ApiKeyOut])
async def list_keys(session: SessionDep, identity: CurrentIdentity) -> list[ApiKeyOut]:
    """Keys of your organisation, without secrets (admins)."""
    require_role(identity, Role.admin)
    return [
        ApiKeyOut.model_validate(k) for k in await identity_service.list_keys(session, identity)
    ]


@router.delete("/apikeys/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_key(key_id: str, session: SessionDep, identity: CurrentIdentity) -> None:
    """Revoke a key: your own, or any of your organisation's as an admin."""
    await identity_service.revoke(session, identity, key_id)


def session_out(user: User, key: str) -> SessionOut:
    """The answer to a sign-in: the account as its row says, and the new key."""
    account = AccountOut(
        user_id=user.id,
        org_id=user.org_id,
        role=user.role,
        username=user.username,
        display_name=user.display_name or user.username,
        email=user.email,
    )
    return SessionOut(account=account, key=key)


@router.post("/sessions", response_model=SessionOut, status_code=status.HTTP_201_CREATED)
async def sign_in(body: PasswordSignIn, session: SessionDep, request: Request) -> SessionOut:
    """Sign in with your e-mail address (or username) and password: your account and a
    key to act with."""
    throttle = SignInThrottle(request.app.state.rate_limiter.store)
    await throttle.check(body.username, client_address(request))
    user, key = await identity_service.sign_in(session, body.username, body.password)
    return session_out(user, key)


@router.post(
    "/sessions/renew",
    response_model=SessionOut,
    status_code=status.HTTP_201_CREATED,
    include_in_schema=False,  # for the deployment's own chat processes only
)
async def renew(
    body: SessionRenew,
    session: SessionDep,
    credential: Annotated[str, Header(alias=SERVICE_HEADER)] = "",
) -> SessionOut:
    """A new key for a signed-in user, for a chat process of this deployment."""
    if not hmac.compare_digest(credential, service_credential()):
        raise Forbidden(f"send {SERVICE_HEADER} with this deployment's service credential")
    user, key = await identity_service.renew(session, body.user_id)
    return session_out(user, key)
