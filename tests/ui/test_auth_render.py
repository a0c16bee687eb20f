"""Sign-in against the product's users (SQLite and PostgreSQL), and the chat's renderings."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from api.identity.schemas import Identity
from api.identity.service import identity_service
from clearview.app import build_app
from core.db import session_scope
from core.models import Role, User, new_id
from core.passwords import hash_password, verify_password
from tools.client import ServiceClient, ServiceError, services_http
from ui import auth, render


def test_password_hashes_are_salted_and_verify_only_the_password() -> None:
    first, second = hash_password("demo"), hash_password("demo")
    assert first != second  # per-user salt
    assert verify_password("demo", first) and verify_password("demo", second)
    assert not verify_password("Demo", first)
    assert not verify_password("demo", None) and not verify_password("demo", "md5$x")


@pytest.fixture
async def services(engine: AsyncEngine) -> AsyncIterator[ServiceClient]:
    """The identity service over HTTP, as the chat calls it (in memory)."""
    http, base_url = services_http(None, build_app({"resumes"}))
    async with http:
        yield ServiceClient(http, base_url, None)


async def _user(org_slug: str, username: str, role: Role, *, active: bool = True) -> User:
    async with session_scope() as session:
        org = await identity_service.get_or_create_org(session, org_slug)
        user = User(
            id=new_id(),
            org_id=org.id,
            username=username,
            role=role,
            password_hash=hash_password("s3cret"),
            is_active=active,
        )
        session.add(user)
    return user


async def test_sign_in_maps_to_the_user_and_issues_a_working_key(
    services: ServiceClient,
) -> None:
    user = await _user("acme", "hr@acme.test", Role.employer)
    assert await auth.authenticate(services, "hr@acme.test", "wrong") is None
    assert await auth.authenticate(services, "nobody@acme.test", "s3cret") is None

    account = await auth.authenticate(services, " hr@acme.test ", "s3cret")
    assert account is not None
    assert (account.user_id, account.org_id, account.role) == (user.id, user.org_id, "employer")
    assert account.metadata() == {"user_id": user.id}  # nothing secret, no claims to trust

    identity = await auth.identity_for(services, account.metadata())
    assert identity.role == "employer"
    async with session_scope() as session:
        checked = await identity_service.authenticate(session, identity.api_key)
    assert (checked.user_id, checked.role) == (user.id, Role.employer)
    # The same key for the rest of the process, until the services refuse it.
    assert (await auth.identity_for(services, account.metadata())).api_key == identity.api_key
    # A process that lost its keys (a restart) gets a new one from the identity service.
    auth.forget_key(user.id)
    renewed = await auth.identity_for(services, account.metadata())
    assert renewed.api_key != identity.api_key and renewed.org_id == user.org_id


async def test_a_disabled_user_cannot_sign_in_nor_get_a_new_key(services: ServiceClient) -> None:
    user = await _user("public", "gone@test", Role.candidate, active=False)
    assert await auth.authenticate(services, "gone@test", "s3cret") is None
    with pytest.raises(PermissionError):
        await auth.identity_for(services, {"user_id": user.id})


async def test_only_the_deployment_renews_a_key(services: ServiceClient) -> None:
    """Renewing needs the service credential: a user id alone gets no key."""
    user = await _user("public", "kim@test", Role.candidate)
    with pytest.raises(ServiceError) as refused:
        await services.post("/api/v1/sessions/renew", {"user_id": user.id})
    assert refused.value.status == 403
    async with session_scope() as session:
        assert (
            await identity_service.list_keys(
                session, Identity(key_id="-", user_id=user.id, org_id=user.org_id, role=Role.admin)
            )
            == []
        )


@pytest.mark.parametrize(
    ("role", "profile"),
    [("candidate", "Candidate"), ("employer", "Employer"), ("admin", "Employer")],
)
def test_each_role_gets_its_own_profile_with_starters(role: str, profile: str) -> None:
    chosen = render.chat_profile(role, "offline")
    assert chosen.name == profile
    assert chosen.starters and "offline model" in chosen.markdown_description


def test_match_cards_show_score_skills_and_reasons() -> None:
    task_result = {
        "rank": 1,
        "score": 0.8234,
        "job_id": "j1",
        "details": {
            "title": "Data Engineer",
            "company": "Acme",
            "location": "Remote",
            "matched_skills": ["Python", "SQL"],
            "missing_required": ["Airflow"],
            "missing_preferred": [],
            "reasons": ["Has 2 of 3 required skills"],
        },
    }
    text = render.match_cards([task_result], "jobs", "Jobs")
    assert "### 1. Data Engineer" in text and "Acme · Remote" in text
    assert "score 82%" in text and "Has: Python, SQL" in text
    assert "Missing (required): Airflow" in text and "Missing (preferred): none" in text
    assert "Why: Has 2 of 3 required skills" in text
    assert "No opted-in candidate" in render.match_cards([], "candidates", "Candidates")


def test_a_rewrite_renders_as_a_fenced_diff_with_both_decisions() -> None:
    diff = "<diff>\n--- v1\n+++ v2\n-Responsible for ETL\n+Built ETL\n```\n</diff>"
    text = render.rewrite_diff(diff)
    assert "1 lines added, 1 removed" in text
    assert text.count("````") == 2  # a fence the resume's own ``` cannot close
    assert "<diff>" not in text
    accept, reject = render.rewrite_actions("r1", "v9")
    assert (accept.name, reject.name) == (render.ACCEPT, render.REJECT)
    assert accept.payload == reject.payload == {"resume_id": "r1", "version_id": "v9"}
