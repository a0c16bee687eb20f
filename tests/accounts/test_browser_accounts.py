"""Accounts in a real browser (Debian's chromium via Playwright) against a `clearview serve`
with no demo users, a real SMTP server in this process (aiosmtpd) and a real OpenID
Connect provider in this process (oidc-provider-mock). Before it starts, the operator
imports a few of the demo jobs (for an employer organisation) and opted-in candidates
with `clearview ingest`, as a new deployment would:

- a candidate signs up from the chat's sign-in page, confirms the address from the mail,
  signs in, uploads a resume and gets matches; then resets the password (phone width);
- an admin (made with `clearview user create`) invites an employer, who accepts from the
  mail, signs in and finds candidates;
- a person signs in with the provider as the existing user it maps to; a provider account
  with no matching user gets nobody in, and creates nobody.

Each step leaves a screenshot in `test-artifacts/ui/`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from aiosmtpd.controller import Controller
from oidc_provider_mock import User as ProviderUser
from oidc_provider_mock import run_server_in_thread
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect
from sqlalchemy import func, select

from api.imports.demo import DEMO_DIR
from core.db import session_scope
from core.models import ExternalIdentity, User
from tests.helpers.accounts import ANY_LINK, Inbox, link_in
from tests.helpers.chat_page import TURN_MS, Chat, beside_playwright
from tests.helpers.server import Server, clean_env, clearview_serve, free_port, run_clearview

RESUME = Path(__file__).parents[1] / "ui" / "files" / "resume.txt"
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PASSWORD = "correct horse battery"
# What Chainlit's sign-in page says when the password callback lets nobody in.
REFUSED = "Unable to sign in"
# The provider's people: one whose verified address belongs to a user of the deployment,
# and one nobody here knows.
SSO_MEMBER = ProviderUser(
    sub="sso-sam", claims={"email": "Sam@Example.org", "email_verified": True}
)
SSO_STRANGER = ProviderUser(
    sub="sso-stranger", claims={"email": "stranger@example.org", "email_verified": True}
)
EMPLOYER_ORG = "acme"
# A few of the demo jobs and resumes: enough for matches both ways, imported in seconds
# (all of them take minutes on a busy machine).
JOBS, CANDIDATES = 40, 10
# One worker runs the whole module: one server, its data imported once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("ui-accounts")]


@pytest.fixture(scope="module")
def inbox() -> Iterator[tuple[Inbox, int]]:
    received = Inbox()
    port = free_port()
    controller = Controller(received, hostname="127.0.0.1", port=port)
    controller.start()
    yield received, port
    controller.stop()


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """The platform's OpenID Connect provider: its issuer URL."""
    with run_server_in_thread(user_claims=[SSO_MEMBER, SSO_STRANGER]) as server:
        yield f"http://127.0.0.1:{server.server_port}"


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory,
    model_cache_dir: Path,
    inbox: tuple[Inbox, int],
    provider: str,
) -> Iterator[Server]:
    settings = {
        "CLEARVIEW_MODE": "dev",
        "CLEARVIEW_MODEL_CACHE_DIR": str(model_cache_dir),
        "CLEARVIEW_SMTP_URL": f"smtp://127.0.0.1:{inbox[1]}?tls=none",
        "CLEARVIEW_OIDC_ISSUER": provider,
        "CLEARVIEW_OIDC_CLIENT_ID": "clearview",
        "CLEARVIEW_OIDC_CLIENT_SECRET": "client-secret",
    }
    work = tmp_path_factory.mktemp("ui-accounts")
    _import_jobs_and_candidates(work, clean_env(CLEARVIEW_DATA_DIR=str(work / "data"), **settings))
    with clearview_serve(work, "--no-demo", settings=settings, timeout=240) as server:
        yield server


def _import_jobs_and_candidates(work: Path, env: dict[str, str]) -> None:
    """The first demo jobs for `EMPLOYER_ORG` and the first demo resumes as opted-in
    candidates, imported by `clearview ingest` into the data dir the server will use."""
    jobs = work / "jobs.jsonl"
    lines = (DEMO_DIR / "jobs.jsonl").read_text(encoding="utf-8").splitlines()
    jobs.write_text("\n".join(lines[:JOBS]) + "\n", encoding="utf-8")
    resumes = work / "resumes"
    resumes.mkdir()
    lines = (DEMO_DIR / "resumes.jsonl").read_text(encoding="utf-8").splitlines()
    for line in lines[:CANDIDATES]:
        item = json.loads(line)
        (resumes / f"{item['external_id']}.md").write_text(item["text"], encoding="utf-8")
    for command in (
        ["ingest", "jobs", str(jobs), "--org", EMPLOYER_ORG],
        ["ingest", "resumes", str(resumes), "--org", "public", "--open-to-employers"],
    ):
        imported = run_clearview(*command, env=env, cwd=work)
        assert imported.returncode == 0, imported.stdout + imported.stderr


def _link(inbox: Inbox, address: str, count: int = 1) -> str:
    return link_in(inbox.wait_for(address, count), ANY_LINK)


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width


def _phone(browser: Browser) -> BrowserContext:
    return browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True)


def _create_user(server: Server, email: str, role: str) -> None:
    """`clearview user create`, as the deployment's operator runs it."""
    created = server.cli("user", "create", email, "--role", role, stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert created.returncode == 0, created.stderr


def test_sign_up_verify_sign_in_match_and_reset_at_phone_width(
    server: Server, browser: Browser, inbox: tuple[Inbox, int], artifacts: Path
) -> None:
    mail = inbox[0]
    context = _phone(browser)
    chat = Chat(context.new_page(), artifacts, "accounts")
    page = chat.page

    page.goto(f"{server.base_url}/chat", wait_until="domcontentloaded")
    link = page.get_by_role("link", name="New here? Sign up as a candidate")
    expect(link).to_be_visible(timeout=TURN_MS)
    chat.shot("sign-in-links")
    link.click()

    expect(page.get_by_role("heading", name="Sign up as a candidate")).to_be_visible()
    _no_sideways_scroll(page)
    page.fill("#email", "ana@example.org")
    page.fill("#display_name", "Ana")
    page.fill("#password", PASSWORD)
    chat.shot("sign-up")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_text("We sent a link to ana@example.org")).to_be_visible()
    chat.shot("check-mail")

    # Not yet: the address is unconfirmed.
    chat.submit_sign_in(server.base_url, "ana@example.org", PASSWORD)
    expect(page.get_by_text(REFUSED)).to_be_visible(timeout=TURN_MS)
    expect(page.locator("#chat-input")).to_have_count(0)

    page.goto(_link(mail, "ana@example.org"))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Your account is ready")).to_be_visible()
    chat.shot("confirmed")

    chat.sign_in(server.base_url, "ana@example.org", PASSWORD)
    expect(page.get_by_text("(ana@example.org, candidate)")).to_be_visible(timeout=TURN_MS)
    expect(page.get_by_role("button", name="Delete my account")).to_be_visible()
    chat.shot("signed-in")

    # A new candidate's first resume, and the jobs it matches.
    chat.attach(RESUME, "Here is my resume")
    chat.sees("Uploaded resume.txt")
    chat.say("Which jobs match my resume best?")
    chat.sees("Jobs that match your resume")
    expect(page.get_by_text("Missing (required):").first).to_be_visible()
    chat.shot("matches")
    context.close()

    # Forgot the password: a link by mail, a new password, signed in with it.
    context = _phone(browser)
    chat = Chat(context.new_page(), artifacts, "accounts-reset")
    page = chat.page
    page.goto(f"{server.base_url}/chat", wait_until="domcontentloaded")
    page.get_by_role("link", name="Forgot your password?").click()
    page.fill("#email", "ana@example.org")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_text("If this address has an account")).to_be_visible()
    page.goto(_link(mail, "ana@example.org", count=2))
    page.fill("#password", "an even longer password")
    chat.shot("new-password")
    page.get_by_role("button", name="Save my new password").click()
    expect(page.get_by_text("Password saved")).to_be_visible()

    chat.submit_sign_in(server.base_url, "ana@example.org", PASSWORD)  # the old one
    expect(page.get_by_text(REFUSED)).to_be_visible(timeout=TURN_MS)
    chat.sign_in(server.base_url, "ana@example.org", "an even longer password")
    chat.shot("signed-in-again")
    context.close()


def test_admin_invites_an_employer_who_finds_candidates(
    server: Server, browser: Browser, inbox: tuple[Inbox, int], artifacts: Path
) -> None:
    _create_user(server, "root@platform.example", "admin")
    with httpx.Client(base_url=server.base_url, timeout=30) as api:
        signed_in = api.post(
            "/api/v1/sessions", json={"username": "root@platform.example", "password": PASSWORD}
        )
        assert signed_in.status_code == 201, signed_in.text
        admin = {"Authorization": f"Bearer {signed_in.json()['key']}"}
        orgs = api.get("/api/v1/organisations", headers=admin).json()
        (employer_org,) = [o["id"] for o in orgs if o["slug"] == EMPLOYER_ORG]
        invited = api.post(
            "/api/v1/invitations",
            json={"email": "alex@employer.example", "role": "employer", "org_id": employer_org},
            headers=admin,
        )
        assert invited.status_code == 201, invited.text

    context = browser.new_context(viewport=DESKTOP)
    chat = Chat(context.new_page(), artifacts, "invitation")
    page = chat.page
    page.goto(_link(inbox[0], "alex@employer.example"))
    expect(page.get_by_role("heading", name="Accept your invitation")).to_be_visible()
    page.fill("#display_name", "Alex")
    page.fill("#password", PASSWORD)
    chat.shot("accept")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_text("Your account is ready")).to_be_visible()

    chat.sign_in(server.base_url, "alex@employer.example", PASSWORD)
    chat.sees("Hello Alex, you are signed in as Employer")
    chat.say("Find candidates for our first job")
    chat.sees("Top candidates for")
    expect(page.get_by_text("Used candidate matching")).to_be_visible()
    chat.shot("candidates")
    context.close()


def _people(server: Server, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """How many users and links to a provider's accounts the deployment has."""
    server.use_database(monkeypatch)

    async def count() -> tuple[int, int]:
        async with session_scope() as session:
            users = await session.scalar(select(func.count()).select_from(User))
            links = await session.scalar(select(func.count()).select_from(ExternalIdentity))
        return int(users or 0), int(links or 0)

    return beside_playwright(count())


def _sign_in_at_provider(chat: Chat, base_url: str, subject: str) -> None:
    """From the chat's sign-in page through the provider's, as `subject`."""
    page = chat.page
    page.goto(f"{base_url}/chat", wait_until="domcontentloaded")
    page.get_by_role("button", name=re.compile("^Continue with")).click()
    page.wait_for_url(re.compile(r"/oauth2/authorize"))
    chat.shot("provider")
    page.get_by_role("button", name=subject, exact=True).click()


def test_single_sign_on_lets_in_the_mapped_user_only(
    server: Server, browser: Browser, artifacts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _create_user(server, "sam@example.org", "candidate")

    context = browser.new_context(viewport=DESKTOP)
    chat = Chat(context.new_page(), artifacts, "sso")
    _sign_in_at_provider(chat, server.base_url, SSO_MEMBER.sub)
    chat.welcomed()
    expect(chat.page.get_by_text("(sam@example.org, candidate)")).to_be_visible(timeout=TURN_MS)
    chat.shot("signed-in")
    context.close()

    before = _people(server, monkeypatch)
    context = browser.new_context(viewport=DESKTOP)
    chat = Chat(context.new_page(), artifacts, "sso-stranger")
    _sign_in_at_provider(chat, server.base_url, SSO_STRANGER.sub)
    chat.page.wait_for_url(re.compile(r"/chat/login\?error=oauthSignin"))
    expect(chat.page.get_by_text("or use a different sign-in method")).to_be_visible(
        timeout=TURN_MS
    )
    expect(chat.page.locator("#chat-input")).to_have_count(0)
    chat.shot("refused")
    context.close()
    assert _people(server, monkeypatch) == before
