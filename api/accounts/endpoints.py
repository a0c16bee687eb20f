"""The accounts admin API: organisations, users, invitations (admins only).

An organisation's admins manage its people; platform admins (admins of the platform
organisation) manage every organisation and approve employers who signed up.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Header, Request, status
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts.schemas import (
    ExternalSignIn,
    HandoverSignIn,
    InvitationCreate,
    InvitationOut,
    OrganisationCreate,
    OrganisationOut,
    UserCreate,
    UserOut,
)
from api.accounts.service import account_service
from api.collaborators import CollaboratorsDep
from api.deps import CurrentIdentity, SessionDep, require_role
from api.errors import ERROR_RESPONSES
from api.identity.endpoints import session_out
from api.identity.schemas import Identity, SessionOut
from api.identity.service import identity_service
from core.credentials import SERVICE_HEADER, service_credential
from core.errors import Forbidden, NotFound, Unauthorized
from core.models import Organisation, Role
from core.settings import Mode, get_settings

router = APIRouter(prefix="/api/v1", tags=["accounts"], responses=ERROR_RESPONSES)


def public_base(request: Request) -> str:
    """Where links in e-mails point: `CLEARVIEW_PUBLIC_URL`, else (dev mode only) this
    request's host, else the configured host and port."""
    settings = get_settings()
    if settings.public_url is None and settings.mode is Mode.dev:
        # Handy for `make run` behind any address. Anywhere else the Host header is the
        # sender's to choose: asking a reset for someone else's address with a Host of
        # one's own would mail them a link, token included, to that host.
        return str(request.base_url).rstrip("/")
    return settings.public_base_url


async def _target_org(
    session: AsyncSession, identity: Identity, org_id: str | None
) -> Organisation:
    """The organisation an admin acts in: their own, or (platform admins) any."""
    require_role(identity, Role.admin)
    if org_id is None or org_id == identity.org_id:
        org_id = identity.org_id
    elif not await account_service.is_platform_admin(session, identity):
        raise Forbidden("only platform admins act in another organisation")
    return await account_service.org(session, org_id)


async def _platform_admin(session: AsyncSession, identity: Identity) -> None:
    require_role(identity, Role.admin)
    if not await account_service.is_platform_admin(session, identity):
        raise Forbidden("this action needs a platform admin (an admin of the platform)")


@router.delete("/me", status_code=status.HTTP_204_NO_CONTENT)
async def delete_my_account(
    session: SessionDep, identity: CurrentIdentity, collaborators: CollaboratorsDep
) -> None:
    """Delete your own account and everything of yours (candidates): resumes, matches,
    conversations, files."""
    await collaborators.erasure.erase_account(session, identity)


@router.post("/organisations", response_model=OrganisationOut, status_code=201)
async def create_org(
    body: OrganisationCreate, session: SessionDep, identity: CurrentIdentity
) -> OrganisationOut:
    """Create an employer organisation (platform admins)."""
    await _platform_admin(session, identity)
    org = await account_service.create_org(session, body.slug, body.name)
    return OrganisationOut.model_validate(org)


@router.get("/organisations", response_model=list[OrganisationOut])
async def list_orgs(session: SessionDep, identity: CurrentIdentity) -> list[OrganisationOut]:
    """Your organisation; every organisation for platform admins."""
    require_role(identity, Role.admin)
    orgs = await account_service.list_orgs(session, identity)
    return [OrganisationOut.model_validate(org) for org in orgs]


@router.post("/organisations/{org_id}/approve", response_model=OrganisationOut)
async def approve_org(
    org_id: str, request: Request, session: SessionDep, identity: CurrentIdentity
) -> OrganisationOut:
    """Approve an employer organisation that signed up (platform admins)."""
    if not await account_service.is_platform_admin(session, identity):
        raise NotFound(f"organisation {org_id} not found")
    org = await account_service.org(session, org_id)
    await account_service.approve_org(session, org, public_base(request))
    return OrganisationOut.model_validate(org)


@router.post("/users", response_model=UserOut, status_code=status.HTTP_201_CREATED)
async def create_user(body: UserCreate, session: SessionDep, identity: CurrentIdentity) -> UserOut:
    """Create a person in your organisation (admins), verified; with no password they set
    one through a password reset."""
    org = await _target_org(session, identity, body.org_id)
    user = await account_service.create_user(
        session, org, body.email, body.role, password=body.password, display_name=body.display_name
    )
    return UserOut.model_validate(user)


@router.post("/users/{user_id}/disable", response_model=UserOut)
async def disable_user(user_id: str, session: SessionDep, identity: CurrentIdentity) -> UserOut:
    """Disable a person (admins): no sign-in, keys revoked, open chats ended."""
    user = await account_service.user_for_admin(session, identity, user_id)
    require_role(identity, Role.admin)
    if user.id == identity.user_id:
        raise Forbidden("you cannot disable yourself; ask another admin")
    await account_service.disable_user(session, user, identity.user_id)
    return UserOut.model_validate(user)


@router.post("/users/{user_id}/enable", response_model=UserOut)
async def enable_user(user_id: str, session: SessionDep, identity: CurrentIdentity) -> UserOut:
    """Let a disabled person sign in again (admins); their old keys stay revoked."""
    user = await account_service.user_for_admin(session, identity, user_id)
    require_role(identity, Role.admin)
    await account_service.enable_user(session, user, identity.user_id)
    return UserOut.model_validate(user)


@router.post("/invitations", response_model=InvitationOut, status_code=201)
async def invite(
    body: InvitationCreate, request: Request, session: SessionDep, identity: CurrentIdentity
) -> InvitationOut:
    """Invite someone into your organisation (admins): a single-use, expiring link is
    e-mailed to them (and shown here once)."""
    org = await _target_org(session, identity, body.org_id)
    url = await account_service.invite(
        session, org, body.email, body.role, public_base(request), invited_by=identity.user_id
    )
    return InvitationOut(
        email=body.email.strip().lower(),
        role=body.role,
        org_id=org.id,
        url=url,
        expires_in_hours=get_settings().invitation_ttl_hours,
    )


def _from_our_chat(credential: str) -> None:
    if not hmac.compare_digest(credential, service_credential()):
        raise Forbidden(f"send {SERVICE_HEADER} with this deployment's service credential")


_NO_ACCOUNT = (
    "no ClearView account for this sign-in: sign up, or ask for an invitation, with the "
    "same e-mail address"
)


@router.post(
    "/sessions/external",
    response_model=SessionOut,
    status_code=status.HTTP_201_CREATED,
    include_in_schema=False,  # for the deployment's own chat processes only
)
async def external_sign_in(
    body: ExternalSignIn,
    session: SessionDep,
    credential: Annotated[str, Header(alias=SERVICE_HEADER)] = "",
) -> SessionOut:
    """A session for the existing user an identity provider's account maps to (the chat
    did the OpenID Connect exchange); nobody is created."""
    _from_our_chat(credential)
    user = await account_service.user_for_external(
        session, body.provider, body.subject, body.email, body.email_verified
    )
    if user is None:
        raise Unauthorized(_NO_ACCOUNT)
    return session_out(user, await identity_service.open_session(session, user.id))


@router.post(
    "/sessions/handover",
    response_model=SessionOut,
    status_code=status.HTTP_201_CREATED,
    include_in_schema=False,  # for the deployment's own chat processes only
)
async def handover_sign_in(
    body: HandoverSignIn,
    session: SessionDep,
    credential: Annotated[str, Header(alias=SERVICE_HEADER)] = "",
) -> SessionOut:
    """A session for the user an embedding platform's hand-over token names."""
    _from_our_chat(credential)
    user = await account_service.user_for_handover(session, body.token)
    if user is None:
        raise Unauthorized("the hand-over token is invalid, expired, or names no account")
    return session_out(user, await identity_service.open_session(session, user.id))
