"""Sessions safe by construction: a forged chat token gets nothing it claims, sign-in is
throttled, a disabled account is shut out at once, prod mode refuses weak secrets and
demo data."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import jwt
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.accounts.service import account_service
from core.credentials import chat_token_secret
from core.db import session_scope
from core.models import ApiKey, Organisation, Role, User
from core.settings import reset_settings_cache
from tests.helpers.accounts import BASE_URL
from tests.helpers.server import CLEARVIEW, clean_env, run_clearview
from tools.client import ServiceClient
from ui import auth

PASSWORD = "correct horse battery"


async def _person(engine: AsyncEngine, email: str, role: Role, org_slug: str = "public") -> User:
    async with session_scope(engine) as session:
        org = (
            await account_service.platform_org(session)
            if org_slug == "public"
            else await account_service.create_org(session, org_slug, org_slug)
        )
        return await account_service.create_user(session, org, email, role, password=PASSWORD)


async def _count(engine: AsyncEngine, model: type) -> int:
    async with session_scope(engine) as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def _forged(claims: dict[str, object]) -> dict[str, object]:
    """A Chainlit token signed with this deployment's (here: the public dev) secret,
    decoded as Chainlit decodes it: what our code receives as the signed-in user."""
    from chainlit.auth.jwt import decode_jwt

    token = jwt.encode(
        {**claims, "exp": datetime.now(UTC) + timedelta(hours=1)},
        chat_token_secret(),
        algorithm="HS256",
    )
    os.environ["CHAINLIT_AUTH_SECRET"] = chat_token_secret()
    try:
        return dict(decode_jwt(token).metadata)
    finally:
        del os.environ["CHAINLIT_AUTH_SECRET"]


async def test_a_forged_chat_token_gets_no_access_and_creates_nothing(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    candidate = await _person(engine, "sam@example.org", Role.candidate)
    other = await _person(engine, "boss@acme.example", Role.admin, "acme")
    services = ServiceClient(client, BASE_URL, None)
    users, orgs = await _count(engine, User), await _count(engine, Organisation)

    # Claiming another organisation and the admin role for a real user: the user's own.
    claims = {"user_id": candidate.id, "org_id": other.org_id, "role": "admin"}
    identity = await auth.identity_for(services, _forged({"identifier": "x", "metadata": claims}))
    assert (identity.org_id, identity.role) == (candidate.org_id, "candidate")
    keys = await client.get(
        "/api/v1/apikeys", headers={"Authorization": f"Bearer {identity.api_key}"}
    )
    assert keys.status_code == 403

    # A user id nobody has: refused, and no user, organisation or key appears.
    keys_before = await _count(engine, ApiKey)
    nobody = {"user_id": "f" * 32, "org_id": other.org_id, "role": "admin", "username": "root"}
    with pytest.raises(PermissionError):
        await auth.identity_for(services, _forged({"identifier": "root", "metadata": nobody}))
    assert (await _count(engine, User), await _count(engine, Organisation)) == (users, orgs)
    assert await _count(engine, ApiKey) == keys_before
    auth.forget_key(candidate.id)


async def test_twenty_wrong_passwords_get_429_with_retry_after(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await _person(engine, "sam@example.org", Role.candidate)
    codes = []
    for attempt in range(20):
        answer = await client.post(
            "/api/v1/sessions", json={"username": "sam@example.org", "password": f"wrong{attempt}"}
        )
        codes.append(answer.status_code)
    assert codes[:10] == [401] * 10 and codes[10:] == [429] * 10
    assert int(answer.headers["retry-after"]) > 0
    assert answer.json()["error"] == "rate_limited"
    # Throttled even with the right password: the account waits.
    right = await client.post(
        "/api/v1/sessions", json={"username": "sam@example.org", "password": PASSWORD}
    )
    assert right.status_code == 429


async def test_sign_in_is_throttled_per_client_address(
    client: httpx.AsyncClient, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLEARVIEW_SIGNIN_ATTEMPTS_PER_ADDRESS", "5")
    reset_settings_cache()
    codes = [
        (
            await client.post(
                "/api/v1/sessions", json={"username": f"user{i}@example.org", "password": "x"}
            )
        ).status_code
        for i in range(7)
    ]
    assert codes == [401] * 5 + [429] * 2
    # A forwarded address counts only with the deployment's service credential.
    forged = await client.post(
        "/api/v1/sessions",
        json={"username": "new@example.org", "password": "x"},
        headers={"X-ClearView-Client": "203.0.113.9"},
    )
    assert forged.status_code == 429


async def test_disabling_a_user_revokes_their_keys_and_sign_in(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    admin = await _person(engine, "boss@acme.example", Role.admin, "acme")
    async with session_scope(engine) as session:
        org = await account_service.org(session, admin.org_id)
        employee = await account_service.create_user(
            session, org, "kim@acme.example", Role.employer, password=PASSWORD
        )
    signed_in = []
    for email in ("boss@acme.example", "kim@acme.example"):
        answer = await client.post(
            "/api/v1/sessions", json={"username": email, "password": PASSWORD}
        )
        signed_in.append({"Authorization": f"Bearer {answer.json()['key']}"})
    boss, kim = signed_in
    assert (await client.get("/api/v1/me", headers=kim)).status_code == 200

    outsider = await _person(engine, "eve@other.example", Role.admin, "other")
    eve = await client.post(
        "/api/v1/sessions", json={"username": outsider.email, "password": PASSWORD}
    )
    eve_headers = {"Authorization": f"Bearer {eve.json()['key']}"}
    assert (
        await client.post(f"/api/v1/users/{employee.id}/disable", headers=eve_headers)
    ).status_code == 404

    disabled = await client.post(f"/api/v1/users/{employee.id}/disable", headers=boss)
    assert disabled.status_code == 200 and disabled.json()["is_active"] is False
    assert (await client.get("/api/v1/me", headers=kim)).status_code == 401
    again = await client.post(
        "/api/v1/sessions", json={"username": "kim@acme.example", "password": PASSWORD}
    )
    assert again.status_code == 401
    async with session_scope(engine) as session:
        live = await session.scalar(
            select(func.count())
            .select_from(ApiKey)
            .where(ApiKey.user_id == employee.id, ApiKey.revoked_at.is_(None))
        )
    assert live == 0


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    return clean_env(CLEARVIEW_DATA_DIR=str(data_dir), **extra)


def test_prod_mode_with_a_weak_secret_refuses_to_start(tmp_path: Path) -> None:
    # Which secrets are weak: tests/core/test_settings.py.
    env = _env(tmp_path, CLEARVIEW_MODE="prod", CLEARVIEW_SECRET_KEY="changeme")
    # `-X importtime`: the interpreter lists every module it imports on stderr.
    result = subprocess.run(
        [sys.executable, "-X", "importtime", str(CLEARVIEW), "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "CLEARVIEW_SECRET_KEY" in result.stderr
    assert not (tmp_path / "clearview.db").exists()  # stopped before anything was made
    # Refused before the application is imported (tens of seconds on a busy machine).
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()}
    assert "clearview.app" not in imported and "fastapi" not in imported


def test_prod_mode_refuses_demo_data(tmp_path: Path) -> None:
    env = _env(tmp_path, CLEARVIEW_MODE="prod", CLEARVIEW_SECRET_KEY=os.urandom(32).hex())
    served = run_clearview("serve", "--demo", env=env)
    assert served.returncode == 2 and "never loaded in prod mode" in served.stderr
    loaded = run_clearview("demo", "load", env=env)
    assert loaded.returncode == 1 and "never loaded in prod mode" in loaded.stderr


@pytest.mark.slow  # eight CLI processes
def test_operator_onboards_from_the_command_line(tmp_path: Path) -> None:
    """A fresh prod deployment: the first platform admin, an employer organisation and an
    invitation, a disabled account, a password reset, all without touching the database."""
    env = _env(
        tmp_path,
        CLEARVIEW_MODE="prod",
        CLEARVIEW_SECRET_KEY=os.urandom(32).hex(),
        CLEARVIEW_PUBLIC_URL="https://jobs.example.org",
    )
    created = run_clearview(
        "user", "create", "root@platform.example", "--role", "admin", env=env,
        stdin=f"{PASSWORD}\n{PASSWORD}\n",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert "created admin root@platform.example in 'public'" in created.stderr
    assert run_clearview("org", "create", "acme", "--name", "Acme", env=env).returncode == 0
    invited = run_clearview(
        "user", "invite", "alex@acme.example", "--role", "employer", "--org", "acme", env=env
    )
    assert invited.returncode == 0, invited.stderr
    assert invited.stdout.startswith("https://jobs.example.org/invitations/accept?token=")
    # No SMTP server in prod: the mail waits in the outbox, and its link is not logged.
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
    assert "token=" not in invited.stderr.replace(invited.stdout.strip(), "")
    dup = run_clearview("user", "invite", "root@platform.example", "--role", "admin", env=env)
    assert dup.returncode == 1 and "already an account" in dup.stderr
    reset = run_clearview("user", "reset-password", "root@platform.example", env=env)
    assert reset.returncode == 0 and "/password/reset?token=" in reset.stdout
    disabled = run_clearview("user", "disable", "root@platform.example", env=env)
    assert disabled.returncode == 0, disabled.stderr
    listed = run_clearview("org", "list", env=env)
    assert "acme\tactive\tAcme" in listed.stdout
