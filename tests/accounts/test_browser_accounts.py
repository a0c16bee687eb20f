"""Accounts in a real browser (Debian's chromium via Playwright) against a `clearview serve`
with a real SMTP server in this process: from the chat's sign-in page to sign-up, the
verification mail, the link, signing in; then a password reset. At phone width.

Each step leaves a screenshot in `test-artifacts/ui/`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.helpers.accounts import Inbox
from tests.helpers.server import UI_ARTIFACTS as ARTIFACTS
from tests.helpers.server import Server, clearview_serve, free_port

PHONE: ViewportSize = {"width": 390, "height": 844}
TIMEOUT_MS = 30_000
PASSWORD = "correct horse battery"
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
def server(
    tmp_path_factory: pytest.TempPathFactory, model_cache_dir: Path, inbox: tuple[Inbox, int]
) -> Iterator[Server]:
    settings = {
        "CLEARVIEW_MODE": "dev",
        "CLEARVIEW_MODEL_CACHE_DIR": str(model_cache_dir),
        "CLEARVIEW_SMTP_URL": f"smtp://127.0.0.1:{inbox[1]}?tls=none",
    }
    with clearview_serve(
        tmp_path_factory.mktemp("ui-accounts"), "--no-demo", settings=settings, timeout=240
    ) as server:
        yield server


def _link(inbox: Inbox, address: str, count: int = 1) -> str:
    body = inbox.wait_for(address, count).get_body(("plain",))
    assert body is not None
    found = re.search(r"http://\S+", body.get_content())
    assert found
    return found.group(0)


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width


def _sign_in(page: Page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/chat", wait_until="domcontentloaded")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")


def test_sign_up_verify_sign_in_and_reset_at_phone_width(
    server: Server, browser: Browser, inbox: tuple[Inbox, int]
) -> None:
    mail = inbox[0]
    artifacts = ARTIFACTS
    artifacts.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True)
    page = context.new_page()
    shot = iter(range(1, 100))

    def snap(name: str) -> None:
        page.screenshot(path=str(artifacts / f"accounts-{next(shot):02d}-{name}.png"))

    page.goto(f"{server.base_url}/chat", wait_until="domcontentloaded")
    link = page.get_by_role("link", name="New here? Sign up as a candidate")
    expect(link).to_be_visible(timeout=TIMEOUT_MS)
    snap("sign-in-links")
    link.click()

    expect(page.get_by_role("heading", name="Sign up as a candidate")).to_be_visible()
    _no_sideways_scroll(page)
    page.fill("#email", "ana@example.org")
    page.fill("#display_name", "Ana")
    page.fill("#password", PASSWORD)
    snap("sign-up")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_text("We sent a link to ana@example.org")).to_be_visible()
    snap("check-mail")

    # Not yet: the address is unconfirmed.
    _sign_in(page, server.base_url, "ana@example.org", PASSWORD)
    expect(page.locator("#chat-input")).to_have_count(0)

    page.goto(_link(mail, "ana@example.org"))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Your account is ready")).to_be_visible()
    snap("confirmed")

    _sign_in(page, server.base_url, "ana@example.org", PASSWORD)
    expect(page.locator("#chat-input")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text("(ana@example.org, candidate)")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_role("button", name="Delete my account")).to_be_visible()
    snap("signed-in")
    context.close()

    # Forgot the password: a link by mail, a new password, signed in with it.
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True)
    page = context.new_page()
    page.goto(f"{server.base_url}/password/forgot")
    page.fill("#email", "ana@example.org")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_text("If this address has an account")).to_be_visible()
    page.goto(_link(mail, "ana@example.org", count=2))
    page.fill("#password", "an even longer password")
    snap("new-password")
    page.get_by_role("button", name="Save my new password").click()
    expect(page.get_by_text("Password saved")).to_be_visible()
    _sign_in(page, server.base_url, "ana@example.org", "an even longer password")
    expect(page.locator("#chat-input")).to_be_visible(timeout=TIMEOUT_MS)
    snap("signed-in-again")
    context.close()
