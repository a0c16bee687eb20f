"""Single sign-on: an OpenID Connect sign-in against a real provider started here
(oidc-provider-mock), through Chainlit's own generic OAuth provider as the chat uses it;
and an embedding platform's hand-over token. Both map to existing users only."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from oidc_provider_mock import User as ProviderUser
from oidc_provider_mock import run_server_in_thread
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.accounts.service import account_service
from core.db import session_scope
from core.models import ExternalIdentity, Role, User
from core.settings import reset_settings_cache
from tests.helpers.accounts import BASE_URL
from tools.client import ServiceClient
from ui import auth, sso

HANDOVER_KEY = "k" * 8 + os.urandom(24).hex()
REDIRECT = f"{BASE_URL}/chat/auth/oauth/generic/callback"


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    users = [
        ProviderUser(sub="p-123", claims={"email": "Sam@Example.org", "email_verified": True}),
        ProviderUser(sub="p-456", claims={"email": "eve@example.org", "email_verified": False}),
        ProviderUser(sub="p-789", claims={"email": "nobody@example.org", "email_verified": True}),
    ]
    with run_server_in_thread(user_claims=users) as server:
        issuer = f"http://127.0.0.1:{server.server_port}"
        monkeypatch.setenv("CLEARVIEW_OIDC_ISSUER", issuer)
        monkeypatch.setenv("CLEARVIEW_OIDC_CLIENT_ID", "clearview")
        monkeypatch.setenv("CLEARVIEW_OIDC_CLIENT_SECRET", "client-secret")
        for name in [n for n in os.environ if n.startswith("OAUTH_GENERIC_")]:
            monkeypatch.delenv(name)
        reset_settings_cache()
        yield issuer
        for name in [n for n in os.environ if n.startswith("OAUTH_GENERIC_")]:
            monkeypatch.delenv(name)


async def _provider_sign_in(subject: str) -> dict[str, object]:
    """The browser at the provider (choosing `subject`), then Chainlit's generic provider
    exchanging the code and reading the user info, as its callback route does."""
    from chainlit.oauth_providers import get_oauth_provider

    assert sso.configure_oidc() and sso.oidc_enabled()
    provider = get_oauth_provider("generic")
    assert provider is not None and provider.is_configured()
    params = {**provider.authorize_params, "client_id": provider.client_id}
    params |= {"redirect_uri": REDIRECT, "state": "s"}
    async with httpx.AsyncClient() as browser:
        chosen = await browser.post(
            str(provider.authorize_url), params=params, data={"sub": subject}
        )
    assert chosen.status_code == 302, chosen.text
    location = chosen.headers["location"]
    assert location.startswith(REDIRECT)
    code = parse_qs(urlsplit(location).query)["code"][0]
    token = await provider.get_token(code, REDIRECT)
    raw_user_data, _ = await provider.get_user_info(token)
    return dict(raw_user_data)


async def _external(services: ServiceClient, claims: dict[str, object]) -> auth.Account | None:
    return await auth.sign_in_with(
        services,
        "/api/v1/sessions/external",
        {
            "provider": "generic",
            "subject": str(claims["sub"]),
            "email": claims.get("email"),
            "email_verified": claims.get("email_verified") is True,
        },
    )


async def _people(engine: AsyncEngine) -> User:
    async with session_scope(engine) as session:
        org = await account_service.platform_org(session)
        sam = await account_service.create_user(session, org, "sam@example.org", Role.candidate)
        await account_service.create_user(session, org, "eve@example.org", Role.candidate)
        return sam


async def _count(engine: AsyncEngine, model: type) -> int:
    async with session_scope(engine) as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_oidc_sign_in_maps_to_an_existing_user_only(
    provider: str, client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    sam = await _people(engine)
    services = ServiceClient(client, BASE_URL, None)

    claims = await _provider_sign_in("p-123")
    assert claims["sub"] == "p-123" and claims["email"] == "Sam@Example.org"
    account = await _external(services, claims)
    assert account is not None and (account.user_id, account.role) == (sam.id, "candidate")
    async with session_scope(engine) as session:
        link = await session.get(ExternalIdentity, ("generic", "p-123"))
        assert link is not None and link.user_id == sam.id

    # An address the provider has not verified, or one with no account: nobody signs in,
    # and nothing is created.
    users, links = await _count(engine, User), await _count(engine, ExternalIdentity)
    assert await _external(services, await _provider_sign_in("p-456")) is None
    assert await _external(services, await _provider_sign_in("p-789")) is None
    assert (await _count(engine, User), await _count(engine, ExternalIdentity)) == (users, links)

    # Only the deployment's own chat may ask.
    forged = await client.post(
        "/api/v1/sessions/external", json={"provider": "generic", "subject": "p-123"}
    )
    assert forged.status_code == 403
    auth.forget_key(sam.id)


def _handover(claims: dict[str, object], key: str = HANDOVER_KEY) -> str:
    now = int(time.time())
    return jwt.encode(
        {"aud": "clearview", "iat": now, "exp": now + 120, **claims}, key, algorithm="HS256"
    )


async def test_handover_token_signs_in_an_existing_user(
    client: httpx.AsyncClient, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLEARVIEW_HANDOVER_KEY", HANDOVER_KEY)
    reset_settings_cache()
    sam = await _people(engine)
    services = ServiceClient(client, BASE_URL, None)

    async def hand_over(token: str) -> auth.Account | None:
        return await auth.sign_in_with(services, "/api/v1/sessions/handover", {"token": token})

    account = await hand_over(_handover({"sub": "u-1", "email": "sam@example.org"}))
    assert account is not None and account.user_id == sam.id
    # Linked by the platform's subject: a later address change there still finds Sam.
    again = await hand_over(_handover({"sub": "u-1", "email": "sam.new@example.org"}))
    assert again is not None and again.user_id == sam.id

    users = await _count(engine, User)
    now = int(time.time())
    refused = [
        _handover({"sub": "u-2", "email": "sam@example.org"}, key="another key " * 4),
        _handover({"sub": "u-2", "email": "sam@example.org", "iat": now - 600, "exp": now - 60}),
        _handover({"sub": "u-2", "email": "sam@example.org", "exp": now + 3600}),  # too long
        _handover({"sub": "u-2", "email": "sam@example.org", "aud": "someone-else"}),
        _handover({"sub": "u-3", "email": "stranger@example.org"}),  # no account
    ]
    for token in refused:
        assert await hand_over(token) is None
    assert await _count(engine, User) == users
    auth.forget_key(sam.id)
