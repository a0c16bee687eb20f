"""API keys: issue, authenticate, revoke.

A key reads `cv_<12 hex>_<43 urlsafe chars>`. The first 15 characters are its prefix: a
public, unique handle used to find the row (and safe to show in logs and listings). The
whole key is stored only as HMAC-SHA256 keyed with `settings.secret_key`:

- the secret part has 256 bits of entropy, so a slow password hash (bcrypt, argon2) would
  add nothing against brute force and would cost milliseconds on every request;
- the HMAC (rather than a bare sha256) means a leaked copy of the database alone does not
  let anyone check candidate keys offline: the server secret is needed too. The price is
  that rotating `CLEARVIEW_SECRET_KEY` invalidates every key (issue new ones).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from api.identity.cache import KeyCache, keys_changed
from api.identity.repository import IdentityRepository
from api.identity.schemas import Identity
from core.db import session_scope
from core.errors import BadRequest, Conflict, NotFound, Unauthorized
from core.models import ApiKey, Organisation, Role, User, new_id, utcnow
from core.passwords import verify_password_async
from core.settings import get_settings

KEY_MARK = "cv_"
PREFIX_LENGTH = len(KEY_MARK) + 12
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
# Recording every use would turn each read into a write (and an SQLite write lock);
# minute-level precision is enough to spot unused keys.
TOUCH_INTERVAL = timedelta(minutes=5)

_UNAUTHORIZED = "invalid or revoked API key; send `Authorization: Bearer <key>`"
_BAD_SIGN_IN = "wrong username or password"
# Keys issued to the chat for its signed-in users, so operators can tell them apart.
CHAT_KEY_NAME = "chat-ui"


def hash_key(key: str) -> str:
    secret = get_settings().secret_key.get_secret_value().encode()
    return hmac.new(secret, key.encode(), hashlib.sha256).hexdigest()


def key_prefix(key: str) -> str | None:
    """The lookup prefix of a well-formed key, else None."""
    if len(key) > PREFIX_LENGTH + 1 and key.startswith(KEY_MARK) and key[PREFIX_LENGTH] == "_":
        return key[:PREFIX_LENGTH]
    return None


def _new_key() -> tuple[str, str]:
    prefix = KEY_MARK + secrets.token_hex(6)
    return prefix, f"{prefix}_{secrets.token_urlsafe(32)}"


class IdentityService:
    async def authenticate_cached(self, key: str, cache: KeyCache | None) -> Identity:
        """`authenticate`, answered from `cache` while the key's entry is fresh; a miss
        reads (and touches) the key in a unit of work of its own."""
        key_hash = hash_key(key)
        if cache is None:
            return await self._authenticate_fresh(key, key_hash, None)
        identity = cache.get(key_hash)
        if identity is not None:
            return identity
        # Concurrent requests with a key not cached (yet, or any more) share one lookup.
        pending = cache.lookups.get(key_hash)
        if pending is None:
            pending = asyncio.ensure_future(self._authenticate_fresh(key, key_hash, cache))
            cache.lookups[key_hash] = pending
            pending.add_done_callback(lambda _done: cache.lookups.pop(key_hash, None))
        # Shielded: one caller going away does not cancel the others' lookup.
        return await asyncio.shield(pending)

    async def _authenticate_fresh(
        self, key: str, key_hash: str, cache: KeyCache | None
    ) -> Identity:
        generation = cache.generation if cache is not None else 0
        async with session_scope() as session:
            identity = await self.authenticate(session, key, key_hash=key_hash)
        if cache is not None:
            cache.put(key_hash, identity, generation)
        return identity

    async def authenticate(
        self, session: AsyncSession, key: str, *, key_hash: str | None = None
    ) -> Identity:
        prefix = key_prefix(key)
        found = await IdentityRepository(session).key_for_auth(prefix) if prefix else None
        # One message for every failure, so a caller learns nothing about which part failed.
        if found is None:
            raise Unauthorized(_UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})
        api_key, user, org_active = found
        if (
            not hmac.compare_digest(api_key.key_hash, key_hash or hash_key(key))
            or api_key.revoked_at is not None
            or not user.is_active
            or not org_active
        ):
            raise Unauthorized(_UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})
        now = utcnow()
        if api_key.last_used_at is None or now - api_key.last_used_at > TOUCH_INTERVAL:
            await IdentityRepository(session).touch_key(api_key.id, now)
        # Organisation and role as the user's row says now, whatever the key was made with.
        return Identity(key_id=api_key.id, user_id=user.id, org_id=user.org_id, role=user.role)

    async def get_or_create_org(self, session: AsyncSession, slug: str) -> Organisation:
        if not SLUG.match(slug):
            raise BadRequest(
                f"organisation slug {slug!r} must be lowercase letters, digits and dashes"
            )
        repo = IdentityRepository(session)
        org = await repo.org_by_slug(slug)
        if org is None:
            org = Organisation(id=new_id(), slug=slug, name=slug)
            repo.add(org)
            await repo.flush()
        return org

    async def get_or_create_user(
        self,
        session: AsyncSession,
        org_id: str,
        username: str,
        role: Role,
        *,
        display_name: str | None = None,
    ) -> User:
        """The organisation's user `username`, created with `role` on first use; a user of
        another role by that name is a conflict, never silently changed."""
        repo = IdentityRepository(session)
        user = await repo.user_by_username(org_id, username)
        if user is None:
            user = User(
                id=new_id(),
                org_id=org_id,
                username=username,
                display_name=display_name,
                role=role,
                created_at=utcnow(),
            )
            repo.add(user)
            await repo.flush()
        elif user.role is not role:
            raise Conflict(f"user {username!r} has role {user.role.value}, not {role.value}")
        return user

    async def issue_key(
        self,
        session: AsyncSession,
        org_id: str,
        role: Role,
        username: str | None = None,
        name: str | None = None,
        *,
        user_id: str | None = None,
    ) -> tuple[ApiKey, str]:
        """A new key in `org_id` for the user `user_id`, or for the user `username`
        (created if needed; a new one when neither is given); the row and the secret."""
        repo = IdentityRepository(session)
        user = (
            await repo.user_in_org(org_id, user_id)
            if user_id is not None
            else await self.get_or_create_user(
                session, org_id, username or f"{role.value}-{secrets.token_hex(6)}", role
            )
        )
        if user is None or user.role is not role:
            raise NotFound(f"no {role.value} user {user_id} in this organisation")
        prefix, key = _new_key()
        api_key = ApiKey(
            id=new_id(),
            prefix=prefix,
            key_hash=hash_key(key),
            user_id=user.id,
            org_id=org_id,
            role=role,
            name=name,
            created_at=utcnow(),
        )
        repo.add(api_key)
        await repo.flush()
        return api_key, key

    async def delete_key(self, session: AsyncSession, key_id: str) -> None:
        """Delete a key outright (a key made for one piece of work, once it is done)."""
        await IdentityRepository(session).delete_key(key_id)
        keys_changed(session)

    # chat sessions
    async def sign_in(self, session: AsyncSession, login: str, password: str) -> tuple[User, str]:
        """The user with this e-mail address (or username) and password, and a new chat
        key for them; one answer for every wrong pair, at the same cost whether or not the
        user exists. Callers throttle attempts first (`api.identity.throttle`)."""
        users = await IdentityRepository(session).password_users(login.strip())
        # None, or the same username in several organisations: refuse rather than guess.
        user = users[0] if len(users) == 1 else None
        if not await verify_password_async(password, user.password_hash if user else None):
            raise Unauthorized(_BAD_SIGN_IN)
        assert user is not None
        return user, await self.open_session(session, user.id)

    async def open_session(self, session: AsyncSession, user_id: str) -> str:
        """A new chat key for a user who proved who they are (a password, the identity
        provider, the platform's hand-over), if their account may be used now."""
        found = await IdentityRepository(session).user_with_org(user_id)
        if found is None or not found[0].is_active:
            raise Unauthorized("this account no longer exists or is disabled; sign in again")
        user, org = found
        if not org.is_active:
            raise Unauthorized(
                "your organisation is waiting for approval by the platform; you will get "
                "an e-mail once it is approved"
            )
        if user.email is not None and not user.email_verified:
            raise Unauthorized(
                "confirm your e-mail address first: open the link we sent you "
                "(or sign up again to get a new one)"
            )
        return await self._chat_key(session, user)

    async def renew(self, session: AsyncSession, user_id: str) -> tuple[User, str]:
        """A new chat key for a signed-in user, if their account may still be used (the
        chat process that held their key restarted, or the key was revoked)."""
        key = await self.open_session(session, user_id)
        user = await session.get(User, user_id)
        assert user is not None
        return user, key

    async def _chat_key(self, session: AsyncSession, user: User) -> str:
        _, key = await self.issue_key(
            session, user.org_id, user.role, name=CHAT_KEY_NAME, user_id=user.id
        )
        return key

    async def list_keys(self, session: AsyncSession, identity: Identity) -> Sequence[ApiKey]:
        return await IdentityRepository(session).keys_in_org(identity.org_id)

    async def revoke(self, session: AsyncSession, identity: Identity, key_id: str) -> None:
        """Admins revoke any key of their organisation; anyone may revoke their own key."""
        api_key = await IdentityRepository(session).key_in_org(key_id, identity.org_id)
        if api_key is None or not (identity.is_admin or api_key.user_id == identity.user_id):
            raise NotFound(f"API key {key_id} not found")
        await self._revoke(session, api_key)

    async def revoke_by_ref(self, session: AsyncSession, ref: str) -> ApiKey:
        """Revoke by id or prefix, for operators at the command line."""
        api_key = await IdentityRepository(session).key_by_id_or_prefix(ref)
        if api_key is None:
            raise NotFound(f"API key {ref} not found")
        await self._revoke(session, api_key)
        return api_key

    async def _revoke(self, session: AsyncSession, api_key: ApiKey) -> None:
        if api_key.revoked_at is None:
            api_key.revoked_at = utcnow()
            await session.flush()
            keys_changed(session)


identity_service = IdentityService()


async def create_api_key(
    session: AsyncSession,
    org_slug: str,
    role: Role | str,
    username: str | None = None,
    name: str | None = None,
) -> str:
    """Create a key for `org_slug` (creating the organisation on first use); the secret."""
    org = await identity_service.get_or_create_org(session, org_slug)
    _, key = await identity_service.issue_key(session, org.id, Role(role), username, name)
    return key
