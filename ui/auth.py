"""Sign-in to the chat, through the identity service's API like any other client.

A person signs in with a username and password (`POST /api/v1/sessions`); the service
checks them and answers with the account, as its user row says, and a key to act for
them. The chat then calls the services with that key: the role and organisation come
from the service's answer, never from anything the browser sends, nor from the claims of
Chainlit's token, which carries only the user id.

The key's secret is kept only in this process's memory (`_sessions`), never in the
Chainlit user object (which the browser receives inside its token), never in a log. A
restarted process asks the identity service for a new key of a signed-in user
(`POST /api/v1/sessions/renew`, with the deployment's service credential); the service
refuses one for a user that is gone or disabled.
"""

from __future__ import annotations

import asyncio
import logging
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from agents.context import Identity
from core.credentials import CLIENT_HEADER, SERVICE_HEADER, service_credential
from tools.client import ServiceClient, ServiceError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Account:
    """Who signed in: what the Chainlit user object may carry (nothing secret)."""

    user_id: str
    org_id: str
    role: str
    username: str
    display_name: str
    email: str

    def metadata(self) -> dict[str, Any]:
        return {"user_id": self.user_id}


@dataclass(frozen=True)
class _Session:
    account: Account
    key: str


@dataclass
class SignInAttempt:
    """The chat request being handled (set by `ui.mount`'s middleware): the browser's
    address, forwarded so the identity service throttles per person rather than per chat
    process; and, when it refused for too many attempts, its message and Retry-After, which
    the middleware answers with (Chainlit turns any error of its sign-in callback into a
    plain 401)."""

    address: str | None
    throttled: tuple[str, str] | None = None


sign_in_attempt: ContextVar[SignInAttempt | None] = ContextVar("sign_in_attempt", default=None)


# Per user id: their account as the identity service last said, and the chat's key.
_sessions: dict[str, _Session] = {}
# One renewal at a time per user, so two tabs opening at once do not mint two keys.
_locks: dict[str, asyncio.Lock] = {}


def _remember(answer: dict[str, Any]) -> _Session:
    fields = answer["account"]
    account = Account(**{name: str(fields.get(name) or "") for name in Account.__annotations__})
    session = _Session(account, str(answer["key"]))
    _sessions[account.user_id] = session
    return session


async def authenticate(services: ServiceClient, username: str, password: str) -> Account | None:
    """The account whose username and password these are, else None (the service gives
    one answer for every failure)."""
    if not username.strip() or not password:
        return None
    attempt = sign_in_attempt.get()
    headers = {SERVICE_HEADER: service_credential()}
    if attempt is not None and attempt.address:
        headers[CLIENT_HEADER] = attempt.address
    try:
        answer = await services.request(
            "POST",
            "/api/v1/sessions",
            json={"username": username.strip(), "password": password},
            headers=headers,
        )
    except ServiceError as exc:
        if exc.status in (401, 422):
            return None
        if exc.status == 429 and attempt is not None:
            attempt.throttled = (exc.detail, exc.retry_after or "60")
            return None
        raise
    account = _remember(answer).account
    log.info("chat sign-in: user %s (%s)", account.user_id, account.role)
    return account


async def sign_in_with(services: ServiceClient, path: str, body: dict[str, Any]) -> Account | None:
    """A session opened by single sign-on (`/api/v1/sessions/external` or `/handover`):
    the account the identity service maps it to, else None (no such account)."""
    try:
        answer = await services.request(
            "POST", path, json=body, headers={SERVICE_HEADER: service_credential()}
        )
    except ServiceError as exc:
        if exc.status in (401, 403, 422):
            log.info("single sign-on refused: %s", exc.detail)
            return None
        raise
    account = _remember(answer).account
    log.info(
        "chat sign-in by %s: user %s (%s)", path.rsplit("/", 1)[-1], account.user_id, account.role
    )
    return account


async def _renew(services: ServiceClient, user_id: str) -> _Session:
    if session := _sessions.get(user_id):
        return session
    async with _locks.setdefault(user_id, asyncio.Lock()):
        if session := _sessions.get(user_id):
            return session
        try:
            answer = await services.request(
                "POST",
                "/api/v1/sessions/renew",
                json={"user_id": user_id},
                headers={SERVICE_HEADER: service_credential()},
            )
        except ServiceError as exc:
            if exc.status == 401:
                raise PermissionError(exc.detail) from None
            raise
        return _remember(answer)


async def account_for(services: ServiceClient, metadata: dict[str, Any]) -> Account:
    """The signed-in user's account, as the identity service last said."""
    return (await _renew(services, str(metadata["user_id"]))).account


def forget_key(user_id: str) -> None:
    """Drop a key the services refused (revoked, or its user erased or disabled): the next
    call asks for a new one, which the service refuses if the account is gone."""
    _sessions.pop(user_id, None)


async def identity_for(services: ServiceClient, metadata: dict[str, Any]) -> Identity:
    """The caller's identity for a signed-in Chainlit user (its user id, from Chainlit's
    signed token): organisation and role as the identity service says."""
    session = await _renew(services, str(metadata["user_id"]))
    account = session.account
    return Identity(
        user_id=account.user_id, org_id=account.org_id, role=account.role, api_key=session.key
    )
