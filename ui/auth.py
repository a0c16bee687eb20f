"""Sign-in to the chat, mapped onto the product's users and their API keys.

A person signs in with the username and password of a `User` (`User.password_hash`, see
`core.passwords`). The chat then acts for them through the services with an API key of
that user, exactly like any other client: the role (candidate or employer) and the
organisation come from the key, never from anything the browser sends.

The key's secret is kept only in this process's memory (`_keys`), never in the Chainlit
user object (which the browser receives inside its token), never in a log. It is issued
at the first sign-in of a user in this process; a restarted process issues a new one on
the next sign-in or chat start. Keys are named `chat-ui` so operators can tell them apart.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from agents.context import Identity
from api.identity.service import identity_service
from core.db import session_scope
from core.models import Role, User
from core.passwords import dummy_hash, verify_password

log = logging.getLogger(__name__)

KEY_NAME = "chat-ui"
# Per user id: the secret of the key the chat uses for them.
_keys: dict[str, str] = {}
# One issue at a time per user, so two tabs opening at once do not mint two keys.
_locks: dict[str, asyncio.Lock] = {}


@dataclass(frozen=True)
class Account:
    """Who signed in: what the Chainlit user object may carry (nothing secret)."""

    user_id: str
    org_id: str
    role: str
    username: str
    display_name: str

    def metadata(self) -> dict[str, Any]:
        return {"user_id": self.user_id, "org_id": self.org_id, "role": self.role}


async def _password_users(username: str) -> list[User]:
    async with session_scope() as session:
        found = await session.scalars(
            select(User).where(
                User.username == username,
                User.password_hash.is_not(None),
                User.is_active.is_(True),
            )
        )
        return list(found)


async def authenticate(username: str, password: str) -> Account | None:
    """The account whose username and password these are, else None (one answer for
    every failure, and the same cost whether or not the user exists)."""
    username = username.strip()
    users = await _password_users(username) if username and password else []
    if len(users) != 1:
        # None, or the same username in several organisations: refuse rather than guess.
        await asyncio.to_thread(verify_password, password, dummy_hash())
        return None
    user = users[0]
    if not await asyncio.to_thread(verify_password, password, user.password_hash):
        return None
    account = Account(
        user_id=user.id,
        org_id=user.org_id,
        role=user.role.value,
        username=user.username,
        display_name=user.display_name or user.username,
    )
    await api_key_for(account.user_id, account.org_id, account.role)
    log.info("chat sign-in: user %s (%s)", account.user_id, account.role)
    return account


async def api_key_for(user_id: str, org_id: str, role: str) -> str:
    """The chat's API key for this user, issued on first use in this process."""
    if key := _keys.get(user_id):
        return key
    async with _locks.setdefault(user_id, asyncio.Lock()):
        if key := _keys.get(user_id):
            return key
        async with session_scope() as session:
            user = await session.get(User, user_id)
            if user is None or not user.is_active:
                raise PermissionError("this account no longer exists or is disabled")
            _, key = await identity_service.issue_key(
                session, org_id, Role(role), user.username, name=KEY_NAME
            )
        _keys[user_id] = key
        return key


def forget_key(user_id: str) -> None:
    """Drop a key the services refused (revoked, or its user erased): the next call issues
    a new one, or fails if the account is gone."""
    _keys.pop(user_id, None)


async def identity_for(metadata: dict[str, Any]) -> Identity:
    """The caller's identity from a signed-in Chainlit user's metadata (signed by
    Chainlit's token, so the browser cannot change it)."""
    user_id, org_id, role = metadata["user_id"], metadata["org_id"], metadata["role"]
    key = await api_key_for(user_id, org_id, role)
    return Identity(user_id=user_id, org_id=org_id, role=role, api_key=key)
