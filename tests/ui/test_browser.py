"""The chat in a real browser: Debian's chromium driven by Playwright against a
`clearview serve --demo` started for this module (offline model, demo users).

Each step leaves a screenshot in `test-artifacts/ui/`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    Error,
    Locator,
    Page,
    ViewportSize,
    expect,
)
from sqlalchemy import select

from api.imports.demo import DEMO_CANDIDATE, DEMO_EMPLOYER, DEMO_PASSWORD
from core.db import dispose_engines, session_scope
from core.models import CandidateProfile, Resume, ResumeSource, ResumeVersion, User
from tests.helpers.server import Server, clearview_serve

FILES = Path(__file__).with_name("files")
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
# One worker runs the whole module: one server, and the demo data is loaded once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("ui-browser")]

PHONE: ViewportSize = {"width": 390, "height": 844}
TURN_MS = 30_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, model_cache_dir: Path) -> Iterator[Server]:
    # Loading the 500 demo jobs takes 20-40 s on two cores.
    settings = {"CLEARVIEW_MODE": "dev", "CLEARVIEW_MODEL_CACHE_DIR": str(model_cache_dir)}
    with clearview_serve(
        tmp_path_factory.mktemp("ui-browser"), "--demo", settings=settings, timeout=240
    ) as server:
        yield server


class Chat:
    """One signed-in browser tab, with numbered screenshots of what it shows."""

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

    def sign_in(self, base_url: str, username: str) -> None:
        self.page.goto(f"{base_url}/chat", wait_until="domcontentloaded")
        self.page.fill("#email", username)
        self.page.fill("#password", DEMO_PASSWORD)
        self.shot("sign-in")
        self.page.click("button[type=submit]")
        expect(self.page.locator("#chat-input")).to_be_visible(timeout=TURN_MS)
        expect(self.page.get_by_text("you are signed in as")).to_be_visible(timeout=TURN_MS)

    def idle(self) -> None:
        """Wait for the running turn to end: while it runs, Chainlit swaps the send button
        for a stop button and ignores Enter."""
        expect(self.page.locator("#stop-button")).to_have_count(0, timeout=TURN_MS)

    def say(self, text: str) -> None:
        self.idle()
        self.page.fill("#chat-input", text)
        self.page.keyboard.press("Enter")

    def press(self, name: str) -> None:
        """Click the newest button called `name` once the running turn has ended: while
        a turn (or an action's callback) runs, Chainlit disables every action button, and
        a click landing as that starts is lost."""
        self.idle()
        self.page.get_by_role("button", name=name).last.click()

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


def _current_resume(username: str) -> tuple[ResumeSource, str]:
    """(source, text) of the user's current resume version, read from the server's DB."""

    async def read() -> tuple[ResumeSource, str]:
        try:
            async with session_scope() as session:
                row = (
                    await session.execute(
                        select(ResumeVersion.source, ResumeVersion.text)
                        .join(Resume, Resume.current_version_id == ResumeVersion.id)
                        .join(CandidateProfile, CandidateProfile.current_resume_id == Resume.id)
                        .join(User, User.id == CandidateProfile.user_id)
                        .where(User.username == username)
                    )
                ).one()
            return row.source, row.text
        finally:
            await dispose_engines()

    # Playwright's sync API keeps an event loop on this thread: query from another one.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, read()).result()


def test_candidate_uploads_matches_rewrites_and_accepts(
    server: Server, browser: Browser, artifacts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    context = browser.new_context(viewport=DESKTOP)
    chat = Chat(context.new_page(), artifacts, "candidate")
    chat.sign_in(server.base_url, DEMO_CANDIDATE)
    chat.sees("Mode: offline model")
    chat.shot("welcome")

    # A file the service cannot read is refused with the service's reason.
    chat.attach(FILES / "broken.pdf", "Here is my resume")
    chat.sees("I could not use broken.pdf")
    chat.sees("Please attach your resume as a PDF, DOCX or TXT file")
    chat.shot("upload-refused")

    chat.attach(FILES / "resume.txt", "Here is my resume, what skills do I have?")
    chat.sees("Uploaded resume.txt")
    chat.shot("uploaded")

    chat.say("Which jobs match my resume best?")
    chat.sees("Jobs that match your resume")
    expect(chat.page.get_by_text("Missing (required):").first).to_be_visible()
    expect(chat.page.get_by_text("Used job matching")).to_be_visible()
    chat.shot("job-cards")

    chat.say("Rewrite my resume for the first job")
    chat.sees("Your resume rewrite is ready.", timeout=90_000)
    chat.shot("notified")

    chat.press("View the rewrite")
    chat.sees("Your rewritten resume")
    chat.shot("diff")

    chat.press("Accept")
    chat.sees("Accepted: the rewritten version is now your current resume.")
    chat.shot("accepted")

    server.use_database(monkeypatch)
    source, text = _current_resume(DEMO_CANDIDATE)
    assert source is ResumeSource.rewritten
    assert "Responsible for managing" not in text  # the weak opener was rewritten
    context.close()


def test_candidate_chat_is_readable_at_phone_width(
    server: Server, browser: Browser, artifacts: Path
) -> None:
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True)
    chat = Chat(context.new_page(), artifacts, "phone")
    chat.sign_in(server.base_url, DEMO_CANDIDATE)
    chat.press("Jobs for me")
    chat.sees("Jobs that match your resume")
    chat.shot("job-cards")
    # Nothing runs off the side: the page does not scroll sideways.
    overflow = chat.page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    context.close()


def test_employer_finds_candidates(server: Server, browser: Browser, artifacts: Path) -> None:
    context = browser.new_context(viewport=DESKTOP)
    chat = Chat(context.new_page(), artifacts, "employer")
    chat.sign_in(server.base_url, DEMO_EMPLOYER)
    chat.sees("you are signed in as Employer")
    chat.shot("welcome")

    chat.say("Find candidates for our first job")
    chat.sees("Opted-in candidates for")
    expect(chat.page.get_by_text("Used candidate matching")).to_be_visible()
    expect(chat.page.get_by_text("score", exact=False).first).to_be_visible()
    chat.shot("candidate-cards")
    context.close()


def test_candidate_gets_their_report_with_the_chart_inline(
    server: Server, browser: Browser, artifacts: Path
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    chat = Chat(context.new_page(), artifacts, "report")
    chat.sign_in(server.base_url, DEMO_CANDIDATE)
    chat.say("Download my report")
    chat.sees("Here is your report")
    chart = chat.page.locator('img[alt="chart"]').last
    expect(chart).to_be_visible(timeout=TURN_MS)
    scroll_to(chart)
    # The SVG drawn by the reports service loaded as an image (a broken one has no width).
    expect(chart).to_have_js_property("complete", True)
    assert chart.evaluate("img => img.naturalWidth") > 300
    expect(chat.page.get_by_text(".pdf").last).to_be_visible()
    scroll_to(chat.page.get_by_text("Here is your report").last)
    chat.shot("chart")
    context.close()
