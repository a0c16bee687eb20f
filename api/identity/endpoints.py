"""Identity endpoints: who am I, and API key management for organisation admins."""

from __future__ import annotations

from fastapi import APIRouter, status

from api.deps import CurrentIdentity, SessionDep, require_role
from api.errors import ERROR_RESPONSES
from api.identity.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyOut, IdentityOut
from api.identity.service import identity_service
from core.models import Role

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
