"""Accounts: who may have an account, how they get it, and how it ends.

- Platform admins are the admins of the platform organisation (`PLATFORM_ORG`, where
  candidates live too); they create organisations, approve employers' sign-ups and invite
  anyone. An organisation's admins invite their colleagues.
- Candidates sign up themselves; their e-mail address is confirmed by a link before they
  can sign in. Employers sign up with a new organisation as `CLEARVIEW_EMPLOYER_SIGNUP`
  allows (`open`, `approval`, `invite`), becoming its first admin.
- Every link (invitation, verification, password reset) is single-use and expires; only a
  hash of its token is stored. Mail goes out after the commit that made the link valid.
- Nothing here tells a stranger whether an address has an account: sign-up and password
  reset answer the same either way (the owner of the address learns it by mail).
- Disabling a user revokes their keys and ends their open chats; erasing a candidate is
  `api.flows.erasure`'s job alone.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import jwt
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts.repository import AccountRepository
from api.identity.cache import keys_changed
from api.identity.repository import IdentityRepository
from api.identity.schemas import Identity
from api.notifications.service import push_after_commit
from core.credentials import link_token_hash
from core.db import after_commit
from core.errors import BadRequest, Conflict, Forbidden, NotFound
from core.mail import Mail, MailError, send_mail
from core.models import (
    AccountLink,
    AuditLog,
    ExternalIdentity,
    LinkPurpose,
    Organisation,
    Role,
    User,
    new_id,
    utcnow,
)
from core.notifications import SESSION_ENDED
from core.passwords import hash_password_async
from core.settings import EmployerSignup, get_settings

log = logging.getLogger(__name__)

# Candidates and the platform's own admins belong here.
PLATFORM_ORG = "public"
PASSWORD_MIN = 10
PASSWORD_MAX = 1024
VERIFY_TTL = timedelta(hours=48)
RESET_TTL = timedelta(hours=1)
EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[^@\s<>\"']+\.[^@\s<>\"']{2,}$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")

# The embedding platform's hand-over tokens: for us, and short-lived.
HANDOVER_PROVIDER = "platform"
HANDOVER_AUDIENCE = "clearview"
HANDOVER_MAX_S = 300
_EXPIRED = "this link has expired or was already used; ask for a new one"
# Where each purpose's link lands (the self-service pages, `api.accounts.pages`).
LINK_PATHS = {
    LinkPurpose.invitation: "/invitations/accept",
    LinkPurpose.verify_email: "/verify",
    LinkPurpose.reset_password: "/password/reset",
}


def normalise_email(email: str) -> str:
    value = email.strip().lower()
    if len(value) > 254 or not EMAIL.match(value):
        raise BadRequest(f"{email.strip()!r} is not an e-mail address")
    return value


def check_password(password: str) -> None:
    if len(password) < PASSWORD_MIN:
        raise BadRequest(f"choose a password of at least {PASSWORD_MIN} characters")
    if len(password) > PASSWORD_MAX:
        raise BadRequest(f"choose a password of at most {PASSWORD_MAX} characters")


def slug_for(name: str) -> str:
    """A slug from an organisation's name (a random suffix keeps it unique)."""
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:50] or "org"
    return f"{base}-{secrets.token_hex(3)}"


@dataclass(frozen=True, slots=True)
class SignupOutcome:
    """What the person who just signed up is told (the same whether or not the address
    already had an account)."""

    message: str


class AccountService:
    # --- organisations --------------------------------------------------------------
    async def platform_org(self, session: AsyncSession) -> Organisation:
        org = await AccountRepository(session).org_by_slug(PLATFORM_ORG)
        if org is None:
            org = await self.create_org(session, PLATFORM_ORG, "ClearView")
        return org

    async def create_org(
        self, session: AsyncSession, slug: str, name: str, *, active: bool = True
    ) -> Organisation:
        if not SLUG.match(slug):
            raise BadRequest(f"organisation slug {slug!r}: use lowercase letters, digits, dashes")
        repo = AccountRepository(session)
        if await repo.org_by_slug(slug) is not None:
            raise Conflict(f"organisation {slug!r} already exists")
        org = Organisation(
            id=new_id(), slug=slug, name=name.strip()[:200] or slug, is_active=active
        )
        repo.add(org)
        await repo.flush()
        return org

    async def org(self, session: AsyncSession, org_id: str) -> Organisation:
        org = await AccountRepository(session).org(org_id)
        if org is None:
            raise NotFound(f"organisation {org_id} not found")
        return org

    async def org_by_slug(self, session: AsyncSession, slug: str) -> Organisation:
        org = await AccountRepository(session).org_by_slug(slug)
        if org is None:
            raise NotFound(f"no organisation {slug!r}")
        return org

    async def approve_org(self, session: AsyncSession, org: Organisation, base_url: str) -> None:
        """Let an employer organisation that signed up in (`approval` policy) sign in."""
        if org.is_active:
            return
        org.is_active = True
        for admin in await AccountRepository(session).admins_of(org.id):
            assert admin.email is not None
            self._mail_after_commit(
                session,
                Mail(
                    admin.email,
                    "Your organisation on ClearView is approved",
                    f"Hello,\n\n{org.name} is approved: you can sign in at {base_url}/chat\n",
                ),
            )
        await session.flush()

    async def is_platform_admin(self, session: AsyncSession, identity: Identity) -> bool:
        if not identity.is_admin:
            return False
        org = await AccountRepository(session).org(identity.org_id)
        return org is not None and org.slug == PLATFORM_ORG

    async def list_orgs(self, session: AsyncSession, identity: Identity) -> Sequence[Organisation]:
        repo = AccountRepository(session)
        if await self.is_platform_admin(session, identity):
            return await repo.orgs()
        own = await repo.org(identity.org_id)
        return [own] if own is not None else []

    # --- users ------------------------------------------------------------------------
    async def create_user(
        self,
        session: AsyncSession,
        org: Organisation,
        email: str,
        role: Role,
        *,
        password: str | None = None,
        display_name: str | None = None,
        verified: bool = True,
    ) -> User:
        """A person of `org` who signs in with `email` (and `password`, if given)."""
        email = normalise_email(email)
        if password is not None:
            check_password(password)
        self._check_role(org, role)
        repo = AccountRepository(session)
        if await repo.user_by_email(email) is not None:
            raise Conflict(f"there is already an account for {email}")
        user = User(
            id=new_id(),
            org_id=org.id,
            username=email,
            email=email,
            email_verified=verified,
            display_name=(display_name or "").strip()[:200] or None,
            role=role,
            password_hash=await hash_password_async(password) if password else None,
            is_active=True,
            created_at=utcnow(),
        )
        repo.add(user)
        await repo.flush()
        return user

    def _check_role(self, org: Organisation, role: Role) -> None:
        if role is Role.candidate and org.slug != PLATFORM_ORG:
            raise BadRequest(f"candidates belong to the organisation {PLATFORM_ORG!r}")
        if role is Role.employer and org.slug == PLATFORM_ORG:
            raise BadRequest("employers belong to an organisation of their own")

    async def user_for_admin(self, session: AsyncSession, identity: Identity, user_id: str) -> User:
        """A user the calling admin may manage: of their organisation, or any for a
        platform admin."""
        user = await AccountRepository(session).user(user_id)
        if user is None or not (
            user.org_id == identity.org_id or await self.is_platform_admin(session, identity)
        ):
            raise NotFound(f"user {user_id} not found")
        return user

    async def user_by_email(self, session: AsyncSession, email: str) -> User:
        user = await AccountRepository(session).user_by_email(normalise_email(email))
        if user is None:
            raise NotFound(f"no account for {email.strip()}")
        return user

    async def disable_user(self, session: AsyncSession, user: User, actor_id: str | None) -> int:
        """Disable an account: it can no longer sign in, its keys are revoked and its open
        chats end; how many keys were revoked."""
        user.is_active = False
        revoked = await IdentityRepository(session).revoke_user_keys(user.id, utcnow())
        keys_changed(session)
        push_after_commit(session, user.id, {"kind": SESSION_ENDED})
        self._audit(session, user.org_id, actor_id, "user.disabled", user.id)
        await session.flush()
        return revoked

    async def enable_user(self, session: AsyncSession, user: User, actor_id: str | None) -> None:
        user.is_active = True
        self._audit(session, user.org_id, actor_id, "user.enabled", user.id)
        await session.flush()

    async def set_password(self, session: AsyncSession, user: User, password: str) -> None:
        """A new password; every key the user had is revoked (signed out everywhere)."""
        check_password(password)
        user.password_hash = await hash_password_async(password)
        await IdentityRepository(session).revoke_user_keys(user.id, utcnow())
        keys_changed(session)
        push_after_commit(session, user.id, {"kind": SESSION_ENDED})
        await session.flush()

    # --- links ------------------------------------------------------------------------
    async def _new_link(
        self,
        session: AsyncSession,
        purpose: LinkPurpose,
        email: str,
        ttl: timedelta,
        base_url: str,
        *,
        org_id: str | None = None,
        role: Role | None = None,
        user_id: str | None = None,
        created_by: str | None = None,
    ) -> str:
        token = secrets.token_urlsafe(32)
        repo = AccountRepository(session)
        repo.add(
            AccountLink(
                id=new_id(),
                created_at=utcnow(),
                purpose=purpose,
                token_hash=link_token_hash(token),
                email=email,
                org_id=org_id,
                role=role,
                user_id=user_id,
                created_by=created_by,
                expires_at=utcnow() + ttl,
            )
        )
        await repo.flush()
        return f"{base_url}{LINK_PATHS[purpose]}?token={token}"

    async def _use_link(
        self, session: AsyncSession, token: str, purpose: LinkPurpose
    ) -> AccountLink:
        repo = AccountRepository(session)
        link = await repo.link(link_token_hash(token), purpose) if token else None
        now = utcnow()
        if link is None or link.used_at is not None or link.expires_at <= now:
            raise BadRequest(_EXPIRED)
        if not await repo.use_link(link.id, now):
            raise BadRequest(_EXPIRED)
        return link

    async def peek_link(
        self, session: AsyncSession, token: str, purpose: LinkPurpose
    ) -> AccountLink:
        """The link a page is about to act on, if it still works (nothing is used)."""
        link = await AccountRepository(session).link(link_token_hash(token), purpose)
        if link is None or link.used_at is not None or link.expires_at <= utcnow():
            raise BadRequest(_EXPIRED)
        return link

    def _mail_after_commit(self, session: AsyncSession, mail: Mail) -> None:
        async def send(_session: AsyncSession) -> None:
            try:
                await send_mail(mail)
            except MailError as exc:
                # The row is committed; the person can ask again (sign up, reset).
                log.error("mail %r not sent: %s", mail.subject, exc)

        after_commit(session, send)

    # --- invitations ------------------------------------------------------------------
    async def invite(
        self,
        session: AsyncSession,
        org: Organisation,
        email: str,
        role: Role,
        base_url: str,
        *,
        invited_by: str | None = None,
    ) -> str:
        """Invite `email` to join `org` as `role`: a single-use link, e-mailed; returned too
        (for the admin who asked, and the command line)."""
        email = normalise_email(email)
        self._check_role(org, role)
        if await AccountRepository(session).user_by_email(email) is not None:
            raise Conflict(f"there is already an account for {email}")
        ttl = timedelta(hours=get_settings().invitation_ttl_hours)
        url = await self._new_link(
            session,
            LinkPurpose.invitation,
            email,
            ttl,
            base_url,
            org_id=org.id,
            role=role,
            created_by=invited_by,
        )
        self._mail_after_commit(
            session,
            Mail(
                email,
                f"You are invited to {org.name} on ClearView",
                f"Hello,\n\nYou are invited to join {org.name} on ClearView as {role.value}.\n"
                f"Choose your password here (the link works once, for "
                f"{ttl.total_seconds() // 3600:.0f} hours):\n\n{url}\n",
            ),
        )
        self._audit(session, org.id, invited_by, "user.invited", None)
        return url

    async def accept_invitation(
        self, session: AsyncSession, token: str, password: str, display_name: str | None
    ) -> User:
        check_password(password)
        link = await self._use_link(session, token, LinkPurpose.invitation)
        org = await AccountRepository(session).org(link.org_id or "")
        if org is None or link.role is None:
            raise BadRequest(_EXPIRED)
        # Opening the mailed link proves the address.
        return await self.create_user(
            session,
            org,
            link.email,
            link.role,
            password=password,
            display_name=display_name,
            verified=True,
        )

    # --- self-service sign-up -----------------------------------------------------------
    async def sign_up_candidate(
        self,
        session: AsyncSession,
        email: str,
        password: str,
        display_name: str | None,
        base_url: str,
    ) -> SignupOutcome:
        email = normalise_email(email)
        check_password(password)
        outcome = SignupOutcome(
            f"We sent a link to {email}. Open it to confirm your address, then sign in."
        )
        repo = AccountRepository(session)
        existing = await repo.user_by_email(email)
        if existing is not None:
            await hash_password_async(password)  # the same time as a new account takes
            await self._already_registered(session, existing, base_url)
            return outcome
        org = await self.platform_org(session)
        user = await self.create_user(
            session,
            org,
            email,
            Role.candidate,
            password=password,
            display_name=display_name,
            verified=False,
        )
        await self._send_verification(session, user, base_url)
        return outcome

    async def sign_up_employer(
        self,
        session: AsyncSession,
        email: str,
        password: str,
        display_name: str | None,
        org_name: str,
        base_url: str,
    ) -> SignupOutcome:
        policy = get_settings().employer_signup
        if policy is EmployerSignup.invite:
            raise Forbidden(
                "employers join ClearView by invitation: ask the platform's team for one"
            )
        email = normalise_email(email)
        check_password(password)
        if not org_name.strip():
            raise BadRequest("give your organisation's name")
        waiting = policy is EmployerSignup.approval
        outcome = SignupOutcome(
            f"We sent a link to {email}. Open it to confirm your address"
            + (
                "; the platform's team then approves your organisation, and you can sign in."
                if waiting
                else ", then sign in."
            )
        )
        existing = await AccountRepository(session).user_by_email(email)
        if existing is not None:
            await hash_password_async(password)  # the same time as a new account takes
            await self._already_registered(session, existing, base_url)
            return outcome
        org = await self.create_org(
            session, slug_for(org_name), org_name.strip(), active=not waiting
        )
        user = await self.create_user(
            session,
            org,
            email,
            Role.admin,
            password=password,
            display_name=display_name,
            verified=False,
        )
        await self._send_verification(session, user, base_url)
        self._audit(session, org.id, user.id, "org.signed_up", org.id)
        return outcome

    async def _send_verification(self, session: AsyncSession, user: User, base_url: str) -> None:
        assert user.email is not None
        url = await self._new_link(
            session,
            LinkPurpose.verify_email,
            user.email,
            VERIFY_TTL,
            base_url,
            user_id=user.id,
        )
        self._mail_after_commit(
            session,
            Mail(
                user.email,
                "Confirm your e-mail address for ClearView",
                f"Hello,\n\nConfirm your address to start using ClearView:\n\n{url}\n\n"
                "If you did not sign up, ignore this message.\n",
            ),
        )

    async def _already_registered(self, session: AsyncSession, user: User, base_url: str) -> None:
        """Someone signed up with an address that has an account: its owner is told (and
        gets a new verification link if it never was confirmed); the page says the same
        as for a new account."""
        if not user.email_verified:
            await self._send_verification(session, user, base_url)
            return
        assert user.email is not None
        self._mail_after_commit(
            session,
            Mail(
                user.email,
                "You already have a ClearView account",
                "Hello,\n\nSomeone (you, perhaps) tried to sign up with this address, which "
                f"already has an account. Sign in at {base_url}/chat, or reset your password "
                f"at {base_url}/password/forgot\n",
            ),
        )

    async def verify_email(self, session: AsyncSession, token: str) -> User:
        link = await self._use_link(session, token, LinkPurpose.verify_email)
        user = await AccountRepository(session).user(link.user_id or "")
        if user is None or user.email != link.email:
            raise BadRequest(_EXPIRED)
        user.email_verified = True
        await session.flush()
        return user

    # --- password reset ---------------------------------------------------------------
    async def request_password_reset(
        self, session: AsyncSession, email: str, base_url: str
    ) -> None:
        """Mail a reset link if the address has an active account; silent otherwise."""
        email = normalise_email(email)
        user = await AccountRepository(session).user_by_email(email)
        if user is None or not user.is_active:
            return
        await self.reset_link(session, user, base_url)

    async def reset_link(self, session: AsyncSession, user: User, base_url: str) -> str:
        """Mail `user` a single-use link to choose a new password; the link."""
        assert user.email is not None
        url = await self._new_link(
            session, LinkPurpose.reset_password, user.email, RESET_TTL, base_url, user_id=user.id
        )
        self._mail_after_commit(
            session,
            Mail(
                user.email,
                "Reset your ClearView password",
                "Hello,\n\nChoose a new password here (the link works once, for one hour):"
                f"\n\n{url}\n\nIf you did not ask for this, ignore this message.\n",
            ),
        )
        return url

    async def reset_password(self, session: AsyncSession, token: str, password: str) -> User:
        check_password(password)
        link = await self._use_link(session, token, LinkPurpose.reset_password)
        user = await AccountRepository(session).user(link.user_id or "")
        if user is None or user.email != link.email or not user.is_active:
            raise BadRequest(_EXPIRED)
        await self.set_password(session, user, password)
        # The mailed link proves the address, as a verification link would.
        user.email_verified = True
        await session.flush()
        return user

    # --- single sign-on ---------------------------------------------------------------
    async def user_for_external(
        self, session: AsyncSession, provider: str, subject: str, email: str | None, verified: bool
    ) -> User | None:
        """The existing user an identity provider's account maps to: by its subject once
        linked; on first use, by a verified e-mail address (then linked). Never creates a
        user: people get accounts by sign-up or invitation."""
        repo = AccountRepository(session)
        linked = await repo.external_identity(provider, subject)
        if linked is not None:
            return await repo.user(linked.user_id)
        if not email or not verified:
            return None
        try:
            user = await repo.user_by_email(normalise_email(email))
        except BadRequest:
            return None
        if user is None:
            return None
        repo.add(
            ExternalIdentity(
                provider=provider, subject=subject, user_id=user.id, created_at=utcnow()
            )
        )
        await repo.flush()
        return user

    async def user_for_handover(self, session: AsyncSession, token: str) -> User | None:
        """The existing user a platform's hand-over token names, if the token is valid:
        signed with `CLEARVIEW_HANDOVER_KEY`, for us (`aud` "clearview"), unexpired and
        short-lived. The platform vouches for the address it sends."""
        key = get_settings().handover_key
        if key is None:
            raise Forbidden("this deployment accepts no hand-over (CLEARVIEW_HANDOVER_KEY)")
        try:
            claims = jwt.decode(
                token,
                key.get_secret_value(),
                algorithms=["HS256"],
                audience=HANDOVER_AUDIENCE,
                options={"require": ["exp", "iat", "sub"]},
            )
        except jwt.PyJWTError:
            return None
        if float(claims["exp"]) - float(claims["iat"]) > HANDOVER_MAX_S:
            return None
        email = claims.get("email")
        return await self.user_for_external(
            session,
            HANDOVER_PROVIDER,
            str(claims["sub"]),
            str(email) if email else None,
            verified=True,
        )

    def _audit(
        self,
        session: AsyncSession,
        org_id: str | None,
        actor_id: str | None,
        action: str,
        subject_id: str | None,
    ) -> None:
        session.add(
            AuditLog(
                id=new_id(),
                created_at=utcnow(),
                org_id=org_id,
                actor_id=actor_id,
                action=action,
                subject_id=subject_id,
            )
        )


account_service = AccountService()
