"""Sign-in against the product's users (SQLite and PostgreSQL), and the chat's renderings."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from api.identity.service import identity_service
from core.db import session_scope
from core.models import Role, User, new_id
from core.passwords import hash_password, verify_password
from ui import auth, render


def test_password_hashes_are_salted_and_verify_only_the_password() -> None:
    first, second = hash_password("demo"), hash_password("demo")
    assert first != second  # per-user salt
    assert verify_password("demo", first) and verify_password("demo", second)
    assert not verify_password("Demo", first)
    assert not verify_password("demo", None) and not verify_password("demo", "md5$x")


async def test_sign_in_maps_to_the_user_and_issues_a_working_key(engine: AsyncEngine) -> None:
    async with session_scope() as session:
        org = await identity_service.get_or_create_org(session, "acme")
        user = User(
            id=new_id(),
            org_id=org.id,
            username="hr@acme.test",
            role=Role.employer,
            password_hash=hash_password("s3cret"),
        )
        session.add(user)
    assert await auth.authenticate("hr@acme.test", "wrong") is None
    assert await auth.authenticate("nobody@acme.test", "s3cret") is None

    account = await auth.authenticate(" hr@acme.test ", "s3cret")
    assert account is not None
    assert (account.user_id, account.org_id, account.role) == (user.id, org.id, "employer")
    assert set(account.metadata()) == {"user_id", "org_id", "role"}  # nothing secret

    identity = await auth.identity_for(account.metadata())
    assert identity.role == "employer"
    async with session_scope() as session:
        checked = await identity_service.authenticate(session, identity.api_key)
    assert (checked.user_id, checked.role) == (user.id, Role.employer)
    # The same key for the rest of the process, until the services refuse it.
    assert (await auth.identity_for(account.metadata())).api_key == identity.api_key
    auth.forget_key(user.id)
    assert (await auth.identity_for(account.metadata())).api_key != identity.api_key


async def test_a_disabled_user_cannot_sign_in(engine: AsyncEngine) -> None:
    async with session_scope() as session:
        org = await identity_service.get_or_create_org(session, "public")
        session.add(
            User(
                id=new_id(),
                org_id=org.id,
                username="gone@test",
                role=Role.candidate,
                password_hash=hash_password("pw"),
                is_active=False,
            )
        )
    assert await auth.authenticate("gone@test", "pw") is None


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
