"""The chat in a browser tab (Playwright's sync API): signing in on Chainlit's page,
sending, attaching, pressing buttons and waiting for what the chat shows, each step
synchronised on the page (an element appearing, the running turn ending)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from playwright.sync_api import Error, Locator, Page, expect

from api.imports.demo import DEMO_PASSWORD
from core.db import dispose_engines

TURN_MS = 30_000
T = TypeVar("T")


class Chat:
    """One browser tab on the chat, with numbered screenshots of what it shows."""

    def __init__(self, page: Page, artifacts: Path, prefix: str) -> None:
        self.page = page
        self.artifacts = artifacts
        self.prefix = prefix
        self.shots = 0

    def shot(self, name: str) -> Path:
        self.shots += 1
        path = self.artifacts / f"{self.prefix}-{self.shots:02d}-{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def submit_sign_in(self, base_url: str, username: str, password: str) -> None:
        """Fill in and send Chainlit's sign-in form (whether it lets them in is not waited
        for: see `sign_in`)."""
        self.page.goto(f"{base_url}/chat", wait_until="domcontentloaded")
        self.page.fill("#email", username)
        self.page.fill("#password", password)
        self.shot("sign-in")
        self.page.click("button[type=submit]")

    def sign_in(self, base_url: str, username: str, password: str = DEMO_PASSWORD) -> None:
        """Sign in with a password and wait for the chat's welcome."""
        self.submit_sign_in(base_url, username, password)
        self.welcomed()

    def welcomed(self) -> None:
        """Wait until the chat is open and has greeted the signed-in user."""
        expect(self.page.locator("#chat-input")).to_be_visible(timeout=TURN_MS)
        expect(self.page.get_by_text("you are signed in as")).to_be_visible(timeout=TURN_MS)

    def idle(self) -> None:
        """Wait for the running turn to end: while it runs, Chainlit swaps the send button
        for a stop button and ignores Enter."""
        expect(self.page.locator("#stop-button")).to_have_count(0, timeout=TURN_MS)

    def say(self, text: str) -> None:
        """Type `text` and send it once Chainlit would take it. Before the user's first
        message Chainlit shows no stop button, even while the chat's start is still
        running, but it ignores Enter all the same (seen in CI on a busy machine: the
        first message stayed in the box): the send button being enabled is the sign."""
        self.idle()
        self.page.fill("#chat-input", text)
        expect(self.page.locator("#chat-submit")).to_be_enabled(timeout=TURN_MS)
        self.page.keyboard.press("Enter")

    def press(self, name: str) -> None:
        """Click the newest button called `name` once the running turn has ended and it is
        enabled: while a turn (or an action's callback) runs, Chainlit disables every
        action button, and a click landing as that starts is lost.

        The click is dispatched to the button itself, not made with the mouse at its
        position: a message still settling (its code block highlighted, the list scrolled
        as content arrives) can move the button between the press and the release, and a
        click whose halves land on different nodes never fires (seen once in CI, on a
        busy machine: "Accept" pressed, nothing happened)."""
        self.idle()
        button = self.page.get_by_role("button", name=name).last
        expect(button).to_be_enabled(timeout=TURN_MS)
        button.dispatch_event("click")

    def attach(self, path: Path, text: str) -> None:
        """Attach a file and send it with `text` (Chainlit sends no attachment alone)."""
        self.idle()
        self.page.set_input_files("input[type=file]", str(path))
        self.page.fill("#chat-input", text)
        expect(self.page.locator("#chat-submit")).to_be_enabled(timeout=TURN_MS)
        self.page.click("#chat-submit")

    def sees(self, text: str, timeout: float = TURN_MS) -> None:
        found = self.page.get_by_text(text).last
        expect(found).to_be_visible(timeout=timeout)
        scroll_to(found)


def scroll_to(target: Locator, attempts: int = 5) -> None:
    """Scroll `target` into view. Chainlit re-renders a message when its elements arrive,
    so the node found may be replaced mid-scroll: the locator is resolved afresh each try."""
    for attempt in range(attempts):
        try:
            target.scroll_into_view_if_needed(timeout=5_000)
            return
        except Error:
            if attempt == attempts - 1:
                raise
            target.page.wait_for_timeout(200)


def beside_playwright(work: Coroutine[Any, Any, T]) -> T:
    """Run `work` (e.g. a read of the server's database, after `server.use_database`) to
    its end. Playwright's sync API keeps an event loop on this thread, so it runs on
    another one, with database engines of its own, disposed when it is done."""

    async def run() -> T:
        try:
            return await work
        finally:
            await dispose_engines()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result()
