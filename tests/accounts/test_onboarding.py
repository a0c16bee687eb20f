"""Onboarding without touching the database: sign-up with e-mail verification, an
invitation into an employer organisation, a password reset; every mail read from a real
SMTP server. Runs on SQLite and PostgreSQL; and once end to end on a prod-mode
`clearview serve` with no demo data, its first admin made with the CLI."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.accounts.service import account_service
from core.db import session_scope
from core.models import AccountLink, Organisation, Role, User
from core.settings import get_settings, reset_settings_cache
from tests.helpers.accounts import ANY_LINK, Inbox, link_in, submit
from tests.helpers.server import clearview_serve, free_port

PASSWORD = "correct horse battery"


async def _sign_in(client: httpx.AsyncClient, login: str, password: str) -> httpx.Response:
    return await client.post("/api/v1/sessions", json={"username": login, "password": password})


async def _platform_admin(engine: AsyncEngine, client: httpx.AsyncClient) -> dict[str, str]:
    """The first platform admin, as `clearview user create --role admin` makes them; their
    key's headers."""
    async with session_scope(engine) as session:
        org = await account_service.platform_org(session)
        await account_service.create_user(
            session, org, "root@platform.example", Role.admin, password=PASSWORD
        )
    answer = await _sign_in(client, "root@platform.example", PASSWORD)
    assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {answer.json()['key']}"}


async def test_candidate_signs_up_verifies_and_signs_in(
    client: httpx.AsyncClient, inbox: Inbox, engine: AsyncEngine
) -> None:
    email = "Sam.Lee@Example.org"
    answer = await submit(
        client, "/signup", {"email": email, "display_name": "Sam", "password": PASSWORD}
    )
    assert answer.status_code == 200 and "Check your e-mail" in answer.text

    # Not before the address is confirmed (the right password says so; a wrong one not).
    refused = await _sign_in(client, "sam.lee@example.org", PASSWORD)
    assert refused.status_code == 401 and "confirm your e-mail" in refused.json()["detail"]

    mail = inbox.wait_for("sam.lee@example.org")
    assert mail["Subject"] == "Confirm your e-mail address for ClearView"
    link = link_in(mail)
    assert link.startswith("http://clearview.test/verify?token=")
    confirmed = await submit(client, link.removeprefix("http://clearview.test"), {})
    assert confirmed.status_code == 200 and "Your account is ready" in confirmed.text

    signed_in = await _sign_in(client, "sam.lee@example.org", PASSWORD)
    assert signed_in.status_code == 201, signed_in.text
    account = signed_in.json()["account"]
    assert account["role"] == "candidate" and account["display_name"] == "Sam"
    async with session_scope(engine) as session:
        org = await session.get(Organisation, account["org_id"])
        assert org is not None and org.slug == "public"

    # The link works once.
    again = await client.get(link.removeprefix("http://clearview.test"))
    assert again.status_code == 400 and "expired or was already used" in again.text


async def test_signing_up_twice_tells_the_owner_not_the_stranger(
    client: httpx.AsyncClient, inbox: Inbox, engine: AsyncEngine
) -> None:
    fields = {"email": "kim@example.org", "password": PASSWORD}
    first = await submit(client, "/signup", fields)
    second = await submit(client, "/signup", {**fields, "password": "another password!"})
    assert first.status_code == second.status_code == 200
    assert "We sent a link to kim@example.org" in first.text
    assert "We sent a link to kim@example.org" in second.text
    # Still unconfirmed: the owner gets a fresh link; one account only.
    inbox.wait_for("kim@example.org", count=2)
    async with session_scope(engine) as session:
        users = (await session.scalars(select(User).where(User.email == "kim@example.org"))).all()
    assert len(users) == 1


async def test_bad_sign_up_says_what_to_fix_and_creates_nothing(
    client: httpx.AsyncClient, inbox: Inbox, engine: AsyncEngine
) -> None:
    short = await submit(client, "/signup", {"email": "ana@example.org", "password": "short"})
    assert short.status_code == 400 and "at least 10 characters" in short.text
    assert 'value="ana@example.org"' in short.text  # the form keeps what was typed
    bad = await submit(client, "/signup", {"email": "not-an-address", "password": PASSWORD})
    assert bad.status_code == 400 and "is not an e-mail address" in bad.text
    # No CSRF pair: refused before anything is read.
    forged = await client.post(
        "/signup", data={"email": "eve@example.org", "password": PASSWORD, "csrf": "x"}
    )
    assert forged.status_code == 403 and "reload the page" in forged.text
    async with session_scope(engine) as session:
        assert (await session.scalars(select(User))).all() == []
        assert (await session.scalars(select(AccountLink))).all() == []
    assert inbox.messages == []


async def test_admin_invites_an_employer_who_joins_and_signs_in(
    client: httpx.AsyncClient, inbox: Inbox, engine: AsyncEngine
) -> None:
    admin = await _platform_admin(engine, client)
    org = await client.post(
        "/api/v1/organisations", json={"slug": "acme", "name": "Acme Recruiting"}, headers=admin
    )
    assert org.status_code == 201, org.text
    invited = await client.post(
        "/api/v1/invitations",
        json={"email": "alex@acme.example", "role": "employer", "org_id": org.json()["id"]},
        headers=admin,
    )
    assert invited.status_code == 201, invited.text

    mail = inbox.wait_for("alex@acme.example")
    assert "Acme Recruiting" in mail["Subject"]
    link = link_in(mail)
    assert link == invited.json()["url"]
    page = link.removeprefix("http://clearview.test")
    short = await submit(client, page, {"password": "short"}, action="/invitations/accept")
    assert short.status_code == 400  # the link is kept for the next try, and not used up
    joined = await submit(
        client, page, {"display_name": "Alex", "password": PASSWORD}, action="/invitations/accept"
    )
    assert joined.status_code == 200 and "Your account is ready" in joined.text

    signed_in = await _sign_in(client, "alex@acme.example", PASSWORD)
    assert signed_in.status_code == 201
    account = signed_in.json()["account"]
    assert account["role"] == "employer" and account["org_id"] == org.json()["id"]
    reused = await client.get(page)
    assert reused.status_code == 400

    # An organisation's admin may not act in another one, nor create organisations.
    employer = {"Authorization": f"Bearer {signed_in.json()['key']}"}
    assert (
        await client.post(
            "/api/v1/invitations",
            json={"email": "x@y.example", "role": "employer"},
            headers=employer,
        )
    ).status_code == 403


async def test_password_reset_by_mail_signs_out_everywhere(
    client: httpx.AsyncClient, inbox: Inbox, engine: AsyncEngine
) -> None:
    admin = await _platform_admin(engine, client)
    old_key = admin["Authorization"]
    # Unknown address: the same answer, no mail.
    unknown = await submit(client, "/password/forgot", {"email": "nobody@example.org"})
    assert unknown.status_code == 200 and "If this address has an account" in unknown.text
    asked = await submit(client, "/password/forgot", {"email": "root@platform.example"})
    assert asked.text == unknown.text.replace("nobody@example.org", "root@platform.example")

    link = link_in(inbox.wait_for("root@platform.example"))
    assert inbox.to("nobody@example.org") == []
    saved = await submit(
        client,
        link.removeprefix("http://clearview.test"),
        {"password": "a new long password"},
        action="/password/reset",
    )
    assert saved.status_code == 200 and "Password saved" in saved.text

    assert (await _sign_in(client, "root@platform.example", PASSWORD)).status_code == 401
    assert (
        await _sign_in(client, "root@platform.example", "a new long password")
    ).status_code == 201
    assert (await client.get("/api/v1/me", headers={"Authorization": old_key})).status_code == 401


@pytest.mark.parametrize("policy", ["open", "approval", "invite"])
async def test_employer_sign_up_follows_the_policy(
    client: httpx.AsyncClient,
    inbox: Inbox,
    engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
    policy: str,
) -> None:
    monkeypatch.setenv("CLEARVIEW_EMPLOYER_SIGNUP", policy)
    reset_settings_cache()
    if policy == "invite":
        page = await client.get("/signup/employer")
        assert "by invitation" in page.text and "<form" not in page.text
        return
    fields = {"email": "boss@shop.example", "organisation": "The Shop", "password": PASSWORD}
    answer = await submit(client, "/signup/employer", fields)
    assert answer.status_code == 200, answer.text
    link = link_in(inbox.wait_for("boss@shop.example"))
    await submit(client, link.removeprefix("http://clearview.test"), {}, action="/verify")
    signed_in = await _sign_in(client, "boss@shop.example", PASSWORD)
    if policy == "open":
        assert signed_in.status_code == 201 and signed_in.json()["account"]["role"] == "admin"
        return
    assert signed_in.status_code == 401 and "waiting for approval" in signed_in.json()["detail"]
    admin = await _platform_admin(engine, client)
    async with session_scope(engine) as session:
        org_id = (
            await session.scalars(select(User.org_id).where(User.email == fields["email"]))
        ).one()
    approved = await client.post(f"/api/v1/organisations/{org_id}/approve", headers=admin)
    assert approved.status_code == 200 and approved.json()["is_active"]
    assert "approved" in inbox.wait_for("boss@shop.example", count=2)["Subject"]
    assert (await _sign_in(client, "boss@shop.example", PASSWORD)).status_code == 201


async def test_a_candidate_deletes_their_own_account(
    client: httpx.AsyncClient, inbox: Inbox, engine: AsyncEngine
) -> None:
    await submit(client, "/signup", {"email": "leo@example.org", "password": PASSWORD})
    link = link_in(inbox.wait_for("leo@example.org"))
    await submit(client, link.removeprefix("http://clearview.test"), {}, action="/verify")
    key = (await _sign_in(client, "leo@example.org", PASSWORD)).json()["key"]
    headers = {"Authorization": f"Bearer {key}"}

    admin = await _platform_admin(engine, client)
    assert (await client.delete("/api/v1/me", headers=admin)).status_code == 403

    assert (await client.delete("/api/v1/me", headers=headers)).status_code == 204
    assert (await _sign_in(client, "leo@example.org", PASSWORD)).status_code == 401
    async with session_scope(engine) as session:
        assert (
            await session.scalars(select(User).where(User.email == "leo@example.org"))
        ).all() == []
        links = await session.scalars(
            select(AccountLink).where(AccountLink.email == "leo@example.org")
        )
        assert links.all() == []
    # The address is free again.
    again = await submit(client, "/signup", {"email": "leo@example.org", "password": PASSWORD})
    assert again.status_code == 200


async def test_a_mailed_link_never_points_at_the_host_a_request_names(
    client: httpx.AsyncClient, inbox: Inbox, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside dev mode, with no CLEARVIEW_PUBLIC_URL, a link is built from the configured
    host and port: a reset asked with a Host of one's own (password-reset poisoning) must
    not mail someone's token to that host."""
    monkeypatch.delenv("CLEARVIEW_PUBLIC_URL")
    reset_settings_cache()
    await _platform_admin(engine, client)
    client.headers["Host"] = "evil.example"
    asked = await submit(client, "/password/forgot", {"email": "root@platform.example"})
    assert asked.status_code == 200
    link = link_in(inbox.wait_for("root@platform.example"), ANY_LINK)
    assert link.startswith(f"{get_settings().public_base_url}/password/reset?token="), link


@pytest.mark.slow  # a prod-mode `clearview serve`
async def test_a_prod_deployment_onboards_an_admin_an_employer_and_a_candidate(
    tmp_path: Path, model_cache_dir: Path, inbox: Inbox
) -> None:
    """What accounts are for: a fresh prod deployment with no demo data gets its first
    platform admin from the CLI, an employer organisation by the admin's invitation and a
    candidate by sign-up, and each can sign in to the chat. Nothing here opens the
    database: every step is a command, a page or an API call."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = {
        "CLEARVIEW_MODE": "prod",
        "CLEARVIEW_SECRET_KEY": os.urandom(32).hex(),
        "CLEARVIEW_PUBLIC_URL": base,
        "CLEARVIEW_SMTP_URL": os.environ["CLEARVIEW_SMTP_URL"],  # the `inbox` server
        "CLEARVIEW_MODEL_CACHE_DIR": str(model_cache_dir),
    }
    with clearview_serve(tmp_path, settings=settings, port=port, timeout=240) as server:
        created = server.cli(
            "user", "create", "root@platform.example", "--role", "admin",
            stdin=f"{PASSWORD}\n{PASSWORD}\n",
        )  # fmt: skip
        assert created.returncode == 0, created.stderr
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:

            async def chat_sign_in(login: str, password: str) -> int:
                answer = await client.post(
                    "/chat/login", data={"username": login, "password": password}
                )
                return answer.status_code

            # No demo data: its users, with their published password, do not exist.
            assert await chat_sign_in("employer@demo.clearview", "demo") == 401

            signed_in = await _sign_in(client, "root@platform.example", PASSWORD)
            assert signed_in.status_code == 201, signed_in.text
            admin = {"Authorization": f"Bearer {signed_in.json()['key']}"}
            org = await client.post(
                "/api/v1/organisations", json={"slug": "acme", "name": "Acme"}, headers=admin
            )
            assert org.status_code == 201, org.text
            invited = await client.post(
                "/api/v1/invitations",
                json={"email": "alex@acme.example", "role": "employer", "org_id": org.json()["id"]},
                headers=admin,
            )
            assert invited.status_code == 201, invited.text
            link = link_in(inbox.wait_for("alex@acme.example"), ANY_LINK)
            assert link.startswith(f"{base}/invitations/accept?token=")
            joined = await submit(
                client,
                link.removeprefix(base),
                {"display_name": "Alex", "password": PASSWORD},
                action="/invitations/accept",
            )
            assert joined.status_code == 200 and "Your account is ready" in joined.text

            signed_up = await submit(
                client, "/signup", {"email": "sam@example.org", "password": PASSWORD}
            )
            assert signed_up.status_code == 200 and "Check your e-mail" in signed_up.text
            link = link_in(inbox.wait_for("sam@example.org"), ANY_LINK)
            assert link.startswith(f"{base}/verify?token=")
            verified = await submit(client, link.removeprefix(base), {}, action="/verify")
            assert verified.status_code == 200 and "Your account is ready" in verified.text

            for login, role, org_slug in [
                ("alex@acme.example", "employer", "acme"),
                ("sam@example.org", "candidate", "public"),
            ]:
                assert await chat_sign_in(login, PASSWORD) == 200
                me = (await _sign_in(client, login, PASSWORD)).json()["account"]
                assert me["role"] == role
                orgs = await client.get("/api/v1/organisations", headers=admin)
                assert {o["id"]: o["slug"] for o in orgs.json()}[me["org_id"]] == org_slug
